/**
 * Emulator throughput: messages per second through a two-way echo route and
 * deliveries per second through a room broadcast (a Lambda posting to every
 * room member through `@connections`), with 1, 50 and 500 closed-loop
 * clients; RSS with 1,000 idle connections; and start-up time (spawn → first
 * accepted connection). Measured side by side in one run for a raw `ws`
 * server (the physical limit), `@architect/sandbox`, `serverless-offline` and
 * our emulator, each server in its own child process, the load generator in
 * this one.
 *
 * Run alone: `npx tsx bench/emulator-throughput.ts [--quick] [--only ours,raw]`.
 * The peers come from bench/peers (their own package and lock), installed
 * there on the first run that selects one of them.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ANSWER_TIMEOUT_MS, closedLoop, openClients, openIdle, ROOM_SIZE, sleep, type BenchClient, type RunResult, type Workload } from "./emulator/load.ts";
import { installPeers, PEER_TARGETS, prepareProjects, startTarget, TARGET_LABELS, treeRssBytes, type RunningTarget, type TargetName } from "./emulator/servers.ts";
import { progress, publish, type BenchReport } from "./lib/report.ts";
import { median, ratio } from "./lib/stats.ts";

const TARGETS: readonly TargetName[] = ["raw", "sandbox", "serverless-offline", "ours"];
const IDLE_CLIENTS = 1_000;
const MB = 1024 * 1024;

const TARGETS_OURS = { echoVsSls: 10, echoVsRaw: 0.1, rssMb: 150, startupMs: 1_000 };

interface Config {
  readonly clientCounts: readonly number[];
  readonly runs: number;
  /** Runs per cell for the peers at 500 clients (they time out; one run shows it, three would cost minutes). */
  readonly peerRunsAt500: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly startups: number;
}

// 4 s runs keep the full bench (sandbox's 1,000 $connect processes included) under ~8 minutes.
const FULL: Config = { clientCounts: [1, 50, 500], runs: 3, peerRunsAt500: 1, warmupMs: 1_000, durationMs: 4_000, startups: 3 };
const QUICK: Config = { clientCounts: [1, 50], runs: 2, peerRunsAt500: 1, warmupMs: 300, durationMs: 1_500, startups: 2 };

interface Cell {
  readonly runs: RunResult[];
  readonly median?: number;
  readonly timeouts?: number;
  /** Why there is no number. */
  readonly missing?: string;
}

interface TargetResult {
  startupMs: number[];
  rssBytes?: number;
  rssMissing?: string;
  cells: Map<string, Cell>;
  failure?: string;
}

const cellKey = (workload: Workload, clients: number) => `${workload}/${clients}`;

async function measureTarget(name: TargetName, config: Config, quick: boolean): Promise<TargetResult> {
  const result: TargetResult = { startupMs: [], cells: new Map() };
  const stopLater: RunningTarget[] = [];
  try {
    // Instance 1: start-up sample, then RSS with 1,000 idle connections on a fresh server.
    let target = await startTarget(name);
    result.startupMs.push(target.startupMs);
    progress(`${name}: started in ${target.startupMs.toFixed(0)} ms`);
    if (quick && name === "sandbox") {
      result.rssMissing = "skipped in --quick (1,000 $connect invocations at one process each take ~30 s)";
      await target.stop();
    } else {
      try {
        const idle = await openIdle(target.url, IDLE_CLIENTS);
        await sleep(1_000);
        const samples: number[] = [];
        for (let i = 0; i < 3; i += 1) {
          samples.push(treeRssBytes(target.pid));
          await sleep(250);
        }
        result.rssBytes = median(samples);
        progress(`${name}: RSS with ${IDLE_CLIENTS} idle connections ${(result.rssBytes / MB).toFixed(0)} MB`);
        await target.stop();
        for (const ws of idle) ws.terminate();
      } catch (error) {
        result.rssMissing = `failed: ${message(error)}`;
        await target.stop();
      }
    }
    // Instance 2: throughput.
    target = await startTarget(name);
    result.startupMs.push(target.startupMs);
    stopLater.push(target);
    const clients: BenchClient[] = [];
    for (const count of config.clientCounts) {
      try {
        if (clients.length < count) await openClients(target.url, clients, count - clients.length);
      } catch (error) {
        for (const workload of ["echo", "broadcast"] as const) result.cells.set(cellKey(workload, count), { runs: [], missing: `could not open ${count} clients: ${message(error)}` });
        continue;
      }
      const active = clients.slice(0, count);
      for (const workload of ["echo", "broadcast"] as const) {
        const runs: RunResult[] = [];
        const runCount = PEER_TARGETS.has(name) && count >= 500 ? config.peerRunsAt500 : config.runs;
        for (let run = 0; run < runCount; run += 1) {
          const r = await closedLoop(workload, active, run === 0 ? config.warmupMs : Math.min(300, config.warmupMs), config.durationMs);
          progress(`${name}: ${workload} ×${count} run ${run + 1}/${runCount}: ${r.perSecond.toFixed(0)}/s, ${r.timeouts} timeouts`);
          runs.push(r);
        }
        result.cells.set(cellKey(workload, count), {
          runs,
          median: median(runs.map((r) => r.perSecond)),
          timeouts: runs.reduce((sum, r) => sum + r.timeouts, 0),
        });
      }
    }
    await target.stop();
    for (const client of clients) client.ws.terminate();
    stopLater.length = 0;
    // Further start-up samples.
    while (result.startupMs.length < config.startups) {
      const extra = await startTarget(name);
      result.startupMs.push(extra.startupMs);
      await extra.stop();
    }
  } catch (error) {
    result.failure = message(error);
    progress(`${name}: FAILED ${result.failure}`);
  } finally {
    for (const target of stopLater) await target.stop();
  }
  return result;
}

