import { TestClient } from "../../local/support/client.ts";

/**
 * A signed-in chat client that keeps every frame it received, parsed, and
 * answers the questions the fault tests ask: which message ids arrived, how
 * often, which replies came back.
 */

export type Frame = Record<string, unknown> & { type?: string };

/** API Gateway's own error frame, e.g. `{"message": "Internal server error", "connectionId":…, "requestId":…}`. */
export type GatewayErrorFrame = { message: string; connectionId: string; requestId: string };

export function isGatewayError(frame: Frame): frame is Frame & GatewayErrorFrame {
  return frame.type === undefined && typeof frame.message === "string" && typeof frame.requestId === "string";
}

export class ChatUser {
  /** Every frame received, in arrival order. */
  readonly frames: Frame[] = [];
  /** The connection id, once learnt (from a gateway error frame or the table). */
  connectionId: string | undefined;
  private waiters: (() => void)[] = [];

  constructor(
    readonly name: string,
    readonly client: TestClient,
  ) {
    // Frames that arrived between the handshake and now are in the client's own queue.
    for (const frame of client.frames) this.frames.push(JSON.parse(frame.text) as Frame);
    client.ws.on("message", (data: Buffer | Buffer[]) => {
      const text = Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.concat(data).toString("utf8");
      this.frames.push(JSON.parse(text) as Frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async open(url: string, name: string): Promise<ChatUser> {
    return new ChatUser(name, await TestClient.open(url));
  }

  send(frame: Record<string, unknown>): void {
    this.client.send(JSON.stringify(frame));
  }

  /** Waits until `find` returns something for the frames received so far. */
  async waitFor<T>(find: (frames: readonly Frame[]) => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const found = find(this.frames);
      if (found !== undefined && found !== false) return found;
      const left = end - Date.now();
      if (left <= 0) throw new Error(`${this.name}: no ${what} within ${timeoutMs} ms; received ${JSON.stringify(this.frames.slice(-10))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  /** Sends `request` and waits for the `count`-th frame (counting from now) that `matches`. */
  async ask(request: Record<string, unknown>, matches: (frame: Frame) => boolean, what: string): Promise<Frame> {
    const before = this.frames.length;
    this.send(request);
    return this.waitFor((frames) => frames.slice(before).find(matches), what);
  }

  /** The replies to onMessage so far: receipts, chat error frames and API Gateway error frames. */
  messageReplies(): Frame[] {
    return this.frames.filter((f) => f.type === "sent" || (f.type === "error" && f.requestAction === "onMessage") || isGatewayError(f));
  }

  /** How many times each message id arrived (broadcast frames of type `message`). */
  messageIdCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const frame of this.frames) {
      if (frame.type === "message") counts.set(String(frame.id), (counts.get(String(frame.id)) ?? 0) + 1);
    }
    return counts;
  }

  /** The broadcast message frames received, optionally of one room. */
  messages(room?: string): Frame[] {
    return this.frames.filter((f) => f.type === "message" && (room === undefined || f.room === room));
  }

  presence(event: "joined" | "left", room?: string): Frame[] {
    return this.frames.filter((f) => f.type === "presence" && f.event === event && (room === undefined || f.room === room));
  }

  /** Closes without a close frame, as a crashed client or a dropped network does. */
  destroy(): void {
    (this.client.ws as unknown as { _socket: { destroy(): void } })._socket.destroy();
  }

  close(): void {
    this.client.close();
  }
}
