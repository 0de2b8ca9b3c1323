/**
 * The four servers under test, each started as its own child process (so
 * its RSS is its own and the load generator never shares its event loop),
 * and the time from spawn to the first accepted WebSocket connection.
 *
 * The peers (serverless 3 with serverless-offline, @architect/sandbox) are not
 * in the product's install: they live in bench/peers (own package.json and
 * lock), installed there on first use by `installPeers()`.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { STAGE, writeArchitectProject, writeServerlessService, writeTerraformStack } from "./projects.ts";

export type TargetName = "raw" | "sandbox" | "serverless-offline" | "ours";

export const TARGET_LABELS: Record<TargetName, string> = {
  raw: "raw ws",
  sandbox: "@architect/sandbox 8.0.0",
  "serverless-offline": "serverless-offline 13.9.0 (serverless 3.40.0)",
  ours: "ours (wsstack emulate)",
};

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The peers' own package: package.json, package-lock.json, node_modules, the sandbox launcher. */
const PEERS_DIR = path.join(ROOT, "bench", "peers");
/**
 * Under bench/peers (git-ignored) so the generated projects resolve serverless-offline
 * (the plugin named in serverless.yml) by walking up to bench/peers/node_modules.
 */
const WORK = path.join(PEERS_DIR, ".work", "emulator-throughput");

/** The targets that run from bench/peers/node_modules. */
export const PEER_TARGETS: ReadonlySet<TargetName> = new Set(["sandbox", "serverless-offline"]);

const PEERS_INSTALL = ["ci", "--no-audit", "--no-fund", "--prefer-offline"] as const;

/**
 * Installs the peers into bench/peers (`npm ci` from its lock file) when
 * bench/peers/node_modules is missing or older than the lock file; otherwise
 * does nothing (no network). npm writes node_modules/.package-lock.json last,
 * so a half-finished install counts as missing.
 */
export function installPeers(): void {
  const lock = path.join(PEERS_DIR, "package-lock.json");
  const installed = path.join(PEERS_DIR, "node_modules", ".package-lock.json");
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return;
  const byHand = `cd ${path.relative(process.cwd(), PEERS_DIR) || "."} && npm ${PEERS_INSTALL.join(" ")}`;
  process.stderr.write("bench: installing benchmark peers (serverless 3, serverless-offline, @architect/sandbox) into bench/peers, once (a minute or two) ...\n");
  // npm's own output goes to stderr with the bench's progress; stdout carries the tables.
  const result = spawnSync("npm", [...PEERS_INSTALL], { cwd: PEERS_DIR, stdio: ["ignore", 2, 2] });
  if (result.error !== undefined || result.status !== 0) {
    const why = result.error !== undefined ? result.error.message : `npm exited with ${result.status ?? result.signal}`;
    throw new Error(`could not install the benchmark peers into bench/peers (${why}); run it by hand: ${byHand}`);
  }
}

