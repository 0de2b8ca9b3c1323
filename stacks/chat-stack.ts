import { AwsProvider } from "@cdktf/provider-aws/lib/provider/index.js";
import { Aspects, Fn, LocalBackend, TerraformOutput, TerraformStack, TerraformVariable, Token, type TerraformBackend, type TerraformVariableConfig, type TerraformVariableValidationConfig } from "cdktf";
import type { Construct } from "constructs";
import { FAN_OUT_FUNCTION, ROUTES, type RouteDefinition, type WorkerFunctionDefinition } from "../contract/routes.ts";
import { SETTINGS, type SettingDefinition, type SettingName, type SettingReceivers } from "../contract/settings.ts";
import type { BundledFunction } from "./bundled-function.ts";
import { ChatAlarms, tableOperations } from "./alarms.ts";
import { ChatBackend, chatBackendFunctions } from "./chat-backend.ts";
import { CustomDomain } from "./custom-domain.ts";
import { nameTag, TagResources } from "./tags.ts";

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
   * @default ROUTES from contract/routes.ts
   */
  readonly routes?: readonly RouteDefinition[];
  /**
   * The function that serves a large room's broadcast in pieces; `false` for none.
   * @default FAN_OUT_FUNCTION from contract/routes.ts
   */
  readonly fanOut?: WorkerFunctionDefinition | false;
  /**
   * `deploy` mode: configure the AWS provider to plan with no AWS account and
   * no network, for reviewing `cdktf diff` in CI or a sandbox: it skips the
   * STS credential check, the account id lookup and the EC2 metadata API, so
   * dummy credentials (AWS_ACCESS_KEY_ID=offline…) do. An apply with dummy
   * credentials fails at its first call; with real ones it works as usual.
   * @default false
   */
  readonly planOffline?: boolean;
}

/**
 * Which function each stack-only memory setting sizes, by the function's
 * name in contract/routes.ts (the settings say which in words only). Every
 * other function keeps BundledFunction's 256 MB.
 */
const MEMORY_SETTINGS: readonly (readonly [functionName: string, setting: SettingName])[] = [
  ["on-message", "onMessageMemoryMb"],
  [FAN_OUT_FUNCTION.name, "fanOutMemoryMb"],
];

/**
 * The range of hashicorp/aws the synthesized Terraform accepts. The generated
 * bindings come from provider 6.x; nothing here uses a 6.x-only argument, and
 * 5.100 is the newest 5.x, which many teams still pin.
 */
export const AWS_PROVIDER_VERSION_RANGE = ">= 5.100, < 7";

/**
 * The Terraform versions the module accepts (its versions.tf): variable
 * validations refer to other variables, which Terraform 1.9 introduced, and
 * an older one would fail on them with a less telling error. Written by
 * scripts/build-module.ts: cdktf's HCL renderer mangles a
 * `terraform.required_version` override into `0 = "required_version"`.
 */
