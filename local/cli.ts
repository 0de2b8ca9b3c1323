import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { createServer } from "node:net";
import { pathToFileURL } from "node:url";
import { loadWebAssets, WebSite } from "../web/site.ts";
import { DevIssuer } from "./dev-issuer.ts";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "./emulator.ts";
import { EmulatorError } from "./errors.ts";
import type { GatewayOptions } from "./options.ts";

/**
 * `wsstack emulate <cdk.tf.json | folder>`: serve any Terraform JSON WebSocket API locally.
 * `wsstack dev`: synthesize this project (its cdktf app, `main.ts`) and serve its `wsstack` stack.
 */

const USAGE = `Usage:
  wsstack emulate <cdk.tf.json | stack folder> [options]
  wsstack dev [options]            synth this project, then emulate cdktf.out/stacks/wsstack

Options:
  --port N            port to listen on (default: $PORT or 3001; 0 picks a free one)
  --host H            address to listen on (default 127.0.0.1)
  --data DIR          keep DynamoDB data in DIR (default: in memory)
  --stage S           stage to serve (default: the API's only stage)
  --api NAME          which WebSocket API, when the JSON declares several
  --api-id ID         API id used in events and ARNs (default: derived from the address)
  --var NAME=VALUE    set a Terraform variable (repeatable)
  --idle-timeout MS   idle connection timeout (default 600000)
  --max-duration MS   maximum connection duration (default 7200000)
  --integration-timeout MS   override every integration's timeout
  --ttl-sweep-seconds N       delete expired items of tables with a ttl block every N s (default 60; 0: never)
  --functions-dynamodb-endpoint URL   the DynamoDB endpoint handlers use (default: the local one), e.g. a proxy
  --skip-synth        (dev) use the existing cdktf.out without synthesizing
  --no-auth           (dev) shorthand for --var auth_enabled=false: anyone connects with ?name=
  --dev-issuer        (emulate) also mount the DEV-ONLY token issuer and the web page, as dev does
`;

/** The stack `main.ts` synthesizes; `dev` serves it. */
const DEV_STACK = "wsstack";

export class UsageError extends EmulatorError {}

interface ParsedArgs {
  readonly command: string;
  readonly positional: string[];
  readonly flags: Map<string, string[]>;
}

const BOOLEAN_FLAGS = new Set(["skip-synth", "help", "no-auth", "dev-issuer"]);

export function parseArgs(argv: readonly string[]): ParsedArgs {
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
    if (BOOLEAN_FLAGS.has(name)) value = "true";
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

export function emulatorOptions(source: string, flags: Map<string, string[]>, env: NodeJS.ProcessEnv): EmulatorOptions {
  const variables: Record<string, string> = {};
  for (const assignment of flags.get("var") ?? []) {
    const eq = assignment.indexOf("=");
    if (eq <= 0) throw new UsageError(`--var expects NAME=VALUE (got "${assignment}")`);
    variables[assignment.slice(0, eq)] = assignment.slice(eq + 1);
  }
  if (flags.has("no-auth")) variables.auth_enabled ??= "false";
  const gateway: Partial<GatewayOptions> = {
    idleTimeoutMs: numberFlag(flags, "idle-timeout"),
    maxConnectionMs: numberFlag(flags, "max-duration"),
    integrationTimeoutMs: numberFlag(flags, "integration-timeout"),
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
    dataDir: flags.get("data")?.at(-1),
    stage: flags.get("stage")?.at(-1),
    api: flags.get("api")?.at(-1),
    apiId: flags.get("api-id")?.at(-1),
    variables,
    gateway,
    ttlSweepMs: ttlSweepSeconds === undefined ? undefined : ttlSweepSeconds * 1000,
    functionsDynamoDbEndpoint,
  };
}

/**
 * Synthesizes the project's cdktf app in `root` and returns the stack folder
 * it produced. It runs the app (`main.ts`) the way `cdktf synth` does, with
 * the same environment contract (CDKTF_OUTDIR), but without the CLI: the CLI
 * adds seconds of start-up and calls `terraform`, which a machine that only
 * runs the emulator does not need.
 */
export function synthesize(root: string, skip: boolean): string {
  const stackDir = path.join(root, "cdktf.out", "stacks", DEV_STACK);
  if (!skip) {
    if (!existsSync(path.join(root, "cdktf.json"))) throw new EmulatorError(`${root} has no cdktf.json: run wsstack dev in the project root`);
    if (!existsSync(path.join(root, "main.ts"))) {
      throw new EmulatorError(`${root}/main.ts does not exist yet: wsstack dev needs the cdktf app that synthesizes the "${DEV_STACK}" stack`);
    }
    console.log("Bundling the handlers and synthesizing the stack ...");
    const result = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, CDKTF_OUTDIR: path.join(root, "cdktf.out") },
    });
    if (result.error) throw new EmulatorError(`cannot run the cdktf app: ${result.error.message}`);
    if (result.status !== 0) throw new EmulatorError(`synthesizing main.ts failed (exit code ${result.status})`);
  }
  if (!existsSync(path.join(stackDir, "cdk.tf.json"))) {
    throw new EmulatorError(`${path.relative(root, stackDir)}/cdk.tf.json does not exist: main.ts must synthesize a stack named "${DEV_STACK}"`);
  }
  return stackDir;
}

