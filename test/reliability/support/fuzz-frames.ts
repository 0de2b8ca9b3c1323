import type { ClientErrorCode } from "../../../contract/frames.ts";
import { MAX_NAME_LENGTH } from "../../../contract/names.ts";
import { MAX_ROOM_NAME_LENGTH, parseRoomName, roomKey, type RoomName } from "../../../contract/rooms.ts";
import { CLIENT_ACTIONS, DEFAULT_ROOM, ROUTES } from "../../../contract/routes.ts";
import { SETTINGS } from "../../../contract/settings.ts";
import { DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT } from "../../../functions/core/requests.ts";

/**
 * The hostile-input fuzzer's pure half: a seeded generator of client frames
 * and the oracle that says which answers each may get. No I/O here; the
 * runner (fuzz-run.ts) sends the frames to the emulator and checks answers.
 *
 * Frame `i` of seed `s` depends on `(s, i)` only, so one failing frame can be
 * replayed alone. The oracle's rules are written from functions/PROTOCOL.md
 * and API Gateway's documented behaviour, not from the handlers' code (only
 * the numeric limits and the contract's room-name rules, contract/rooms.ts,
 * are imported): it decides from the bytes on the wire what a correct server
 * must answer.
 */

// ---------------------------------------------------------------- limits

/** API Gateway's quotas (spec §10) and the protocol's limits (functions/PROTOCOL.md). */
export interface Limits {
  /** `max_message_bytes`: UTF-8 bytes of a body a Lambda route accepts; more is `too_large`. */
  readonly maxMessageBytes: number;
  /** `max_stored_message_bytes`: UTF-8 bytes of an `onMessage` text; more is `too_large`. */
  readonly maxStoredMessageBytes: number;
  /** `max_rooms_per_connection`: rooms at once, the lobby included; one more is `too_many_rooms`. */
  readonly maxRoomsPerConnection: number;
  /** `max_member_names`: users a `joined` answer lists at most. */
  readonly maxMemberNames: number;
  /** A single inbound frame larger than this closes the connection with 1009. */
  readonly maxFrameBytes: number;
  /** A (reassembled) message larger than this closes the connection with 1009. */
  readonly maxPayloadBytes: number;
  /** Room names: 1 to this many characters (code points after NFC; contract/rooms.ts decides). */
  readonly maxRoomLength: number;
  /** Display names: 1 to this many characters. */
  readonly maxNameLength: number;
  /** `history` `limit`: a whole number from 1 to this. */
  readonly maxHistoryLimit: number;
  /** Whether `onMessage` checks its optional `seq` (landing with issue 9's ordering work). */
  readonly seqChecked: boolean;
}

export const DEFAULT_LIMITS: Limits = {
  maxMessageBytes: SETTINGS.maxMessageBytes.default,
  maxStoredMessageBytes: SETTINGS.maxStoredMessageBytes.default,
  maxRoomsPerConnection: SETTINGS.maxRoomsPerConnection.default,
  maxMemberNames: SETTINGS.maxMemberNames.default,
  maxFrameBytes: 32_768,
  maxPayloadBytes: 131_072,
  maxRoomLength: MAX_ROOM_NAME_LENGTH,
  maxNameLength: MAX_NAME_LENGTH,
  maxHistoryLimit: MAX_HISTORY_LIMIT,
  seqChecked: true,
};

/** The routes API Gateway answers itself (MOCK), with the `type` of their fixed answer. */
const MOCK_ANSWERS = new Map(ROUTES.flatMap((route) => (route.kind === "mock" ? [[route.routeKey, (JSON.parse(route.response) as { type: string }).type] as const] : [])));

// ---------------------------------------------------------------- PRNG

/** mulberry32: small, fast, good enough to spread test inputs; never for secrets. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** One of `entries`, each as likely as its weight. */
  weighted<T>(entries: readonly (readonly [number, T])[]): T {
    const total = entries.reduce((sum, [weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [weight, value] of entries) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return entries.at(-1)![1];
  }
}

/** The seed of frame `index`: frames are independent, so any one replays alone. */
export function frameSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

// ---------------------------------------------------------------- JSON with hostile shapes

/** A JSON token written as is: `1e309`, `-0`, a number JSON.stringify would change. */
export class Raw {
  constructor(readonly text: string) {}
}

/** An object as a list of entries: keeps `__proto__` an ordinary key, and allows duplicates. */
export class Obj {
  constructor(readonly entries: readonly (readonly [string, Json])[]) {}
}

export type Json = string | number | boolean | null | Raw | Obj | readonly Json[];

/** JSON text; strings through JSON.stringify, which escapes lone surrogates as `\udxxx`. */
export function writeJson(value: Json): string {
  if (value instanceof Raw) return value.text;
  if (value instanceof Obj) return `{${value.entries.map(([key, item]) => `${JSON.stringify(key)}:${writeJson(item)}`).join(",")}}`;
  if (Array.isArray(value)) return `[${value.map(writeJson).join(",")}]`;
  return JSON.stringify(value);
}

// ---------------------------------------------------------------- frames

/** What goes on the wire: one message, as one frame or as fragments. */
export interface Wire {
  /** Binary opcode instead of text. */
  readonly binary: boolean;
  /** The message's frames; one entry is an unfragmented message. Bytes are sent as they are, valid UTF-8 or not. */
  readonly fragments: readonly Uint8Array[];
}

export interface FuzzFrame {
  readonly seed: number;
  readonly index: number;
  /** What kind of hostility this is, for counts and failure messages. */
  readonly category: string;
  readonly wire: Wire;
}

/** Who the generator may name: users likely online; `names[0]` is always online (the bystander). */
export interface FuzzContext {
  readonly names: readonly string[];
  readonly limits: Limits;
}

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** The frame's bytes as one buffer. */
export function wireBytes(wire: Wire): Uint8Array {
  const total = wire.fragments.reduce((sum, fragment) => sum + fragment.length, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const fragment of wire.fragments) {
    bytes.set(fragment, offset);
    offset += fragment.length;
  }
  return bytes;
}

/** A short, printable description of a frame: for failure messages. */
export function describeWire(wire: Wire, max = 160): string {
  const bytes = wireBytes(wire);
  const head = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true }).decode(bytes.subarray(0, max * 4));
  const shown = JSON.stringify(head.length > max ? `${head.slice(0, max)}…` : head);
  const shape = wire.fragments.length === 1 ? "1 frame" : `${wire.fragments.length} fragments (${wire.fragments.map((f) => f.length).join("+")})`;
  return `${wire.binary ? "binary" : "text"}, ${bytes.length} bytes, ${shape}: ${shown}`;
}

