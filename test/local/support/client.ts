import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import WebSocket, { type ClientOptions } from "ws";

/** A `ws` client that queues what it receives, so tests can await frames and closes in order. */
export class TestClient {
  readonly frames: Array<{ text: string; binary: boolean }> = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private wake: (() => void) | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data, isBinary) => {
      this.frames.push({ text: Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.concat(data as Buffer[]).toString("utf8"), binary: isBinary });
      this.wake?.();
    });
    this.closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString("utf8") })));
    ws.on("error", () => undefined); // surfaced through `closed` / handshake results
  }

  static open(url: string, protocols?: string | string[], options?: ClientOptions): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocols, options);
      const client = new TestClient(ws);
      ws.once("open", () => resolve(client));
      ws.once("unexpected-response", (_request, response) => {
        reject(new HandshakeRejected(response.statusCode ?? 0));
        response.resume();
        ws.terminate();
      });
      ws.once("error", reject);
    });
  }

  send(text: string): void {
    this.ws.send(text);
  }

  /** The next frame, waiting up to `timeoutMs`. */
  async next(timeoutMs = 5_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    while (this.frames.length === 0) {
      const left = end - Date.now();
      if (left <= 0) throw new Error(`no frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => (clearTimeout(timer), resolve());
      });
    }
    return this.frames.shift()!.text;
  }

  /** Waits `ms` and returns what arrived meanwhile (for "nothing is sent" checks). */
  async framesAfter(ms: number): Promise<string[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.frames.splice(0).map((f) => f.text);
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }
}

export class HandshakeRejected extends Error {
  constructor(readonly status: number) {
    super(`Unexpected server response: ${status}`);
    this.name = "HandshakeRejected";
  }
}

/** The HTTP status of a rejected handshake; fails the test when the handshake succeeds. */
export async function rejectedStatus(url: string, protocols?: string | string[], options?: ClientOptions): Promise<number> {
  try {
    const client = await TestClient.open(url, protocols, options);
    client.close();
  } catch (error) {
    if (error instanceof HandshakeRejected) return error.status;
    throw error;
  }
  throw new Error("the handshake was accepted");
}

/** A raw upgrade request, to read the 101 response's headers exactly as sent. */
export function rawUpgrade(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  const target = new URL(url.replace(/^ws/, "http"));
  return new Promise((resolve, reject) => {
    const request = httpRequest({
      host: target.hostname,
      port: target.port,
      path: target.pathname + target.search,
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Key": randomBytes(16).toString("base64"),
        "Sec-WebSocket-Version": "13",
        ...headers,
      },
    });
    request.on("upgrade", (response, socket) => {
      socket.destroy();
      resolve({ status: response.statusCode ?? 0, headers: response.headers });
    });
    request.on("response", (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, headers: response.headers });
    });
    request.on("error", reject);
    request.end();
  });
}
