import { DynamoDbConnectionStore } from "../../../functions/aws/dynamodb-connection-store.ts";
import { ManagementApiSenders } from "../../../functions/aws/management-api-senders.ts";
import type { Clock } from "../../../functions/core/clock.ts";
import { anonymousUserId } from "../../../functions/core/identity.ts";
import type { Logger } from "../../../functions/core/logger.ts";
import type { Random } from "../../../functions/core/random.ts";
import type { Sender } from "../../../functions/core/sender.ts";
import { useDummyAwsCredentials } from "./aws-test-environment.ts";
import { captureLogs } from "./captured-logs.ts";
import { startConnectionTable, type ConnectionTableUnderTest } from "./connection-table.ts";
import { newApiGatewayId } from "./events.ts";
import { startManagementApiStandIn, type ManagementApiStandIn } from "./management-api-stand-in.ts";

/** The instant the world's clock shows: 2024-01-20T11:55:04.112Z. */
export const NOW = new Date("2024-01-20T11:55:04.112Z");
export const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);

/** A clock that shows `now()` of the holder, so a test can move time on. */
export function fixedClock(at: { now: Date } = { now: NOW }): Clock {
  return { now: () => at.now, sleep: async () => {} };
}

/** Ids `id-1`, `id-2`, … and guest suffixes `aaaa`, `aaab`, … in order. */
export function countingRandom(): Random {
  let ids = 0;
  let chars = 0;
  return {
    uuid: () => `id-${++ids}`,
    chars: (alphabet, length) => {
      let n = chars++;
      let text = "";
      for (let i = 0; i < length; i++) {
        text = alphabet[n % alphabet.length] + text;
        n = Math.floor(n / alphabet.length);
      }
      return text;
    },
  };
}

/**
 * A chat's surroundings, all real: dynalite behind the recording proxy, and
 * the HTTP @connections stand-in. `dependencies()` gives what use cases take.
 */
export interface ChatWorld {
  readonly table: ConnectionTableUnderTest;
  readonly api: ManagementApiStandIn;
  readonly store: DynamoDbConnectionStore;
  readonly sender: Sender;
  close(): Promise<void>;
  /** Fresh logger lines per call. */
  dependencies(options?: { readonly clock?: Clock; readonly random?: Random }): {
    readonly store: DynamoDbConnectionStore;
    readonly sender: Sender;
    readonly clock: Clock;
    readonly random: Random;
    readonly logger: Logger;
    readonly lines: Record<string, unknown>[];
  };
  /**
   * Stores a connection as `$connect` would, without announcing it. The name
   * is claimed only when `userId` is given, so tests may reuse plain names.
   */
  connected(userName: string, rooms?: readonly string[], userId?: string): Promise<string>;
  /** The frames delivered to a connection so far, parsed. */
  framesOf(connectionId: string): Record<string, unknown>[];
}

export async function startChatWorld(): Promise<ChatWorld> {
  useDummyAwsCredentials();
  const table = await startConnectionTable();
  const api = await startManagementApiStandIn({ stage: "prod" });
  const store = new DynamoDbConnectionStore({ client: table.client, tableName: table.tableName, sleep: async () => {} });
  const sender = new ManagementApiSenders({ endpointFor: ({ stage }) => `http://${api.host}/${stage}` }).senderFor({ domainName: api.host, stage: "prod" });
  return {
    table,
    api,
    store,
    sender,
    close: async () => {
      await api.close();
      await table.close();
    },
    dependencies: (options = {}) => {
      const { logger, lines } = captureLogs();
      return { store, sender, clock: options.clock ?? fixedClock(), random: options.random ?? countingRandom(), logger, lines };
    },
    connected: async (userName, rooms = ["lobby"], userId) => {
      const connectionId = newApiGatewayId();
      const id = userId ?? (await anonymousUserId(connectionId));
      const expiresAt = NOW_SECONDS + 10_800;
      if (userId !== undefined) await store.claimName({ name: userName, userId, expiresAt, nowSeconds: NOW_SECONDS });
      // Accepted a minute before NOW: established, so a 410 from it means it is gone.
      await store.addConnection({ connectionId, userId: id, userName, connectedAt: NOW.getTime() - 60_000, joinedAt: NOW.getTime(), rooms, expiresAt });
      return connectionId;
    },
    framesOf: (connectionId) => (api.delivered.get(connectionId) ?? []).map((text) => JSON.parse(text) as Record<string, unknown>),
  };
}

/** A unique room name per test, so tests sharing a table do not see each other's members. */
export function newRoom(label: string): string {
  return `${label}-${newApiGatewayId().slice(0, 8)}`;
}