// Strings that have broken a renderer, a parser or a key scheme somewhere.
const HOSTILE_STRINGS: readonly string[] = [
  '<img src=x onerror="window.__pwned=1">',
  "<script>window.__pwned=1</script>",
  '"><svg/onload=window.__pwned=1>',
  "javascript:window.__pwned=1",
  '<a href="javascript:window.__pwned=1">click</a>',
  "<iframe srcdoc='<script>parent.__pwned=1</script>'></iframe>",
  "&lt;b&gt; &amp; &#60;i&#62; &#x3C;",
  "{{constructor.constructor('return 1')()}}",
  "${process.exit(1)}",
  "'; DROP TABLE connections; --",
  "%s%s%s%n%d",
  "\u202eevil.exe\u202c",
  "\u2066isolate\u2069\u200f",
  "zero\u200bwidth\u200c\u200dfeff\ufeff",
  "soft\u00adhyphen",
  "\u0000",
  "nul\u0000inside",
  "\u0007bell \u001b[31mred\u001b[0m",
  "\b\f\n\r\t\u000b",
  "\u007f\u0085\u009f",
  "line\u2028sep\u2029para",
  "👩‍👩‍👧‍👦🇺🇳🏳️‍🌈",
  "Z̴̡̢̛̞͇̘a̷l̶g̵o̸",
  "مرحبا \u202bبالعالم",
  "日本語テキスト",
  "\ufffd\uffff\ufffe",
  "\u{10ffff}\u{e0001}",
  "\ud800",
  "\udfff",
  "a\ud83d",
  "\ude00\ud83d",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "NaN",
  "Infinity",
  "-0",
  "1e309",
  "null",
  "undefined",
  "true",
  "\\",
  '"',
  "\\u0000",
  "\\ud800",
  " ",
  "  leading and trailing  ",
  "ROOM#lobby",
  "CONN#x",
  "NAME#bystander",
];

/** JSON tokens of the wrong type for almost every field. */
const WRONG_VALUES: readonly Json[] = [
  new Raw("1e309"),
  new Raw("-1e309"),
  new Raw("-0"),
  new Raw("1e-400"),
  new Raw("0.0"),
  0,
  1,
  -1,
  1.5,
  new Raw("9007199254740991"),
  new Raw("9007199254740992"),
  new Raw("123456789012345678901234567890"),
  true,
  false,
  [],
  [1, 2],
  ["lobby"],
  new Obj([]),
  new Obj([["__proto__", new Obj([["polluted", true]])]]),
  new Obj([["toString", "x"]]),
  "",
  "NaN",
  "Infinity",
  "-0",
  "1e309",
];

const PROTOTYPE_KEYS = ["__proto__", "constructor", "prototype"];

/** Fields every action reads, so a pollution of Object.prototype would show up as a different answer later. */
const POLLUTION_PAYLOAD = new Obj([
  ["message", "polluted"],
  ["room", "polluted"],
  ["to", "bystander"],
  ["typing", true],
  ["name", "polluted"],
  ["limit", "x"],
  ["seq", -1],
  ["action", "ping"],
  ["polluted", true],
]);

/**
 * Rooms frames keep coming back to, so joins, messages and leaves meet; with
 * other spellings of the same room (case, width, ß and ss, composed and
 * decomposed accents), which contract/rooms.ts matches by one key.
 */
const ROOM_POOL: readonly string[] = [
  ...Array.from({ length: 6 }, () => DEFAULT_ROOM),
  "general",
  "general",
  "Lobby",
  "LOBBY",
  "\uff4c\uff4f\uff42\uff42\uff59", // full-width lobby
  "General",
  "stra\u00dfe",
  "STRASSE",
  "caf\u00e9",
  "cafe\u0301",
  "__proto__",
  "constructor",
  "toString",
  "<script>window.__pwned=1</script>",
  '<img src=x onerror="window.__pwned=1">',
  "\u202eevil",
  "👩‍👩‍👧‍👦",
  "zero\u200bwidth",
  "room with  spaces ",
  "a\u0000b",
  "R".repeat(128),
  "😀".repeat(64),
];

/**
 * Characters whose NFKC form is several characters long (U+FDFA is 18), so
 * a room name within 128 code points can have a much longer match key.
 */
const EXPANDING: readonly string[] = ["\ufdfa", "\ufdfb", "\u3300", "\u2474", "\u00df", "\ufb03"];

const RANDOM_RANGES: readonly (readonly [number, number])[] = [
  [0x00, 0x1f],
  [0x20, 0x7e],
  [0x20, 0x7e],
  [0x7f, 0x9f],
  [0xa0, 0x7ff],
  [0x800, 0xd7ff],
  [0xd800, 0xdfff], // lone surrogates: JSON-escaped on the wire
  [0xe000, 0xfffd],
  [0xfffe, 0xffff],
  [0x10000, 0x10ffff],
];

function randomString(rng: Prng, length: number): string {
  let text = "";
  while (text.length < length) {
    const [lo, hi] = rng.pick(RANDOM_RANGES);
    text += String.fromCodePoint(rng.between(lo, hi));
  }
  return text;
}

function hostileString(rng: Prng): string {
  return rng.weighted<() => string>([
    [6, () => rng.pick(HOSTILE_STRINGS)],
    [2, () => `${rng.pick(HOSTILE_STRINGS)}${rng.pick(HOSTILE_STRINGS)}${rng.pick(HOSTILE_STRINGS)}`],
    [3, () => randomString(rng, rng.between(1, 40))],
    [1, () => rng.pick(["w", "😀", "\u0301", "日", "\u200b"]).repeat(rng.pick([31, 32, 33, 127, 128, 129, 500, 4000]))],
  ])();
}

