import { AwsProvider } from "@cdktf/provider-aws/lib/provider/index.js";
import { Fn, LocalBackend, TerraformOutput, TerraformStack, TerraformVariable, type TerraformBackend, type TerraformVariableConfig } from "cdktf";
import type { Construct } from "constructs";
import { ENV, type RouteDefinition } from "../functions/routes.ts";
import { ChatBackend } from "./chat-backend.ts";

/** Where Terraform keeps the state of a deployable stack. */
export type StateBackend =
  | {
      readonly kind: "local";
      /** State file path, relative to the synthesized stack folder. */
      readonly path: string;
    }
  | {
      readonly kind: "cloud";
      /** Terraform Cloud / HCP Terraform organization. */
      readonly organization: string;
      /** Workspace name. */
      readonly workspace: string;
      /**
       * Project of the workspace.
       * @default - the organization's default project
       */
      readonly project?: string;
      /**
       * Hostname of Terraform Enterprise.
       * @default 'app.terraform.io'
       */
      readonly hostname?: string;
    };

/** Properties of a {@link ChatStack}. */
export interface ChatStackProps {
  /**
   * `deploy`: a root module with an AWS provider and a backend, for `cdktf deploy`.
   * `module`: no provider configuration and no backend, for `module "chat" { source = … }`.
   * @default 'deploy'
   */
  readonly mode?: "deploy" | "module";
  /**
   * State backend in `deploy` mode.
   * @default { kind: 'local', path: '../../../terraform.<stack id>.tfstate' } (the project root)
   */
  readonly backend?: StateBackend;
  /** Folder where handler bundles are staged before cdktf zips them. */
  readonly bundleRoot: string;
  /**
   * The routes to deploy.
   * @default ROUTES from functions/routes.ts
   */
  readonly routes?: readonly RouteDefinition[];
}

/**
 * The range of hashicorp/aws the synthesized Terraform accepts. The generated
 * bindings come from provider 6.x; nothing here uses a 6.x-only argument, and
 * 5.100 is the newest 5.x, which many teams still pin.
 */
export const AWS_PROVIDER_VERSION_RANGE = ">= 5.100, < 7";

/**
 * The deployable stack: variables, the chat backend, and outputs. The same
 * class writes the root module for `cdktf deploy` and the reusable module.
 */
export class ChatStack extends TerraformStack {
  readonly backend: ChatBackend;
  private readonly wantsDefaultBackend: boolean;

  constructor(scope: Construct, id: string, props: ChatStackProps) {
    super(scope, id);
    const mode = props.mode ?? "deploy";
    const backend = props.backend ?? { kind: "local", path: `../../../terraform.${id}.tfstate` };
    this.wantsDefaultBackend = mode === "deploy" && backend.kind === "local";
    const v = declareVariables(this);

    if (mode === "module") {
      // cdktf refuses resources without a provider construct, but a module must
      // not configure its provider: declare one, then drop its block.
      new AwsProvider(this, "aws", {});
      this.addOverride("provider", undefined);
    } else {
      const region = declareVariable(this, "aws_region", {
        type: "string",
        default: "us-east-1",
        description: "AWS region to deploy to.",
      });
      new AwsProvider(this, "aws", {
        region: region.stringValue,
        defaultTags: [{ tags: { Application: "wsstack", ManagedBy: "cdktf" } }],
      });
      applyBackend(this, backend);
    }
    // Pin the range ourselves: the bindings would otherwise write their own
    // exact 6.x version, which excludes 5.100.
    this.addOverride("terraform.required_providers.aws", { source: "hashicorp/aws", version: AWS_PROVIDER_VERSION_RANGE });

    this.backend = new ChatBackend(this, "Chat", {
      namePrefix: v.namePrefix.stringValue,
      stageName: v.stageName.stringValue,
      logRetentionDays: v.logRetentionDays.numberValue,
      bundleRoot: props.bundleRoot,
      routes: props.routes,
      environment: {
        [ENV.connectionTtlSeconds]: v.connectionTtlSeconds.stringValue,
        [ENV.maxMessageBytes]: v.maxMessageBytes.stringValue,
        [ENV.fanOutConcurrency]: v.fanOutConcurrency.stringValue,
        [ENV.historyTtlSeconds]: "${var.history_ttl_days * 86400}",
      },
      auth: {
        enabled: v.authEnabled.booleanValue,
        environment: {
          [ENV.jwtIssuer]: v.jwtIssuer.stringValue,
          [ENV.jwtAudience]: v.jwtAudience.stringValue,
          [ENV.jwksUrl]: v.jwksUrl.stringValue,
          [ENV.jwtAlgorithms]: Fn.join(",", v.jwtAlgorithms.listValue),
        },
      },
    });

    const api = this.backend.api;
    output(this, "websocket_url", api.webSocketUrl, "WebSocket URL clients connect to, e.g. `npx wscat -c <websocket_url>`.");
    output(this, "connection_url", api.connectionUrl, "Callback URL for the @connections API: POST <connection_url>/<connectionId> (SigV4-signed, execute-api:ManageConnections) sends a frame to that client.");
    output(this, "table_name", this.backend.table.table.name, "DynamoDB connection table; give it to tools or other functions that need to read who is connected.");
    output(this, "api_id", api.api.id, "API Gateway API id; use it with `aws apigatewayv2` commands or to build execute-api ARNs.");
  }

