import path from "node:path";
import { pathToFileURL } from "node:url";
import { startEmulator, type CrashInvocations, type EmulatorOptions, type RunningEmulator } from "./emulator.ts";
import { EmulatorError } from "./errors.ts";
import type { GatewayOptions } from "./options.ts";

/**
 * `wsstack emulate <folder | file>`: serve any Terraform WebSocket API
 * locally, from a root module folder of `.tf`/`.tf.json` files, a single
 * such file, or a cdktf stack folder. Generic: it knows no project. A project's own commands (this
 * one's `wsstack dev`, in dev/) reuse parseArgs, emulatorOptions,
 * printServing and runCli, and mount their pages through EmulatorOptions.pages.
 */

export const EMULATE_USAGE = `Usage:
  wsstack emulate <folder | file> [options]

  <folder>  a Terraform root module (.tf and .tf.json files, override files, local
            modules), or a cdktf stack folder (its cdk.tf.json)
  <file>    one .tf or .tf.json file

Options:
  --port N            port to listen on (default: $PORT or 3001; 0 picks a free one)
  --host H            address to listen on (default 127.0.0.1); any other than a loopback
                      address needs --allow-host or --allow-any-host
  --allow-host NAME   also answer Host (and WebSocket Origin) NAME, or *.suffix; repeatable
                      (default: loopback names only: localhost, 127.0.0.1, [::1])
  --allow-any-host    answer any Host header (turns the DNS-rebinding guard off)
  --unsigned-connections   accept @connections requests without a SigV4 signature (AWS: 403)
  --unsigned-lambda   accept Lambda Invoke API requests without a SigV4 signature (AWS: 403)
  --no-throttling     ignore the stage's throttling settings (default: enforced, 429 over the limit)
  --data DIR          keep DynamoDB data in DIR (default: in memory)
  --stage S           stage to serve (default: the API's only stage)
  --api NAME          which WebSocket API, when the configuration declares several
  --api-id ID         API id used in events and ARNs (default: derived from the address)
  --var NAME=VALUE    set a Terraform variable, as terraform -var does (repeatable)
  --var-file FILE     read variables from a .tfvars or .tfvars.json file (repeatable)
                      Precedence, lowest first: defaults, TF_VAR_NAME, terraform.tfvars,
                      terraform.tfvars.json, *.auto.tfvars(.json), --var-file, --var
  --idle-timeout MS   idle connection timeout (default 600000)
  --max-duration MS   maximum connection duration (default 7200000)
  --integration-timeout MS   override every integration's timeout
  --ttl-sweep-seconds N       delete expired items of tables with a ttl block every N s (default 60; 0: never)
  --functions-dynamodb-endpoint URL   the DynamoDB endpoint handlers use (default: the local one), e.g. a proxy
  --async-retry-delay MS      wait MS before each retry of a failed asynchronous (Event) invocation
                              (default: AWS's 60000 before the first retry, 120000 before the second)
  --crash-invocations NAME=COUNT[@MS]   test aid: the first COUNT invocations of function NAME crash
                              MS ms after they start (default 0), as if the runtime died
                              (Runtime.ExitError); repeatable
`;

export class UsageError extends EmulatorError {}

export interface ParsedArgs {
  readonly command: string;
  readonly positional: string[];
  readonly flags: Map<string, string[]>;
}

/** The emulate flags that take no value; commands that add their own (dev/cli.ts) include these. */
export const EMULATE_BOOLEAN_FLAGS: readonly string[] = ["help", "allow-any-host", "unsigned-connections", "unsigned-lambda", "no-throttling"];

/** The command, its positional arguments and its flags; `booleanFlags` take no value. */
export function parseArgs(argv: readonly string[], booleanFlags: readonly string[] = EMULATE_BOOLEAN_FLAGS): ParsedArgs {
  const [command = "help", ...rest] = argv;
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i]!;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    let value = inline;
    if (name === "help" || booleanFlags.includes(name)) value = "true";
    else if (value === undefined) {
      value = rest[i + 1];
      i += 1;
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
    }
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { command, positional, flags };
}

function numberFlag(flags: Map<string, string[]>, name: string): number | undefined {
  const value = flags.get(name)?.at(-1);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new UsageError(`--${name} must be a whole number (got "${value}")`);
  return parsed;
}

/** `--crash-invocations NAME=COUNT[@AFTER_MS]`, e.g. `wsstack-fan-out=1@200`. */
export function parseCrashInvocations(values: readonly string[]): CrashInvocations[] {
  return values.map((value) => {
    const match = /^(.+)=(\d+)(?:@(\d+))?$/.exec(value);
    if (match === null) throw new UsageError(`--crash-invocations expects NAME=COUNT or NAME=COUNT@MS (got "${value}")`);
    return { functionName: match[1]!, count: Number(match[2]), ...(match[3] === undefined ? {} : { afterMs: Number(match[3]) }) };
  });
}

/** `--var NAME=VALUE` assignments by name (the last one wins), for commands that read some of them. */
export function varAssignments(vars: readonly string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const assignment of vars ?? []) {
    const eq = assignment.indexOf("=");
    if (eq > 0) out.set(assignment.slice(0, eq), assignment.slice(eq + 1));
  }
  return out;
}

