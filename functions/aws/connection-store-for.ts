import type { Clock } from "../core/clock.ts";
import { createDocumentClient } from "./document-client.ts";
import { DynamoDbConnectionStore } from "./dynamodb-connection-store.ts";
import type { TableSettings } from "./settings.ts";

/** The container's store: the connection table the settings name, through the shared document client. */
export function connectionStoreFor(settings: TableSettings, clock: Clock): DynamoDbConnectionStore {
  return new DynamoDbConnectionStore({ client: createDocumentClient(), tableName: settings.tableName, roomIndexName: settings.roomIndexName, sleep: clock.sleep });
}
