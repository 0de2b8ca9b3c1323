import { DynamoDBClient, ListTablesCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import type { DevServer } from "../../../dev/cli.ts";
import { compareMessages, type MessageOrder } from "../../../contract/message-order.ts";
import { TestClient } from "../../local/support/client.ts";
import { InFlightWindow } from "./in-flight-window.ts";
import { seededRandom } from "./seeded-random.ts";

/**
 * A chat under load, checked message by message: clients arrive in bursts,
 * join rooms, send numbered messages at random intervals, and every frame
 * they receive is recorded. `checkDelivery` then says what was lost,
 * duplicated, misdelivered or out of order, against what was accepted.
 */

/** Where the chat under load runs: in this process (`wsstack dev`'s server) or in a child process. */
export interface ChatTarget {
  /** `ws://127.0.0.1:<port>/<stage>` */
  readonly webSocketUrl: string;
  /** The DEV-ONLY issuer: `http://127.0.0.1:<port>/_dev` */
  readonly issuer: string;
  readonly dynamoDbEndpoint: string;
}

/** The target of a dev server started in this process. */
export function targetOf(dev: DevServer): ChatTarget {
  return { webSocketUrl: dev.emulator.url, issuer: dev.issuer.issuer, dynamoDbEndpoint: dev.emulator.dynamoDbEndpoint! };
}

async function tokenFor(target: ChatTarget, name: string): Promise<string> {
  const response = await fetch(`${target.issuer}/token?name=${encodeURIComponent(name)}`);
  if (!response.ok) throw new Error(`dev issuer answered ${response.status} for ${name}`);
  return ((await response.json()) as { token: string }).token;
}

export interface LoadPlan {
  readonly connections: number;
  /** Connections opened at once; the next burst starts when this one is open. */
  readonly burst: number;
  readonly rooms: number;
  /** Each client joins between 1 and this many rooms. */
  readonly maxRoomsPerClient: number;
  readonly messagesPerClient: number;
  /**
   * The sending phase's length: each client sends its messages at random
   * times within it, except one in ten, which sends all of them back to back
   * from a random moment (the case that reorders broadcasts). Long enough
   * that the offered load stays within what the emulator serves, so no
   * invocation waits past API Gateway's 29 s.
   */
  readonly spreadMs: number;
  /**
   * At most this many messages awaiting an answer at once, across all
   * clients (see InFlightWindow); a send beyond it waits for an answer.
   * @default unlimited (open loop)
   */
  readonly maxInFlight?: number;
  readonly seed: number;
  /** How long to wait, after everyone closed, for the table to empty. @default 60_000 */
  readonly cleanupMs?: number;
  /** Prints progress lines (a long run shows where it is). */
  readonly progress?: (line: string) => void;
}

type Frame = Record<string, unknown> & { type?: string };

interface Received extends MessageOrder {
  readonly room: string;
  readonly message: string;
  readonly from: string;
  readonly arrivedAt: number;
}

/** One simulated user: its connection, rooms, what it sent and what it received. */
export class LoadClient {
  readonly rooms = new Set<string>();
  /** Message text → send time, for the messages sent. */
  readonly sent = new Map<string, number>();
  readonly receipts: Frame[] = [];
  readonly errors: Frame[] = [];
  readonly messages: Received[] = [];
  private waiting = new Map<string, (frame: Frame) => void>();
  /** Called once for each receipt or error frame: a sent message was answered. */
  onAnswer: () => void = () => {};

  constructor(
    readonly index: number,
    readonly name: string,
    readonly client: TestClient,
  ) {
    client.ws.on("message", (data) => this.receive(String(data)));
    // TestClient queues frames for tests that read them one by one; this one reads them as they come.
    client.frames.length = 0;
  }

  private receive(text: string): void {
    this.client.frames.length = 0;
    const frame = JSON.parse(text) as Frame;
    if (frame.type === "message") {
      this.messages.push({ ...(frame as unknown as Received), arrivedAt: Date.now() });
    } else if (frame.type === "sent") {
      this.receipts.push(frame);
      this.onAnswer();
    } else if (frame.type === "error" || frame.type === undefined) {
      this.errors.push(frame);
      this.onAnswer();
    }
    const key = frame.type === "joined" ? `joined:${String(frame.room)}` : String(frame.type);
    const waiter = this.waiting.get(key);
    if (waiter !== undefined) {
      this.waiting.delete(key);
      waiter(frame);
    }
  }

  /** Sends an action and waits for the frame of `type` (for `joined`, of that room). */
  ask(action: Record<string, unknown>, key: string, timeoutMs = 60_000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no ${key} within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.set(key, (frame) => (clearTimeout(timer), resolve(frame)));
      this.client.send(JSON.stringify(action));
    });
  }
}


