/**
 * What the limits cost per request, in DynamoDB calls and capacity units:
 * the real cores (sendMessage, privateMessage, joinRoom, connect,
 * disconnect) over the real DynamoDbConnectionStore, one request at a time,
 * each call recorded by the proxy in bench/disconnect/dynamo.ts.
 *
 * The message rate is measured against a baseline: the same core with a
 * store whose countMessage admits every message without a call. The other
 * limits are checks inside their cores, so their baseline is the same
 * request minus the check's own calls (which the trace names).
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DEFAULT_ROOM } from "../../contract/routes.ts";
import { SETTINGS } from "../../contract/settings.ts";
import { DynamoDbConnectionStore } from "../../functions/aws/dynamodb-connection-store.ts";
import type { Clock } from "../../functions/core/clock.ts";
import { RateLimitedError } from "../../functions/core/client-errors.ts";
import { connect } from "../../functions/core/connect.ts";
import { disconnect } from "../../functions/core/disconnect.ts";
import type { Logger } from "../../functions/core/logger.ts";
import { privateMessage } from "../../functions/core/private-message.ts";
import { systemRandom } from "../../functions/core/random.ts";
import { joinRoom } from "../../functions/core/room-actions.ts";
import { sendMessage, type SendMessageSettings } from "../../functions/core/send-message.ts";
import type { Sender } from "../../functions/core/sender.ts";
import type { ChildHandle } from "../fan-out/rpc.ts";
import type { CostDynamoApi, CostStats, TracedCall } from "./dynamo.ts";

/** The same store, but every message is within its rate and nothing is counted: the baseline. */
class UncountedStore extends DynamoDbConnectionStore {
  override async countMessage(): Promise<boolean> {
    return true;
  }
}

