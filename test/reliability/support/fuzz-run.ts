import WebSocket from "ws";
import type { DevServer } from "../../../dev/cli.ts";
import { parseRoomName, roomKey } from "../../../contract/rooms.ts";
import { CLIENT_ACTIONS, DEFAULT_ROOM } from "../../../contract/routes.ts";
import { SETTINGS, type SettingDefinition } from "../../../contract/settings.ts";
import { startChat, tokenFor } from "./chat-stack.ts";
import {
  BROADCAST_TYPES,
  DEFAULT_LIMITS,
  ORACLE_ACTIONS,
  allowedOutcomes,
  answerProblems,
  broadcastProblems,
  describeWire,
  errorFrameProblems,
  expectationFor,
  fuzzFrame,
  newConnectionModel,
  type ConnectionModel,
  type Expectation,
  type FuzzContext,
  type Limits,
  type ServerFrame,
  type Wire,
  type World,
} from "./fuzz-frames.ts";

/**
 * The hostile-input fuzzer's runner: the synthesized chat in the emulator,
 * `lanes` signed-in `ws` connections that each send their share of the
 * frames one at a time (reconnecting when API Gateway closes one), and a
 * bystander that is never fuzzed and must keep working. Every answer is
 * classified and checked against the oracle (fuzz-frames.ts); the report
 * lists every failure with the seed and frame index that reproduce it.
 */

export interface FuzzOptions {
  readonly seed: number;
  /** Frames 0 … frames-1. */
  readonly frames: number;
  /** Connections the frames are spread over (frame i goes to lane i mod lanes). @default 6 */
  readonly lanes?: number;
  /** Only these frame indexes (a replay). @default all */
  readonly only?: readonly number[];
  /** The bystander sends a message and waits for it after every this many frames. @default 250 */
  readonly checkEvery?: number;
  /** A frame with neither answer nor close after this long is a failure (a safety net, not a timing assertion). @default 30_000 */
  readonly answerTimeoutMs?: number;
  /** Progress lines. @default none */
  readonly progress?: (line: string) => void;
}

export interface FuzzReport {
  readonly seed: number;
  framesSent: number;
  /** Outcome label (`error invalid_json`, `answer sent`, `close 1009`, …) → count. */
  readonly outcomes: Map<string, number>;
  readonly categories: Map<string, number>;
  /** Category → outcome label → count. */
  readonly byCategory: Map<string, Map<string, number>>;
  /** Wall time of the frames, for the record (never asserted). */
  elapsedMs: number;
  /** Each failure names the seed, the frame index and how to replay it. */
  readonly failures: string[];
  /**
   * Violations of a documented limit that are known and reported, counted
   * instead of failing the run: label → examples. See fuzz.test.ts.
   */
  readonly known: Map<string, string[]>;
  reconnects: number;
  broadcastsChecked: number;
  bystanderChecks: number;
  lobbyMessagesVerified: number;
  privateMessagesVerified: number;
  /** Whether onMessage checked `seq` (issue 9's ordering work) in this tree. */
  seqChecked: boolean;
  /** Emulator log lines that show a handler crash, a failed invocation or a $disconnect fault. */
  readonly crashLines: string[];
  warnLines: number;
  readonly warnExamples: string[];
}

/** A log line that means a handler crashed, an invocation failed, or $disconnect failed. */
export const CRASH_LINE = /"level":"ERROR"|\bms error:|failed after the integration|message on \S+ failed|\(ignored\)|WorkerCrashed|Uncaught|unhandled/i;

/** Frames larger than API Gateway's 128 KB message payload quota cannot be delivered on AWS. */
export const OVER_128_KB = "a frame over API Gateway's 128 KB message payload quota";

/**
 * A room name that follows the rules (at most 128 code points) can have a
 * match key many times longer: NFKC expands U+FDFA to 18 characters (33
 * UTF-8 bytes). The key goes into DynamoDB keys (`ROOM#<key>` as a partition
 * key, at most 2048 bytes, and as a membership's sort key, at most 1024), so
 * such a room was an `internal_error` instead of a room or a client error
 * (see fuzz.test.ts). Fixed: the room rules bound the key's size; a run that
 * meets it again fails.
 */
