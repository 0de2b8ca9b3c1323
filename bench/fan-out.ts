/**
 * Broadcast fan-out: one message to every member of a room of N connections,
 * as the seed tutorial does it (a), as the AWS sample does it (b), and as
 * this project does it (c, with the lean sender and with the SDK sender),
 * all on the same DynamoDB data and the same @connections stand-in.
 *
 * The stand-in (answers each POST after `--latency` ms, default 20; 2% of
 * ids are gone) and DynamoDB (dynalite behind a recording proxy) run in
 * child processes, so `process.cpuUsage()` here is the broadcaster's CPU alone.
 *
 * Run alone: `npx tsx bench/fan-out.ts [--quick] [--latency 20]`.
 * See docs/performance.md, "Broadcast fan-out".
 */
import { DynamoDBClient, CreateTableCommand, type CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DynamoDbConnectionStore } from "../functions/aws/dynamodb-connection-store.ts";
import { SETTINGS } from "../contract/settings.ts";
import { systemClock } from "../functions/core/clock.ts";
import type { FanOutResult } from "../functions/core/fan-out.ts";
import { forEachConcurrently } from "../functions/core/for-each-concurrently.ts";
import type { MessageFrame } from "../contract/frames.ts";
import { awsSample, ours, tutorial, type BroadcastWorld, type Contestant } from "./fan-out/contestants.ts";
import type { DynamoApi, DynamoStats } from "./fan-out/dynamo.ts";
import { startChild, type ChildHandle } from "./fan-out/rpc.ts";
import type { StandInApi, StandInStats } from "./fan-out/stand-in.ts";
import { progress, publish, type BenchReport } from "./lib/report.ts";
import { elapsedMs, median, ratio } from "./lib/stats.ts";

const ROOM = "lobby";
const GONE_EVERY = 50; // 2%
const THROTTLE_EVERY = 10; // 10%
const SWEEP = [64, 128, 256, 512];
const STAGE = "bench";

interface Cell {
  readonly n: number;
  readonly world: BroadcastWorld;
  readonly ids: readonly string[];
  readonly gone: readonly string[];
  readonly throttled: readonly string[];
  readonly store: DynamoDbConnectionStore;
}

interface Run {
  readonly ms: number;
  readonly cpuUs: number;
  readonly deliveredByReturn: number;
  readonly deliveredEventually: number;
  readonly pruned: number;
  readonly standIn: StandInStats;
  readonly dynamo: DynamoStats;
  readonly result: unknown;
}

const wallNow = (): number => performance.timeOrigin + performance.now();

function apiGatewayId(): string {
  return `${randomBytes(11).toString("base64url")}=`;
}

