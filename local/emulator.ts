import { tmpdir } from "node:os";
import path from "node:path";
import { CodeCache, defaultCacheDir } from "./assets.ts";
import { AsyncInvocationQueue } from "./async-invoke.ts";
import { ConnectionRegistry } from "./connections.ts";
import type { LocalDynamoDb } from "./dynamodb.ts";
import { describeError, EmulatorError } from "./errors.ts";
import type { ApiFacts } from "./events.ts";
import { Gateway } from "./gateway.ts";
import { HostPolicy, isLoopbackListenAddress, normalizeAllowedHost } from "./host-policy.ts";
import { Invoker, type CrashInjection } from "./invoker.ts";
import { LambdaInvokeApi } from "./lambda-api.ts";
import { batchedStdout } from "./log.ts";
import { ManagementApi, type ManagementApiFault } from "./management-api.ts";
import { checkMockIntegration } from "./mock-integration.ts";
import { DEFAULT_GATEWAY_OPTIONS, type GatewayOptions } from "./options.ts";
import { loadPlan, type EmulatorPlan, type PlanOptions } from "./plan.ts";
import { GatewayServer, type HttpPage } from "./server.ts";
import { StageThrottle, type Clock } from "./throttle.ts";

/**
 * Composition: Terraform JSON → plan → code cache → server, DynamoDB,
 * workers and gateway, wired together; and the shutdown that undoes it.
 */

export interface EmulatorOptions extends PlanOptions {
  /** @default 3001; 0 picks a free port */
  readonly port?: number;
  /**
   * The listen address. Anything but a loopback address (`127.0.0.1`,
   * `localhost`, `::1`) needs `allowedHosts` or `allowAnyHost`, and is
   * logged as a warning. @default "127.0.0.1"
   */
  readonly host?: string;
  /**
   * `Host` names accepted besides loopback ones (`--allow-host`), also
   * accepted as a WebSocket `Origin`: names or IP addresses without a port,
   * or `*.suffix`. A non-wildcard `host` is added itself. @default []
   */
  readonly allowedHosts?: readonly string[];
  /**
   * Accept any `Host` header (`--allow-any-host`): turns the DNS-rebinding
   * guard off. `Origin` is still checked. @default false
   */
  readonly allowAnyHost?: boolean;
  /**
   * Accept `@connections` requests that are not SigV4-signed
   * (`--unsigned-connections`). @default false: unsigned requests get 403
   */
  readonly unsignedConnections?: boolean;
  /**
   * Accept Lambda Invoke API requests that are not SigV4-signed
   * (`--unsigned-lambda`). @default false: unsigned requests get 403
   */
  readonly unsignedLambda?: boolean;
  /**
   * Replaces both of AWS's waits before retrying a failed asynchronous
   * (`Event`) invocation, 60 s before the first retry and 120 s before the
   * second (`--async-retry-delay`). @default AWS's waits
   */
  readonly asyncRetryDelayMs?: number;
  /**
   * Test aid (`--crash-invocations`): the first `count` invocations of each
   * named function (any invocation type: routes, the authorizer, the Invoke
   * API, retries) crash `afterMs` after they start, as if the runtime process
   * died (`Runtime.ExitError`); what they did before stays done. A function
   * is named by its `function_name`, resource address or logical name.
   * @default none
   */
  readonly crashInvocations?: readonly CrashInvocations[];
  /** Persist DynamoDB data in this folder. @default in memory */
  readonly dataDir?: string;
  /** Where unpacked bundles and the compiled worker live. @default <project>/node_modules/.cache/wsstack */
  readonly cacheDir?: string;
  /** API Gateway behaviours and quotas. */
  readonly gateway?: Partial<GatewayOptions>;
  /** Concurrent workers ("containers") per function. @default 4 */
  readonly maxWorkersPerFunction?: number;
  /** Start dynalite even when the plan declares no table. @default only when tables are declared */
  readonly dynamoDb?: boolean;
  /**
   * How often expired items of tables with an enabled `ttl` are deleted
   * (dynalite has no TTL); 0 turns the sweep off. A sweep also runs at
   * start-up. @default 60_000
   */
  readonly ttlSweepMs?: number;
  /**
   * The DynamoDB endpoint the functions get as `AWS_ENDPOINT_URL_DYNAMODB`
   * instead of the local dynalite, e.g. a fault-injecting proxy in front of
   * it. Tables are still created, and swept, in the local dynalite.
   * @default the local dynalite (`dynamoDbEndpoint`)
   */
  readonly functionsDynamoDbEndpoint?: string;
  /**
   * Test hook: decides, per PostToConnection, whether the `@connections` API
   * answers 429 or 500 instead of delivering. Never set by the CLI.
   * @default every post is delivered
   */
  readonly managementApiFaults?: ManagementApiFault;
  /**
   * Test hook: the clock (milliseconds) the stage throttle's token buckets
   * refill by, so a test can spend a burst and move time on. Never set by the CLI.
   * @default performance.now
   */
  readonly throttleClock?: Clock;
  /**
   * Test hook: the clock (epoch ms) asynchronous events' ages are measured
   * by, against `maximum_event_age_in_seconds`, so a test can age an event
   * without waiting. Never set by the CLI. @default Date.now
   */
  readonly asyncClock?: () => number;
  /** Receives every log line. @default stdout, written once per event-loop turn */
  readonly log?: (line: string) => void;
  /**
   * Plain HTTP pages to serve on the same port (`wsstack dev` mounts its dev
   * issuer and web page). Called once the address is known. @default none
   */
  readonly pages?: (served: { readonly origin: string; readonly url: string }) => readonly HttpPage[];
}