export const roomName = (index: number) => `load-room-${index}`;

/** Opens `plan.connections` signed-in clients in bursts of `plan.burst`, each burst all at once. */
export async function connectInBursts(target: ChatTarget, plan: Pick<LoadPlan, "connections" | "burst" | "progress">, namePrefix = "load"): Promise<LoadClient[]> {
  const clients: LoadClient[] = [];
  for (let start = 0; start < plan.connections; start += plan.burst) {
    const indexes = Array.from({ length: Math.min(plan.burst, plan.connections - start) }, (_, i) => start + i);
    const tokens = await Promise.all(indexes.map((i) => tokenFor(target, `${namePrefix}-${i}`)));
    const opened = await Promise.all(indexes.map(async (i, k) => new LoadClient(i, `${namePrefix}-${i}`, await TestClient.open(`${target.webSocketUrl}?token=${tokens[k]}`))));
    clients.push(...opened);
    if (clients.length % 100 < plan.burst) plan.progress?.(`load: ${clients.length}/${plan.connections} connected`);
  }
  return clients;
}

/** Every client joins 1..maxRoomsPerClient random rooms; resolves when every `joined` arrived. */
export async function joinRooms(clients: readonly LoadClient[], plan: Pick<LoadPlan, "rooms" | "maxRoomsPerClient" | "progress">, random: () => number): Promise<void> {
  for (const client of clients) {
    const count = 1 + Math.floor(random() * plan.maxRoomsPerClient);
    while (client.rooms.size < Math.min(count, plan.rooms)) client.rooms.add(roomName(Math.floor(random() * plan.rooms)));
  }
  await Promise.all(clients.map(async (client) => {
    for (const room of client.rooms) await client.ask({ action: "joinRoom", room }, `joined:${room}`);
  }));
  plan.progress?.(`load: ${clients.length} clients joined ${new Set(clients.flatMap((c) => [...c.rooms])).size} rooms`);
}

/**
 * Each client sends `messagesPerClient` messages to its rooms, numbered by
 * `seq`, spread over `spreadMs` (see LoadPlan). Resolves once every client
 * has a receipt or an error frame for each message it sent, with how many
 * sends `maxInFlight` held back and for how long in all.
 */