export const ROOM_KEY_TOO_LONG = "internal_error for a valid room name whose match key (NFKC) is over DynamoDB's key size";

/** Known, reported defects the run counts instead of failing on. */
export const KNOWN_DEFECTS: readonly string[] = [];

/** DynamoDB's refusal of a key over its size (dynalite's wording; AWS's is the same but for the missing space). */
const KEY_SIZE_ERROR = /Size of hashkey has exceeded the maximum size limit of ?2048 bytes|Aggregated size of all range keys has exceeded the size limit of 1024 bytes/;

/** Whether the frame names a valid room whose `ROOM#<key>` is over DynamoDB's 1024-byte sort key (UTF-8 bytes, as AWS counts). */
export function hasOversizedRoomKey(body: Readonly<Record<string, unknown>> | undefined): boolean {
  const room = parseRoomName(body?.["room"]);
  return room !== undefined && Buffer.byteLength(`ROOM#${room.key}`) > 1024;
}

/**
 * The fuzz chat's variables. The per-connection message rate and the
 * connections per user are raised out of the way: a lane sends hundreds of
 * messages a minute and reconnects after every close API Gateway makes, so
 * `rate_limited` and 429 would swamp the run (test/security tests those
 * limits). The room-name rules, `max_stored_message_bytes` and
 * `max_rooms_per_connection` stay at their defaults: the oracle models them.
 */
export const FUZZ_CHAT_VARIABLES: Readonly<Record<string, string>> = {
  [SETTINGS.maxMessagesPerMinute.variable]: "6000",
  [SETTINGS.maxConnectionsPerUser.variable]: "100",
};