export const TERRAFORM_VERSION_RANGE = ">= 1.9";

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
    const v = declareVariables(this, mode);
    v.additionalRoutes.addValidation(additionalRoutesKeepBuiltInKeys(props.routes ?? ROUTES));
    // Every taggable resource, those added later included, gets var.tags (and a Name).
    Aspects.of(this).add(new TagResources(v.tags.value));

    if (mode === "module") {
      // cdktf refuses resources without a provider construct, but a module must
      // not configure its provider: declare one, then drop its block.
      new AwsProvider(this, "aws", {});
      this.addOverride("provider", undefined);
    } else {
      new AwsProvider(this, "aws", {
        region: v.awsRegion!.stringValue,
        defaultTags: [{ tags: { Application: "wsstack", ManagedBy: "cdktf" } }],
        ...(props.planOffline ? { skipCredentialsValidation: true, skipRequestingAccountId: true, skipMetadataApiCheck: "true" } : {}),
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
      logsKmsKeyId: emptyAsNull(SETTINGS.logsKmsKeyArn),
      tableKmsKeyArn: emptyAsNull(SETTINGS.tableKmsKeyArn),
      throttling: { rateLimit: v.throttlingRateLimit.numberValue, burstLimit: v.throttlingBurstLimit.numberValue },
      connectThrottling: { rateLimit: v.connectThrottlingRateLimit.numberValue, burstLimit: v.connectThrottlingBurstLimit.numberValue },
      manageApiGatewayCloudWatchRole: v.manageApiGatewayCloudwatchRole.booleanValue,
      bundleRoot: props.bundleRoot,
      routes: props.routes,
      fanOut: props.fanOut,
      memorySize: memorySizes(props, v),
      environment: environmentFor("routes", v),
      auth: {
        enabled: v.authEnabled.booleanValue,
        environment: environmentFor("authorizer", v),
      },
      additionalRoutes: v.additionalRoutes.value,
    });

    const api = this.backend.api;
    // A stage's own name (`dev`) says nothing in a list of tagged resources: name it after its API.
    nameTag(api.stage, `${api.api.nameInput}-${api.stageName}`);
    const domain = this.customDomain(v);
    output(
      this,
      "websocket_url",
      // A custom domain serves the stage at its root: wss://chat.example.com, no stage segment.
      `\${var.${SETTINGS.domainName.variable} == "" ? ${api.webSocketUrl} : format("wss://%s", var.${SETTINGS.domainName.variable})}`,
      `WebSocket URL clients connect to, e.g. \`npx wscat -c <websocket_url>\`: \`wss://<${SETTINGS.domainName.variable}>\` when ${SETTINGS.domainName.variable} is set, else the stage's execute-api URL.`,
    );
    output(
      this,
      "custom_domain_target",
      domain.target,
      `Where DNS must point ${SETTINGS.domainName.variable} when the module makes no record (${SETTINGS.hostedZoneId.variable} empty): \`target_domain_name\` (a CNAME, or a Route 53 alias) and its zone id (\`hosted_zone_id\` of the alias). Null without ${SETTINGS.domainName.variable}.`,
    );
    output(this, "connection_url", api.connectionUrl, "Callback URL for the @connections API: POST <connection_url>/<connectionId> (SigV4-signed, execute-api:ManageConnections) sends a frame to that client.");
    output(this, "table_name", this.backend.table.table.name, "DynamoDB connection table; give it to tools or other functions that need to read who is connected.");
    output(this, "api_id", api.api.id, "API Gateway API id; use it with `aws apigatewayv2` commands or to build execute-api ARNs.");
    this.extensionOutputs();
    this.alarms(v, props);
  }

  /** The custom domain, its mapping and (with hosted_zone_id) its alias record: each made only when its variables are set. */
  private customDomain(v: Variables): CustomDomain {
    return new CustomDomain(this, "CustomDomain", {
      api: this.backend.api,
      domainName: v.domainName.stringValue,
      certificateArn: v.certificateArn.stringValue,
      hostedZoneId: v.hostedZoneId.stringValue,
      count: countUnlessEmpty(SETTINGS.domainName),
      recordCount: countUnlessEmpty(SETTINGS.domainName, SETTINGS.hostedZoneId),
    });
  }

  /** CloudWatch alarms to var.alarm_topic_arn, made only when it is set. */
  private alarms(v: Variables, props: ChatStackProps): ChatAlarms {
    const { api, table, functionsByName } = this.backend;
    const routes = props.routes ?? ROUTES;
    const fanOut = props.fanOut === false ? undefined : (props.fanOut ?? FAN_OUT_FUNCTION);
    const access = [...routes.flatMap((r) => (r.kind === "lambda" ? [r.access] : [])), ...(fanOut ? [fanOut.access] : [])];
    return new ChatAlarms(this, "Alarms", {
      namePrefix: v.namePrefix.stringValue,
      topicArn: v.alarmTopicArn.stringValue,
      count: countUnlessEmpty(SETTINGS.alarmTopicArn),
      functions: [...functionsByName].map(([name, fn]) => ({
        name,
        fn,
        ...(fn === this.backend.authorizerFunction ? { errorsMeaning: "the $connect authorizer is failing: sign-ins are refused" } : {}),
      })),
      api,
      table,
      tableOperations: tableOperations(access.flatMap((a) => [...(a.table ?? []), ...(a.roomIndex ?? [])])),
      thresholds: {
        functionErrors: v.alarmFunctionErrorsThreshold.numberValue,
        functionThrottles: v.alarmFunctionThrottlesThreshold.numberValue,
        integrationErrors: v.alarmIntegrationErrorsThreshold.numberValue,
        dynamodbThrottles: v.alarmDynamodbThrottlesThreshold.numberValue,
      },
      periodSeconds: v.alarmPeriodSeconds.numberValue,
    });
  }

  /**
   * What a root module needs to extend the chat or grant access to it
   * without reading the module's internals (examples/additional-route).
   */
  private extensionOutputs(): void {
    const { api, table } = this.backend;
    output(this, "api_execution_arn", api.api.executionArn, "Execution ARN of the API. The source_arn of an aws_lambda_permission for one route is `<api_execution_arn>/<stage_name>/<route key>` (scope it to the route, never `/*`).");
    // Construct id of its own: `stage_name` is the variable's.
    new TerraformOutput(this, "stage_name_output", {
      value: api.stage.name,
      description: "Name of the API Gateway stage: the last path segment of the execute-api WebSocket URL, and the part after the API in an execute-api ARN.",
    }).overrideLogicalId("stage_name");
    output(this, "stage_arn", api.stage.arn, "ARN of the API Gateway stage clients connect to, e.g. for CloudWatch dashboards or tag-based policies.");
    output(this, "table_arn", table.table.arn, "ARN of the DynamoDB connection table: the resource of an IAM statement that lets another function read it (add `<table_arn>/index/<room_index_name>` to query rooms).");
    output(this, "room_index_name", table.roomIndexName, "Name of the connection table's room index (partition key `room`, sort key `connectionId`): query it to list a room's connections.");
    const functions = [...this.backend.functionsByName];
    const byName = (value: (fn: BundledFunction) => string) => Object.fromEntries(functions.map(([name, fn]) => [name, value(fn)]));
    output(this, "function_names", byName((fn) => fn.function.functionName), "Physical name of every function of the module (route functions, fan-out, authorizer), keyed by its short name such as `on-message`: for alarms, log queries or invoke permissions.");
    output(this, "function_arns", byName((fn) => fn.function.arn), "ARN of every function of the module, keyed by its short name such as `on-message`: for IAM statements and event source mappings.");
    output(this, "function_role_names", byName((fn) => fn.role.name), "Name of every function's IAM execution role, keyed by the function's short name such as `on-message`: attach a policy to give that function more access.");
  }

  /**
   * cdktf adds a local backend to any stack without one. A module must have no
   * backend, and a `cloud` block (written as an override) must not be joined by
   * a local backend, so in those cases there is nothing to ensure.
   */
  /**
   * cdktf runs `terraform version` at synth when a stack has moved blocks, to
   * insist on Terraform ≥ 1.5: synth must work without a terraform binary
   * (npm run synth, the module build), and the module requires ≥ 1.9 in its
   * versions.tf anyway. Terraform itself refuses a moved block it cannot read.
   */
  override hasResourceMove(): boolean {
    return false;
  }

  override ensureBackendExists(): TerraformBackend {
    // cdktf only uses the result for cross-stack references, which this stack has none of.
    return this.wantsDefaultBackend ? super.ensureBackendExists() : (undefined as unknown as TerraformBackend);
  }
}

