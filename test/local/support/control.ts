import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The test's side of the scripted handler: every invocation posts its event
 * here and gets back what to do. Scripts are chosen by route key (or
 * "authorizer" for the REQUEST authorizer's input).
 */

export interface Script {
  return?: unknown;
  throw?: string;
  sleepMs?: number;
  hang?: boolean;
  exit?: boolean;
  log?: string;
  post?: { data: string; connectionId?: string };
}

export interface Invocation {
  readonly fn: string;
  readonly key: string;
  readonly event: Record<string, any>;
  readonly remainingMs: number;
}

export interface Report {
  readonly fn: string;
  readonly post?: { ok: boolean; status?: number; name?: string };
}

type ScriptSource = Script | ((event: Record<string, any>) => Script);

export class ControlServer {
  readonly invocations: Invocation[] = [];
  readonly reports: Report[] = [];
  private readonly scripts = new Map<string, ScriptSource>();
  private readonly waiters: Array<() => void> = [];
  private server: Server | undefined;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, any>;
        if (request.url === "/report") {
          this.reports.push(body as Report);
          response.end("{}");
        } else {
          const event = body.event as Record<string, any>;
          const key = event.type === "REQUEST" ? "authorizer" : (event.requestContext?.routeKey as string);
          this.invocations.push({ fn: body.fn, key, event, remainingMs: body.remainingMs });
          const source = this.scripts.get(key) ?? { return: { statusCode: 200 } };
          response.end(JSON.stringify(typeof source === "function" ? source(event) : source));
        }
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** What the handler for `key` ("$connect", "join", "authorizer", ...) does from now on. */
  script(key: string, source: ScriptSource): void {
    this.scripts.set(key, source);
  }

  reset(): void {
    this.scripts.clear();
    this.invocations.length = 0;
    this.reports.length = 0;
  }

  of(key: string): Invocation[] {
    return this.invocations.filter((i) => i.key === key);
  }

  /** Resolves with the first invocation matching, waiting up to `timeoutMs`. */
  async waitFor(predicate: (i: Invocation) => boolean, timeoutMs = 5_000): Promise<Invocation> {
    return this.waitUntil(() => this.invocations.find(predicate), timeoutMs, "invocation");
  }

  async waitForReport(predicate: (r: Report) => boolean, timeoutMs = 5_000): Promise<Report> {
    return this.waitUntil(() => this.reports.find(predicate), timeoutMs, "report");
  }

  private async waitUntil<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      const left = end - Date.now();
      if (left <= 0) throw new Error(`no matching ${what} within ${timeoutMs} ms (seen: ${this.invocations.map((i) => i.key).join(", ")})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