export interface RunningTarget {
  readonly name: TargetName;
  readonly url: string;
  readonly pid: number;
  /** Spawn → first WebSocket `open`, in ms. */
  readonly startupMs: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Writes each target's project once per bench run. */
export function prepareProjects(): void {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  // The generated handlers are CommonJS, whatever a package.json further up says.
  writeFileSync(path.join(WORK, "package.json"), '{ "type": "commonjs" }\n');
  writeTerraformStack(path.join(WORK, "terraform"));
  writeArchitectProject(path.join(WORK, "architect"));
}

/** Environment for every child: no telemetry, no update checks, no notifications, no host credentials. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("AWS_")) delete env[key];
  return {
    ...env,
    SLS_TELEMETRY_DISABLED: "1",
    SLS_TRACKING_DISABLED: "1",
    SLS_NOTIFICATIONS_MODE: "off",
    SLS_DEPRECATION_DISABLE: "*",
    SLS_INTERACTIVE_SETUP_DISABLE: "1",
    SLS_VERSION_CHECK_DISABLED: "1",
    SERVERLESS_PLATFORM_STAGE: "offline",
    NO_UPDATE_NOTIFIER: "1",
    CI: "1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_REGION: "us-east-1",
    ...extra,
  };
}

export async function startTarget(name: TargetName): Promise<RunningTarget> {
  const port = await freePort();
  let args: string[];
  let cwd = ROOT;
  let url: string;
  let env = childEnv({});
  switch (name) {
    case "raw":
      args = [path.join(ROOT, "bench/emulator/raw-server.mjs"), String(port)];
      url = `ws://127.0.0.1:${port}/`;
      break;
    case "ours":
      // The bench's handlers post to @connections unsigned, as the peers' do, and the peers throttle nothing.
      args = [path.join(ROOT, "bin/wsstack.js"), "emulate", path.join(WORK, "terraform"), "--port", String(port), "--unsigned-connections", "--no-throttling"];
      url = `ws://127.0.0.1:${port}/${STAGE}`;
      break;
    case "sandbox":
      args = [path.join(PEERS_DIR, "sandbox-server.cjs"), path.join(WORK, "architect"), String(port)];
      url = `ws://127.0.0.1:${port}/`;
      env = childEnv({ ARC_INTERNAL_PORT: String(await freePort()), ARC_ENV: "testing" });
      break;
    case "serverless-offline": {
      cwd = writeServerlessService(path.join(WORK, `serverless-${port}`), port);
      const [httpPort, lambdaPort] = [await freePort(), await freePort()];
      args = [
        path.join(PEERS_DIR, "node_modules/serverless/bin/serverless.js"),
        "offline", "start",
        "--websocketPort", String(port), "--httpPort", String(httpPort), "--lambdaPort", String(lambdaPort),
        "--host", "127.0.0.1",
      ];
      url = `ws://127.0.0.1:${port}/`;
      break;
    }
  }
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "ignore", "pipe"], detached: true });
  live.add(child);
  child.once("exit", () => live.delete(child));
  const stderr: string[] = [];
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr.push(chunk.toString());
    if (stderr.length > 200) stderr.shift();
  });
  let exited: string | undefined;
  child.once("exit", (code, signal) => (exited = `exited with ${code ?? signal}`));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`${name} ${exited} before accepting a connection:\n${stderr.join("").slice(-2000)}`);
    if (Date.now() > deadline) {
      kill(child);
      throw new Error(`${name} accepted no connection within 60 s:\n${stderr.join("").slice(-2000)}`);
    }
    if (await canConnect(url)) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const startupMs = Number(process.hrtime.bigint() - started) / 1e6;
  return {
    name,
    url,
    pid: child.pid!,
    startupMs,
    stop: async () => {
      if (exited !== undefined) return;
      const gone = new Promise((resolve) => child.once("exit", resolve));
      kill(child);
      await gone;
    },
  };
}

/** Servers still running; killed if the bench exits early (they run in their own process groups). */
const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) kill(child);
});

/** The whole process group: sandbox runs a process per invocation. */
function kill(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}

function canConnect(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once("open", () => {
      ws.terminate();
      resolve(true);
    });
    ws.once("error", () => resolve(false));
  });
}

/**
 * CPU time (user + system, all threads) of a process and its live descendants, in ms (Linux /proc).
 * Per message, it is what a server costs regardless of what else the machine runs.
 */
export function treeCpuMs(pid: number): number {
  let ticks = 0;
  const visit = (id: number) => {
    try {
      const stat = readFileSync(`/proc/${id}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
      for (const task of readdirSync(`/proc/${id}/task`)) {
        const children = readFileSync(`/proc/${id}/task/${task}/children`, "utf8").trim();
        if (children) for (const child of children.split(/\s+/)) visit(Number(child));
      }
    } catch {
      // it exited meanwhile
    }
  };
  visit(pid);
  return ticks * 10; // USER_HZ is 100 on Linux
}

/** RSS of a process and all its descendants, in bytes (Linux /proc). */
export function treeRssBytes(pid: number): number {
  let total = 0;
  const visit = (id: number) => {
    try {
      const status = readFileSync(`/proc/${id}/status`, "utf8");
      const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
      if (kb) total += Number(kb) * 1024;
      for (const task of readdirSync(`/proc/${id}/task`)) {
        const children = readFileSync(`/proc/${id}/task/${task}/children`, "utf8").trim();
        if (children) for (const child of children.split(/\s+/)) visit(Number(child));
      }
    } catch {
      // it exited meanwhile
    }
  };
  visit(pid);
  return total;
}