export async function sendMessages(clients: readonly LoadClient[], plan: Pick<LoadPlan, "messagesPerClient" | "spreadMs" | "maxInFlight" | "progress">, random: () => number): Promise<{ heldBack: number; heldBackMs: number }> {
  const window = new InFlightWindow(plan.maxInFlight ?? Number.POSITIVE_INFINITY);
  for (const client of clients) client.onAnswer = () => window.release();
  const schedules = clients.map((client) => {
    const quick = random() < 0.1;
    const rooms = [...client.rooms];
    const start = random() * plan.spreadMs;
    const times = Array.from({ length: plan.messagesPerClient }, () => (quick ? start : random() * plan.spreadMs)).sort((a, b) => a - b);
    return times.map((at, i) => ({
      delay: Math.floor(at - (i === 0 ? 0 : times[i - 1]!)),
      room: rooms[Math.floor(random() * rooms.length)]!,
      seq: i + 1,
    }));
  });
  const total = clients.length * plan.messagesPerClient;
  const answered = () => clients.reduce((n, c) => n + c.receipts.length + c.errors.length, 0);
  const timer = setInterval(() => plan.progress?.(`load: ${answered()}/${total} messages answered`), 10_000);
  try {
    await Promise.all(clients.map(async (client, c) => {
      for (const { delay, room, seq } of schedules[c]!) {
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        await window.acquire();
        const message = `${client.name}#${seq}`;
        client.sent.set(message, Date.now());
        client.client.send(JSON.stringify({ action: "onMessage", room, message, seq }));
      }
      // Each answer comes within API Gateway's 29 s, or as its timeout frame; 120 s is ample.
      const deadline = Date.now() + 120_000;
      while (client.receipts.length + client.errors.length < plan.messagesPerClient) {
        if (Date.now() > deadline) throw new Error(`${client.name}: ${client.receipts.length} receipts and ${client.errors.length} errors for ${plan.messagesPerClient} messages after 120 s`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }));
  } finally {
    clearInterval(timer);
    for (const client of clients) client.onAnswer = () => {};
  }
  return { heldBack: window.heldBack, heldBackMs: window.heldBackMs };
}

export interface DeliveryReport {
  readonly connections: number;
  readonly sent: number;
  /** Messages with a receipt: the server accepted them. */
  readonly accepted: number;
  readonly errorFrames: number;
  /**
   * Error frames with code `rate_limited`, far under `max_messages_per_minute`:
   * a known, reported defect when a connection's messages race at the start of
   * a rate window (see RATE_WINDOW_RACE in load.test.ts).
   */
  readonly rateLimited: number;
  /** The error frames' codes (`message` for API Gateway's own frames) and counts. */
  readonly errorCodes: Readonly<Record<string, number>>;
  /** Deliveries owed: each accepted message times the members of its room. */
  readonly expectedDeliveries: number;
  readonly delivered: number;
  readonly lost: number;
  readonly duplicated: number;
  /** Deliveries to a client that was not in the message's room. */
  readonly misdelivered: number;
  /** Pairs of one sender's messages whose server order differs from the order sent. */
  readonly outOfOrder: number;
  /** Pairs of one sender's messages that arrived in the other order (the client reorders them). */
  readonly arrivedOutOfOrder: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Delivered messages per second over the sending phase. */
  readonly throughput: number;
  /** The first few problems, for the failure message. */
  readonly problems: readonly string[];
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** Compares what every client received with what was accepted. */
export function checkDelivery(clients: readonly LoadClient[], sendingMs: number): DeliveryReport {
  const problems: string[] = [];
  const note = (problem: string) => void (problems.length < 20 && problems.push(problem));
  const byName = new Map(clients.map((c) => [c.name, c]));
  // What was accepted: the sender's receipt names the message id; its own copy maps the id to the text.
  const accepted = new Map<string, { room: string; sender: LoadClient; seq: number }>();
  for (const client of clients) {
    const own = new Map(client.messages.filter((m) => m.from === client.name).map((m) => [m.id, m]));
    for (const receipt of client.receipts) {
      const copy = own.get(String(receipt.id));
      if (copy === undefined) {
        note(`${client.name}: receipt for ${String(receipt.id)} but no copy of its own message`);
        continue;
      }
      accepted.set(copy.id, { room: copy.room, sender: client, seq: copy.seq ?? 0 });
    }
  }
  let expectedDeliveries = 0;
  let delivered = 0;
  let lost = 0;
  let duplicated = 0;
  let misdelivered = 0;
  let outOfOrder = 0;
  let arrivedOutOfOrder = 0;
  const latencies: number[] = [];
  for (const receiver of clients) {
    const seen = new Map<string, number>();
    for (const message of receiver.messages) {
      seen.set(message.id, (seen.get(message.id) ?? 0) + 1);
      if (!receiver.rooms.has(message.room)) {
        misdelivered++;
        note(`${receiver.name} got ${message.message} for ${message.room}, a room it is not in`);
      }
      const sentAt = byName.get(message.from)?.sent.get(message.message);
      if (sentAt !== undefined) latencies.push(message.arrivedAt - sentAt);
    }
    for (const [id, { room, sender, seq }] of accepted) {
      if (!receiver.rooms.has(room)) continue;
      expectedDeliveries++;
      const count = seen.get(id) ?? 0;
      if (count === 0) {
        lost++;
        note(`${receiver.name} never got ${sender.name}#${seq} in ${room}`);
      } else {
        delivered++;
        if (count > 1) {
          duplicated += count - 1;
          note(`${receiver.name} got ${sender.name}#${seq} ${count} times`);
        }
      }
    }
    // Per sender: the server's order must be the order sent (seq); arrival order is only counted.
    const bySender = new Map<string, Received[]>();
    for (const message of receiver.messages) bySender.set(message.from, [...(bySender.get(message.from) ?? []), message]);
    for (const [from, messages] of bySender) {
      for (let i = 1; i < messages.length; i++) if ((messages[i]!.seq ?? 0) < (messages[i - 1]!.seq ?? 0)) arrivedOutOfOrder++;
      const ordered = [...messages].sort(compareMessages);
      for (let i = 1; i < ordered.length; i++) {
        if ((ordered[i]!.seq ?? 0) <= (ordered[i - 1]!.seq ?? 0)) {
          outOfOrder++;
          note(`${receiver.name}: ${from}#${ordered[i - 1]!.seq} is ordered before ${from}#${ordered[i]!.seq}`);
        }
      }
    }
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    connections: clients.length,
    sent: clients.reduce((n, c) => n + c.sent.size, 0),
    accepted: accepted.size,
    errorFrames: clients.reduce((n, c) => n + c.errors.length, 0),
    rateLimited: clients.reduce((n, c) => n + c.errors.filter((e) => e["code"] === "rate_limited").length, 0),
    errorCodes: countBy(clients.flatMap((c) => c.errors.map((e) => String(e["code"] ?? e["message"])))),
    expectedDeliveries,
    delivered,
    lost,
    duplicated,
    misdelivered,
    outOfOrder,
    arrivedOutOfOrder,
    latencyMs: { p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? 0 },
    throughput: Math.round((delivered / sendingMs) * 1000),
    problems,
  };
}

/**
 * Pages through a room's whole history as `reader` and checks it against
 * what was accepted for the room: every message once, and each sender's in
 * the order sent. Returns the problems found.
 */
export async function checkHistory(reader: LoadClient, room: string, clients: readonly LoadClient[]): Promise<string[]> {
  const problems: string[] = [];
  const stored: Array<Frame & MessageOrder> = [];
  let before: unknown;
  do {
    const page = await reader.ask({ action: "history", room, limit: 100, ...(before ? { before } : {}) }, "history");
    if (page.room !== room) throw new Error(`history answer for ${String(page.room)} while reading ${room}`);
    stored.push(...(page.messages as Array<Frame & MessageOrder>));
    before = page.next;
  } while (before !== null);
  const expected = new Set<string>();
  for (const client of clients) {
    const own = new Map(client.messages.filter((m) => m.from === client.name && m.room === room).map((m) => [m.id, m]));
    for (const receipt of client.receipts) if (own.has(String(receipt.id))) expected.add(String(receipt.id));
  }
  const ids = stored.map((m) => m.id);
  if (new Set(ids).size !== ids.length) problems.push(`${room}: history lists a message twice`);
  const missing = [...expected].filter((id) => !ids.includes(id));
  if (missing.length > 0) problems.push(`${room}: ${missing.length} accepted messages missing from history`);
  // Newest first: reversed, each sender's seq must increase.
  const lastSeq = new Map<unknown, number>();
  for (const message of [...stored].reverse()) {
    const previous = lastSeq.get(message.from) ?? 0;
    if ((message.seq ?? 0) <= previous) problems.push(`${room}: history has ${String(message.from)}#${message.seq} after #${previous}`);
    lastSeq.set(message.from, message.seq ?? 0);
  }
  return problems.slice(0, 20);
}

/**
 * The chat table's items by kind (contract/connection-table.ts). A
 * connection's own items (`connection`, `membership`, `user`, `identity`)
 * go with it; a signed-in user's name `claim` and `binding` outlive their
 * connections (names are bound to identities), as do `roomName` items and
 * history (`message`).
 */
export async function tableItems(
  target: ChatTarget,
): Promise<Record<"connection" | "membership" | "user" | "identity" | "claim" | "binding" | "roomName" | "message" | "other", number>> {
  const client = new DynamoDBClient({ endpoint: target.dynamoDbEndpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  try {
    const counts = { connection: 0, membership: 0, user: 0, identity: 0, claim: 0, binding: 0, roomName: 0, message: 0, other: 0 };
    const { TableNames = [] } = await client.send(new ListTablesCommand({}));
    for (const TableName of TableNames) {
      let ExclusiveStartKey: Record<string, never> | undefined;
      do {
        const page = await client.send(new ScanCommand({ TableName, ExclusiveStartKey, ProjectionExpression: "pk, sk" }));
        for (const item of page.Items ?? []) {
          const pk = item["pk"]?.S ?? "";
          const sk = item["sk"]?.S ?? "";
          if (pk.startsWith("CONN#")) counts[sk === "META" ? "connection" : "membership"]++;
          else if (pk.startsWith("USER#")) counts.user++;
          else if (pk.startsWith("NAME#")) counts.claim++;
          else if (pk.startsWith("IDENT#")) counts[sk === "BINDING" ? "binding" : "identity"]++;
          else if (pk.startsWith("ROOM#")) counts[sk === "NAME" ? "roomName" : "message"]++;
          else counts.other++;
        }
        ExclusiveStartKey = page.LastEvaluatedKey as Record<string, never> | undefined;
      } while (ExclusiveStartKey !== undefined);
    }
    return counts;
  } finally {
    client.destroy();
  }
}

/** Waits until `check` holds, polling; returns its last value either way. */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export interface LoadRun {
  readonly report: DeliveryReport;
  readonly historyProblems: readonly string[];
  /** Items left in the table once every client closed and `$disconnect` ran (or `cleanupMs` passed). */
  readonly leftover: Awaited<ReturnType<typeof tableItems>>;
  readonly durations: { readonly connectMs: number; readonly joinMs: number; readonly sendMs: number };
  /** Sends that `maxInFlight` held back, and their total wait in ms. */
  readonly heldBack: { readonly sends: number; readonly totalMs: number };
}

/** The whole run: bursts of connections, rooms, messages, checks, history, disconnect, table. */
export async function runChatLoad(target: ChatTarget, plan: LoadPlan): Promise<LoadRun> {
  const random = seededRandom(plan.seed);
  plan.progress?.(`load: seed ${plan.seed}, ${plan.connections} connections in bursts of ${plan.burst}, ${plan.rooms} rooms, ${plan.messagesPerClient} messages each`);
  let started = Date.now();
  const clients = await connectInBursts(target, plan);
  const connectMs = Date.now() - started;
  try {
    started = Date.now();
    await joinRooms(clients, plan, random);
    const joinMs = Date.now() - started;
    started = Date.now();
    const held = await sendMessages(clients, plan, random);
    // Broadcasts finish before their receipts, but a member's frame may still be on the wire.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const sendMs = Date.now() - started;
    const report = checkDelivery(clients, sendMs);
    plan.progress?.(`load: ${report.accepted}/${report.sent} accepted, ${report.delivered}/${report.expectedDeliveries} delivered, p50 ${report.latencyMs.p50} ms, p99 ${report.latencyMs.p99} ms`);
    const historyProblems: string[] = [];
    const rooms = [...new Set(clients.flatMap((c) => [...c.rooms]))];
    for (const room of rooms) {
      const reader = clients.find((c) => c.rooms.has(room))!;
      historyProblems.push(...(await checkHistory(reader, room, clients)));
    }
    for (const { client } of clients) client.close();
    await Promise.all(clients.map(({ client }) => client.closed));
    // Every $disconnect tells the lobby, so 1,000 of them are a storm of their own: give it time.
    // Only the connections' own items go; each user's name claim and binding stay (names are bound to identities).
    const leftover = await eventually(() => tableItems(target), (items) => items.connection + items.membership + items.user + items.identity === 0, plan.cleanupMs ?? 60_000);
    return { report, historyProblems, leftover, durations: { connectMs, joinMs, sendMs }, heldBack: { sends: held.heldBack, totalMs: held.heldBackMs } };
  } finally {
    for (const { client } of clients) client.close();
  }
}