/** What `wsstack dev` adds to the emulator. Never part of the synthesized stack. */
export interface DevServer {
  readonly emulator: RunningEmulator;
  /** The DEV-ONLY token issuer the stack's authorizer is pointed at. */
  readonly issuer: DevIssuer;
  /** `http://127.0.0.1:<port>/`: the chat page. */
  readonly pageUrl: string;
  /** False when `auth_enabled` is off (`--no-auth`): the page then connects with `?name=`. */
  readonly auth: boolean;
}

/**
 * The emulator plus the dev issuer and the web page on the same port. The
 * issuer's URL goes into the plan's variables (jwt_issuer, jwt_audience,
 * jwks_url, unless given), so the port must be known before the plan loads:
 * port 0 is resolved to a free port first.
 */
export async function startDevServer(options: EmulatorOptions): Promise<DevServer> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port === 0 ? await freePort(host) : options.port ?? 3001;
  const origin = `http://${host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host}:${port}`;
  const issuer = await DevIssuer.create(origin);
  const variables: Record<string, unknown> = { ...issuer.variables(), ...options.variables };
  const auth = String(variables.auth_enabled ?? true) !== "false";
  let assets: Awaited<ReturnType<typeof loadWebAssets>>;
  try {
    assets = await loadWebAssets();
  } catch (error) {
    throw new EmulatorError(`cannot bundle the web page (web/src/main.ts): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const emulator = await startEmulator({
    ...options,
    port,
    variables,
    pages: (served) => [issuer, new WebSite(assets, { webSocketUrl: served.url, auth, devIssuer: auth ? issuer.issuer : null, ...maxMessageBytes(variables) })],
  });
  return { emulator, issuer, pageUrl: `${origin}/`, auth };
}

/** The stack's `max_message_bytes` when given as a variable, for the page's own check. */
function maxMessageBytes(variables: Record<string, unknown>): { maxMessageBytes?: number } {
  const value = Number(variables.max_message_bytes);
  return Number.isInteger(value) && value > 0 ? { maxMessageBytes: value } : {};
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Stops on the first SIGINT/SIGTERM; a second one exits at once. */
function closeOnSignals(emulator: RunningEmulator): void {
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
    console.log(USAGE);
    return 0;
  }
  let source: string;
  const devMode = args.command === "dev" || args.flags.has("dev-issuer");
  if (args.flags.has("no-auth") && args.command !== "dev") throw new UsageError("--no-auth is a dev option (emulate: --var auth_enabled=false)");
  if (args.command === "emulate") {
    if (args.positional.length !== 1) throw new UsageError("emulate needs exactly one path: a cdk.tf.json or a folder holding one");
    source = args.positional[0]!;
  } else if (args.command === "dev") {
    source = synthesize(process.cwd(), args.flags.has("skip-synth"));
  } else {
    throw new UsageError(`unknown command "${args.command}"`);
  }
  const options = emulatorOptions(source, args.flags, process.env);
  const dev = devMode ? await startDevServer(options) : undefined;
  const emulator = dev?.emulator ?? (await startEmulator(options));
  closeOnSignals(emulator);
  console.log(`Serving ${emulator.plan.api.address} (stage ${emulator.plan.stage.name}, ${emulator.plan.routes.size} routes) from ${emulator.plan.sourceFile}`);
  if (emulator.dynamoDbEndpoint) console.log(`DynamoDB: ${emulator.dynamoDbEndpoint}`);
  console.log(`WebSocket URL: ${emulator.url}`);
  console.log(`Connection URL: ${emulator.connectionUrl}`);
  if (dev !== undefined) {
    console.log(`Chat page: ${dev.pageUrl}`);
    if (dev.auth) {
      console.log(`DEV-ONLY token issuer (never deployed; anyone reaching this port can sign in as anyone): curl -s '${dev.issuer.issuer}/token?name=alice'`);
    } else {
      console.log(`DEV-ONLY: auth_enabled=false, anyone connects under any name: ${emulator.url}?name=alice`);
    }
  }
  return -1; // keep running until a signal
}

/** Runs the CLI in this process and exits when it is done (a long-running command exits on its signal). */
export function runCli(argv: readonly string[]): void {
  // The emulator's own SDK client (it creates the tables) would repeat, once per run, the
  // runtime warning the CLI already prints in one line; workers get the same setting.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  // A dev server should say loudly that something was left unhandled, and keep serving the other connections.
  process.on("unhandledRejection", (reason) => console.error("wsstack: unhandled rejection (a bug in the emulator):", reason));
  main(argv).then(
    (code) => {
      if (code >= 0) process.exit(code);
    },
    (error: unknown) => {
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      if (error instanceof UsageError) console.error(`error: ${error.message}\n\n${USAGE}`);
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
