/**
 * Every setting of the chat, each written once: the Terraform variable (the
 * module's input) with its type, default, validation and description, and,
 * for the settings the handlers use, the environment variable that carries
 * it, which functions receive it and how they read it.
 *
 * The stack (stacks/chat-stack.ts) declares its variables and each function's
 * environment from this table; the handlers read their settings through one
 * reader driven by it (functions/aws/settings.ts); the module README's input
 * table is read back from the variables so declared. A test fails if a
 * variable or environment name is written anywhere else.
 *
 * Part of the contract: no imports.
 */

/** Which functions get a setting in their environment. */
export type SettingReceivers =
  /** Every route function and the fan-out function (not the authorizer). */
  | "routes"
  /** The `$connect` authorizer only. */
  | "authorizer";

/** How a handler reads the environment variable's text. */
export type SettingReader =
  /** A whole number ≥ 1; unset or empty takes the setting's default (times `scale`). */
  | { readonly kind: "positiveInteger" }
  /** A non-empty string; unset or empty is a deployment fault. */
  | { readonly kind: "requiredString" }
  /** An https:// URL (http:// only on localhost or 127.0.0.1, see JWKS_URL_PATTERN); unset or anything else is a deployment fault. */
  | { readonly kind: "url" }
  /** A comma-separated list whose every item matches `pattern`; unset or empty takes the default. */
  | { readonly kind: "list"; readonly pattern: string; readonly expected: string }
  /** `true` or `false`; unset or empty takes the default. */
  | { readonly kind: "boolean" };

export interface SettingEnvironment {
  /** The environment variable's name. */
  readonly name: string;
  readonly receivers: SettingReceivers;
  readonly reader: SettingReader;
  /**
   * The variable's value is multiplied by this before it goes in the
   * environment (days → seconds). @default 1
   */
  readonly scale?: number;
}

export interface TerraformValidation {
  /** A Terraform condition over `var.<variable>` (other variables need Terraform ≥ 1.9). */
  readonly condition: string;
  readonly errorMessage: string;
}

export interface SettingDefinition {
  /** The Terraform variable's name: the module's input. */
  readonly variable: string;
  /** A Terraform type: the scalars and lists the handlers read, and the maps and objects only the stack uses. */
  readonly type: "string" | "number" | "bool" | "list(string)" | "map(string)" | `map(object(${string}))`;
  readonly default: string | number | boolean | readonly string[] | Readonly<Record<string, never>>;
  readonly description: string;
  readonly validation?: readonly TerraformValidation[];
  /** Only the root module for `cdktf deploy` declares it (the module configures no provider). */
  readonly deployOnly?: boolean;
  /** How handlers receive it; absent for settings only the stack uses. */
  readonly environment?: SettingEnvironment;
}

/**
 * The JWS algorithms a sign-in token may use: asymmetric only, so a token
 * signed with the issuer's *public* key as an HMAC secret never passes. The
 * same pattern validates the Terraform variable (RE2) and the handler's
 * environment (JavaScript).
 */
export const ASYMMETRIC_JWT_ALGORITHM = "^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$";

/**
 * A JWKS URL the authorizer may fetch: `https://`, or `http://` on a loopback
 * host only (the dev issuer). The same pattern validates the Terraform
 * variable (RE2) and the handler's environment (JavaScript), so it has no
 * backslash: HCL strings would need it doubled.
 */
export const JWKS_URL_PATTERN = "^https://[^/?#]+|^http://(localhost|127[.]0[.]0[.]1)(:[0-9]+)?(/|$)";

/** A JWT claim name as NAME_CLAIMS lists it. */
export const CLAIM_NAME_PATTERN = "^[A-Za-z0-9_:.-]{1,64}$";