const MAX_FAILURES = 200;

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const lanes = options.lanes ?? 6;
  const checkEvery = options.checkEvery ?? 250;
  const timeoutMs = options.answerTimeoutMs ?? 30_000;
  const report: FuzzReport = {
    seed: options.seed,
    framesSent: 0,
    outcomes: new Map(),
    categories: new Map(),
    byCategory: new Map(),
    elapsedMs: 0,
    failures: [],
    known: new Map(),
    reconnects: 0,
    broadcastsChecked: 0,
    bystanderChecks: 0,
    lobbyMessagesVerified: 0,
    privateMessagesVerified: 0,
    seqChecked: false,
    crashLines: [],
    warnLines: 0,
    warnExamples: [],
  };
  const fail = (text: string) => {
    if (report.failures.length < MAX_FAILURES) report.failures.push(text);
  };
  const known = (label: string, example: string) => {
    const list = report.known.get(label) ?? [];
    if (list.length < 5) list.push(example);
    report.known.set(label, list);
  };
  if ([...ORACLE_ACTIONS].sort().join() !== [...CLIENT_ACTIONS].sort().join()) {
    throw new Error(`the fuzz oracle knows ${ORACLE_ACTIONS.join(", ")} but the route manifest has ${CLIENT_ACTIONS.join(", ")}: teach fuzz-frames.ts the new action`);
  }

  const dev = await startChat({
    variables: FUZZ_CHAT_VARIABLES,
    log: (line) => {
      if (CRASH_LINE.test(line) && KEY_SIZE_ERROR.test(line)) {
        known(ROOM_KEY_TOO_LONG, `log: ${line.slice(0, 300)}`);
      } else if (CRASH_LINE.test(line)) {
        if (report.crashLines.length < 50) report.crashLines.push(line.slice(0, 2_000));
      } else if (/"level":"WARN"/.test(line)) {
        report.warnLines += 1;
        if (report.warnExamples.length < 5) report.warnExamples.push(line.slice(0, 1_000));
      }
    },
  });
  try {
    const limits = limitsOf(dev);
    const bystanderName = "bystander";
    const laneNames = Array.from({ length: lanes }, (_, i) => `fuzz-${i}`);
    const tokens = new Map<string, string>();
    const connect = async (name: string, onBroadcast: (frame: ServerFrame, text: string) => void): Promise<Peer> => {
      if (!tokens.has(name)) tokens.set(name, await tokenFor(dev, name));
      return Peer.open(`${dev.emulator.url}?token=${tokens.get(name)}`, (frame, text) => {
        if (Buffer.byteLength(text) > limits.maxPayloadBytes) known(OVER_128_KB, `${Buffer.byteLength(text)} bytes, a ${String(frame["type"])} broadcast`);
        const problems = broadcastProblems(frame);
        report.broadcastsChecked += 1;
        if (problems.length > 0) fail(`seed ${options.seed}: ${name} received a broadcast that breaks the protocol (${problems.join("; ")}): ${text.slice(0, 300)}`);
        onBroadcast(frame, text);
      });
    };

    // ---- the bystander: never fuzzed; sees every lobby message and every private message sent to it
    // Lobby messages are told by the room's key, so one shown under another spelling than `lobby` is caught (as changed).
    const lobbyKey = roomKey(DEFAULT_ROOM);
    const lobbySeen = new Map<string, ServerFrame[]>();
    const privateSeen: string[] = [];
    const ownSeen = new Map<string, ServerFrame>();
    const bystander = await connect(bystanderName, (frame) => {
      const inRoom = (key: string) => typeof frame["room"] === "string" && roomKey(frame["room"]) === key;
      if (frame["type"] === "message" && inRoom(lobbyKey)) lobbySeen.set(String(frame["id"]), [...(lobbySeen.get(String(frame["id"])) ?? []), frame]);
      else if (frame["type"] === "message" && inRoom(roomKey(BYSTANDER_ROOM))) ownSeen.set(String(frame["id"]), frame);
      else if (frame["type"] === "private") privateSeen.push(JSON.stringify([frame["from"], frame["fromId"], frame["message"]]));
    });
    const ask = async (body: Record<string, unknown>): Promise<ServerFrame> => {
      bystander.sendText(JSON.stringify(body));
      const outcome = await bystander.outcome(timeoutMs);
      if (outcome?.kind !== "answer" || outcome.frame === undefined) throw new Error(`seed ${options.seed}: the bystander got no answer to ${JSON.stringify(body)} (${JSON.stringify(outcome)})`);
      return outcome.frame;
    };
    const joined = await ask({ action: "joinRoom", room: BYSTANDER_ROOM });
    if (joined["type"] !== "joined") throw new Error(`the bystander could not join its room: ${JSON.stringify(joined)}`);
    const bystanderId = soleUserId(joined, bystanderName);
    if (bystanderId === undefined) throw new Error(`the bystander's room should list the bystander alone, with its user id: ${JSON.stringify(joined)}`);
    const world: World = { bystander: bystanderName, bystanderId };
    // Does onMessage check `seq` in this tree? (Issue 9's ordering work adds it; the oracle follows.)
    const probe = await ask({ action: "onMessage", room: BYSTANDER_ROOM, message: "seq probe", seq: "1" });
    report.seqChecked = probe["type"] === "error" && probe["code"] === "invalid_field";
    if (!report.seqChecked && probe["type"] !== "sent") throw new Error(`the seq probe got ${JSON.stringify(probe)}`);
    const fullLimits: Limits = { ...limits, seqChecked: report.seqChecked };
    const context: FuzzContext = { names: [bystanderName, ...laneNames], limits: fullLimits };

    let checks = 0;
    const bystanderCheck = async (why: string): Promise<void> => {
      checks += 1;
      const text = `bystander check ${checks} <b>${why}</b> \u202e😀`;
      const sent = await ask({ action: "onMessage", room: BYSTANDER_ROOM, message: text });
      if (sent["type"] !== "sent") return fail(`seed ${options.seed}: bystander check ${checks} (${why}) got ${JSON.stringify(sent)} instead of its receipt`);
      const id = String(sent["id"]);
      if (!(await bystander.until(() => ownSeen.has(id), timeoutMs))) return fail(`seed ${options.seed}: bystander check ${checks} (${why}): its own message never came back`);
      const own = ownSeen.get(id)!;
      if (own["message"] !== text || own["room"] !== BYSTANDER_ROOM || own["from"] !== bystanderName || own["fromId"] !== bystanderId) {
        fail(`seed ${options.seed}: bystander check ${checks} (${why}): its message came back as ${JSON.stringify(own)}`);
      }
      const pong = await ask({ action: "ping" });
      if (pong["type"] !== "pong") fail(`seed ${options.seed}: bystander check ${checks} (${why}): ping got ${JSON.stringify(pong)}`);
      report.bystanderChecks += 1;
    };

    // ---- the lanes
    const indexes = options.only ?? Array.from({ length: options.frames }, (_, i) => i);
    const lobbySent = new Map<string, LobbySent>();
    // Each lane's user id: the same on every one of its connections, and no other lane's or the bystander's.
    const laneIds = new Map<string, string>();
    const privateSent: string[] = [];
    let done = 0;
    let lanesFinished = false;
    const progressWaiters = new Set<() => void>();
    const progressed = () => {
      done += 1;
      for (const wake of progressWaiters) wake();
      if (options.progress && done % 5_000 === 0) options.progress(`${done} frames, ${report.failures.length} failures`);
    };
    const waitForProgress = (atLeast: number) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (done >= atLeast || lanesFinished) {
            progressWaiters.delete(check);
            resolve();
          }
        };
        progressWaiters.add(check);
        check();
      });

    const runLane = async (lane: number): Promise<void> => {
      const name = laneNames[lane]!;
      let peer: Peer | undefined;
      let model: ConnectionModel | undefined;
      let closeExpected = false;
      let previous: number | undefined;
      for (const index of indexes.filter((_, position) => position % lanes === lane)) {
        if (peer?.closed !== undefined && !closeExpected) {
          fail(`seed ${options.seed} lane ${name}: the connection closed (${JSON.stringify(peer.closed)}) after the answer to frame #${previous}, unasked`);
        }
        previous = index;
        if (peer === undefined || peer.closed !== undefined) {
          peer = await connect(name, () => undefined);
          report.reconnects += 1;
          // Its name: the one bound to its identity, the token's unless it renamed itself (setName) on an earlier connection.
          // A room of its own, new for each connection, tells it, and its user id: the only member is itself.
          const home = `home of ${name} #${report.reconnects}`;
          peer.sendText(JSON.stringify({ action: "joinRoom", room: home }));
          const joined = await peer.outcome(timeoutMs);
          const members = joined?.frame?.["members"];
          const userId = joined?.frame === undefined || !Array.isArray(members) || typeof members[0] !== "string" ? undefined : soleUserId(joined.frame, members[0]);
          if (joined?.label !== "answer joined" || !Array.isArray(members) || members.length !== 1 || typeof members[0] !== "string" || userId === undefined || joined.frame?.["room"] !== home) {
            fail(`seed ${options.seed} lane ${name}: joining a new room of its own after connecting got ${JSON.stringify(joined)}`);
            peer.terminate();
            peer = undefined;
            progressed();
            continue;
          }
          const earlier = laneIds.get(name);
          if (earlier !== undefined && earlier !== userId) fail(`seed ${options.seed} lane ${name}: its user id changed from ${earlier} to ${userId} on reconnecting`);
          const shared = [...laneIds].find(([other, id]) => other !== name && id === userId)?.[0] ?? (userId === bystanderId ? bystanderName : undefined);
          if (shared !== undefined) fail(`seed ${options.seed} lane ${name}: its user id ${userId} is also ${shared}'s`);
          laneIds.set(name, userId);
          model = newConnectionModel(members[0], userId);
          model.rooms.set(roomKey(home), home);
        }
        if (model === undefined) throw new Error("unreachable: a connected lane has a model");
        const frame = fuzzFrame(options.seed, index, context);
        const expectation = expectationFor(frame.wire, fullLimits);
        const allowed = allowedOutcomes(expectation, model, world, fullLimits);
        count(report.categories, frame.category);
        peer.send(frame.wire);
        report.framesSent += 1;
        const outcome = await peer.outcome(timeoutMs);
        const where = () => `seed ${options.seed} frame #${index} [${frame.category}] on ${name}; sent ${describeWire(frame.wire)}; replay: FUZZ_SEED=${options.seed} FUZZ_ONLY=${index}`;
        closeExpected = expectation.close !== undefined;
        if (outcome === undefined) {
          fail(`no answer and no close within ${timeoutMs} ms (expected ${[...allowed].join(" | ")}): ${where()}`);
          peer.terminate();
          peer = undefined;
          progressed();
          continue;
        }
        const label = outcome.label;
        count(report.outcomes, label);
        const forCategory = report.byCategory.get(frame.category) ?? new Map<string, number>();
        count(forCategory, label);
        report.byCategory.set(frame.category, forCategory);
        if (!allowed.has(label) && label === "error internal_error" && hasOversizedRoomKey(expectation.body)) {
          known(ROOM_KEY_TOO_LONG, `FUZZ_SEED=${options.seed} FUZZ_ONLY=${index} (${describeWire(frame.wire, 60)})`);
        } else if (!allowed.has(label)) {
          fail(`expected ${[...allowed].join(" | ")}, got ${label}${outcome.text === undefined ? "" : `: ${outcome.text.slice(0, 400)}`}; ${where()}`);
        } else if (outcome.kind === "answer" && outcome.frame !== undefined) {
          const problems = outcomeProblems(outcome.frame, expectation, model, world, fullLimits);
          if (problems.length > 0) fail(`${label} breaks the protocol (${problems.join("; ")}): ${outcome.text!.slice(0, 400)}; ${where()}`);
          if (Buffer.byteLength(outcome.text!) > fullLimits.maxPayloadBytes) known(OVER_128_KB, `${Buffer.byteLength(outcome.text!)} bytes, ${label} to frame #${index}`);
          learn(outcome.frame, expectation, model, { index, lobbySent, privateSent, bystander: bystanderName, seqChecked: report.seqChecked });
        }
        if (outcome.kind === "close") peer = undefined;
        progressed();
      }
      peer?.close();
    };

    const bystanderLoop = async (): Promise<void> => {
      for (let next = checkEvery; !lanesFinished; next += checkEvery) {
        await waitForProgress(next);
        if (!lanesFinished) await bystanderCheck(`after ${done} frames`);
      }
    };
    const watcher = bystanderLoop();
    const started = Date.now();
    try {
      await Promise.all(Array.from({ length: lanes }, (_, lane) => runLane(lane)));
      report.elapsedMs = Date.now() - started;
    } finally {
      lanesFinished = true;
      for (const wake of progressWaiters) wake();
      await watcher;
    }
    // The last check's message was posted after every lane message, so everything before it has arrived.
    await bystanderCheck("at the end");

    // ---- what the bystander saw: every lobby message with a receipt exactly once, as sent; every private message to it
    for (const [id, sent] of lobbySent) {
      const seen = lobbySeen.get(id) ?? [];
      if (seen.length !== 1) fail(`seed ${options.seed}: the bystander got lobby message ${id} (frame #${sent.index}) ${seen.length} times, not once`);
      else if (
        seen[0]!["message"] !== sent.message ||
        seen[0]!["room"] !== DEFAULT_ROOM ||
        seen[0]!["from"] !== sent.from ||
        seen[0]!["fromId"] !== sent.fromId ||
        (sent.seq !== undefined && seen[0]!["seq"] !== sent.seq)
      ) {
        fail(`seed ${options.seed}: lobby message ${id} (frame #${sent.index}) reached the bystander changed: sent ${JSON.stringify(sent)}, got ${JSON.stringify(seen[0])}`);
      } else report.lobbyMessagesVerified += 1;
    }
    for (const id of lobbySeen.keys()) if (!lobbySent.has(id)) fail(`seed ${options.seed}: the bystander got lobby message ${id}, which no lane has a receipt for`);
    const expectedPrivate = [...privateSent].sort();
    const gotPrivate = [...privateSeen].sort();
    if (expectedPrivate.join("\n") !== gotPrivate.join("\n")) {
      fail(`seed ${options.seed}: private messages to the bystander: ${expectedPrivate.length} receipts, ${gotPrivate.length} received; first difference: ${firstDifference(expectedPrivate, gotPrivate)}`);
    } else report.privateMessagesVerified = gotPrivate.length;

    // ---- a newcomer can still sign in and chat
    const newcomer = await connect("newcomer", () => undefined);
    newcomer.sendText(JSON.stringify({ action: "onMessage", message: "still here?" }));
    const receipt = await newcomer.outcome(timeoutMs);
    if (receipt?.label !== "answer sent") fail(`seed ${options.seed}: a newcomer after the run got ${JSON.stringify(receipt)}`);
    newcomer.close();
    bystander.close();
  } finally {
    await dev.emulator.close();
  }
  return report;
}

