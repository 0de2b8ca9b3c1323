/**
 * Child process: local DynamoDB (dynalite, in memory) behind a recording
 * proxy. The proxy counts calls by action and, for Query and Scan, the items
 * returned (`Count`) and read (`ScannedCount`), and whether a Scan stopped at
 * DynamoDB's 1 MB page limit (`LastEvaluatedKey`).
 */
import dynalite from "dynalite";
import { Agent, createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connectionTableCreateInput } from "../../contract/connection-table.ts";
import { serve } from "./rpc.ts";

export interface DynamoStats {
  /** Calls per action, e.g. `{ Query: 3, BatchWriteItem: 2 }`. */
  readonly calls: Record<string, number>;
  /** Items returned by Query and Scan. */
  readonly returned: number;
  /** Items read by Query and Scan (ScannedCount): with a filter, more than returned. */
  readonly scanned: number;
  /** Scan answers that carried a LastEvaluatedKey: the 1 MB limit cut them short. */
  readonly truncatedScans: number;
}

export interface DynamoApi {
  endpoint(): string;
  /** The table's definition as contract/connection-table.ts describes it (the stack declares the same). */
  tableDefinition(args: { tableName: string }): unknown;
  reset(): void;
  stats(): DynamoStats;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
const dynamoPort = await listen(dynamo);
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
let calls: Record<string, number> = {};
let returned = 0;
let scanned = 0;
let truncatedScans = 0;

const proxy = createServer({ keepAlive: true, keepAliveTimeout: 60_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const action = String(req.headers["x-amz-target"] ?? "").split(".").pop() ?? "";
    calls[action] = (calls[action] ?? 0) + 1;
    const forward = request({ host: "127.0.0.1", port: dynamoPort, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
      const reads = action === "Query" || action === "Scan";
      if (!reads) {
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
        return;
      }
      const body: Buffer[] = [];
      answer.on("data", (chunk: Buffer) => body.push(chunk));
      answer.on("end", () => {
        const text = Buffer.concat(body);
        if (answer.statusCode === 200) {
          const parsed = JSON.parse(text.toString("utf8")) as { Count?: number; ScannedCount?: number; LastEvaluatedKey?: unknown };
          returned += parsed.Count ?? 0;
          scanned += parsed.ScannedCount ?? 0;
          if (action === "Scan" && parsed.LastEvaluatedKey !== undefined) truncatedScans++;
        }
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        res.end(text);
      });
    });
    forward.on("error", (error) => res.destroy(error));
    forward.end(Buffer.concat(chunks));
  });
});
const proxyPort = await listen(proxy);

const api: DynamoApi = {
  endpoint: () => `http://127.0.0.1:${proxyPort}`,
  tableDefinition: ({ tableName }) => connectionTableCreateInput(tableName),
  reset: () => {
    calls = {};
    returned = 0;
    scanned = 0;
    truncatedScans = 0;
  },
  stats: () => ({ calls, returned, scanned, truncatedScans }),
};
serve(api as unknown as Record<string, (...args: never[]) => unknown>);