function latencyArgument(argv: readonly string[]): number {
  const at = argv.findIndex((a) => a === "--latency" || a.startsWith("--latency="));
  if (at < 0) return 20;
  const text = argv[at]!.includes("=") ? argv[at]!.split("=")[1] : argv[at + 1];
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--latency wants milliseconds, got ${text}`);
  return value;
}

async function seed(store: DynamoDbConnectionStore, ids: readonly string[], names: (id: string) => string): Promise<void> {
  const now = Date.now();
  async function* each(): AsyncGenerator<string> {
    yield* ids;
  }
  await forEachConcurrently(each(), 32, (connectionId) =>
    store.addConnection({
      connectionId,
      userId: `anon:${connectionId}`,
      userName: names(connectionId),
      connectedAt: now,
      joinedAt: now,
      rooms: [ROOM],
      expiresAt: Math.floor(now / 1000) + 10_800,
    }),
  );
}

export async function fanOut(quick: boolean, argv: readonly string[] = process.argv.slice(2)): Promise<BenchReport> {
  const latencyMs = latencyArgument(argv);
  const sizes = quick ? [100, 1_000] : [100, 1_000, 10_000];
  const repetitions = quick ? 1 : 3;
  const chosen = SETTINGS.fanOutConcurrency.default;
  const sweepAt = sizes[sizes.length - 1]!;
  // Dummy credentials: every request is signed, none leaves the machine.
  process.env["AWS_REGION"] = "us-east-1";
  process.env["AWS_ACCESS_KEY_ID"] = "bench";
  process.env["AWS_SECRET_ACCESS_KEY"] = "bench";
  delete process.env["AWS_SESSION_TOKEN"];
  delete process.env["AWS_PROFILE"];

  progress(`fan-out: starting the @connections stand-in (latency ${latencyMs} ms) and DynamoDB in child processes`);
  const standIn: ChildHandle<StandInApi> = await startChild<StandInApi>("./stand-in.ts", { stage: STAGE });
  const dynamo: ChildHandle<DynamoApi> = await startChild<DynamoApi>("./dynamo.ts", {});
  const raw = new DynamoDBClient({
    endpoint: await dynamo.call("endpoint"),
    region: "us-east-1",
    requestHandler: { httpAgent: { keepAlive: true, maxSockets: 64 } },
  });
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const clock = systemClock();
  const { host } = await standIn.call("address");
  const endpoint = `http://${host}/${STAGE}`;
  const frame: MessageFrame = { type: "message", room: ROOM, message: "Hello everyone", from: "Ada", fromId: "u-bench-ada", sentAt: new Date(0).toISOString(), seq: 0, id: "bench-message-1" };
  let unhandled = 0;

  try {
    const cells: Cell[] = [];
    for (const n of sizes) {
      const tableName = `fan-out-${n}`;
      await raw.send(new CreateTableCommand((await dynamo.call("tableDefinition", { tableName })) as CreateTableCommandInput));
      const ids = Array.from({ length: n }, apiGatewayId);
      const names = new Map(ids.map((id, i) => [id, `member-${i}`]));
      const store = new DynamoDbConnectionStore({ client, tableName, sleep: clock.sleep });
      const start = process.hrtime.bigint();
      await seed(store, ids, (id) => names.get(id)!);
      progress(`fan-out: seeded ${n} connections (${3 * n} items) in ${(elapsedMs(start) / 1000).toFixed(1)} s`);
      cells.push({
        n,
        world: { client, tableName, room: ROOM, endpoint, frame },
        ids,
        gone: ids.filter((_, i) => i % GONE_EVERY === GONE_EVERY - 1),
        throttled: ids.filter((_, i) => i % THROTTLE_EVERY === 3),
        store,
      });
    }
    const namesOf = new Map<string, string>();
    cells.forEach((cell) => cell.ids.forEach((id, i) => namesOf.set(id, `member-${i}`)));

    const measure = async (contestant: Contestant, cell: Cell, options: { throttle?: boolean } = {}): Promise<Run> => {
      await standIn.call("configure", { gone: [...cell.gone], throttleOnce: options.throttle ? [...cell.throttled] : [], latencyMs });
      await standIn.call("reset");
      await dynamo.call("reset");
      const cpuStart = process.cpuUsage();
      const start = process.hrtime.bigint();
      const result = await contestant.broadcast(cell.world);
      const ms = elapsedMs(start);
      const cpu = process.cpuUsage(cpuStart);
      const returnedAt = wallNow();
      // Whatever the handler left running (the tutorial's posts) finishes before the next run.
      await contestant.settle?.();
      await standIn.call("waitIdle", { quietMs: 50 });
      const stand = await standIn.call("stats", { until: returnedAt });
      const dyn = await dynamo.call("stats");
      // Which stale ids are still members of the room; put them back for the next contestant.
      const stillThere: string[] = [];
      const missing: string[] = [];
      await Promise.all(cell.gone.map(async (id) => ((await cell.store.membership(id, ROOM)) ? stillThere : missing).push(id)));
      if (missing.length) await seed(cell.store, missing, (id) => namesOf.get(id)!);
      return {
        ms,
        cpuUs: cpu.user + cpu.system,
        deliveredByReturn: stand.deliveredByUntil,
        deliveredEventually: stand.delivered,
        pruned: missing.length,
        standIn: stand,
        dynamo: dyn,
        result,
      };
    };

    const tutorialContestant = tutorial(() => unhandled++);
    const sample = awsSample(false);
    const samplePaged = awsSample(true);
    const oursSdk = ours({ transport: "sdk", concurrency: chosen, label: `(c) ours, SDK sender, c=${chosen}` });
    const oursLean = ours({ transport: "lean", concurrency: chosen, label: `(c) ours, lean sender, c=${chosen}` });
    const sweep = quick ? [] : SWEEP.filter((c) => c !== chosen).map((c) => ours({ transport: "lean", concurrency: c }));
    const throttledLean = ours({ transport: "lean", concurrency: chosen, label: `(c) ours, lean, c=${chosen}, 10% 429 once` });
    const main: Contestant[] = [tutorialContestant, sample, samplePaged, oursSdk, oursLean];

    progress("fan-out: warm-up (one unmeasured run of each at N=100)");
    for (const c of [...main, ...sweep, throttledLean]) await measure(c, cells[0]!, { throttle: c === throttledLean });

    const runs = new Map<string, Run[]>(); // `${name}|${n}`
    const record = (name: string, n: number, run: Run): void => {
      const key = `${name}|${n}`;
      runs.set(key, [...(runs.get(key) ?? []), run]);
    };
    for (let rep = 1; rep <= repetitions; rep++) {
      for (const cell of cells) {
        const lineup = [...main, ...(cell.n === sweepAt ? sweep : []), throttledLean];
        for (const contestant of lineup) {
          const run = await measure(contestant, cell, { throttle: contestant === throttledLean });
          record(contestant.name, cell.n, run);
          progress(
            `fan-out: rep ${rep}/${repetitions} N=${cell.n} ${contestant.name}: ${run.ms.toFixed(0)} ms, ` +
              `${run.deliveredByReturn} delivered by return, ${run.pruned} pruned, ${(run.cpuUs / Math.max(1, run.deliveredByReturn)).toFixed(0)} µs CPU/post`,
          );
        }
      }
    }

    // ── the table ──
    const columns = [
      "contestant", "N", "handler ms (median)", "vs ours", "ideal ms", "vs ideal", "delivered by return",
      "stale pruned", "items returned / read", "Scan cut at 1 MB", "CPU µs per delivered post",
    ];
    const rows: (string | number)[][] = [];
    const summary: Record<string, unknown> = {};
    const med = (name: string, n: number, pick: (r: Run) => number): number | undefined => {
      const list = runs.get(`${name}|${n}`);
      return list === undefined ? undefined : median(list.map(pick));
    };
    const perPost = (r: Run): number => (r.deliveredByReturn > 0 ? r.cpuUs / r.deliveredByReturn : Number.NaN);
    for (const cell of cells) {
      const oursMs = med(oursLean.name, cell.n, (r) => r.ms);
      const all = [...main, ...(cell.n === sweepAt ? sweep : []), throttledLean];
      for (const contestant of all) {
        const list = runs.get(`${contestant.name}|${cell.n}`)!;
        const ms = median(list.map((r) => r.ms));
        const concurrency = (contestant as { concurrency?: number }).concurrency ?? chosen;
        const ideal = Math.ceil(cell.n / concurrency) * latencyMs;
        const cpu = median(list.map(perPost));
        const delivered = median(list.map((r) => r.deliveredByReturn));
        const pruned = median(list.map((r) => r.pruned));
        const returned = median(list.map((r) => r.dynamo.returned));
        const scanned = median(list.map((r) => r.dynamo.scanned));
        const truncated = median(list.map((r) => r.dynamo.truncatedScans));
        const usesScan = list.some((r) => (r.dynamo.calls["Scan"] ?? 0) > 0);
        const live = cell.n - cell.gone.length;
        rows.push([
          contestant.name,
          cell.n,
          ms.toFixed(ms < 10 ? 2 : 0),
          contestant === oursLean ? "1.00×" : ratio(ms, oursMs),
          ideal,
          contestant.name.startsWith("(a)") ? "—" : ratio(ms, ideal),
          `${delivered}/${live}`,
          `${pruned}/${cell.gone.length}`,
          `${returned} / ${scanned}`,
          usesScan ? (truncated > 0 ? "yes" : "no") : "no Scan",
          Number.isFinite(cpu) ? cpu.toFixed(0) : "—",
        ]);
        summary[`${contestant.name}|${cell.n}`] = {
          medianMs: ms, idealMs: ideal, concurrency, cpuUsPerPost: Number.isFinite(cpu) ? cpu : null, delivered, live, pruned,
          stale: cell.gone.length, returned, scanned, truncatedScans: truncated,
          runs: list.map((r) => ({ ms: r.ms, cpuUs: r.cpuUs, deliveredByReturn: r.deliveredByReturn, deliveredEventually: r.deliveredEventually, pruned: r.pruned, calls: r.dynamo.calls, sockets: r.standIn.sockets, maxInFlight: r.standIn.maxInFlight, posts: r.standIn.posts, signed: r.standIn.signed, result: r.result as FanOutResult })),
        };
      }
    }

    // ── targets ──
    const notes: string[] = [];
    const big = sweepAt;
    // The speed targets are set at N = 10,000; a --quick run stops below it, so it reports but does not judge them.
    const judged = big >= 10_000;
    const verdict = (ok: boolean): string => (ok ? "met" : "MISSED");
    const speedVerdict = (ok: boolean): string => (judged ? verdict(ok) : `${ok ? "would be met" : "not met"} at this N; the target is judged at N=10,000 (full run)`);
    const oursRuns = cells.flatMap((cell) => (runs.get(`${oursLean.name}|${cell.n}`) ?? []).map((r) => ({ cell, r })));
    const allDelivered = oursRuns.every(({ cell, r }) => r.deliveredByReturn === cell.n - cell.gone.length);
    notes.push(`ours delivers 100% before returning (every N, every repetition): ${verdict(allDelivered)}`);
    const allPruned = oursRuns.every(({ cell, r }) => r.pruned === cell.gone.length);
    notes.push(`ours prunes every stale id: ${verdict(allPruned)}`);
    const onlyQueries = oursRuns.every(({ r }) => (r.dynamo.calls["Scan"] ?? 0) === 0 && r.dynamo.returned === r.dynamo.scanned);
    notes.push(`ours reads only the room's keys (Query on the room index, no Scan, nothing read and filtered away): ${verdict(onlyQueries)}`);
    const oursBig = med(oursLean.name, big, (r) => r.ms)!;
    const samplePagedBig = med(samplePaged.name, big, (r) => r.ms)!;
    const sampleBig = med(sample.name, big, (r) => r.ms)!;
    const idealBig = Math.ceil(big / chosen) * latencyMs;
    notes.push(
      `N=${big}: ours ${oursBig.toFixed(0)} ms vs (b′) ${samplePagedBig.toFixed(0)} ms = ${ratio(samplePagedBig, oursBig)} faster (target ≥ 3×): ${speedVerdict(samplePagedBig / oursBig >= 3)}; ` +
        `vs (b) as published ${sampleBig.toFixed(0)} ms = ${ratio(sampleBig, oursBig)}, but (b) reaches only ${med(sample.name, big, (r) => r.deliveredByReturn)} of ${big - cells.at(-1)!.gone.length} (its single Scan stops at 1 MB)`,
    );
    notes.push(`N=${big}: ours ${ratio(oursBig, idealBig)} of ideal (${idealBig} ms at c=${chosen}; target ≤ 1.5×): ${speedVerdict(oursBig / idealBig <= 1.5)}`);
    const leanCpu = med(oursLean.name, big, perPost)!;
    const sdkCpu = med(oursSdk.name, big, perPost)!;
    notes.push(`N=${big}: per-send CPU, lean ${leanCpu.toFixed(0)} µs vs SDK command path ${sdkCpu.toFixed(0)} µs = ${ratio(leanCpu, sdkCpu)} (target ≤ 0.33×): ${verdict(leanCpu * 3 <= sdkCpu)}`);
    const throttleRuns = cells.flatMap((cell) => (runs.get(`${throttledLean.name}|${cell.n}`) ?? []).map((r) => ({ cell, r })));
    const throttleOk = throttleRuns.every(({ cell, r }) => r.deliveredByReturn === cell.n - cell.gone.length);
    notes.push(`with 10% of posts answered 429 LimitExceededException once, ours still delivers 100%: ${verdict(throttleOk)}`);
    if (unhandled) notes.push(`(a) left ${unhandled} post rejections unhandled (410s), which would end a Node 20 process`);
    notes.push(`latency ${latencyMs} ms; ${repetitions} repetition(s) per cell; CPU is the broadcaster's process.cpuUsage() over the handler, divided by the posts delivered by return`);

    return {
      name: "fan-out",
      title: `Broadcast fan-out: one message to a room of N (latency ${latencyMs} ms, 2% gone; median of ${repetitions})`,
      columns,
      rows,
      notes,
      raw: { latencyMs, repetitions, chosenConcurrency: chosen, sweep: quick ? [] : SWEEP, cells: summary },
    };
  } finally {
    raw.destroy();
    await standIn.close();
    await dynamo.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes("--quick");
  publish(await fanOut(quick), quick);
}
