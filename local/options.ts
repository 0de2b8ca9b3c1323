/**
 * API Gateway behaviours the emulator lets you tune. Quotas default to AWS's
 * values; every behaviour the spec marks unverified ([UNV]) is an option here
 * with the spec's default, so a project that learns otherwise can switch.
 */
export interface GatewayOptions {
  /** Close a connection with no data in either direction for this long. @default 600_000 (10 min) */
  readonly idleTimeoutMs: number;
  /** Close every connection after this long, active or not. @default 7_200_000 (2 h) */
  readonly maxConnectionMs: number;
  /** Close code and reason for the idle and duration limits [UNV]. @default 1001 "Going away" */
  readonly timeoutCloseCode: number;
  readonly timeoutCloseReason: string;
  /** Replaces every integration's timeout_milliseconds when set (AWS: 50 ms to 29 s). @default undefined */
  readonly integrationTimeoutMs?: number;
  /** Largest message (after reassembly); bigger closes with 1009. @default 131_072 */
  readonly maxMessageBytes: number;
  /** Largest single inbound frame; bigger closes with 1009. 0 turns the check off. @default 32_768 */
  readonly maxFrameBytes: number;
  /** `@connections` POST data is split into frames of at most this size. @default 32_768 */
  readonly outboundFrameBytes: number;
  /** Whether client pings reset the idle timer [UNV]. @default false */
  readonly pingResetsIdle: boolean;
  /** Whether `$disconnect` runs when `$connect` rejected the handshake [UNV]. @default false */
  readonly disconnectAfterRejectedConnect: boolean;
  /** Whether a two-way route whose result has no body sends an empty frame [UNV]. @default false */
  readonly emptyBodyFrame: boolean;
  /** Whether numbers and booleans of an authorizer context become strings in events [UNV]. @default true */
  readonly stringifyAuthorizerContext: boolean;
  /** HTTP status when `$connect` outlives the integration timeout [UNV]. @default 504 */
  readonly connectTimeoutStatus: number;
  /** HTTP status when `$connect` returns null, no statusCode or a malformed result [UNV]. @default 502 */
  readonly connectMalformedStatus: number;
  /** `PostToConnection` data that is not valid UTF-8 goes out as a binary frame, the rest as text [UNV]. @default true */
  readonly binaryFramesForNonUtf8: boolean;
  /** Answer 400 BadRequestException for ids not in AWS's format (AWS does). @default true */
  readonly strictConnectionIds: boolean;
  /** How long shutdown waits for `$disconnect` handlers. @default 2_000 */
  readonly shutdownDisconnectMs: number;
  /**
   * Enforce the stage's `default_route_settings` / `route_settings` throttling
   * (429 on `$connect`, a `Too Many Requests` frame for a message). Off, every
   * request passes, e.g. for local load tests. @default true
   */
  readonly stageThrottling: boolean;
  /**
   * Whether a throttled message gets the `{"message": "Too Many Requests", …}`
   * frame (true) or nothing (false) [UNV]; the integration is not invoked either way. @default true
   */
  readonly throttledMessageFrame: boolean;
}

export const DEFAULT_GATEWAY_OPTIONS: GatewayOptions = {
  idleTimeoutMs: 600_000,
  maxConnectionMs: 7_200_000,
  timeoutCloseCode: 1001,
  timeoutCloseReason: "Going away",
  integrationTimeoutMs: undefined,
  maxMessageBytes: 131_072,
  maxFrameBytes: 32_768,
  outboundFrameBytes: 32_768,
  pingResetsIdle: false,
  disconnectAfterRejectedConnect: false,
  emptyBodyFrame: false,
  stringifyAuthorizerContext: true,
  connectTimeoutStatus: 504,
  connectMalformedStatus: 502,
  binaryFramesForNonUtf8: true,
  strictConnectionIds: true,
  shutdownDisconnectMs: 2_000,
  stageThrottling: true,
  throttledMessageFrame: true,
};