function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
}

/** `ours / peer`, or why there is no ratio. */
function versus(ours: number | undefined, peer: number | undefined): string {
  if (ours !== undefined && peer === 0) return "∞ (peer answered nothing)";
  return ratio(ours, peer, 1);
}

function formatRate(cell: Cell | undefined, failure: string | undefined): string {
  if (failure !== undefined) return `failed: ${failure}`;
  if (cell === undefined) return "not run";
  if (cell.median === undefined) return cell.missing ?? "n/a";
  const rate = cell.median >= 100 ? Math.round(cell.median).toLocaleString("en-US") : cell.median.toFixed(1);
  const runs = cell.runs.length === 1 ? ", 1 run" : "";
  return `${rate}/s (${cell.timeouts} t/o${runs})`;
}

export async function emulatorThroughput(quick: boolean, only?: readonly TargetName[]): Promise<BenchReport[]> {
  const config = quick ? QUICK : FULL;
  const selected = only ?? TARGETS;
  if (selected.some((name) => PEER_TARGETS.has(name))) installPeers();
  prepareProjects();
  const results = new Map<TargetName, TargetResult>();
  for (const name of selected) {
    progress(`emulator throughput: ${TARGET_LABELS[name]}`);
    results.set(name, await measureTarget(name, config, quick));
  }

  const rate = (name: TargetName, key: string) => results.get(name)?.cells.get(key)?.median;
  const rows: (string | number)[][] = [];
  for (const workload of ["echo", "broadcast"] as const) {
    for (const clients of [1, 50, 500]) {
      const key = cellKey(workload, clients);
      const skipped = !config.clientCounts.includes(clients);
      const cells = TARGETS.map((name) => {
        if (!results.has(name)) return "not selected (--only)";
        if (skipped) return "skipped in --quick";
        return formatRate(results.get(name)!.cells.get(key), results.get(name)!.failure);
      });
      const ours = rate("ours", key);
      rows.push([
        workload === "echo" ? "echo (msgs/s)" : `broadcast, rooms of ≤${ROOM_SIZE} (deliveries/s)`,
        clients,
        ...cells,
        ours !== undefined && rate("raw", key) ? `${((ours / rate("raw", key)!) * 100).toFixed(1)}%` : "n/a",
        versus(ours, rate("serverless-offline", key)),
        versus(ours, rate("sandbox", key)),
      ]);
    }
  }

  const echo50 = { ours: rate("ours", "echo/50"), raw: rate("raw", "echo/50"), sls: rate("serverless-offline", "echo/50") };
  const ours = results.get("ours");
  const oursTimeouts500 = ours?.cells.get("echo/500")?.timeouts;
  const oursBroadcastTimeouts500 = ours?.cells.get("broadcast/500")?.timeouts;
  const verdict = (ok: boolean | undefined) => (ok === undefined ? "not measured" : ok ? "met" : "MISSED");
  const throughput: BenchReport = {
    name: "emulator-throughput",
    title: `Emulator throughput: closed-loop clients, median of ${config.runs} runs of ${config.durationMs / 1000} s (after ${config.warmupMs / 1000} s warm-up)`,
    columns: ["workload", "clients", ...TARGETS.map((t) => TARGET_LABELS[t]), "ours / raw", "ours / serverless-offline", "ours / sandbox"],
    rows,
    notes: [
      `echo at 50 clients ≥ 10× serverless-offline: ${verdict(echo50.ours !== undefined && echo50.sls !== undefined ? echo50.ours >= TARGETS_OURS.echoVsSls * echo50.sls : undefined)} (${ratio(echo50.ours, echo50.sls, 1)})`,
      `echo at 50 clients ≥ 10% of raw ws: ${verdict(echo50.ours !== undefined && echo50.raw !== undefined ? echo50.ours >= TARGETS_OURS.echoVsRaw * echo50.raw : undefined)} (${echo50.ours !== undefined && echo50.raw ? ((echo50.ours / echo50.raw) * 100).toFixed(1) : "?"}%)`,
      `500 clients with zero timeouts: ${quick ? "not measured in --quick" : verdict(oursTimeouts500 === undefined ? undefined : oursTimeouts500 === 0 && oursBroadcastTimeouts500 === 0)} (echo ${oursTimeouts500 ?? "?"}, broadcast ${oursBroadcastTimeouts500 ?? "?"} timeouts)`,
      `t/o = messages with no answer within ${ANSWER_TIMEOUT_MS / 1000} s (summed over the runs); the client then sends its next message. Broadcast: each client posts to its room (≤${ROOM_SIZE} clients, itself included) and sends again when its own message comes back; deliveries count every message every client received.`,
      "Sandbox has no route responses: its echo/whoami handlers post the answer back through its @connections API (the same handler source, one extra HTTP call per message). It runs one process per invocation.",
      "Peers at 500 clients: one run (they time out; more runs would only cost minutes).",
    ],
    raw: Object.fromEntries([...results].map(([name, r]) => [name, { ...r, cells: Object.fromEntries(r.cells) }])),
  };

  const footprintRows = TARGETS.map((name) => {
    const r = results.get(name);
    if (r === undefined) return [TARGET_LABELS[name], "not selected (--only)", "", ""];
    const startup = r.startupMs.length > 0 ? `${(median(r.startupMs) / 1000).toFixed(2)} s (${r.startupMs.length} starts)` : `failed: ${r.failure}`;
    const rss = r.rssBytes !== undefined ? `${(r.rssBytes / MB).toFixed(0)} MB` : (r.rssMissing ?? `failed: ${r.failure}`);
    return [TARGET_LABELS[name], startup, rss, r.rssBytes !== undefined && results.get("raw")?.rssBytes ? ratio(r.rssBytes, results.get("raw")!.rssBytes) : "n/a"];
  });
  const oursStartup = ours && ours.startupMs.length > 0 ? median(ours.startupMs) : undefined;
  const footprint: BenchReport = {
    name: "emulator-footprint",
    title: `Emulator footprint: start-up (spawn → first accepted connection, median) and RSS with ${IDLE_CLIENTS.toLocaleString("en-US")} idle connections`,
    columns: ["server", "start-up", `RSS, ${IDLE_CLIENTS} idle`, "RSS vs raw"],
    rows: footprintRows,
    notes: [
      `ours: RSS ≤ ${TARGETS_OURS.rssMb} MB: ${verdict(ours?.rssBytes === undefined ? undefined : ours.rssBytes <= TARGETS_OURS.rssMb * MB)}; start-up ≤ 1 s: ${verdict(oursStartup === undefined ? undefined : oursStartup <= TARGETS_OURS.startupMs)}`,
      "RSS is the server process plus its descendants (/proc VmRSS), median of 3 readings 1 s after the last connection opened. Ours includes dynalite only when tables are declared (none here), and its $connect workers.",
      "Start-up includes loading the server's code (tsx for ours, since that is how `wsstack emulate` runs) and is measured after synth: the Terraform JSON and zips exist.",
    ],
    raw: Object.fromEntries([...results].map(([name, r]) => [name, { startupMs: r.startupMs, rssBytes: r.rssBytes, rssMissing: r.rssMissing }])),
  };
  return [throughput, footprint];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes("--quick");
  const onlyIndex = process.argv.indexOf("--only");
  const only = onlyIndex > 0 ? (process.argv[onlyIndex + 1]!.split(",") as TargetName[]) : undefined;
  for (const report of await emulatorThroughput(quick, only)) publish(report, quick);
  process.exit(0);
}
