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
  /** Every route function (not the authorizer). */
  | "routes"
  /** The `$connect` authorizer only. */
  | "authorizer";

/** How a handler reads the environment variable's text. */
export type SettingReader =
  /** A whole number ≥ 1; unset or empty takes the setting's default (times `scale`). */
  | { readonly kind: "positiveInteger" }
  /** A non-empty string; unset or empty is a deployment fault. */
  | { readonly kind: "requiredString" }
  /** An absolute URL; unset or not a URL is a deployment fault. */
  | { readonly kind: "url" }
  /** A comma-separated list whose every item matches `pattern`; unset or empty takes the default. */
  | { readonly kind: "list"; readonly pattern: string; readonly expected: string };

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
  readonly type: "string" | "number" | "bool" | "list(string)";
  readonly default: string | number | boolean | readonly string[];
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
    validation: [{ condition: '${var.jwks_url == "" || can(regex("^https?://", var.jwks_url))}', errorMessage: "jwks_url must be an http(s) URL." }],
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
} as const;