/** One `--crash-invocations <function>=<count>[@<afterMs>]`. */
export interface CrashInvocations extends CrashInjection {
  /** `function_name`, resource address (`aws_lambda_function.x`) or logical name (`x`). */
  readonly functionName: string;
}

export interface RunningEmulator {
  /** `ws://<host>:<port>/<stage>` */
  readonly url: string;
  /** `http://<host>:<port>/<stage>/@connections` */
  readonly connectionUrl: string;
  /** `http://<host>:<port>/<stage>`: the endpoint for ApiGatewayManagementApiClient. */
  readonly managementEndpoint: string;
  /** `http://<host>:<port>`: Lambda's Invoke API; every function gets it as `AWS_ENDPOINT_URL_LAMBDA`. */
  readonly lambdaEndpoint: string;
  readonly port: number;
  readonly plan: EmulatorPlan;
  /** The local DynamoDB endpoint, when one runs. */
  readonly dynamoDbEndpoint?: string;
  /** Deletes expired items of every table with an enabled `ttl` now (as the periodic sweep does); resolves to how many. */
  sweepExpiredItems(): Promise<number>;
  /** Closes sockets (1001), runs `$disconnect`s best-effort, stops workers and DynamoDB. */
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const log = options.log ?? batchedStdout;
  const gatewayOptions: GatewayOptions = { ...DEFAULT_GATEWAY_OPTIONS, ...definedOnly(options.gateway ?? {}) };
  const plan = await loadPlan(options);
  for (const warning of plan.warnings) log(`warning: ${warning}`);
  for (const route of plan.routes.values()) if (route.integration?.kind === "mock") checkMockIntegration(route.integration);
  const hostMajor = process.versions.node.split(".")[0];
  const otherRuntimes = new Set([...plan.functions.values()].map((fn) => fn.runtime).filter((r) => r !== undefined && r !== `nodejs${hostMajor}.x`));
  if (otherRuntimes.size > 0) log(`warning: functions declare ${[...otherRuntimes].join(", ")}; locally they run on Node.js ${process.versions.node}`);