/** A clock the bench moves: the rate's window is the clock's minute. */
class BenchClock implements Clock {
  #now: number;
  constructor(start: number) {
    this.#now = start;
  }
  now(): Date {
    return new Date(this.#now);
  }
  set(ms: number): void {
    this.#now = ms;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

export interface CostScenario {
  readonly request: string;
  readonly variant: string;
  /** Which limit's calls this row counts, and how they are picked from the trace. */
  readonly limit: string;
  readonly stats: CostStats;
  /** The calls the limit made (in the trace). */
  readonly limitCalls: readonly TracedCall[];
  /** The row this one is compared with: a measured baseline, or undefined when the baseline is this row minus limitCalls. */
  readonly baseline?: string;
  /** What the request answered, e.g. `sent`, `rate_limited`. */
  readonly outcome: string;
}

export interface CostWorld {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly dynamo: ChildHandle<CostDynamoApi>;
  readonly sender: Sender;
  /** Members of the room the messages go to, the sender included. */
  readonly roomSize: number;
  /** Fresh connection ids, as API Gateway makes them. */
  readonly newId: () => string;
}

const isRate = (c: TracedCall): boolean => c.action === "UpdateItem" && c.target === "connection item";
const isRoomCount = (c: TracedCall): boolean => c.action === "Query" && c.target === "connection's memberships";
const isConnectionCount = (c: TracedCall): boolean => c.action === "Query" && c.target === "identity's connections";
const isBindingRead = (c: TracedCall): boolean => c.action === "GetItem" && c.target === "name binding";

export async function measureLimitCosts(world: CostWorld): Promise<CostScenario[]> {
  const { client, tableName, dynamo, sender } = world;
  const minute = 60_000;
  // A whole minute, so each scenario picks its place in the rate's window.
  const t0 = Math.floor(Date.now() / minute) * minute;
  const clock = new BenchClock(t0 + 1_000);
  const store = new DynamoDbConnectionStore({ client, tableName, sleep: clock.sleep });
  const uncounted = new UncountedStore({ client, tableName, sleep: clock.sleep });
  const random = systemRandom();
  const fanOut = { concurrency: SETTINGS.fanOutConcurrency.default };
  const maxPerMinute = SETTINGS.maxMessagesPerMinute.default;
  const messageSettings: SendMessageSettings = {
    maxMessageBytes: SETTINGS.maxMessageBytes.default,
    defaultRoom: DEFAULT_ROOM,
    fanOut,
    historyTtlSeconds: SETTINGS.historyTtlDays.default * 86_400,
    maxStoredMessageBytes: SETTINGS.maxStoredMessageBytes.default,
    rate: { maxPerMinute },
  };
  const connectionTtlSeconds = SETTINGS.connectionTtlSeconds.default;
  const nameBindingSeconds = SETTINGS.nameBindingDays.default * 86_400;
  const room = "team";

  // Who is there: a signed-in sender with a bound name, in the lobby and a room of roomSize; a reader in both.
  const nowSeconds = Math.floor(clock.now().getTime() / 1000);
  const people = Array.from({ length: world.roomSize }, (_, i) => ({
    connectionId: world.newId(),
    userId: `u-bench-person-${i}`,
    userName: i === 0 ? "Sender" : i === 1 ? "Reader" : `person-${i}`,
  }));
  for (const person of people) {
    await store.claimName({ name: person.userName, userId: person.userId, expiresAt: nowSeconds + nameBindingSeconds, nowSeconds });
    await store.bindName({ userId: person.userId, name: person.userName, expiresAt: nowSeconds + nameBindingSeconds });
    await store.addConnection({
      ...person,
      connectedAt: clock.now().getTime() - 10 * minute,
      joinedAt: clock.now().getTime() - 10 * minute,
      rooms: [DEFAULT_ROOM, room],
      expiresAt: nowSeconds + connectionTtlSeconds,
    });
  }
  const [senderPerson, reader] = [people[0]!, people[1]!];
  const messageBody = JSON.stringify({ action: "sendMessage", room, message: "Shall we move the stand-up to 10:30 tomorrow? Same room.", seq: 1 });
  const privateBody = JSON.stringify({ action: "privateMessage", to: reader.userName, message: "Can you review my change before lunch?" });

  const scenarios: CostScenario[] = [];
  const measure = async (
    row: Omit<CostScenario, "stats" | "limitCalls" | "outcome">,
    pick: (c: TracedCall) => boolean,
    request: () => Promise<unknown>,
  ): Promise<void> => {
    await dynamo.call("reset");
    let outcome: string;
    try {
      const answer = (await request()) as { type?: string } | undefined;
      outcome = answer?.type ?? "done";
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      outcome = error.code;
    }
    const stats = await dynamo.call("stats", { trace: true });
    scenarios.push({ ...row, stats, limitCalls: stats.trace.filter(pick), outcome });
  };
  const send = (withRate: boolean) => () =>
    sendMessage({ connectionId: senderPerson.connectionId, body: messageBody }, { store: withRate ? store : uncounted, sender, clock, random, logger: silent }, messageSettings);
  const whisper = (withRate: boolean) => () =>
    privateMessage({ connectionId: senderPerson.connectionId, body: privateBody }, { store: withRate ? store : uncounted, sender, clock, logger: silent }, { maxMessageBytes: messageSettings.maxMessageBytes, fanOut, rate: { maxPerMinute } });
  const rate = `${SETTINGS.maxMessagesPerMinute.variable} (${maxPerMinute})`;
  const onMessage = `onMessage, room of ${world.roomSize}`;
  const privately = "privateMessage, 1 recipient connection";

  // ── onMessage ──
  clock.set(t0 + 1_000);
  await measure({ request: onMessage, variant: "without the rate check (baseline)", limit: "—" }, () => false, send(false));
  clock.set(t0 + minute + 1_000);
  await measure({ request: onMessage, variant: "first message of a minute (window reset)", limit: rate, baseline: "without the rate check (baseline)" }, isRate, send(true));
  clock.set(t0 + minute + 2_000);
  await measure({ request: onMessage, variant: "any other message of the minute", limit: rate, baseline: "without the rate check (baseline)" }, isRate, send(true));
  // Use up the rest of the minute's budget, unmeasured, then one more.
  for (let sent = 2; sent < maxPerMinute; sent++) await send(true)();
  await measure({ request: onMessage, variant: `message ${maxPerMinute + 1} of the minute (refused)`, limit: rate, baseline: "without the rate check (baseline)" }, isRate, send(true));

  // ── privateMessage ──
  clock.set(t0 + 2 * minute + 1_000);
  await measure({ request: privately, variant: "without the rate check (baseline)", limit: "—" }, () => false, whisper(false));
  clock.set(t0 + 3 * minute + 1_000);
  await measure({ request: privately, variant: "first message of a minute (window reset)", limit: rate, baseline: "without the rate check (baseline)" }, isRate, whisper(true));
  clock.set(t0 + 3 * minute + 2_000);
  await measure({ request: privately, variant: "any other message of the minute", limit: rate, baseline: "without the rate check (baseline)" }, isRate, whisper(true));

  // ── the other limits: checks inside their cores ──
  const maxRooms = SETTINGS.maxRoomsPerConnection.default;
  await measure({ request: "joinRoom, a new room", variant: "as deployed", limit: `${SETTINGS.maxRoomsPerConnection.variable} (${maxRooms}): Query of the connection's memberships` }, isRoomCount, () =>
    joinRoom(
      { connectionId: senderPerson.connectionId, body: JSON.stringify({ action: "joinRoom", room: "design" }) },
      { store, sender, clock, logger: silent },
      { maxMessageBytes: messageSettings.maxMessageBytes, fanOut, maxRoomsPerConnection: maxRooms, maxMemberNames: SETTINGS.maxMemberNames.default, defaultRoom: DEFAULT_ROOM },
    ),
  );
  const maxConnections = SETTINGS.maxConnectionsPerUser.default;
  const newcomer = { connectionId: world.newId(), userId: "u-bench-newcomer", userName: "Newcomer" };
  await measure({ request: "$connect, signed in", variant: "as deployed", limit: `${SETTINGS.maxConnectionsPerUser.variable} (${maxConnections}): Query of the identity's connections` }, isConnectionCount, () =>
    connect(
      { connectionId: newcomer.connectionId, connectedAt: clock.now().getTime(), authorized: { userId: newcomer.userId, userName: newcomer.userName } },
      { store, sender, clock, random, logger: silent },
      { connectionTtlSeconds, nameBindingSeconds, authRequired: true, maxConnectionsPerUser: maxConnections, room: DEFAULT_ROOM, fanOut },
    ),
  );
  // A name binding changes how $disconnect releases the name: the anonymous path is the baseline.
  const visitor = { connectionId: world.newId() };
  await connect(
    { connectionId: visitor.connectionId, connectedAt: clock.now().getTime(), requestedName: "Visitor" },
    { store, sender, clock, random, logger: silent },
    { connectionTtlSeconds, nameBindingSeconds, authRequired: false, maxConnectionsPerUser: maxConnections, room: DEFAULT_ROOM, fanOut },
  );
  const leaving = "$disconnect, 1 room";
  const anonymous = "anonymous: its claim released (baseline)";
  await measure({ request: leaving, variant: anonymous, limit: "—" }, () => false, () => disconnect(visitor.connectionId, { store, sender, clock, logger: silent }, { fanOut }));
  await measure({ request: leaving, variant: "signed in, name bound: kept", limit: "bound names: GetItem of the name binding", baseline: anonymous }, isBindingRead, () =>
    disconnect(newcomer.connectionId, { store, sender, clock, logger: silent }, { fanOut }),
  );
  return scenarios;
}