  /**
   * cdktf adds a local backend to any stack without one. A module must have no
   * backend, and a `cloud` block (written as an override) must not be joined by
   * a local backend, so in those cases there is nothing to ensure.
   */
  override ensureBackendExists(): TerraformBackend {
    // cdktf only uses the result for cross-stack references, which this stack has none of.
    return this.wantsDefaultBackend ? super.ensureBackendExists() : (undefined as unknown as TerraformBackend);
  }
}

interface Variables {
  authEnabled: TerraformVariable;
  jwtIssuer: TerraformVariable;
  jwtAudience: TerraformVariable;
  jwksUrl: TerraformVariable;
  jwtAlgorithms: TerraformVariable;
  historyTtlDays: TerraformVariable;
  namePrefix: TerraformVariable;
  stageName: TerraformVariable;
  logRetentionDays: TerraformVariable;
  connectionTtlSeconds: TerraformVariable;
  maxMessageBytes: TerraformVariable;
  fanOutConcurrency: TerraformVariable;
}

// The values CloudWatch Logs accepts for retention_in_days.
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

// Variables keep their plain names: they are the module's public interface.
function declareVariable(stack: TerraformStack, name: string, config: TerraformVariableConfig): TerraformVariable {
  const v = new TerraformVariable(stack, name, config);
  v.overrideLogicalId(name);
  // cdktf's HCL renderer silently drops an empty-string default, which would
  // make the variable required; an override survives.
  if (config.default === "") v.addOverride("default", "");
  return v;
}

