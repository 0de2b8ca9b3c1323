import { BatchWriteCommand, type BatchWriteCommandInput, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export type WriteRequest = NonNullable<BatchWriteCommandInput["RequestItems"]>[string][number];

export interface BatchWriteOptions {
  /** Calls per chunk of 25, the first included, before unprocessed items become an error. @default 5 */
  readonly maxAttempts?: number;
  /** Backoff before the first retry; doubles each time. @default 50 */
  readonly baseDelayMs?: number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** BatchWriteItem still left items unprocessed after every retry. */
export class UnprocessedWritesError extends Error {
  constructor(
    readonly tableName: string,
    readonly unprocessed: number,
    readonly attempts: number,
  ) {
    super(`BatchWriteItem left ${unprocessed} item(s) of ${tableName} unprocessed after ${attempts} attempts.`);
    this.name = "UnprocessedWritesError";
  }
}

// BatchWriteItem takes at most 25 requests per call.
const MAX_BATCH = 25;

/**
 * Writes all requests with BatchWriteItem, 25 at a time. DynamoDB may accept
 * only part of a batch (throttling, partition limits) and returns the rest as
 * UnprocessedItems without failing the call; those are retried with backoff,
 * as AWS advises, rather than silently lost.
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
 */
export async function batchWriteAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
  options: BatchWriteOptions,
): Promise<void> {
  const maxAttempts = options.maxAttempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 50;
  for (let start = 0; start < requests.length; start += MAX_BATCH) {
    let pending: WriteRequest[] = requests.slice(start, start + MAX_BATCH);
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) {
        await options.sleep(baseDelayMs * 2 ** (attempt - 2));
      }
      const output = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = output.UnprocessedItems?.[tableName] ?? [];
      if (pending.length > 0 && attempt >= maxAttempts) {
        throw new UnprocessedWritesError(tableName, pending.length, attempt);
      }
    }
  }
}