  const cacheDir = options.cacheDir ?? defaultCacheDir(plan.moduleDir) ?? defaultCacheDir(process.cwd()) ?? path.join(tmpdir(), "wsstack-cache");
  const codeCache = new CodeCache(cacheDir);
  const prepared = [...plan.functions.values()].map((fn) => ({ plan: fn, codeDir: codeCache.prepare(fn.code, fn.address) }));

  const host = options.host ?? "127.0.0.1";
  const hosts = hostPolicy(host, options, log);
  const server = new GatewayServer(plan.stage.name, gatewayOptions, log, hosts);
  const port = await server.listen(options.port ?? 3001, host);
  const advertisedHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  const domainName = `${advertisedHost}:${port}`;
  const lambdaEndpoint = `http://${domainName}`;

  let dynamo: LocalDynamoDb | undefined;
  let invoker: Invoker | undefined;
  try {
    const crashInvocations = crashInjections(plan, options.crashInvocations ?? [], log);
    if (options.dynamoDb ?? plan.tables.length > 0) {
      // Loaded only when needed: dynalite and the DynamoDB SDK cost ~10 MB and start-up time.
      const { startDynamoDb } = await import("./dynamodb.ts");
      dynamo = await startDynamoDb(plan.tables, { dataDir: options.dataDir, region: plan.region, log, ttlSweepMs: options.ttlSweepMs });
    }
    invoker = new Invoker(prepared, {
      cacheDir,
      redirectHosts: [...new Set([domainName, `127.0.0.1:${port}`, `localhost:${port}`])],
      baseEnvironment: {
        AWS_REGION: plan.region,
        AWS_DEFAULT_REGION: plan.region,
        // Dummy credentials: requests are signed, and real ones must never reach local code.
        AWS_ACCESS_KEY_ID: "local",
        AWS_SECRET_ACCESS_KEY: "local",
        AWS_SESSION_TOKEN: "local",
        ...(dynamo || options.functionsDynamoDbEndpoint ? { AWS_ENDPOINT_URL_DYNAMODB: options.functionsDynamoDbEndpoint ?? dynamo!.endpoint } : {}),
        // The SDK v3 convention (and the project's own Invoke caller): Lambda calls go to the emulator.
        // A function whose own environment sets it keeps its value (the plan's variables come last).
        AWS_ENDPOINT_URL_LAMBDA: lambdaEndpoint,
      },
      maxWorkersPerFunction: options.maxWorkersPerFunction,
      log,
      crashInvocations,
    });
  } catch (error) {
    await server.close();
    await dynamo?.close();
    throw error;
  }

  const connections = new ConnectionRegistry();
  const api: ApiFacts = {
    apiId: plan.api.apiId,
    stage: plan.stage.name,
    domainName,
    stageVariables: plan.stage.variables,
    region: plan.region,
    accountId: plan.accountId,
  };
  const throttle = gatewayOptions.stageThrottling ? new StageThrottle(plan.stage.throttle, options.throttleClock) : undefined;
  const gateway = new Gateway({ plan, invoker, options: gatewayOptions, api, connections, log, throttle });
  const base = `${advertisedHost}:${port}/${plan.stage.name}`;
  const pages = options.pages?.({ origin: `http://${advertisedHost}:${port}`, url: `ws://${base}` });
  if (options.unsignedConnections) log("note: @connections accepts unsigned requests (--unsigned-connections); AWS answers them 403");
  if (options.unsignedLambda) log("note: the Lambda Invoke API accepts unsigned requests (--unsigned-lambda); AWS answers them 403");
  const signature = options.unsignedConnections ? undefined : { region: plan.region };
  const asyncQueue = new AsyncInvocationQueue({ invoker, log, retryDelayMs: options.asyncRetryDelayMs, clock: options.asyncClock });
  if (options.asyncRetryDelayMs !== undefined) log(`note: failed asynchronous invocations are retried after ${options.asyncRetryDelayMs} ms (--async-retry-delay; AWS waits 60 s, then 120 s)`);
  const lambda = new LambdaInvokeApi({
    functions: plan.functions,
    region: plan.region,
    accountId: plan.accountId,
    invoker,
    queue: asyncQueue,
    log,
    signature: options.unsignedLambda ? undefined : { region: plan.region },
  });
  server.attach({ gateway, management: new ManagementApi(plan.stage.name, connections, gatewayOptions, log, options.managementApiFaults, signature), lambda, pages });

