import { ApiGatewayManagementApiClient, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import type { Sender } from "../core/sender.ts";
import { SignedConnectionsClient } from "./signed-connections-client.ts";
import type { WebSocketRequestContext } from "./websocket-event.ts";

/** Where a request came in: `apiId` is needed only when it came through a custom domain. */
export type CallbackContext = Pick<WebSocketRequestContext, "domainName" | "stage"> & { readonly apiId?: string };

/**
 * The `@connections` endpoint as AWS documents it. Scheme and stage are both
 * required: without `https://` SDK v3 rejects the URL, and without the stage
 * API Gateway answers 403.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html
 */
export function callbackEndpoint(context: CallbackContext, region: string | undefined = process.env["AWS_REGION"]): string {
  return `https://${callbackDomain(context, region)}/${context.stage}`;
}

/**
 * The host of the `@connections` API for a request. A client that connected
 * through a custom domain (`domain_name`, mapped at the root) gets that
 * domain as `requestContext.domainName`, where `/<stage>/@connections` does
 * not exist (403): the API's own execute-api host serves it. The emulator's
 * host carries a port, and an execute-api host is already right.
 */
export function callbackDomain(context: CallbackContext, region: string | undefined = process.env["AWS_REGION"]): string {
  const { domainName, apiId } = context;
  if (domainName.includes(":") || domainName.endsWith(".amazonaws.com") || apiId === undefined || !region) return domainName;
  return `${apiId}.execute-api.${region}.amazonaws.com`;
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
  /**
   * How a post is made: `lean` signs and sends one HTTP request itself
   * (signed-connections-client.ts, about a fifth of the CPU per post); `sdk`
   * sends a `PostToConnectionCommand` through the AWS SDK client. Both answer
   * errors with the same names and `$metadata.httpStatusCode`.
   * @default "lean"
   */
  readonly transport?: SenderTransport;
}

export type SenderTransport = "lean" | "sdk";

/**
 * Senders over the `@connections` API, one client per endpoint, built on
 * first use and kept for the container's life so keep-alive sockets are
 * reused across invocations.
 */
export class ManagementApiSenders {
  readonly #senders = new Map<string, Sender & { destroy(): void }>();
  readonly #endpointFor: (context: CallbackContext) => string;
  readonly #maxSockets: number;
  readonly #transport: SenderTransport;

  constructor(options: ManagementApiSendersOptions = {}) {
    this.#endpointFor = options.endpointFor ?? callbackEndpoint;
    this.#maxSockets = options.maxSockets ?? 64;
    this.#transport = options.transport ?? "lean";
  }

  senderFor(context: CallbackContext): Sender {
    const endpoint = this.#endpointFor(context);
    let sender = this.#senders.get(endpoint);
    if (sender === undefined) {
      sender = this.#transport === "sdk" ? sdkSender(endpoint, this.#maxSockets) : leanSender(endpoint, this.#maxSockets);
      this.#senders.set(endpoint, sender);
    }
    return sender;
  }

  /** Closes every client's pooled sockets. */
  destroy(): void {
    for (const sender of this.#senders.values()) sender.destroy();
    this.#senders.clear();
  }
}

function leanSender(endpoint: string, maxSockets: number): Sender & { destroy(): void } {
  const client = new SignedConnectionsClient({ endpoint, maxSockets });
  return { post: (connectionId, data) => client.post(connectionId, data), destroy: () => client.destroy() };
}

function sdkSender(endpoint: string, maxSockets: number): Sender & { destroy(): void } {
  const client = new ApiGatewayManagementApiClient({
    endpoint,
    // The fan-out retries throttling and server faults itself, with a budget
    // sized for a broadcast; SDK retries on top would multiply the attempts.
    maxAttempts: 1,
    requestHandler: {
      httpsAgent: { keepAlive: true, maxSockets },
      httpAgent: { keepAlive: true, maxSockets },
      connectionTimeout: 2_000,
      // One stuck recipient must not hold the broadcast until the Lambda times out.
      requestTimeout: 5_000,
      throwOnRequestTimeout: true,
    },
  });
  return {
    post: async (connectionId, data) => {
      await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
    },
    destroy: () => client.destroy(),
  };
}

/**
 * ManagementApiSenders built on first use, sized by the handler's fan-out
 * concurrency, and kept for the container's life.
 */
export function lazySenders(transport: SenderTransport = "lean"): (maxSockets: number) => ManagementApiSenders {
  let senders: ManagementApiSenders | undefined;
  return (maxSockets) => (senders ??= new ManagementApiSenders({ maxSockets, transport }));
}