const BYSTANDER_ROOM = "bystander-room";

/** The limits the functions were given (their environment), which the oracle models. */
function limitsOf(dev: DevServer): Limits {
  const read = (setting: SettingDefinition) => {
    const variable = setting.environment!.name;
    const values = new Set([...dev.emulator.plan.functions.values()].map((fn) => fn.environment[variable]).filter((v) => v !== undefined));
    if (values.size !== 1) throw new Error(`expected one ${variable} across the functions, found ${[...values].join(", ") || "none"}`);
    return Number([...values][0]);
  };
  return {
    ...DEFAULT_LIMITS,
    maxMessageBytes: read(SETTINGS.maxMessageBytes),
    maxStoredMessageBytes: read(SETTINGS.maxStoredMessageBytes),
    maxRoomsPerConnection: read(SETTINGS.maxRoomsPerConnection),
    maxMemberNames: read(SETTINGS.maxMemberNames),
  };
}

/** The user id of `name` in a `joined` answer that lists that user alone. */
function soleUserId(frame: ServerFrame, name: string): string | undefined {
  const users = frame["users"];
  if (!Array.isArray(users) || users.length !== 1) return undefined;
  const user = users[0] as ServerFrame;
  return user["name"] === name && typeof user["userId"] === "string" ? user["userId"] : undefined;
}

