import type { WebSocket } from "ws";
import type { ConnectionFacts } from "./events.ts";

/**
 * Open WebSocket connections and what API Gateway tracks about each: when it
 * connected, when it last carried data (for the idle quota and
 * GetConnection), and why the emulator closed it (for `$disconnect`).
 */

export interface CloseCause {
  readonly code: number;
  readonly reason: string;
}

export interface ConnectionTimers {
  readonly idleTimeoutMs: number;
  readonly maxConnectionMs: number;
  readonly onExpired: (connection: Connection) => void;
}

export class Connection {
  lastActiveAt: number;
  private state: "open" | "closing" | "closed" = "open";
  /** Set when the emulator starts the close; reported to `$disconnect` instead of the echoed code. */
  closeCause: CloseCause | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly maxTimer: NodeJS.Timeout;

  constructor(
    readonly ws: WebSocket,
    readonly facts: ConnectionFacts,
    private readonly timers: ConnectionTimers,
  ) {
    this.lastActiveAt = Date.now();
    this.maxTimer = setTimeout(() => timers.onExpired(this), timers.maxConnectionMs);
    this.armIdle();
  }

  get id(): string {
    return this.facts.connectionId;
  }

  get isOpen(): boolean {
    return this.state === "open";
  }

  /**
   * Data moved (either direction): push the idle deadline back. Only the time is recorded; the one
   * idle timer re-arms itself for the remainder when it fires early, so a busy connection does not
   * clear and create a timer for every frame.
   */
  touch(): void {
    this.lastActiveAt = Date.now();
  }

  private armIdle(delayMs = this.timers.idleTimeoutMs): void {
    if (this.state !== "open") return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.state !== "open") return;
      const idleFor = Date.now() - this.lastActiveAt;
      if (idleFor >= this.timers.idleTimeoutMs) this.timers.onExpired(this);
      else this.armIdle(this.timers.idleTimeoutMs - idleFor);
    }, delayMs);
  }

  /** Sends one message, split into frames of at most `frameBytes`, written in one go so posts never interleave. */
  send(data: Buffer | string, binary: boolean, frameBytes: number): void {
    if (this.state !== "open") return;
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    if (bytes.length <= frameBytes || frameBytes <= 0) {
      this.ws.send(bytes, { binary });
    } else {
      for (let offset = 0; offset < bytes.length; offset += frameBytes) {
        this.ws.send(bytes.subarray(offset, offset + frameBytes), { binary, fin: offset + frameBytes >= bytes.length });
      }
    }
    this.touch();
  }

  /** Starts a close the emulator decided on; `reportedReason` is what `$disconnect` will see. */
  close(code: number, sentReason: string, reportedReason = sentReason): void {
    if (this.state !== "open") return;
    this.state = "closing";
    this.closeCause = { code, reason: reportedReason };
    this.ws.close(code, sentReason);
    // A peer that never answers the close handshake must not keep the socket.
    setTimeout(() => this.ws.terminate(), 5_000).unref();
  }

  /** Marks the connection closed and stops its timers; called once, from the socket's close event. */
  closed(): void {
    this.state = "closed";
    if (this.idleTimer) clearTimeout(this.idleTimer);
    clearTimeout(this.maxTimer);
  }
}

/** The connections of one emulator; `get` only returns connections still open. */
export class ConnectionRegistry {
  private readonly byId = new Map<string, Connection>();

  add(connection: Connection): void {
    this.byId.set(connection.id, connection);
  }

  remove(connection: Connection): void {
    this.byId.delete(connection.id);
  }

  get(id: string): Connection | undefined {
    const connection = this.byId.get(id);
    return connection?.isOpen ? connection : undefined;
  }

  all(): Connection[] {
    return [...this.byId.values()];
  }
}