function declareVariables(stack: TerraformStack): Variables {
  const variable = (name: string, config: TerraformVariableConfig) => declareVariable(stack, name, config);
  return {
    authEnabled: variable("auth_enabled", {
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
    }),
    jwtIssuer: variable("jwt_issuer", {
      type: "string",
      default: "",
      description: "Expected `iss` of sign-in tokens, e.g. https://cognito-idp.<region>.amazonaws.com/<pool id> or https://<tenant>.auth0.com/. Required when auth_enabled.",
    }),
    jwtAudience: variable("jwt_audience", {
      type: "string",
      default: "",
      description: "Expected `aud` of sign-in tokens (the app client id). Required when auth_enabled.",
    }),
    jwksUrl: variable("jwks_url", {
      type: "string",
      default: "",
      description: "The issuer's public JWKS URL, e.g. <issuer>/.well-known/jwks.json. Only public keys are fetched: no secret is ever in Terraform state. Required when auth_enabled.",
      validation: [{ condition: '${var.jwks_url == "" || can(regex("^https?://", var.jwks_url))}', errorMessage: "jwks_url must be an http(s) URL." }],
    }),
    jwtAlgorithms: variable("jwt_algorithms", {
      type: "list(string)",
      default: ["RS256", "ES256"],
      description: "Signature algorithms accepted for sign-in tokens. Asymmetric only: `none` and HS* are refused.",
      validation: [{ condition: '${alltrue([for a in var.jwt_algorithms : can(regex("^(RS|PS|ES)(256|384|512)$|^EdDSA$", a))])}', errorMessage: "jwt_algorithms may only list asymmetric algorithms (RS*, PS*, ES*, EdDSA)." }],
    }),
    historyTtlDays: variable("history_ttl_days", {
      type: "number",
      default: 7,
      description: "Days a room's messages are kept for `history` before DynamoDB TTL removes them.",
      validation: [{ condition: "${var.history_ttl_days >= 1 && var.history_ttl_days <= 365}", errorMessage: "history_ttl_days must be between 1 and 365." }],
    }),
    namePrefix: variable("name_prefix", {
      type: "string",
      default: "wsstack",
      description: "Prefix of every physical name (API, functions, roles, log groups, table). Use one per environment.",
      validation: [{ condition: '${can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,31}$", var.name_prefix))}', errorMessage: "name_prefix must start with a letter and hold at most 32 letters, digits or hyphens." }],
    }),
    stageName: variable("stage_name", {
      type: "string",
      default: "dev",
      description: "API Gateway stage name: the last path segment of the WebSocket URL.",
      validation: [{ condition: '${can(regex("^[a-zA-Z0-9_-]{1,128}$", var.stage_name))}', errorMessage: "stage_name may hold only letters, digits, hyphens and underscores." }],
    }),
    logRetentionDays: variable("log_retention_days", {
      type: "number",
      default: 14,
      description: "Days CloudWatch keeps each function's logs.",
      validation: [{ condition: `\${contains([${LOG_RETENTION_DAYS.join(", ")}], var.log_retention_days)}`, errorMessage: `log_retention_days must be one of ${LOG_RETENTION_DAYS.join(", ")}.` }],
    }),
    connectionTtlSeconds: variable("connection_ttl_seconds", {
      type: "number",
      default: 10800,
      description: "Seconds after which DynamoDB TTL removes a connection's items if $disconnect never ran. API Gateway closes every connection after 2 hours, so keep it above 7200.",
      validation: [{ condition: "${var.connection_ttl_seconds >= 7200}", errorMessage: "connection_ttl_seconds must be at least 7200 (API Gateway's maximum connection duration)." }],
    }),
    maxMessageBytes: variable("max_message_bytes", {
      type: "number",
      default: 32768,
      description: "Largest message body, in bytes, the handlers accept; larger ones get a too_large error frame. API Gateway's own limit is 131072.",
      validation: [{ condition: "${var.max_message_bytes > 0 && var.max_message_bytes <= 131072}", errorMessage: "max_message_bytes must be between 1 and 131072." }],
    }),
    fanOutConcurrency: variable("fan_out_concurrency", {
      type: "number",
      // Measured (bench/fan-out.ts, docs/performance.md): the largest setting that stays within
      // 1.5× of ideal latency before one function's CPU, not the network, becomes the limit.
      default: 128,
      description: "How many PostToConnection calls one broadcast keeps in flight (the default is tuned in docs/performance.md).",
      validation: [{ condition: "${var.fan_out_concurrency >= 1 && var.fan_out_concurrency <= 1024}", errorMessage: "fan_out_concurrency must be between 1 and 1024." }],
    }),
  };
}

function output(stack: TerraformStack, name: string, value: string, description: string): void {
  new TerraformOutput(stack, name, { value, description, staticId: true });
}

function applyBackend(stack: TerraformStack, backend: StateBackend): void {
  if (backend.kind === "local") {
    new LocalBackend(stack, { path: backend.path });
    return;
  }
  // Written as a raw `cloud` block rather than with CloudBackend: CloudBackend
  // runs `terraform version` at synth time (synth must work without a
  // terraform binary) and its HCL output drops the workspace's project.
  stack.addOverride("terraform.cloud", {
    organization: backend.organization,
    ...(backend.hostname ? { hostname: backend.hostname } : {}),
    workspaces: { name: backend.workspace, ...(backend.project ? { project: backend.project } : {}) },
  });
}