function outcomeProblems(frame: ServerFrame, expectation: Expectation, model: ConnectionModel, world: World, limits: Limits): string[] {
  if (frame["type"] === "error") return errorFrameProblems(frame, expectation);
  return expectation.success === undefined ? ["a normal answer to a frame that has a problem"] : answerProblems(frame, expectation.success, model, world, limits);
}

/** A lobby message a lane has a receipt for: what the bystander must have received. */
interface LobbySent {
  readonly from: string;
  readonly fromId: string;
  readonly message: string;
  readonly seq: number | undefined;
  readonly index: number;
}

/** What an answer tells the lane about its connection, and what the bystander must have received. */
function learn(
  frame: ServerFrame,
  expectation: Expectation,
  model: ConnectionModel,
  record: { index: number; lobbySent: Map<string, LobbySent>; privateSent: string[]; bystander: string; seqChecked: boolean },
): void {
  const success = expectation.success;
  if (success === undefined || frame["type"] === "error") return;
  switch (success.answer) {
    case "joined":
      // Under the spelling the answer shows: the room's first, which every later frame of it shows.
      model.rooms.set(success.room.key, String(frame["room"]));
      return;
    case "left":
      model.rooms.delete(success.room.key);
      return;
    case "name":
      model.name = success.name;
      return;
    case "sent":
      if (success.room.key === roomKey(DEFAULT_ROOM)) {
        // The sender's seq comes back in the broadcast (0 when it sent none), once onMessage reads seq.
        const seq = record.seqChecked ? ((expectation.body!["seq"] as number | null | undefined) ?? 0) : undefined;
        record.lobbySent.set(String(frame["id"]), { from: model.name, fromId: model.userId, message: expectation.body!["message"] as string, seq, index: record.index });
      }
      return;
    case "private-sent":
      if (success.to.toLowerCase() === record.bystander) record.privateSent.push(JSON.stringify([model.name, model.userId, success.message]));
      return;
    default:
      return;
  }
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function firstDifference(a: readonly string[], b: readonly string[]): string {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) if (a[i] !== b[i]) return `expected ${a[i] ?? "nothing"}, got ${b[i] ?? "nothing"}`;
  return "none";
}