type Variables = { readonly [K in SettingName]: TerraformVariable } & { readonly awsRegion?: TerraformVariable };

// Variables keep their plain names: they are the module's public interface.
function declareVariable(stack: TerraformStack, name: string, config: TerraformVariableConfig): TerraformVariable {
  const v = new TerraformVariable(stack, name, config);
  v.overrideLogicalId(name);
  // cdktf's HCL renderer silently drops a falsy default ("", false, 0), which
  // would make the variable required; an override survives.
  if (config.default === "" || config.default === false || config.default === 0) v.addOverride("default", config.default);
  return v;
}

/** One Terraform variable per setting of contract/settings.ts (deploy-only ones in deploy mode only). */
function declareVariables(stack: TerraformStack, mode: "deploy" | "module"): Variables {
  const variables: Partial<Record<SettingName, TerraformVariable>> = {};
  for (const [name, setting] of Object.entries(SETTINGS) as [SettingName, SettingDefinition][]) {
    if (setting.deployOnly && mode !== "deploy") continue;
    variables[name] = declareVariable(stack, setting.variable, {
      type: setting.type,
      default: setting.default,
      description: setting.description,
      ...(setting.validation ? { validation: setting.validation.map((rule) => ({ ...rule })) } : {}),
    });
  }
  return variables as Variables;
}