export function emulatorOptions(source: string, flags: Map<string, string[]>, env: NodeJS.ProcessEnv): EmulatorOptions {
  const vars = flags.get("var") ?? [];
  for (const assignment of vars) {
    if (assignment.indexOf("=") <= 0) throw new UsageError(`--var expects NAME=VALUE (got "${assignment}")`);
  }
  const gateway: Partial<GatewayOptions> = {
    idleTimeoutMs: numberFlag(flags, "idle-timeout"),
    maxConnectionMs: numberFlag(flags, "max-duration"),
    integrationTimeoutMs: numberFlag(flags, "integration-timeout"),
    stageThrottling: flags.has("no-throttling") ? false : undefined,
  };
  const envPort = env.PORT === undefined || env.PORT === "" ? undefined : Number(env.PORT);
  if (envPort !== undefined && !Number.isInteger(envPort)) throw new UsageError(`PORT must be a whole number (got "${env.PORT}")`);
  const ttlSweepSeconds = numberFlag(flags, "ttl-sweep-seconds");
  const functionsDynamoDbEndpoint = flags.get("functions-dynamodb-endpoint")?.at(-1);
  if (functionsDynamoDbEndpoint !== undefined && !/^https?:\/\/[^/]/.test(functionsDynamoDbEndpoint)) {
    throw new UsageError(`--functions-dynamodb-endpoint must be an http:// or https:// URL (got "${functionsDynamoDbEndpoint}")`);
  }
  return {
    source,
    port: numberFlag(flags, "port") ?? envPort ?? 3001,
    host: flags.get("host")?.at(-1),
    allowedHosts: flags.get("allow-host") ?? [],
    allowAnyHost: flags.has("allow-any-host"),
    unsignedConnections: flags.has("unsigned-connections"),
    unsignedLambda: flags.has("unsigned-lambda"),
    asyncRetryDelayMs: numberFlag(flags, "async-retry-delay"),
    crashInvocations: parseCrashInvocations(flags.get("crash-invocations") ?? []),
    dataDir: flags.get("data")?.at(-1),
    stage: flags.get("stage")?.at(-1),
    api: flags.get("api")?.at(-1),
    apiId: flags.get("api-id")?.at(-1),
    vars,
    varFiles: flags.get("var-file") ?? [],
    env,
    gateway,
    ttlSweepMs: ttlSweepSeconds === undefined ? undefined : ttlSweepSeconds * 1000,
    functionsDynamoDbEndpoint,
  };
}

/** Stops on the first SIGINT/SIGTERM; a second one exits at once. */
export function closeOnSignals(emulator: RunningEmulator): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`${signal} again: exiting without waiting`);
      process.exit(130);
    }
    stopping = true;
    console.log(`${signal}: closing connections, running $disconnect handlers, stopping workers ...`);
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

export async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.command === "help" || args.command === "--help" || args.flags.has("help")) {
    console.log(EMULATE_USAGE);
    return 0;
  }
  if (args.command !== "emulate") throw new UsageError(`unknown command "${args.command}"`);
  if (args.positional.length !== 1) throw new UsageError("emulate needs exactly one path: a cdk.tf.json or a folder holding one");
  const emulator = await startEmulator(emulatorOptions(args.positional[0]!, args.flags, process.env));
  closeOnSignals(emulator);
  printServing(emulator);
  return -1; // keep running until a signal
}

/** The lines every command prints once the emulator serves: what, and where. */
export function printServing(emulator: RunningEmulator): void {
  console.log(`Serving ${emulator.plan.api.address} (stage ${emulator.plan.stage.name}, ${emulator.plan.routes.size} routes) from ${emulator.plan.sourceFile}`);
  if (emulator.dynamoDbEndpoint) console.log(`DynamoDB: ${emulator.dynamoDbEndpoint}`);
  console.log(`WebSocket URL: ${emulator.url}`);
  console.log(`Connection URL: ${emulator.connectionUrl}`);
  console.log(`Lambda endpoint: ${emulator.lambdaEndpoint} (Invoke API; functions get it as AWS_ENDPOINT_URL_LAMBDA)`);
}

/** Runs the CLI in this process and exits when it is done (a long-running command exits on its signal). */
export function runCli(argv: readonly string[], run: (argv: readonly string[]) => Promise<number> = main, usage = EMULATE_USAGE): void {
  // The emulator's own SDK client (it creates the tables) would repeat, once per run, the
  // runtime warning the CLI already prints in one line; workers get the same setting.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  // A dev server should say loudly that something was left unhandled, and keep serving the other connections.
  process.on("unhandledRejection", (reason) => console.error("wsstack: unhandled rejection (a bug in the emulator):", reason));
  run(argv).then(
    (code) => {
      if (code >= 0) process.exit(code);
    },
    (error: unknown) => {
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      if (error instanceof UsageError) console.error(`error: ${error.message}\n\n${usage}`);
      else if (error instanceof EmulatorError) console.error(`error: ${error.message}`);
      else if (code === "EADDRINUSE") {
        const port = (error as NodeJS.ErrnoException & { port?: number }).port;
        console.error(`error: port ${port ?? "?"} is already in use (another wsstack?). Choose another with --port N or PORT=N.`);
      }
      else console.error(error);
      process.exit(1);
    },
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  runCli(process.argv.slice(2));
}
