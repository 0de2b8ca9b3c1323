import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { SETTINGS } from "../contract/settings.ts";
import { STACK_ID } from "../contract/stack.ts";
import {
  closeOnSignals,
  EMULATE_BOOLEAN_FLAGS,
  EMULATE_USAGE,
  emulatorOptions as genericEmulatorOptions,
  main as emulateMain,
  parseArgs as genericParseArgs,
  printServing,
  runCli as runGenericCli,
  UsageError,
  varAssignments,
  type ParsedArgs,
} from "../local/cli.ts";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../local/emulator.ts";
import { EmulatorError } from "../local/errors.ts";
import { loadWebAssets, WebSite } from "../web/site.ts";
import { assertIssuerHost, DevIssuer } from "./dev-issuer.ts";

/**
 * This project's command line: the generic `wsstack emulate` of local/, plus
 * `wsstack dev`, which synthesizes the chat stack and serves it with the chat
 * page and the DEV-ONLY token issuer mounted on the emulator's port (through
 * EmulatorOptions.pages, the emulator's extension point).
 */

export const USAGE = `${EMULATE_USAGE}  --dev-issuer        also mount the DEV-ONLY token issuer and the chat page, as dev does

  wsstack dev [options]            synth this project, then emulate cdktf.out/stacks/${STACK_ID}
  (the emulate options, and:)
  --skip-synth        use the existing cdktf.out without synthesizing
  --no-auth           shorthand for --var ${SETTINGS.authEnabled.variable}=false: anyone connects with ?name=
                      (the token issuer is then not mounted)

  The DEV-ONLY token issuer signs a token for any name: dev (and emulate --dev-issuer)
  refuses a --host other than a loopback address (127.0.0.1, localhost, ::1) while it
  is mounted. Only loopback Host and Origin headers are answered unless --allow-host widens it.
`;

const DEV_FLAGS = [...EMULATE_BOOLEAN_FLAGS, "skip-synth", "no-auth", "dev-issuer"];

/** The emulator's arguments, with the dev commands' flags known. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  return genericParseArgs(argv, DEV_FLAGS);
}

/** The emulator's options, with `--no-auth` turning the stack's sign-in off (unless a --var says otherwise). */
export function emulatorOptions(source: string, flags: Map<string, string[]>, env: NodeJS.ProcessEnv): EmulatorOptions {
  const options = genericEmulatorOptions(source, flags, env);
  if (!flags.has("no-auth") || varAssignments(options.vars).has(SETTINGS.authEnabled.variable)) return options;
  return { ...options, variables: { [SETTINGS.authEnabled.variable]: "false", ...options.variables } };
}

/**
 * Synthesizes the project's cdktf app in `root` and returns the stack folder
 * it produced. It runs the app (`main.ts`) the way `cdktf synth` does, with
 * the same environment contract (CDKTF_OUTDIR), but without the CLI: the CLI
 * adds seconds of start-up and calls `terraform`, which a machine that only
 * runs the emulator does not need.
 */
export function synthesize(root: string, skip: boolean): string {
  const stackDir = path.join(root, "cdktf.out", "stacks", STACK_ID);
  if (!skip) {
    if (!existsSync(path.join(root, "cdktf.json"))) throw new EmulatorError(`${root} has no cdktf.json: run wsstack dev in the project root`);
    if (!existsSync(path.join(root, "main.ts"))) {
      throw new EmulatorError(`${root}/main.ts does not exist yet: wsstack dev needs the cdktf app that synthesizes the "${STACK_ID}" stack`);
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
    throw new EmulatorError(`${path.relative(root, stackDir)}/cdk.tf.json does not exist: main.ts must synthesize a stack named "${STACK_ID}"`);
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
  /** False when sign-in is off (`--no-auth`): the page then connects with `?name=`. */
  readonly auth: boolean;
}

/**
 * The emulator plus the dev issuer and the web page on the same port. The
 * issuer's URL goes into the plan's variables (the JWT settings, unless
 * given), so the port must be known before the plan loads: port 0 is
 * resolved to a free port first.
 *
 * The issuer is mounted only when sign-in is on, and then only on a loopback
 * listen address: anyone who reaches it can sign in as anyone.
 */
export async function startDevServer(options: EmulatorOptions): Promise<DevServer> {
  const host = options.host ?? "127.0.0.1";
  // --var values (text) and values set here (options.variables) both count; the --var wins, as on the command line.
  const given: Record<string, unknown> = { ...options.variables, ...Object.fromEntries(varAssignments(options.vars)) };
  const auth = String(given[SETTINGS.authEnabled.variable] ?? SETTINGS.authEnabled.default) !== "false";
  if (auth) assertIssuerHost(host);
  const port = options.port === 0 ? await freePort(host) : options.port ?? 3001;
  const advertised = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  const origin = `http://${advertised}:${port}`;
  // Without sign-in the issuer is never mounted; it still exists (DevServer.issuer), on a loopback origin.
  const issuer = await DevIssuer.create(auth ? origin : `http://127.0.0.1:${port}`);
  // The issuer's settings fill only what the user did not give.
  const issuerVariables = Object.fromEntries(Object.entries(issuer.variables()).filter(([name]) => !(name in given)));
  const variables: Record<string, unknown> = { ...issuerVariables, ...options.variables };
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
    pages: (served) => [
      ...(auth ? [issuer] : []),
      new WebSite(assets, { webSocketUrl: served.url, auth, devIssuer: auth ? issuer.issuer : null, ...maxMessageBytes({ ...variables, ...given }) }),
    ],
  });
  return { emulator, issuer, pageUrl: `${origin}/`, auth };
}

/** The stack's `max_message_bytes` when given as a variable, for the page's own check. */
function maxMessageBytes(variables: Record<string, unknown>): { maxMessageBytes?: number } {
  const value = Number(variables[SETTINGS.maxMessageBytes.variable]);
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

/** `wsstack dev`, `wsstack emulate --dev-issuer`, or else the generic `wsstack emulate`. */
export async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.command === "help" || args.command === "--help" || args.flags.has("help")) {
    console.log(USAGE);
    return 0;
  }
  const devMode = args.command === "dev" || args.flags.has("dev-issuer");
  if (args.flags.has("no-auth") && args.command !== "dev") throw new UsageError(`--no-auth is a dev option (emulate: --var ${SETTINGS.authEnabled.variable}=false)`);
  if (!devMode) return emulateMain(argv);
  let source: string;
  if (args.command === "emulate") {
    if (args.positional.length !== 1) throw new UsageError("emulate needs exactly one path: a cdk.tf.json or a folder holding one");
    source = args.positional[0]!;
  } else {
    source = synthesize(process.cwd(), args.flags.has("skip-synth"));
  }
  const dev = await startDevServer(emulatorOptions(source, args.flags, process.env));
  closeOnSignals(dev.emulator);
  printServing(dev.emulator);
  console.log(`Chat page: ${dev.pageUrl}`);
  if (dev.auth) {
    console.log(`DEV-ONLY token issuer (never deployed; anyone reaching this port can sign in as anyone): curl -s '${dev.issuer.issuer}/token?name=alice'`);
  } else {
    console.log(`DEV-ONLY: ${SETTINGS.authEnabled.variable}=false, anyone connects under any name: ${dev.emulator.url}?name=alice`);
  }
  return -1; // keep running until a signal
}

/** Runs this project's CLI in this process (bin/wsstack.js). */
export function runCli(argv: readonly string[]): void {
  runGenericCli(argv, main, USAGE);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  runCli(process.argv.slice(2));
}