/** The environment the settings of contract/settings.ts give to `receivers`, as Terraform expressions. */
function environmentFor(receivers: SettingReceivers, v: Variables): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [name, setting] of Object.entries(SETTINGS) as [SettingName, SettingDefinition][]) {
    const env = setting.environment;
    if (env?.receivers !== receivers) continue;
    const variable = v[name];
    environment[env.name] =
      setting.type === "list(string)" ? Fn.join(",", variable.listValue)
      : env.scale !== undefined ? `\${var.${setting.variable} * ${env.scale}}`
      : variable.stringValue;
  }
  return environment;
}

/** The memory variables of MEMORY_SETTINGS, for those of their functions this stack deploys. */
function memorySizes(props: ChatStackProps, v: Variables): Record<string, number> {
  const deployed = new Set(chatBackendFunctions(props.routes, props.fanOut).map((f) => f.name));
  return Object.fromEntries(MEMORY_SETTINGS.filter(([name]) => deployed.has(name)).map(([name, setting]) => [name, v[setting].numberValue]));
}

/**
 * Refuses, at plan time, an additional route whose key is a built-in route
 * key: the contract's own validation already keeps out `$connect`,
 * `$disconnect` and `$default`, and API Gateway would refuse the duplicate
 * only at apply, after part of the change was made.
 */
function additionalRoutesKeepBuiltInKeys(routes: readonly RouteDefinition[]): TerraformVariableValidationConfig {
  const keys = routes.map((r) => r.routeKey);
  const variable = SETTINGS.additionalRoutes.variable;
  return {
    condition: `\${alltrue([for key in keys(var.${variable}) : !contains(${JSON.stringify(keys).replace(/,/g, ", ")}, key)])}`,
    errorMessage: `${variable} keys must not be built-in route keys of the chat (${keys.join(", ")}): give your route a key of its own.`,
  };
}

/**
 * `var.x == "" ? null : var.x`: an optional ARN whose empty default leaves the
 * argument unset, so one synthesized module serves both cases. Written out,
 * because cdktf's HCL renderer turns the `""` of Op.eq into `undefined`.
 */
function emptyAsNull(setting: { readonly variable: string }): string {
  return `\${var.${setting.variable} == "" ? null : var.${setting.variable}}`;
}

/**
 * `var.a == "" || var.b == "" ? 0 : 1`: the `count` of a resource made only
 * when every one of these optional settings is set. Written out, like
 * {@link emptyAsNull}.
 */
function countUnlessEmpty(...settings: readonly { readonly variable: string }[]): number {
  return Token.asNumber(`\${${settings.map((s) => `var.${s.variable} == ""`).join(" || ")} ? 0 : 1}`);
}

function output(stack: TerraformStack, name: string, value: string | Readonly<Record<string, string>>, description: string): void {
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