/** Names the naming rules accept (1 to 32 of A-Z a-z 0-9 _ - . and single inner spaces). */
function validName(rng: Prng, context: FuzzContext): string {
  return rng.weighted<() => string>([
    [3, () => rng.pick(context.names)],
    [2, () => flipCase(rng, rng.pick(context.names))],
    [2, () => rng.pick(["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "NaN", "Infinity", "-0", "..", "a", "a b.c-d_e"])],
    [1, () => "n".repeat(context.limits.maxNameLength)],
    [1, () => `${"a".repeat(15)} ${"b".repeat(context.limits.maxNameLength - 16)}`],
    [2, () => `fuzzer-${rng.int(1000)}`],
  ])();
}

function flipCase(rng: Prng, text: string): string {
  return [...text].map((ch) => (rng.chance(0.5) ? ch.toUpperCase() : ch.toLowerCase())).join("");
}

/** Strings the naming rules refuse. */
function invalidName(rng: Prng, context: FuzzContext): string {
  return rng.weighted<() => string>([
    [4, () => hostileString(rng)],
    [1, () => "n".repeat(context.limits.maxNameLength + 1)],
    [1, () => ` ${rng.pick(context.names)}`],
    [1, () => `${rng.pick(context.names)} `],
    [1, () => "a  b"],
    [1, () => "bystаnder"], // Cyrillic а: a look-alike of "bystander"
    [1, () => "Ａｌｉｃｅ"],
    [1, () => ""],
  ])();
}

function roomName(rng: Prng, limits: Limits): string {
  return rng.weighted<() => string>([
    [10, () => rng.pick(ROOM_POOL)],
    [3, () => hostileString(rng)],
    [1, () => rng.pick(["r", "R", "😀", "日", "e\u0301"]).repeat(rng.pick([limits.maxRoomLength - 1, limits.maxRoomLength, limits.maxRoomLength + 1]))],
    [0.5, () => rng.pick(EXPANDING).repeat(rng.pick([1, 31, 57, 64, 114, limits.maxRoomLength, limits.maxRoomLength + 1]))],
    [1, () => ""],
  ])();
}

/** A cursor of the shape `history` writes, for a time and id of our choosing (accepted or not: it is opaque). */
function craftedCursor(rng: Prng): string {
  const parts: Json[] = [new Date(Date.UTC(2020 + rng.int(10), rng.int(12), 1 + rng.int(28))).toISOString()];
  if (rng.chance(0.5)) parts.push(rng.int(100));
  parts.push(rng.chance(0.8) ? `${rng.int(1e9)}` : hostileString(rng));
  return base64url(writeJson(parts));
}

function base64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64").replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Nested arrays or objects; objects at most 5,000 deep, so most still fit in one 32 KB frame. */
function deepNesting(rng: Prng, depth: number): Raw {
  const [open, close, most] = rng.pick([
    ["[", "]", depth],
    ['{"a":', "}", Math.min(depth, 5_000)],
  ] as const);
  return new Raw(`${open.repeat(most)}${rng.pick(["0", "null", '"x"', "[]"])}${close.repeat(most)}`);
}

function hugeArray(rng: Prng, items: number): Raw {
  const item = rng.pick(["0", "null", '""', "[]", "{}", "1e309", '"lobby"']);
  return new Raw(`[${Array.from({ length: items }, () => item).join(",")}]`);
}

type FieldKind = "message" | "room" | "to" | "typing" | "name" | "limit" | "before" | "seq";

/** Field names of each action, as PROTOCOL.md lists them; `seq` is onMessage's optional sequence number. */
const ACTION_FIELDS: Readonly<Record<string, readonly FieldKind[]>> = {
  onMessage: ["message", "room", "seq"],
  joinRoom: ["room"],
  leaveRoom: ["room"],
  privateMessage: ["to", "message"],
  typingIndicator: ["room", "typing"],
  setName: ["name"],
  history: ["room", "limit", "before"],
  ping: [],
};

/** Optional fields are left out more often, so that their action's other fields get through to the answer. */
const ABSENT_WEIGHT: Partial<Record<FieldKind, number>> = { before: 10, limit: 4, seq: 4 };

/** `ping` is answered by API Gateway whatever its body, so it gets fewer frames. */
function pickAction(rng: Prng): string {
  return rng.weighted(CLIENT_ACTIONS.map((action) => [MOCK_ANSWERS.has(action) ? 0.3 : 1, action] as const));
}

function fieldValue(rng: Prng, kind: FieldKind, context: FuzzContext): Json | undefined {
  const limits = context.limits;
  return rng.weighted<() => Json | undefined>([
    [ABSENT_WEIGHT[kind] ?? 1, () => undefined],
    [0.5, () => null],
    [
      14,
      () => {
        switch (kind) {
          case "message":
            return rng.chance(0.5) ? hostileString(rng) : `hello ${rng.int(1e6)}`;
          case "room":
            return roomName(rng, limits);
          case "to":
            return rng.chance(0.3) ? flipCase(rng, context.names[0]!) : rng.chance(0.85) ? validName(rng, context) : invalidName(rng, context);
          case "typing":
            return rng.chance(0.5);
          case "name":
            return rng.chance(0.6) ? validName(rng, context) : invalidName(rng, context);
          case "limit":
            return rng.pick([1, 2, 50, limits.maxHistoryLimit - 1, limits.maxHistoryLimit]);
          case "before":
            return craftedCursor(rng);
          case "seq":
            return rng.pick<Json>([0, 1, rng.int(1e6), new Raw("9007199254740991"), new Raw("-0"), new Raw("1.0"), new Raw("1e3")]);
        }
      },
    ],
    [
      2,
      () => {
        switch (kind) {
          case "limit":
            return rng.pick<Json>([0, -1, limits.maxHistoryLimit + 1, 1.5, new Raw("1e2"), new Raw("100.0"), new Raw("1e309")]);
          case "seq":
            return rng.pick<Json>([-1, 0.5, new Raw("9007199254740992"), new Raw("1e309"), new Raw("-1e-400"), "1"]);
          case "before":
            return rng.pick<Json>(["", "!!!", "WyJ4Il0", base64url("[]"), base64url('["2020-01-01T00:00:00.000Z"]'), base64url('{"__proto__":1}'), base64url("[1,2,3,4]")]);
          default:
            return "";
        }
      },
    ],
    [3, () => hostileString(rng)],
    [3, () => rng.pick(WRONG_VALUES)],
    [0.3, () => deepNesting(rng, rng.between(100, 3_000))],
    [0.3, () => hugeArray(rng, rng.between(100, 3_000))],
  ])();
}

/** Keys added to a body: prototype pollution, unknown fields, a second `action`. */
function extraEntries(rng: Prng): [string, Json][] {
  return rng.weighted<() => [string, Json][]>([
    [3, () => [[rng.pick(PROTOTYPE_KEYS), POLLUTION_PAYLOAD]]],
    [1, () => [["constructor", new Obj([["prototype", POLLUTION_PAYLOAD]])]]],
    [1, () => [[hostileString(rng), hostileString(rng)]]],
    [1, () => [["action", rng.pick([...CLIENT_ACTIONS, "dance", ""])]]],
    [1, () => [["extra", rng.pick(WRONG_VALUES)]]],
  ])();
}

/** `{"action": <action>, ...fields}` with each field absent, valid, at a limit, hostile or of the wrong type. */
function actionBody(rng: Prng, action: string, context: FuzzContext): Obj {
  const entries: [string, Json][] = [["action", action]];
  for (const kind of ACTION_FIELDS[action] ?? []) {
    const value = fieldValue(rng, kind, context);
    if (value !== undefined) entries.push([kind, value]);
  }
  if (rng.chance(0.15)) entries.push(...extraEntries(rng));
  if (rng.chance(0.1)) shuffle(rng, entries);
  return new Obj(entries);
}

function shuffle<T>(rng: Prng, items: T[]): void {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

function unknownAction(rng: Prng): Json {
  return rng.weighted<() => Json>([
    [3, () => rng.pick(["dance", "OnMessage", "onmessage", "ONMESSAGE", " onMessage", "onMessage ", "on Message", "ping\u0000", "$default", "$connect", "$disconnect", "sendmessage", ""])],
    [2, () => rng.pick(["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf", "__defineGetter__"])],
    [2, () => hostileString(rng)],
    [2, () => rng.pick(WRONG_VALUES)],
    [1, () => rng.pick<Json>([["ping"], ["onMessage"], new Obj([["action", "ping"]]), null])],
  ])();
}

const MALFORMED: readonly string[] = [
  "",
  " ",
  "\n\t\r ",
  "null",
  "true",
  "0",
  "1e309",
  '"onMessage"',
  "[]",
  '[{"action":"ping"}]',
  "{",
  "}",
  "{}{}",
  '{"action":"ping"}x',
  '{"action":"ping"}{"action":"ping"}',
  "{'action':'ping'}",
  "{action:ping}",
  '{"action":"ping",}',
  '{"action":"ping" // comment\n}',
  '{"action":NaN}',
  '{"action":undefined}',
  '{"action":"onMessage","message":"\\x41"}',
  '{"action":"onMessage","message":"\\u12"}',
  '{"action":"onMessage","message":"tab\there"}',
  '{"action":"onMessage","message":"nl\nhere"}',
  '\ufeff{"action":"ping"}',
  '{"action":"ping"}\u0000',
  "\u0000",
  "<html><script>alert(1)</script>",
  "action=onMessage&message=hi",
];

function malformed(rng: Prng, context: FuzzContext): string {
  return rng.weighted<() => string>([
    [4, () => rng.pick(MALFORMED)],
    [
      4,
      () => {
        // A valid frame cut short.
        const text = writeJson(actionBody(rng, pickAction(rng), context));
        return text.slice(0, rng.int(text.length));
      },
    ],
    [2, () => randomString(rng, rng.between(1, 200)).replace(/[\ud800-\udfff]/g, "?")],
    [1, () => `${"[".repeat(rng.between(1_000, 15_000))}`],
    [1, () => `${'{"a":'.repeat(rng.between(500, 5_000))}`],
  ])();
}

/**
 * A body of exactly `bytes` UTF-8 bytes: `body` with `pad` repeated into its
 * `field` (escaped JSON counts as it is written), topped up with ASCII.
 */
function exactBody(body: (fill: string) => Obj, pad: string, bytes: number): string {
  const base = utf8(writeJson(body(""))).length;
  const unitBytes = utf8(writeJson(pad)).length - 2;
  const need = bytes - base;
  if (need < 0) throw new Error(`cannot pad to ${bytes} bytes: the frame alone is ${base}`);
  const fill = pad.repeat(Math.floor(need / unitBytes)) + "x".repeat(need % unitBytes);
  const text = writeJson(body(fill));
  if (utf8(text).length !== bytes) throw new Error(`padding went wrong: ${utf8(text).length} bytes, wanted ${bytes}`);
  return text;
}

/**
 * Splits `bytes` into frames of at most `max` bytes, at random points (inside
 * a UTF-8 character too); `scatter` cuts small pieces even when one would do.
 */
function fragment(rng: Prng, bytes: Uint8Array, max: number, scatter: boolean): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let offset = 0;
  do {
    const cap = Math.min(bytes.length - offset, max);
    const size = cap <= 1 ? cap : scatter ? rng.between(1, cap) : bytes.length - offset > max ? rng.between(Math.ceil(cap / 2), cap) : cap;
    if (parts.length > 0 && rng.chance(0.05)) parts.push(new Uint8Array(0)); // an empty continuation frame is legal
    parts.push(bytes.subarray(offset, offset + size));
    offset += size;
  } while (offset < bytes.length);
  return parts;
}

/** Near every size limit: the body, the single frame and the whole message, each one byte under, at and over. */
function sizeFrame(rng: Prng, context: FuzzContext): { category: string; wire: Wire } {
  const limits = context.limits;
  const target = rng.pick([
    { name: "max_message_bytes - 1", bytes: limits.maxMessageBytes - 1, split: rng.chance(0.3) },
    { name: "max_message_bytes", bytes: limits.maxMessageBytes, split: rng.chance(0.3) },
    { name: "max_message_bytes + 1", bytes: limits.maxMessageBytes + 1, split: false }, // one frame over 32 KB: API Gateway closes with 1009
    { name: "max_message_bytes + 1", bytes: limits.maxMessageBytes + 1, split: true }, // fragmented: too_large
    { name: "over max_message_bytes", bytes: limits.maxMessageBytes + rng.between(2, 30_000), split: rng.chance(0.5) },
    { name: "128 KB", bytes: limits.maxPayloadBytes, split: true },
    { name: "128 KB + 1", bytes: limits.maxPayloadBytes + 1, split: true },
  ]);
  const pad = rng.pick(["x", "é", "日", "😀", "\u0000", '"', "<", "\u202e", "\ud800"]);
  const to = rng.pick(context.names);
  const shape = rng.weighted<() => (fill: string) => Obj>([
    [4, () => (fill) => new Obj([["action", "onMessage"], ["message", fill]])],
    [1, () => (fill) => new Obj([["action", "onMessage"], ["room", DEFAULT_ROOM], ["message", `${fill}`]])],
    [1, () => (fill) => new Obj([["action", "privateMessage"], ["to", to], ["message", fill]])],
    [1, () => (fill) => new Obj([["action", "ping"], ["pad", fill]])],
    [1, () => (fill) => new Obj([["action", "joinRoom"], ["room", "general"], ["pad", fill]])],
    [1, () => (fill) => new Obj([["action", "dance"], ["pad", fill]])],
    [1, () => (fill) => new Obj([["pad", fill]])],
  ])();
  const bytes = utf8(exactBody(shape, pad, target.bytes));
  const fragments = target.split ? fragment(rng, bytes, limits.maxFrameBytes, false) : [bytes];
  return { category: `size: ${target.name}, ${target.split ? "fragmented" : "one frame"}`, wire: { binary: false, fragments } };
}

/**
 * `onMessage` with a text one UTF-8 byte under, at or over
 * `max_stored_message_bytes` (the `message` field's bytes, not the frame's):
 * over it is `too_large`, however small the frame.
 */
function storedSizeFrame(rng: Prng, context: FuzzContext): { category: string; wire: Wire } {
  const limit = context.limits.maxStoredMessageBytes;
  const [name, bytes] = rng.pick([
    ["max_stored_message_bytes - 1", limit - 1],
    ["max_stored_message_bytes", limit],
    ["max_stored_message_bytes + 1", limit + 1],
  ] as const);
  const pad = rng.pick(["x", "é", "日", "😀", "<", '"', "\u202e"]);
  const padBytes = utf8(pad).length;
  const message = pad.repeat(Math.floor(bytes / padBytes)) + "x".repeat(bytes % padBytes);
  const entries: [string, Json][] = [["action", "onMessage"], ["message", message]];
  if (rng.chance(0.5)) entries.push(["room", rng.pick([DEFAULT_ROOM, "LOBBY", "general"])]);
  if (rng.chance(0.3)) entries.push(["seq", rng.int(1e6)]);
  const body = utf8(writeJson(new Obj(entries)));
  const split = rng.chance(0.2);
  return { category: `size: ${name} (message text)${split ? ", fragmented" : ""}`, wire: { binary: false, fragments: split ? fragment(rng, body, context.limits.maxFrameBytes, true) : [body] } };
}

const INVALID_UTF8: readonly (readonly number[])[] = [
  [0xff],
  [0xc0, 0x80], // overlong NUL
  [0xed, 0xa0, 0x80], // a UTF-16 surrogate encoded as UTF-8
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0x80], // a lone continuation byte
  [0xe2, 0x82], // cut short
];

function invalidUtf8Frame(rng: Prng, context: FuzzContext): Wire {
  const text = utf8(writeJson(actionBody(rng, rng.pick(CLIENT_ACTIONS), context)));
  const bad = rng.pick(INVALID_UTF8);
  const at = rng.int(text.length + 1);
  const bytes = new Uint8Array([...text.subarray(0, at), ...bad, ...text.subarray(at)]);
  return { binary: false, fragments: rng.chance(0.3) ? fragment(rng, bytes, context.limits.maxFrameBytes, true) : [bytes] };
}

function binaryFrame(rng: Prng, context: FuzzContext): Wire {
  const bytes = rng.chance(0.5)
    ? utf8(writeJson(actionBody(rng, rng.pick(CLIENT_ACTIONS), context)))
    : Uint8Array.from({ length: rng.between(0, 300) }, () => rng.int(256));
  return { binary: true, fragments: rng.chance(0.2) ? fragment(rng, bytes, context.limits.maxFrameBytes, true) : [bytes] };
}

/** Frame `index` of `seed`. */
export function fuzzFrame(seed: number, index: number, context: FuzzContext): FuzzFrame {
  const rng = new Prng(frameSeed(seed, index));
  const text = (category: string, body: string, split = rng.chance(0.05)): FuzzFrame => {
    const bytes = utf8(body);
    const fragments = split && bytes.length > 1 ? fragment(rng, bytes, context.limits.maxFrameBytes, true) : [bytes];
    return { seed, index, category: fragments.length > 1 ? `${category} (fragmented)` : category, wire: { binary: false, fragments } };
  };
  return rng.weighted<() => FuzzFrame>([
    [50, () => text("fields", writeJson(actionBody(rng, pickAction(rng), context)))],
    [6, () => text("unknown action", writeJson(new Obj([["action", unknownAction(rng)], ["message", hostileString(rng)]])))],
    [3, () => text("no action", writeJson(new Obj([["message", hostileString(rng)], ["room", roomName(rng, context.limits)]])))],
    [4, () => text("prototype keys", writeJson(new Obj([[rng.pick(PROTOTYPE_KEYS), POLLUTION_PAYLOAD], ["action", rng.pick(CLIENT_ACTIONS)]])))],
    [10, () => text("malformed JSON", malformed(rng, context))],
    [
      3,
      () =>
        text(
          "deep nesting",
          writeJson(
            rng.chance(0.5)
              ? new Obj([["action", rng.pick(CLIENT_ACTIONS)], [rng.pick(["message", "room", "name", "to", "typing", "limit", "before", "seq", "extra"]), deepNesting(rng, rng.between(1_000, 10_000))]])
              : deepNesting(rng, rng.between(1_000, 15_000)),
          ),
        ),
    ],
    [2, () => text("huge array", writeJson(new Obj([["action", rng.pick(CLIENT_ACTIONS)], [rng.pick(["message", "room", "name", "to", "extra"]), hugeArray(rng, rng.between(1_000, 6_000))]])))],
    [2, () => text("html everywhere", writeJson(htmlEverywhere(rng, context)))],
    [8, () => ({ seed, index, ...sizeFrame(rng, context) })],
    [2, () => ({ seed, index, ...storedSizeFrame(rng, context) })],
    [1.5, () => ({ seed, index, category: "invalid UTF-8", wire: invalidUtf8Frame(rng, context) })],
    [1, () => ({ seed, index, category: "binary frame", wire: binaryFrame(rng, context) })],
  ])();
}

/** Every text field of an action set to markup. */
function htmlEverywhere(rng: Prng, context: FuzzContext): Obj {
  const action = pickAction(rng);
  const markup = () => rng.pick(HOSTILE_STRINGS.slice(0, 8));
  const entries: [string, Json][] = [["action", action]];
  for (const kind of ACTION_FIELDS[action] ?? []) {
    if (kind === "typing") entries.push([kind, true]);
    else if (kind === "limit" || kind === "seq") entries.push([kind, 1]);
    else if (kind === "to" && rng.chance(0.5)) entries.push([kind, rng.pick(context.names)]);
    else entries.push([kind, markup()]);
  }
  return new Obj(entries);
}

// ---------------------------------------------------------------- the oracle

export type ErrorCode = ClientErrorCode;

/** PROTOCOL.md's error codes; `internal_error` is documented too, but always a failure here. */
export const DOCUMENTED_ERROR_CODES: readonly string[] = [
  "invalid_json",
  "unknown_action",
  "missing_field",
  "invalid_field",
  "invalid_name",
  "name_taken",
  "not_member",
  "user_offline",
  "too_large",
  "rate_limited",
  "too_many_rooms",
  "internal_error",
];

/** The default room, as every frame shows it. */
const DEFAULT_ROOM_NAME: RoomName = parseRoomName(DEFAULT_ROOM)!;

/** What a frame without problems is answered with. */
export type Success =
  | { readonly answer: "sent"; readonly room: RoomName }
  | { readonly answer: "joined"; readonly room: RoomName }
  | { readonly answer: "left"; readonly room: RoomName }
  | { readonly answer: "ack"; readonly room: RoomName }
  | { readonly answer: "history"; readonly room: RoomName; readonly limit: number }
  | { readonly answer: "name"; readonly name: string }
  | { readonly answer: "private-sent"; readonly to: string; readonly message: string }
  | { readonly answer: "pong" };

export interface Expectation {
  /** API Gateway closes the connection with this code; nothing is routed. */
  readonly close?: number;
  /** Error codes the frame's problems may be answered with (the first problem found is named; the order is not part of the protocol). */
  readonly errors: ReadonlySet<ErrorCode>;
  /** The answer when none of the possible problems is reported; absent when the frame certainly has one. */
  readonly success?: Success;
  /** `requestAction` of an error frame: the action routed on, or null. */
  readonly requestAction: string | null;
  /** The body as the server parses it, when it is a JSON object. */
  readonly body?: Readonly<Record<string, unknown>>;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Whether a string has no lone surrogate (String.prototype.isWellFormed, which Node 20's types lack). */
export function isWellFormed(text: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

/** PROTOCOL.md: 1 to 32 characters of ASCII letters, digits, `_`, `-`, `.`, and single spaces between words. */
export function followsNamingRules(value: unknown, limits: Limits): value is string {
  return typeof value === "string" && value.length >= 1 && value.length <= limits.maxNameLength && /^[A-Za-z0-9_.-]+(?: [A-Za-z0-9_.-]+)*$/.test(value);
}


/** A string that could be a `history` cursor: base64url of a JSON array. Anything else is certainly not one. */
function couldBeCursor(value: string): boolean {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) return false;
  try {
    return Array.isArray(JSON.parse(Buffer.from(value, "base64url").toString("utf8")));
  } catch {
    return false;
  }
}

/** The actions the oracle knows; the runner checks that this is every client action of the route manifest. */
export const ORACLE_ACTIONS: readonly string[] = Object.keys(ACTION_FIELDS);

/**
 * What a correct gateway and chat must do with `wire`, decided from the bytes:
 * API Gateway's closes first (a frame over 32 KB, a message over 128 KB, a
 * binary frame, text that is not UTF-8), then routing on `action`, then the
 * size limit, then each field by the protocol's rules.
 */
export function expectationFor(wire: Wire, limits: Limits): Expectation {
  const none = new Set<ErrorCode>();
  if (wire.fragments.some((fragment) => fragment.length > limits.maxFrameBytes)) return { close: 1009, errors: none, requestAction: null };
  const bytes = wireBytes(wire);
  if (bytes.length > limits.maxPayloadBytes) return { close: 1009, errors: none, requestAction: null };
  if (wire.binary) return { close: 1003, errors: none, requestAction: null };
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return { close: 1007, errors: none, requestAction: null };
  }
  let parsed: unknown;
  let isJson = true;
  try {
    parsed = JSON.parse(text);
  } catch {
    isJson = false;
  }
  const body = isJson && typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  const action = typeof body?.["action"] === "string" ? (body["action"] as string) : undefined;
  const mock = action === undefined ? undefined : MOCK_ANSWERS.get(action);
  if (mock !== undefined) return { errors: none, success: { answer: mock as "pong" }, requestAction: action!, body };
  const routed = action !== undefined && action in ACTION_FIELDS && Object.hasOwn(ACTION_FIELDS, action);
  const tooLarge = bytes.length > limits.maxMessageBytes;
  if (!routed) {
    // $default: too large, else not a JSON object, else no or an unknown action.
    if (tooLarge) return { errors: new Set(["too_large"]), requestAction: null, body };
    if (body === undefined) return { errors: new Set(["invalid_json"]), requestAction: null };
    return { errors: new Set(["unknown_action"]), requestAction: action ?? null, body };
  }
  if (tooLarge) return { errors: new Set(["too_large"]), requestAction: action, body };
  return { ...fieldsExpectation(action, body!, limits), requestAction: action, body };
}

function fieldsExpectation(action: string, body: Readonly<Record<string, unknown>>, limits: Limits): { errors: Set<ErrorCode>; success?: Success } {
  const certain = new Set<ErrorCode>();
  const possible = new Set<ErrorCode>();
  const field = (name: string) => body[name];
  const absent = (value: unknown) => value === undefined || value === null;
  const text = (name: string) => {
    const value = field(name);
    if (absent(value)) certain.add("missing_field");
    else if (typeof value !== "string" || value === "" || !isWellFormed(value)) certain.add("invalid_field");
  };
  const room = (required: boolean) => {
    const value = field("room");
    if (absent(value)) {
      if (required) certain.add("missing_field");
    } else if (parseRoomName(value) === undefined) certain.add("invalid_field");
  };
  // The room as asked for: its NFC spelling and its match key (contract/rooms.ts).
  const roomValue = (): RoomName => (absent(field("room")) ? DEFAULT_ROOM_NAME : parseRoomName(field("room"))!);
  switch (action) {
    case "onMessage": {
      text("message");
      const message = field("message");
      // max_stored_message_bytes: the text's UTF-8 bytes (the field is well-formed here, so TextEncoder counts them exactly).
      if (typeof message === "string" && message !== "" && isWellFormed(message) && utf8(message).length > limits.maxStoredMessageBytes) certain.add("too_large");
      room(false);
      const seq = field("seq");
      if (limits.seqChecked && !absent(seq) && !(typeof seq === "number" && Number.isSafeInteger(seq) && seq >= 0)) certain.add("invalid_field");
      return finish(certain, possible, () => ({ answer: "sent", room: roomValue() }));
    }
    case "joinRoom":
      room(true);
      return finish(certain, possible, () => ({ answer: "joined", room: roomValue() }));
    case "leaveRoom":
      room(true);
      return finish(certain, possible, () => ({ answer: "left", room: roomValue() }));
    case "typingIndicator": {
      room(true);
      const typing = field("typing");
      if (absent(typing)) certain.add("missing_field");
      else if (typeof typing !== "boolean") certain.add("invalid_field");
      return finish(certain, possible, () => ({ answer: "ack", room: roomValue() }));
    }
    case "privateMessage": {
      text("to");
      text("message");
      const to = field("to");
      if (typeof to === "string" && to !== "" && !followsNamingRules(to, limits)) certain.add("invalid_field");
      return finish(certain, possible, () => ({ answer: "private-sent", to: to as string, message: field("message") as string }));
    }
    case "setName": {
      const name = field("name");
      if (absent(name)) certain.add("missing_field");
      else if (typeof name !== "string") certain.add("invalid_field");
      else if (!followsNamingRules(name, limits)) certain.add("invalid_name");
      return finish(certain, possible, () => ({ answer: "name", name: name as string }));
    }
    case "history": {
      room(true);
      const limit = absent(field("limit")) ? DEFAULT_HISTORY_LIMIT : field("limit");
      if (!(typeof limit === "number" && Number.isInteger(limit) && limit >= 1 && limit <= limits.maxHistoryLimit)) certain.add("invalid_field");
      const before = field("before");
      if (!absent(before)) {
        if (typeof before !== "string" || before === "" || !couldBeCursor(before)) certain.add("invalid_field");
        else possible.add("invalid_field"); // opaque: a crafted cursor may or may not be taken
      }
      return finish(certain, possible, () => ({ answer: "history", room: roomValue(), limit: limit as number }));
    }
    default:
      throw new Error(`the oracle has no rules for ${action}`);
  }
}

function finish(certain: Set<ErrorCode>, possible: Set<ErrorCode>, success: () => Success): { errors: Set<ErrorCode>; success?: Success } {
  const errors = new Set([...certain, ...possible]);
  return certain.size > 0 ? { errors } : { errors, success: success() };
}

// ---------------------------------------------------------------- what a connection knows

/** What one connection has been told: its rooms, its display name and its user id. */
export interface ConnectionModel {
  /**
   * Its rooms: match key (contract/rooms.ts roomKey) → the room's name as
   * every frame shows it, its first spelling (`lobby` for the default room).
   */
  readonly rooms: Map<string, string>;
  name: string;
  /** The user id its answers show; stable across the user's connections. */
  readonly userId: string;
}

/** A new connection's model: in the default room only, under `name`. */
export function newConnectionModel(name: string, userId: string): ConnectionModel {
  return { rooms: new Map([[DEFAULT_ROOM_NAME.key, DEFAULT_ROOM]]), name, userId };
}

/** Names the lanes cannot take and can always reach: the bystander's, with its user id. */
export interface World {
  readonly bystander: string;
  readonly bystanderId: string;
}

/**
 * Outcome labels the frame may get on a connection in `model`: `close 1009`,
 * `error not_member`, `answer sent`, …. (A room name that breaks the rules is
 * refused before membership matters: invalid_field.) Rooms are matched by
 * key, so `LOBBY` is the lobby. A join of a new room while the connection is
 * in `max_rooms_per_connection` rooms is `too_many_rooms`.
 *
 * `rate_limited` is never expected: the fuzz chat raises `max_messages_per_minute`
 * out of the way (fuzz-run.ts), and test/security tests the limit.
 */
export function allowedOutcomes(expectation: Expectation, model: ConnectionModel, world: World, limits: Limits): Set<string> {
  if (expectation.close !== undefined) return new Set([`close ${expectation.close}`]);
  const labels = new Set([...expectation.errors].map((code) => `error ${code}`));
  const success = expectation.success;
  if (success === undefined) return labels;
  const membership = (room: RoomName, answer: string) => {
    labels.add(model.rooms.has(room.key) ? `answer ${answer}` : "error not_member");
  };
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  switch (success.answer) {
    case "sent":
    case "left":
    case "ack":
    case "history":
      membership(success.room, success.answer);
      break;
    case "joined":
      labels.add(!model.rooms.has(success.room.key) && model.rooms.size >= limits.maxRoomsPerConnection ? "error too_many_rooms" : "answer joined");
      break;
    case "pong":
      labels.add(`answer ${success.answer}`);
      break;
    case "name":
      if (same(success.name, world.bystander)) labels.add("error name_taken");
      else if (same(success.name, model.name)) labels.add("answer name");
      else labels.add("answer name").add("error name_taken");
      break;
    case "private-sent":
      labels.add("answer sent");
      if (!same(success.to, world.bystander)) labels.add("error user_offline");
      break;
  }
  return labels;
}

// ---------------------------------------------------------------- frames from the server

/** Frames the server sends to connections other than the caller; everything else answers the caller. */
export const BROADCAST_TYPES: ReadonlySet<string> = new Set(["message", "presence", "typing", "private"]);

export type ServerFrame = Readonly<Record<string, unknown>>;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function problemsOf(checks: Record<string, boolean>): string[] {
  return Object.entries(checks).flatMap(([what, ok]) => (ok ? [] : [what]));
}

const isString = (value: unknown): value is string => typeof value === "string";
/** A signed-in user's id (PROTOCOL.md, Identity): `u-` and 16 base64url characters. Every fuzz connection is signed in. */
const isUserId = (value: unknown): value is string => typeof value === "string" && /^u-[A-Za-z0-9_-]{16}$/.test(value);
const isCount = (value: unknown, min = 0) => typeof value === "number" && Number.isInteger(value) && value >= min;
const optionalSeq = (frame: ServerFrame) => frame["seq"] === undefined || isCount(frame["seq"]);

/** Problems with a broadcast frame's shape (PROTOCOL.md); none means it is documented. */
export function broadcastProblems(frame: ServerFrame): string[] {
  switch (frame["type"]) {
    case "message":
      return messageFrameProblems(frame);
    case "presence":
      return problemsOf({
        "room is a string": isString(frame["room"]),
        "user is a string": isString(frame["user"]),
        "userId is a user id": isUserId(frame["userId"]),
        "event is joined or left": frame["event"] === "joined" || frame["event"] === "left",
      });
    case "typing":
      return problemsOf({
        "room is a string": isString(frame["room"]),
        "user is a string": isString(frame["user"]),
        "userId is a user id": isUserId(frame["userId"]),
        "typing is a boolean": typeof frame["typing"] === "boolean",
      });
    case "private":
      return problemsOf({
        "from is a string": isString(frame["from"]),
        "fromId is a user id": isUserId(frame["fromId"]),
        "to is a string": isString(frame["to"]),
        "toId is a user id": isUserId(frame["toId"]),
        "message is a non-empty string": isString(frame["message"]) && frame["message"] !== "",
        "sentAt is ISO-8601": isString(frame["sentAt"]) && ISO_TIME.test(frame["sentAt"]),
      });
    default:
      return [`type ${JSON.stringify(frame["type"])} is not a broadcast`];
  }
}

/** PROTOCOL.md "Order": a room's messages are ordered by `sentAt`, then `seq` (0 when absent), then `id`. */
function compareMessages(a: ServerFrame, b: ServerFrame): number {
  const key = (m: ServerFrame) => [String(m["sentAt"]), typeof m["seq"] === "number" ? m["seq"] : 0, String(m["id"])] as const;
  const [x, y] = [key(a), key(b)];
  if (x[0] !== y[0]) return x[0] < y[0] ? -1 : 1;
  if (x[1] !== y[1]) return x[1] - y[1];
  return x[2] === y[2] ? 0 : x[2] < y[2] ? -1 : 1;
}

function messageFrameProblems(frame: ServerFrame): string[] {
  return problemsOf({
    "type is message": frame["type"] === "message",
    "room is a string": isString(frame["room"]),
    "message is a non-empty string": isString(frame["message"]) && frame["message"] !== "",
    "from is a string": isString(frame["from"]),
    "fromId is a user id": isUserId(frame["fromId"]),
    "sentAt is ISO-8601": isString(frame["sentAt"]) && ISO_TIME.test(frame["sentAt"]),
    "id is a non-empty string": isString(frame["id"]) && frame["id"] !== "",
    "seq, when present, is a count": optionalSeq(frame),
  });
}

/** Problems with an error frame: the one documented shape, no other keys (nothing internal leaks), the right requestAction. */
export function errorFrameProblems(frame: ServerFrame, expectation: Expectation): string[] {
  const allowedKeys = new Set(["type", "code", "message", "requestAction", "validActions"]);
  const validActions = frame["validActions"];
  return problemsOf({
    "code is documented": DOCUMENTED_ERROR_CODES.includes(frame["code"] as string),
    "message is a non-empty string": isString(frame["message"]) && frame["message"] !== "",
    [`requestAction is ${JSON.stringify(expectation.requestAction)}`]: frame["requestAction"] === expectation.requestAction,
    "no keys but type, code, message, requestAction, validActions": Object.keys(frame).every((key) => allowedKeys.has(key)),
    "validActions lists the client actions exactly when the code is unknown_action":
      frame["code"] === "unknown_action"
        ? Array.isArray(validActions) && [...validActions].sort().join() === [...CLIENT_ACTIONS].sort().join()
        : validActions === undefined,
  });
}

/**
 * Problems with a normal answer, given what was asked and what the
 * connection knows. A room the connection is in is shown under the spelling
 * it learned (its first spelling); a room it joins is the one asked for by
 * key, under whatever spelling the first join used.
 */
export function answerProblems(frame: ServerFrame, success: Success, model: ConnectionModel, world: World, limits: Limits): string[] {
  const type = frame["type"];
  const shown = (room: RoomName) => model.rooms.get(room.key);
  switch (success.answer) {
    case "sent":
      return problemsOf({
        "type is sent": type === "sent",
        [`room is the room's name as the connection knows it (${JSON.stringify(shown(success.room))})`]: frame["room"] === shown(success.room),
        "id is a non-empty string": isString(frame["id"]) && frame["id"] !== "",
        "delivered counts the sender too (>= 1)": isCount(frame["delivered"], 1),
        "pruned is a count": isCount(frame["pruned"]),
        "stored is true (no fault was injected)": frame["stored"] === true,
      });
    case "private-sent":
      return problemsOf({
        "type is sent": type === "sent",
        "to is the name asked for, in any case": isString(frame["to"]) && frame["to"].toLowerCase() === success.to.toLowerCase(),
        "toId is a user id": isUserId(frame["toId"]),
        "toId is the bystander's when sent to the bystander": success.to.toLowerCase() !== world.bystander.toLowerCase() || frame["toId"] === world.bystanderId,
        "delivered >= 1": isCount(frame["delivered"], 1),
      });
    case "joined": {
      const members = frame["members"];
      const names = Array.isArray(members) && members.every(isString) ? (members as string[]) : undefined;
      const rawUsers = frame["users"];
      const users =
        Array.isArray(rawUsers) && rawUsers.every((u) => typeof u === "object" && u !== null && isString((u as ServerFrame)["name"]) && isUserId((u as ServerFrame)["userId"]))
          ? (rawUsers as { name: string; userId: string }[])
          : undefined;
      const userCount = frame["userCount"];
      const known = shown(success.room);
      return problemsOf({
        "type is joined": type === "joined",
        "room is the one asked for (by key)": isString(frame["room"]) && roomKey(frame["room"]) === success.room.key,
        [`room is shown as the connection knows it (${JSON.stringify(known)})`]: known === undefined || frame["room"] === known,
        "members is a list of names": names !== undefined,
        "members are unique": names !== undefined && new Set(names).size === names.length,
        "members are sorted": names !== undefined && names.every((name, i) => i === 0 || names[i - 1]!.localeCompare(name, "en", { sensitivity: "base" }) <= 0),
        "members include the caller's name": names !== undefined && names.includes(model.name),
        "users is a list of {name, userId}": users !== undefined,
        "users are unique by userId": users !== undefined && new Set(users.map((u) => u.userId)).size === users.length,
        "members are the names of users": users !== undefined && names !== undefined && names.join("\n") === users.map((u) => u.name).join("\n"),
        "users include the caller, with its user id": users !== undefined && users.some((u) => u.name === model.name && u.userId === model.userId),
        "userCount is a count of at least the users listed": typeof userCount === "number" && isCount(userCount, 1) && users !== undefined && userCount >= users.length,
        [`users lists min(userCount, max_member_names = ${limits.maxMemberNames})`]: typeof userCount === "number" && users !== undefined && users.length === Math.min(userCount, limits.maxMemberNames),
      });
    }
    case "left":
      return problemsOf({
        "type is left": type === "left",
        [`room is the room's name as the connection knew it (${JSON.stringify(shown(success.room))})`]: frame["room"] === shown(success.room),
      });
    case "ack":
      return problemsOf({ "type is ack": type === "ack", "requestAction is typingIndicator": frame["requestAction"] === "typingIndicator" });
    case "name":
      return problemsOf({
        "type is name": type === "name",
        "name is the one asked for": frame["name"] === success.name,
        [`userId is the connection's own (${model.userId})`]: frame["userId"] === model.userId,
      });
    case "pong":
      return problemsOf({ "type is pong": type === "pong" });
    case "history": {
      const messages = frame["messages"];
      const list = Array.isArray(messages) ? (messages as ServerFrame[]) : undefined;
      const room = shown(success.room);
      return problemsOf({
        "type is history": type === "history",
        [`room is the room's name as the connection knows it (${JSON.stringify(room)})`]: frame["room"] === room,
        "messages is a list of message frames": list !== undefined && list.every((m) => typeof m === "object" && m !== null && messageFrameProblems(m).length === 0),
        "at most limit messages": list !== undefined && list.length <= success.limit,
        "messages are of the room, under its name": list !== undefined && list.every((m) => m["room"] === room),
        "newest first, by sentAt, then seq, then id": list !== undefined && list.every((m, i) => i === 0 || compareMessages(list[i - 1]!, m) > 0),
        "next is a string or null": frame["next"] === null || (isString(frame["next"]) && frame["next"] !== ""),
      });
    }
  }
}