/** The values CloudWatch Logs accepts for retention_in_days. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export const SETTINGS = {
  awsRegion: {
    variable: "aws_region",
    type: "string",
    default: "us-east-1",
    description: "AWS region to deploy to.",
    deployOnly: true,
  },
  authEnabled: {
    variable: "auth_enabled",
    type: "bool",
    default: true,
    description: "Require a valid JWT (?token=) on $connect. Setting this to false lets ANYONE connect under any name: for demos only, never for real users.",
    // Fails the plan, not the first sign-in. Referring to other variables here needs Terraform 1.9.
    validation: [
      {
        condition: '${!var.auth_enabled || (var.jwt_issuer != "" && var.jwt_audience != "" && var.jwks_url != "")}',
        errorMessage: "auth_enabled is true, so jwt_issuer, jwt_audience and jwks_url must be set (or set auth_enabled = false for a demo without sign-in).",
      },
    ],
    // $connect refuses a connection that reaches it without an authorizer's identity while this is on: fail closed.
    environment: { name: "AUTH_ENABLED", receivers: "routes", reader: { kind: "boolean" } },
  },
  jwtIssuer: {
    variable: "jwt_issuer",
    type: "string",
    default: "",
    description: "Expected `iss` of sign-in tokens, e.g. https://cognito-idp.<region>.amazonaws.com/<pool id> or https://<tenant>.auth0.com/. Required when auth_enabled.",
    environment: { name: "JWT_ISSUER", receivers: "authorizer", reader: { kind: "requiredString" } },
  },
  jwtAudience: {
    variable: "jwt_audience",
    type: "string",
    default: "",
    description: "Expected `aud` of sign-in tokens (the app client id). Required when auth_enabled.",
    environment: { name: "JWT_AUDIENCE", receivers: "authorizer", reader: { kind: "requiredString" } },
  },
  jwksUrl: {
    variable: "jwks_url",
    type: "string",
    default: "",
    description: "The issuer's public JWKS URL, e.g. <issuer>/.well-known/jwks.json. Only public keys are fetched: no secret is ever in Terraform state. Required when auth_enabled.",
    validation: [
      {
        condition: `\${var.jwks_url == "" || can(regex("${JWKS_URL_PATTERN}", var.jwks_url))}`,
        errorMessage: "jwks_url must be an https:// URL (http:// only on localhost or 127.0.0.1).",
      },
    ],
    environment: { name: "JWKS_URL", receivers: "authorizer", reader: { kind: "url" } },
  },
  jwtAlgorithms: {
    variable: "jwt_algorithms",
    type: "list(string)",
    default: ["RS256", "ES256"],
    description: "Signature algorithms accepted for sign-in tokens. Asymmetric only: `none` and HS* are refused.",
    validation: [
      {
        condition: `\${alltrue([for a in var.jwt_algorithms : can(regex("${ASYMMETRIC_JWT_ALGORITHM}", a))])}`,
        errorMessage: "jwt_algorithms may only list asymmetric algorithms (RS*, PS*, ES*, EdDSA, Ed25519).",
      },
    ],
    environment: {
      name: "JWT_ALGORITHMS",
      receivers: "authorizer",
      reader: { kind: "list", pattern: ASYMMETRIC_JWT_ALGORITHM, expected: "a comma-separated list of asymmetric algorithms (RS*, PS*, ES*, EdDSA, Ed25519)" },
    },
  },
  nameClaims: {
    variable: "name_claims",
    type: "list(string)",
    default: ["cognito:username"],
    description:
      "Token claims a display name may come from, in order; the first whose value follows the naming rules wins, else `user-` and 8 characters of the user id. List only claims your issuer sets and users cannot choose (Cognito's `cognito:username` is; `preferred_username`, `name` and `email` usually are not).",
    validation: [
      {
        condition: `\${alltrue([for c in var.name_claims : can(regex("${CLAIM_NAME_PATTERN}", c))])}`,
        errorMessage: "name_claims may only list claim names (letters, digits, _ : . -).",
      },
    ],
    environment: {
      name: "NAME_CLAIMS",
      receivers: "authorizer",
      reader: { kind: "list", pattern: CLAIM_NAME_PATTERN, expected: "a comma-separated list of claim names" },
    },
  },
  maxTokenAgeSeconds: {
    variable: "max_token_age_seconds",
    type: "number",
    default: 86_400,
    description: "Oldest sign-in token (by its `iat`) the authorizer accepts, in seconds, whatever its `exp` says. Tokens without `iat` are refused.",
    validation: [{ condition: "${var.max_token_age_seconds >= 60 && var.max_token_age_seconds <= 2592000}", errorMessage: "max_token_age_seconds must be between 60 and 2592000 (30 days)." }],
    environment: { name: "MAX_TOKEN_AGE_SECONDS", receivers: "authorizer", reader: { kind: "positiveInteger" } },
  },
  nameBindingDays: {
    variable: "name_binding_days",
    type: "number",
    default: 30,
    description:
      "Days a signed-in user's display name stays bound to them after their last use of it (connect or setName): nobody else can take it meanwhile. At least history_ttl_days, so history never shows a name that now belongs to someone else.",
    validation: [
      { condition: "${var.name_binding_days >= 1 && var.name_binding_days <= 3650}", errorMessage: "name_binding_days must be between 1 and 3650." },
      { condition: "${var.name_binding_days >= var.history_ttl_days}", errorMessage: "name_binding_days must be at least history_ttl_days." },
    ],
    environment: { name: "NAME_BINDING_SECONDS", receivers: "routes", reader: { kind: "positiveInteger" }, scale: 86_400 },
  },
  maxMessagesPerMinute: {
    variable: "max_messages_per_minute",
    type: "number",
    default: 60,
    description: "Messages (onMessage and privateMessage) one connection may send per minute; more get a rate_limited error frame and are neither sent nor stored.",
    validation: [{ condition: "${var.max_messages_per_minute >= 1 && var.max_messages_per_minute <= 6000}", errorMessage: "max_messages_per_minute must be between 1 and 6000." }],
    environment: { name: "MAX_MESSAGES_PER_MINUTE", receivers: "routes", reader: { kind: "positiveInteger" } },
  },
  maxRoomsPerConnection: {
    variable: "max_rooms_per_connection",
    type: "number",
    default: 20,
    description: "Rooms one connection may be in at once, the default room included; joining one more gets a too_many_rooms error frame. $disconnect deletes every membership within its timeout at this maximum (docs/security.md).",
    validation: [{ condition: "${var.max_rooms_per_connection >= 1 && var.max_rooms_per_connection <= 100}", errorMessage: "max_rooms_per_connection must be between 1 and 100." }],
    environment: { name: "MAX_ROOMS_PER_CONNECTION", receivers: "routes", reader: { kind: "positiveInteger" } },
  },
  maxConnectionsPerUser: {
    variable: "max_connections_per_user",
    type: "number",
    default: 5,
    description: "Open connections one signed-in user may hold; $connect refuses one more with HTTP 429.",
    validation: [{ condition: "${var.max_connections_per_user >= 1 && var.max_connections_per_user <= 100}", errorMessage: "max_connections_per_user must be between 1 and 100." }],
    environment: { name: "MAX_CONNECTIONS_PER_USER", receivers: "routes", reader: { kind: "positiveInteger" } },
  },
  maxMemberNames: {
    variable: "max_member_names",
    type: "number",
    // 200 members with names and user ids stay well inside API Gateway's 32 KB frame.
    default: 200,
    description: "Members a `joined` answer lists at most (it also says how many there are in all).",
    validation: [{ condition: "${var.max_member_names >= 1 && var.max_member_names <= 250}", errorMessage: "max_member_names must be between 1 and 250 (a larger list would not fit in one 32 KB frame)." }],
    environment: { name: "MAX_MEMBER_NAMES", receivers: "routes", reader: { kind: "positiveInteger" } },
  },
  maxStoredMessageBytes: {
    variable: "max_stored_message_bytes",
    type: "number",
    default: 4_096,
    description: "Largest message text, in UTF-8 bytes, that onMessage broadcasts and stores for history_ttl_days; a longer one gets a too_large error frame.",
    validation: [{ condition: "${var.max_stored_message_bytes >= 1 && var.max_stored_message_bytes <= 32768}", errorMessage: "max_stored_message_bytes must be between 1 and 32768." }],
    environment: { name: "MAX_STORED_MESSAGE_BYTES", receivers: "routes", reader: { kind: "positiveInteger" } },
  },
  throttlingRateLimit: {
    variable: "throttling_rate_limit",
    type: "number",
    default: 500,
    description: "Stage-wide steady rate (requests per second, every route) API Gateway lets through before it throttles (default_route_settings).",
    validation: [{ condition: "${var.throttling_rate_limit >= 1 && var.throttling_rate_limit <= 10000}", errorMessage: "throttling_rate_limit must be between 1 and 10000." }],
  },
  throttlingBurstLimit: {
    variable: "throttling_burst_limit",
    type: "number",
    default: 1_000,
    description: "Stage-wide burst (requests at once, every route) API Gateway lets through before it throttles (default_route_settings).",
    validation: [{ condition: "${var.throttling_burst_limit >= 1 && var.throttling_burst_limit <= 5000}", errorMessage: "throttling_burst_limit must be between 1 and 5000." }],
  },
  connectThrottlingRateLimit: {
    variable: "connect_throttling_rate_limit",
    type: "number",
    default: 50,
    description: "Steady rate of new connections per second ($connect's route_settings); more are refused with HTTP 429.",
    validation: [{ condition: "${var.connect_throttling_rate_limit >= 1 && var.connect_throttling_rate_limit <= 10000}", errorMessage: "connect_throttling_rate_limit must be between 1 and 10000." }],
  },
  connectThrottlingBurstLimit: {
    variable: "connect_throttling_burst_limit",
    type: "number",
    default: 100,
    description: "Burst of new connections at once ($connect's route_settings); more are refused with HTTP 429.",
    validation: [{ condition: "${var.connect_throttling_burst_limit >= 1 && var.connect_throttling_burst_limit <= 5000}", errorMessage: "connect_throttling_burst_limit must be between 1 and 5000." }],
  },
  tableKmsKeyArn: {
    variable: "table_kms_key_arn",
    type: "string",
    default: "",
    description: "A customer-managed KMS key ARN for the connection table's encryption at rest; empty uses the AWS managed key aws/dynamodb (encryption is always on).",
    validation: [{ condition: '${var.table_kms_key_arn == "" || can(regex("^arn:aws[a-z-]*:kms:", var.table_kms_key_arn))}', errorMessage: "table_kms_key_arn must be empty or a KMS key ARN." }],
  },
  logsKmsKeyArn: {
    variable: "logs_kms_key_arn",
    type: "string",
    default: "",
    description: "A KMS key ARN that encrypts every log group (functions and stage access log); empty uses CloudWatch's default encryption. The key policy must allow the logs service.",
    validation: [{ condition: '${var.logs_kms_key_arn == "" || can(regex("^arn:aws[a-z-]*:kms:", var.logs_kms_key_arn))}', errorMessage: "logs_kms_key_arn must be empty or a KMS key ARN." }],
  },
  manageApiGatewayCloudwatchRole: {
    variable: "manage_api_gateway_cloudwatch_role",
    type: "bool",
    default: false,
    description:
      "Create an IAM role for API Gateway to write CloudWatch Logs and set it as the account's API Gateway CloudWatch role (aws_api_gateway_account: ONE setting per account and region, shared by every REST and WebSocket API there). The stage's access log needs that setting: leave this false where it is already set, set it true in one stack per account and region otherwise (docs/security.md).",
  },
  historyTtlDays: {
    variable: "history_ttl_days",
    type: "number",
    default: 7,
    description: "Days a room's messages are kept for `history` before DynamoDB TTL removes them.",
    validation: [{ condition: "${var.history_ttl_days >= 1 && var.history_ttl_days <= 365}", errorMessage: "history_ttl_days must be between 1 and 365." }],
    environment: { name: "HISTORY_TTL_SECONDS", receivers: "routes", reader: { kind: "positiveInteger" }, scale: 86_400 },
  },
  namePrefix: {
    variable: "name_prefix",
    type: "string",
    default: "wsstack",
    description: "Prefix of every physical name (API, functions, roles, log groups, table). Use one per environment.",
    validation: [{ condition: '${can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,31}$", var.name_prefix))}', errorMessage: "name_prefix must start with a letter and hold at most 32 letters, digits or hyphens." }],
  },
  stageName: {
    variable: "stage_name",
    type: "string",
    default: "dev",
    description: "API Gateway stage name: the last path segment of the WebSocket URL.",
    validation: [{ condition: '${can(regex("^[a-zA-Z0-9_-]{1,128}$", var.stage_name))}', errorMessage: "stage_name may hold only letters, digits, hyphens and underscores." }],
  },
  logRetentionDays: {
    variable: "log_retention_days",
    type: "number",
    default: 14,
    description: "Days CloudWatch keeps each function's logs.",
    validation: [{ condition: `\${contains([${LOG_RETENTION_DAYS.join(", ")}], var.log_retention_days)}`, errorMessage: `log_retention_days must be one of ${LOG_RETENTION_DAYS.join(", ")}.` }],
  },
  connectionTtlSeconds: {
    variable: "connection_ttl_seconds",
    type: "number",
    // Longer than API Gateway's 2-hour connection limit, so no live connection expires.
    default: 10_800,
    description: "Seconds after which DynamoDB TTL removes a connection's items if $disconnect never ran. API Gateway closes every connection after 2 hours, so keep it above 7200.",
    validation: [{ condition: "${var.connection_ttl_seconds >= 7200}", errorMessage: "connection_ttl_seconds must be at least 7200 (API Gateway's maximum connection duration)." }],
    environment: { name: "CONNECTION_TTL_SECONDS", receivers: "routes", reader: { kind: "positiveInteger" } },
  },
  maxMessageBytes: {
    variable: "max_message_bytes",
    type: "number",
    // API Gateway's frame size (32 KB).
    default: 32_768,
    description: "Largest message body, in bytes, the handlers accept; larger ones get a too_large error frame. API Gateway's own limit is 131072.",
    validation: [{ condition: "${var.max_message_bytes > 0 && var.max_message_bytes <= 131072}", errorMessage: "max_message_bytes must be between 1 and 131072." }],
    environment: { name: "MAX_MESSAGE_BYTES", receivers: "routes", reader: { kind: "positiveInteger" } },
  },
  fanOutConcurrency: {
    variable: "fan_out_concurrency",
    type: "number",
    // Measured (bench/fan-out.ts, docs/performance.md): the largest setting that stays within
    // 1.5× of ideal latency before one function's CPU, not the network, becomes the limit.
    default: 128,
    description: "How many PostToConnection calls one broadcast keeps in flight (the default is tuned in docs/performance.md).",
    validation: [{ condition: "${var.fan_out_concurrency >= 1 && var.fan_out_concurrency <= 1024}", errorMessage: "fan_out_concurrency must be between 1 and 1024." }],
    environment: { name: "FAN_OUT_CONCURRENCY", receivers: "routes", reader: { kind: "positiveInteger" } },
  },
  fanOutShardSize: {
    variable: "fan_out_shard_size",
    type: "number",
    // Measured (bench/fan-out.ts, docs/performance.md "Large rooms"): under Lambda's CPU share at the default
    // 512 MB, a piece of 1,000 posts used about 20% of the 10 s timeout (55% at 256 MB).
    default: 1000,
    description:
      "Recipients one invocation serves. A room with more members than this gets its message through the fan-out function: the sender's invocation delivers the first page and each further page is one asynchronous invocation (docs/performance.md). Presence and typing frames are not sent in rooms larger than this.",
    validation: [{ condition: "${var.fan_out_shard_size >= 10 && var.fan_out_shard_size <= 5000}", errorMessage: "fan_out_shard_size must be between 10 and 5000 (a piece of connection ids stays far inside an asynchronous invocation's payload limit)." }],
    environment: { name: "FAN_OUT_SHARD_SIZE", receivers: "routes", reader: { kind: "positiveInteger" } },
  },
  onMessageMemoryMb: {
    variable: "on_message_memory_mb",
    type: "number",
    // docs/performance.md "Large rooms": at 512 MB a 1,000-post page takes 19% of the timeout (33% at 256 MB),
    // and the CPU-bound work costs fewer GB-s than at 256 MB even in a room of 10.
    default: 512,
    description: "Memory of the onMessage function, in MB. Lambda gives CPU in proportion (one vCPU at 1769 MB); the default is chosen in docs/performance.md.",
    validation: [{ condition: "${var.on_message_memory_mb >= 128 && var.on_message_memory_mb <= 10240}", errorMessage: "on_message_memory_mb must be between 128 and 10240." }],
  },
  fanOutMemoryMb: {
    variable: "fan_out_memory_mb",
    type: "number",
    // docs/performance.md "Large rooms": the longest piece at N = 10,000 used 20% of the timeout at 512 MB,
    // 55% at 256 MB; at 1,024 MB pieces throttled by the account's rate last as long and cost twice the GB-s.
    default: 512,
    description: "Memory of the fan-out function that serves large rooms, in MB. Lambda gives CPU in proportion (one vCPU at 1769 MB); the default is chosen in docs/performance.md.",
    validation: [{ condition: "${var.fan_out_memory_mb >= 128 && var.fan_out_memory_mb <= 10240}", errorMessage: "fan_out_memory_mb must be between 128 and 10240." }],
  },
  tags: {
    variable: "tags",
    type: "map(string)",
    default: {},
    description: "Tags for every taggable resource the module creates (merged with a Name tag where one helps).",
  },
  domainName: {
    variable: "domain_name",
    type: "string",
    default: "",
    description: "A custom domain for the WebSocket API, e.g. chat.example.com (wss://chat.example.com); empty keeps the execute-api URL. Needs certificate_arn.",
    validation: [{ condition: '${var.domain_name == "" || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?[.])+[a-z]{2,63}$", var.domain_name))}', errorMessage: "domain_name must be empty or a lower-case DNS name such as chat.example.com." }],
  },
  certificateArn: {
    variable: "certificate_arn",
    type: "string",
    default: "",
    description: "The ACM certificate (in the API's region) for domain_name; required when domain_name is set.",
    validation: [
      { condition: '${var.certificate_arn == "" || can(regex("^arn:aws[a-z-]*:acm:", var.certificate_arn))}', errorMessage: "certificate_arn must be empty or an ACM certificate ARN." },
      { condition: '${var.domain_name == "" || var.certificate_arn != ""}', errorMessage: "certificate_arn is required when domain_name is set." },
    ],
  },
  hostedZoneId: {
    variable: "hosted_zone_id",
    type: "string",
    default: "",
    description: "A Route 53 hosted zone for domain_name: when given, the module creates the alias record; empty leaves DNS to you.",
    validation: [{ condition: '${var.hosted_zone_id == "" || var.domain_name != ""}', errorMessage: "hosted_zone_id needs domain_name." }],
  },
  alarmTopicArn: {
    variable: "alarm_topic_arn",
    type: "string",
    default: "",
    description: "An SNS topic for CloudWatch alarms on the functions' errors and throttles, the authorizer's errors, API Gateway's integration errors and DynamoDB's throttled requests; empty creates no alarms.",
    validation: [{ condition: '${var.alarm_topic_arn == "" || can(regex("^arn:aws[a-z-]*:sns:", var.alarm_topic_arn))}', errorMessage: "alarm_topic_arn must be empty or an SNS topic ARN." }],
  },
  alarmFunctionErrorsThreshold: {
    variable: "alarm_function_errors_threshold",
    type: "number",
    default: 1,
    description: "Errors of one function (the authorizer's included) in alarm_period_seconds at or above which its alarm fires.",
    validation: [{ condition: "${var.alarm_function_errors_threshold >= 1}", errorMessage: "alarm_function_errors_threshold must be at least 1." }],
  },
  alarmFunctionThrottlesThreshold: {
    variable: "alarm_function_throttles_threshold",
    type: "number",
    default: 1,
    description: "Throttled invocations of one function in alarm_period_seconds at or above which its alarm fires.",
    validation: [{ condition: "${var.alarm_function_throttles_threshold >= 1}", errorMessage: "alarm_function_throttles_threshold must be at least 1." }],
  },
  alarmIntegrationErrorsThreshold: {
    variable: "alarm_integration_errors_threshold",
    type: "number",
    default: 5,
    description: "API Gateway integration errors (IntegrationError) of the stage in alarm_period_seconds at or above which its alarm fires.",
    validation: [{ condition: "${var.alarm_integration_errors_threshold >= 1}", errorMessage: "alarm_integration_errors_threshold must be at least 1." }],
  },
  alarmDynamodbThrottlesThreshold: {
    variable: "alarm_dynamodb_throttles_threshold",
    type: "number",
    default: 1,
    description: "DynamoDB throttled requests (ThrottledRequests) on the table in alarm_period_seconds at or above which its alarm fires.",
    validation: [{ condition: "${var.alarm_dynamodb_throttles_threshold >= 1}", errorMessage: "alarm_dynamodb_throttles_threshold must be at least 1." }],
  },
  alarmPeriodSeconds: {
    variable: "alarm_period_seconds",
    type: "number",
    default: 300,
    description: "The period, in seconds, each alarm sums its metric over (one period, so an alarm fires at the first bad period).",
    validation: [{ condition: "${contains([60, 300, 900, 3600], var.alarm_period_seconds)}", errorMessage: "alarm_period_seconds must be one of 60, 300, 900, 3600." }],
  },
  additionalRoutes: {
    variable: "additional_routes",
    type: "map(object({ function_name = string, invoke_arn = string, two_way = optional(bool, false) }))",
    default: {},
    description:
      "More routes on the same API, each served by your own Lambda function: route key => { function_name (name or ARN, for the invoke permission), invoke_arn (the function's invoke_arn), two_way (answer the caller with the function's result) }. Wired like the built-in routes: AWS_PROXY integration, route, permission and, for two_way, a $default route response.",
    validation: [{ condition: '${alltrue([for key in keys(var.additional_routes) : can(regex("^[a-zA-Z][a-zA-Z0-9_-]{0,127}$", key))])}', errorMessage: "additional_routes keys must be route keys of letters, digits, _ and - that start with a letter (not $connect, $disconnect or $default)." }],
  },
} as const satisfies Record<string, SettingDefinition>;

export type SettingName = keyof typeof SETTINGS;

/**
 * What the stack itself puts in every route function's environment: the
 * names of the resources it made, not variables.
 */
export const RESOURCE_ENVIRONMENT = {
  /** The connection table's name. */
  tableName: "TABLE_NAME",
  /** The room index's name; the handlers fall back to CONNECTION_TABLE.roomIndexName. */
  roomIndexName: "ROOM_INDEX_NAME",
  /** The fan-out function's name (contract/routes.ts FAN_OUT_FUNCTION), for the functions that invoke it. */
  fanOutFunctionName: "FAN_OUT_FUNCTION_NAME",
} as const;