/** What came back for a frame: its answer, or API Gateway's close. */
type Outcome =
  | { readonly kind: "answer"; readonly label: string; readonly text: string; readonly frame?: ServerFrame }
  | { readonly kind: "close"; readonly label: string; readonly text?: undefined; readonly frame?: undefined; readonly code: number };

/**
 * One `ws` connection. Broadcasts go to a callback; everything else is the
 * answer to the frame in flight (each connection sends one frame at a time).
 */
class Peer {
  private readonly answers: { text: string; frame?: ServerFrame; label: string }[] = [];
  private wake: (() => void) | undefined;
  closed: { code: number; reason: string } | undefined;

  private constructor(
    private readonly ws: WebSocket,
    onBroadcast: (frame: ServerFrame, text: string) => void,
  ) {
    ws.on("message", (data, isBinary) => {
      const text = (Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)])).toString("utf8");
      const frame = parseObject(text);
      if (isBinary) this.answers.push({ text, label: "binary frame from the server" });
      else if (frame === undefined) this.answers.push({ text, label: "not a JSON object" });
      else if (typeof frame["type"] === "string" && BROADCAST_TYPES.has(frame["type"])) onBroadcast(frame, text);
      // API Gateway's own error frames have no type: {"message": "Internal server error", "connectionId": …}.
      else if (frame["type"] === undefined) this.answers.push({ text, frame, label: `gateway ${String(frame["message"])}` });
      else this.answers.push({ text, frame, label: frame["type"] === "error" ? `error ${String(frame["code"])}` : `answer ${String(frame["type"])}` });
      this.wake?.();
    });
    ws.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString("utf8") };
      this.wake?.();
    });
    ws.on("error", () => undefined); // seen as the close
  }

  static open(url: string, onBroadcast: (frame: ServerFrame, text: string) => void): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const peer = new Peer(ws, onBroadcast);
      ws.once("open", () => resolve(peer));
      ws.once("unexpected-response", (_request, response) => reject(new Error(`handshake refused: HTTP ${response.statusCode}`)));
      ws.once("error", reject);
    });
  }

  sendText(text: string): void {
    this.ws.send(text);
  }

  /** The frame's bytes as they are (text frames need not be valid UTF-8), fragmented as given. */
  send(wire: Wire): void {
    const last = wire.fragments.length - 1;
    wire.fragments.forEach((fragment, i) => this.ws.send(Buffer.from(fragment.buffer, fragment.byteOffset, fragment.byteLength), { binary: wire.binary, fin: i === last }));
  }

  /** The next answer, else the close; undefined when neither came within `timeoutMs`. */
  async outcome(timeoutMs: number): Promise<Outcome | undefined> {
    const ready = await this.until(() => this.answers.length > 0 || this.closed !== undefined, timeoutMs);
    if (!ready) return undefined;
    const answer = this.answers.shift();
    if (answer !== undefined) return { kind: "answer", ...answer };
    return { kind: "close", label: `close ${this.closed!.code}`, code: this.closed!.code };
  }

  /** Waits until `condition` holds (re-checked on every frame and on close); false after `timeoutMs`. */
  async until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (!condition()) {
      const left = end - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return true;
  }

  close(): void {
    this.ws.close();
  }

  terminate(): void {
    this.ws.terminate();
  }
}

