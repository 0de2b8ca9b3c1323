import type { IncomingMessage } from "node:http";

/**
 * A request's body and its full size; no body once the size passes `limit`.
 * The rest is still read and dropped, so the refusal can be sent on the same
 * connection. The `@connections` and Invoke APIs both answer over-size bodies
 * with their own errors.
 */
export function readLimitedBody(request: IncomingMessage, limit: number): Promise<{ body?: Buffer; size: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on("end", () => resolve(size > limit ? { size } : { body: Buffer.concat(chunks), size }));
    request.on("error", reject);
  });
}