  const runningInvoker = invoker;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      server.refuseNewConnections();
      for (const connection of connections.all()) connection.close(1001, "Going away");
      // Let the close handshakes finish so every connection's $disconnect starts.
      await waitUntil(() => connections.all().length === 0, 1_000);
      await gateway.drainDisconnects(gatewayOptions.shutdownDisconnectMs);
      asyncQueue.close();
      await runningInvoker.close().catch((error: unknown) => log(`stopping workers: ${describeError(error)}`));
      await server.close();
      await dynamo?.close().catch((error: unknown) => log(`stopping DynamoDB: ${describeError(error)}`));
    })());

  return {
    url: `ws://${base}`,
    connectionUrl: `http://${base}/@connections`,
    managementEndpoint: `http://${base}`,
    lambdaEndpoint,
    port,
    plan,
    dynamoDbEndpoint: dynamo?.endpoint,
    sweepExpiredItems: async () => (dynamo === undefined ? 0 : dynamo.sweepExpiredItems()),
    close,
  };
}

/**
 * The Host/Origin policy, after refusing a listen address that leaves the
 * machine without an explicit list of the names clients will use.
 */
function hostPolicy(host: string, options: EmulatorOptions, log: (line: string) => void): HostPolicy {
  const allowedHosts = [...(options.allowedHosts ?? [])];
  for (const entry of allowedHosts) normalizeAllowedHost(entry); // a bad entry fails before anything listens
  if (!isLoopbackListenAddress(host)) {
    if (allowedHosts.length === 0 && !options.allowAnyHost) {
      throw new EmulatorError(
        `--host ${host} makes the emulator reachable from other machines; name the hosts clients will use with --allow-host <name> (repeatable), or pass --allow-any-host`,
      );
    }
    log(`warning: listening on ${host}: anyone who can reach this port can connect and, with any credentials, post to every connection`);
    if (host !== "0.0.0.0" && host !== "::") allowedHosts.push(host);
  }
  if (options.allowAnyHost) log("warning: --allow-any-host: any Host header is accepted, so a web page can reach the emulator through DNS rebinding");
  return new HostPolicy({ allowedHosts, allowAnyHost: options.allowAnyHost });
}

/**
 * `--crash-invocations` by function address. A name that matches no function
 * fails the start: a typo must not silently test nothing.
 */
function crashInjections(plan: EmulatorPlan, requested: readonly CrashInvocations[], log: (line: string) => void): Map<string, CrashInjection> {
  const out = new Map<string, CrashInjection>();
  for (const entry of requested) {
    const functions = [...plan.functions.values()];
    const fn =
      functions.find((candidate) => candidate.functionName === entry.functionName) ??
      functions.find((candidate) => candidate.address === entry.functionName || candidate.address === `aws_lambda_function.${entry.functionName}`);
    if (fn === undefined) {
      throw new EmulatorError(`--crash-invocations: no function "${entry.functionName}" (have: ${functions.map((candidate) => candidate.functionName).join(", ")})`);
    }
    if (!Number.isInteger(entry.count) || entry.count < 0 || !Number.isInteger(entry.afterMs ?? 0) || (entry.afterMs ?? 0) < 0) {
      throw new EmulatorError(`--crash-invocations ${entry.functionName}: count and afterMs must be whole numbers of at least 0`);
    }
    out.set(fn.address, { count: entry.count, afterMs: entry.afterMs ?? 0 });
    log(`note: test aid --crash-invocations: the first ${entry.count} invocation(s) of ${fn.functionName} crash ${entry.afterMs ?? 0} ms after they start (Runtime.ExitError)`);
  }
  return out;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Partial<T>;
}

async function waitUntil(condition: () => boolean, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
}
