import { ApiGatewayManagementApiClient, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import type { Sender } from "../core/sender.ts";
import type { WebSocketRequestContext } from "./websocket-event.ts";

export type CallbackContext = Pick<WebSocketRequestContext, "domainName" | "stage">;

/**
 * The `@connections` endpoint as AWS documents it. Scheme and stage are both
 * required: without `https://` SDK v3 rejects the URL, and without the stage
 * API Gateway answers 403.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html
 */
export function callbackEndpoint(context: CallbackContext): string {
  return `https://${context.domainName}/${context.stage}`;
}

export interface ManagementApiSendersOptions {
  /**
   * Where the `@connections` API of a request lives.
   * @default callbackEndpoint
   */
  readonly endpointFor?: (context: CallbackContext) => string;
  /**
   * Sockets per endpoint. Should be at least the fan-out concurrency, or posts
   * queue for a socket (the SDK's own default is 50).
   * @default 64
   */
  readonly maxSockets?: number;
}

/**
 * Senders over the `@connections` API, one SDK client per endpoint, built on
 * first use and kept for the container's life so keep-alive sockets are
 * reused across invocations.
 */
export class ManagementApiSenders {
  readonly #clients = new Map<string, ApiGatewayManagementApiClient>();
  readonly #endpointFor: (context: CallbackContext) => string;
  readonly #maxSockets: number;

  constructor(options: ManagementApiSendersOptions = {}) {
    this.#endpointFor = options.endpointFor ?? callbackEndpoint;
    this.#maxSockets = options.maxSockets ?? 64;
  }

  senderFor(context: CallbackContext): Sender {
    const client = this.#clientFor(this.#endpointFor(context));
    return {
      post: async (connectionId, data) => {
        await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
      },
    };
  }

  #clientFor(endpoint: string): ApiGatewayManagementApiClient {
    let client = this.#clients.get(endpoint);
    if (client === undefined) {
      client = new ApiGatewayManagementApiClient({
        endpoint,
        // The fan-out retries throttling itself, with a budget sized for a
        // broadcast; SDK retries on top would multiply the attempts (and it
        // would also retry 5xx, which the fan-out counts as failed).
        maxAttempts: 1,
        requestHandler: {
          httpsAgent: { keepAlive: true, maxSockets: this.#maxSockets },
          httpAgent: { keepAlive: true, maxSockets: this.#maxSockets },
          connectionTimeout: 2_000,
          // One stuck recipient must not hold the broadcast until the Lambda times out.
          requestTimeout: 5_000,
          throwOnRequestTimeout: true,
        },
      });
      this.#clients.set(endpoint, client);
    }
    return client;
  }
}

/**
 * ManagementApiSenders built on first use, sized by the handler's fan-out
 * concurrency, and kept for the container's life.
 */
export function lazySenders(): (maxSockets: number) => ManagementApiSenders {
  let senders: ManagementApiSenders | undefined;
  return (maxSockets) => (senders ??= new ManagementApiSenders({ maxSockets }));
}
