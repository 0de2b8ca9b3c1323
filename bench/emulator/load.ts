/**
 * Closed-loop load: every client sends its next message only when the
 * answer to the previous one arrived (or after the timeout, which is
 * counted). Runs in the bench process; the server under test is a child
 * process.
 */
import WebSocket from "ws";

export const ANSWER_TIMEOUT_MS = 5_000;
/** Clients per broadcast room: 500 clients are 10 rooms of 50. */
export const ROOM_SIZE = 50;
const DATA = "x".repeat(64);

export interface BenchClient {
  readonly ws: WebSocket;
  readonly index: number;
  id?: string;
  onText?: (text: string) => void;
}

/** Opens `count` more clients, at most `concurrency` handshakes at a time; asks each for its connection id. */
export async function openClients(url: string, clients: BenchClient[], count: number, concurrency = 50): Promise<void> {
  const target = clients.length + count;
  const openOne = async (): Promise<void> => {
    const index = clients.length;
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const client: BenchClient = { ws, index };
    clients.push(client);
    ws.on("message", (data) => client.onText?.(data.toString()));
    ws.on("error", () => undefined);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`client ${index}: no handshake within 60 s`)), 60_000);
      ws.once("open", () => (clearTimeout(timer), resolve()));
      ws.once("unexpected-response", (_req, res) => (clearTimeout(timer), reject(new Error(`client ${index}: HTTP ${res.statusCode}`))));
      ws.once("close", () => (clearTimeout(timer), reject(new Error(`client ${index}: closed during handshake`))));
    });
    client.id = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`client ${index}: no whoami answer within 30 s`)), 30_000);
      client.onText = (text) => {
        clearTimeout(timer);
        client.onText = undefined;
        resolve((JSON.parse(text) as { id: string }).id);
      };
      ws.send(JSON.stringify({ action: "whoami" }));
    });
  };
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (clients.length < target) await openOne();
  });
  await Promise.all(lanes);
}

/** Opens plain idle connections (no messages): for the RSS measurement. */
export async function openIdle(url: string, count: number, concurrency = 50): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  const lanes = Array.from({ length: concurrency }, async () => {
    while (sockets.length < count) {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      sockets.push(ws);
      ws.on("error", () => undefined);
      await new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve());
        ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
        ws.once("close", () => reject(new Error("closed during handshake")));
      });
    }
  });
  await Promise.all(lanes);
  return sockets;
}

export interface RunResult {
  /** Answers (echo) or deliveries (broadcast) that arrived inside the window, per second. */
  readonly perSecond: number;
  readonly count: number;
  /** Messages with no answer within ANSWER_TIMEOUT_MS, sent during or before the window (warm-up included). */
  readonly timeouts: number;
}

export type Workload = "echo" | "broadcast";

/**
 * One closed-loop run over `clients`: `warmupMs` unmeasured, then `durationMs` measured, then a
 * drain (no new sends; at most ANSWER_TIMEOUT_MS) so the next run starts clean.
 */
export async function closedLoop(workload: Workload, clients: readonly BenchClient[], warmupMs: number, durationMs: number): Promise<RunResult> {
  let measuring = false;
  let stopping = false;
  let count = 0;
  let timeouts = 0;
  const seq = new Array<number>(clients.length).fill(0);
  const sentAt = new Array<number>(clients.length).fill(0);
  const waiting = new Array<boolean>(clients.length).fill(false);
  const rooms = clients.map((c) => {
    const start = Math.floor(c.index / ROOM_SIZE) * ROOM_SIZE;
    return clients.slice(start, start + ROOM_SIZE).map((member) => member.id!);
  });

  const send = (i: number) => {
    if (stopping) return;
    seq[i]! += 1;
    sentAt[i] = performance.now();
    waiting[i] = true;
    const client = clients[i]!;
    client.ws.send(
      workload === "echo"
        ? `{"action":"echo","seq":${seq[i]},"data":"${DATA}"}`
        : JSON.stringify({ action: "broadcast", from: i, seq: seq[i], to: rooms[i], data: DATA }),
    );
  };

  clients.forEach((client, i) => {
    client.onText = (text) => {
      if (workload === "echo") {
        const answer = JSON.parse(text) as { seq?: number };
        if (answer.seq !== seq[i]) return; // a late answer to a message already counted as timed out
        if (measuring) count += 1;
        waiting[i] = false;
        send(i);
        return;
      }
      const delivery = JSON.parse(text) as { from?: number; seq?: number };
      if (measuring) count += 1;
      if (delivery.from === i && delivery.seq === seq[i]) {
        waiting[i] = false;
        send(i);
      }
    };
  });

  const watchdog = setInterval(() => {
    const now = performance.now();
    for (let i = 0; i < clients.length; i += 1) {
      if (waiting[i] && now - sentAt[i]! > ANSWER_TIMEOUT_MS) {
        if (measuring || stopping) timeouts += 1;
        waiting[i] = false;
        send(i);
      }
    }
  }, 100);

  for (let i = 0; i < clients.length; i += 1) send(i);
  await sleep(warmupMs);
  measuring = true;
  const start = performance.now();
  await sleep(durationMs);
  measuring = false;
  const elapsed = performance.now() - start;
  stopping = true;
  const drainEnd = performance.now() + ANSWER_TIMEOUT_MS;
  while (waiting.some(Boolean) && performance.now() < drainEnd) await sleep(20);
  clearInterval(watchdog);
  // Still unanswered after the drain: at least ANSWER_TIMEOUT_MS without an answer, so timed out
  // (with a window shorter than the timeout, a server that never answers would otherwise show none).
  timeouts += waiting.filter(Boolean).length;
  // Broadcast deliveries still in flight from the last round: let them land before the next run.
  await sleep(workload === "broadcast" ? 200 : 20);
  for (const client of clients) client.onText = undefined;
  return { perSecond: (count * 1000) / elapsed, count, timeouts };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
