import { backoffDelay, type BackoffOptions } from "./backoff.ts";

/**
 * A WebSocket that stays connected: it reconnects with exponential backoff
 * and jitter after any drop, including API Gateway's own closes (1001 after
 * the 10-minute idle timeout or the 2-hour connection limit), and sends the
 * `ping` action on a timer so an open tab never reaches the idle timeout.
 *
 * It knows nothing of the chat: the chat client re-joins its rooms in
 * `onOpen`, because every new connection starts with only the lobby.
 */

export type ConnectionStatus = "connecting" | "connected" | "reconnecting" | "stopped";

export interface StatusDetail {
  /** Failed attempts since the last healthy connection (0 while the first attempt runs). */
  readonly failures: number;
  /** When reconnecting: the wait before the next attempt. */
  readonly retryInMs?: number;
  /** The close code of the connection that just dropped, if it had opened. */
  readonly closeCode?: number;
  /** Why the URL could not be made (e.g. the token request failed). */
  readonly error?: string;
  /**
   * Attempts in a row whose handshake failed: the server was reached (the
   * URL, and in dev its token, were made) but the socket closed before it
   * opened. Browsers hide why (401, 403, 429 and 500 all look alike), so the
   * page can only count them. 0 once a connection opens.
   */
  readonly refusals?: number;
}

export interface ReconnectingSocketOptions {
  /** Called before every attempt, so each one can carry a fresh token. */
  readonly url: () => Promise<string>;
  readonly backoff: BackoffOptions;
  /** Sends `{"action":"ping"}` this often while open; API Gateway closes idle connections after 10 minutes. */
  readonly pingIntervalMs: number;
  readonly onStatus: (status: ConnectionStatus, detail: StatusDetail) => void;
  readonly onOpen: () => void;
  readonly onFrame: (text: string) => void;
}

/** API Gateway closes with 1001 "Going away" at its idle and duration limits: a normal event, so the backoff starts over. */
const GOING_AWAY = 1001;
/**
 * A connection that lived this long was healthy, so its drop starts the
 * backoff over. One that is accepted and dropped at once (a failing `$connect`
 * follow-up, a flapping server) keeps growing the delay instead of looping.
 */
const HEALTHY_MS = 10_000;

export class ReconnectingSocket {
  private socket: WebSocket | undefined;
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private stopped = true;
  private everOpened = false;
  private refusals = 0;

  constructor(private readonly options: ReconnectingSocketOptions) {}

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  /** Closes for good (sign-out). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.socket?.close(1000, "signed out");
    this.socket = undefined;
    this.options.onStatus("stopped", { failures: 0 });
  }

  /** Tries now instead of waiting out the backoff (the browser came back online). */
  retryNow(): void {
    if (this.stopped || this.socket !== undefined) return;
    clearTimeout(this.retryTimer);
    void this.connect();
  }

  /** Sends one action; false when not connected (the caller keeps the user's text). */
  send(action: Record<string, unknown>): boolean {
    if (!this.isOpen) return false;
    this.socket!.send(JSON.stringify(action));
    return true;
  }

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    this.options.onStatus(this.everOpened || this.failures > 0 ? "reconnecting" : "connecting", { failures: this.failures });
    let url: string;
    try {
      url = await this.options.url();
    } catch (error) {
      this.scheduleRetry({ error: error instanceof Error ? error.message : String(error) });
      return;
    }
    if (this.stopped) return;
    const socket = new WebSocket(url);
    this.socket = socket;
    let openedAt: number | undefined;
    socket.addEventListener("open", () => {
      openedAt = Date.now();
      this.everOpened = true;
      this.refusals = 0;
      this.pingTimer = setInterval(() => this.send({ action: "ping" }), this.options.pingIntervalMs);
      this.options.onStatus("connected", { failures: this.failures });
      this.options.onOpen();
    });
    socket.addEventListener("message", (event) => {
      if (typeof event.data === "string") this.options.onFrame(event.data);
    });
    // A refused handshake (401, 429, 500) and a dropped connection both end here; browsers hide the HTTP status.
    // A refusal never resets the backoff: a user over the connection limit (429) retries less and less often, not in a loop.
    socket.addEventListener("close", (event) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      clearInterval(this.pingTimer);
      if (this.stopped) return;
      if (openedAt !== undefined && (event.code === GOING_AWAY || Date.now() - openedAt >= HEALTHY_MS)) this.failures = 0;
      if (openedAt === undefined) this.refusals += 1;
      this.scheduleRetry(openedAt !== undefined ? { closeCode: event.code } : { refusals: this.refusals });
    });
  }

  private scheduleRetry(detail: Omit<StatusDetail, "failures" | "retryInMs">): void {
    if (this.stopped) return;
    const retryInMs = backoffDelay(this.failures, this.options.backoff);
    this.failures += 1;
    this.options.onStatus("reconnecting", { ...detail, failures: this.failures, retryInMs });
    this.retryTimer = setTimeout(() => void this.connect(), retryInMs);
  }
}