function parseObject(text: string): ServerFrame | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as ServerFrame) : undefined;
  } catch {
    return undefined;
  }
}

/** The report as lines: counts by outcome, and each category with its outcomes. */
export function summarize(report: FuzzReport): string {
  const byCount = (map: Map<string, number>) => [...map.entries()].sort((a, b) => b[1] - a[1]);
  return [
    `fuzz seed ${report.seed}: ${report.framesSent} frames in ${Math.round(report.elapsedMs / 1000)} s over ${report.reconnects} connections; ${report.broadcastsChecked} broadcasts checked; ${report.bystanderChecks} bystander checks; ${report.lobbyMessagesVerified} lobby and ${report.privateMessagesVerified} private messages verified at the bystander; seq checked: ${report.seqChecked}; ${report.warnLines} WARN log lines`,
    "outcomes:",
    ...byCount(report.outcomes).map(([label, n]) => `  ${String(n).padStart(6)}  ${label}`),
    "categories:",
    ...byCount(report.categories).map(([category, n]) => `  ${String(n).padStart(6)}  ${category}: ${byCount(report.byCategory.get(category) ?? new Map()).map(([label, k]) => `${label} ${k}`).join(", ")}`),
    ...[...report.known.entries()].map(([label, examples]) => `known, reported: ${label}: ${examples.join("; ")}`),
    ...report.warnExamples.map((line) => `WARN: ${line}`),
  ].join("\n");
}
