/**
 * `$disconnect` at the room limit, and what each limit costs a request.
 *
 * 1. A connection in max_rooms_per_connection rooms (the default, the lobby
 *    included), each room with M other members, disconnects: the real core
 *    `disconnect` with the real DynamoDbConnectionStore and
 *    ManagementApiSenders, run in a child process (bench/disconnect/runner.ts)
 *    against DynamoDB and the `@connections` stand-in in two more children,
 *    so the runner's CPU is the handler's own. It runs twice per
 *    repetition: on the machine's full CPU, and in a cgroup capped at the
 *    share of a core Lambda gives the function's memory size (256 MB of
 *    1,769 MB per vCPU: 14.5%). Where no cgroup can be made, the capped time
 *    is estimated as CPU ÷ share and labelled so. The margin is the function's
 *    timeout (stacks/bundled-function.ts) over the median capped time. The
 *    largest cells also run at 2× and 4× the memory (quick: 2×), in runners
 *    of their own: what raising the function's memory would buy.
 * 2. DynamoDB calls and capacity units of one onMessage and one
 *    privateMessage with and without the rate check, and of the other
 *    limits' checks (bench/disconnect/message-cost.ts).
 *
 * Run alone: `npx tsx bench/disconnect.ts [--quick] [--latency 20]`.
 * See docs/performance.md, "Disconnect at the room limit", and
 * docs/security.md, "Limits and what they cost".
 */
import { CreateTableCommand, DynamoDBClient, type CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_ROOM } from "../contract/routes.ts";
import { SETTINGS } from "../contract/settings.ts";
import { DynamoDbConnectionStore } from "../functions/aws/dynamodb-connection-store.ts";
import { ManagementApiSenders } from "../functions/aws/management-api-senders.ts";
import { systemClock } from "../functions/core/clock.ts";
import { forEachConcurrently } from "../functions/core/for-each-concurrently.ts";
import { tryCpuQuota, type CpuQuota } from "./lib/cpu-quota.ts";
import type { CostDynamoApi, CostStats } from "./disconnect/dynamo.ts";
import { routeFunctionConfig, MB_PER_VCPU } from "./lib/function-config.ts";
import { measureLimitCosts, type CostScenario } from "./disconnect/message-cost.ts";
import type { DisconnectRun, RunnerApi, RunnerOptions } from "./disconnect/runner.ts";
import { startChild, type ChildHandle } from "./fan-out/rpc.ts";
import type { StandInApi, StandInStats } from "./fan-out/stand-in.ts";
import { progress, publish, type BenchReport } from "./lib/report.ts";
import { elapsedMs, median, ratio } from "./lib/stats.ts";

const STAGE = "bench";
const GONE_EVERY = 50; // 2%, as in the fan-out bench
const SEED_CONCURRENCY = 32;

interface Member {
  readonly connectionId: string;
  readonly userId: string;
  readonly userName: string;
  readonly rooms: readonly string[];
}

/** One table: the connection that leaves, and the others in its rooms. */
interface Cell {
  readonly label: string;
  /** Other members per room (the lobby's own, when the lobby holds everyone). */
  readonly m: number;
  readonly lobbyHoldsEveryone: boolean;
  readonly tableName: string;
  readonly store: DynamoDbConnectionStore;
  readonly leaver: Member;
  readonly others: readonly Member[];
  readonly gone: readonly Member[];
  readonly lobbySize: number;
}

interface Measured {
  readonly run: DisconnectRun;
  readonly standIn: StandInStats;
  readonly dynamo: CostStats;
  /** Time the runner's cgroup spent throttled during the run, µs (capped runs only). */
  readonly throttledUs?: number;
}

const wallNow = (): number => performance.timeOrigin + performance.now();
const apiGatewayId = (): string => `${randomBytes(11).toString("base64url")}=`;

function latencyArgument(argv: readonly string[]): number {
  const at = argv.findIndex((a) => a === "--latency" || a.startsWith("--latency="));
  if (at < 0) return 20;
  const text = argv[at]!.includes("=") ? argv[at]!.split("=")[1] : argv[at + 1];
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--latency wants milliseconds, got ${text}`);
  return value;
}

/** `Query 21, BatchWriteItem 1`: calls by action, most first. */
function byAction(calls: Record<string, number>): string {
  return Object.entries(calls)
    .sort((a, b) => b[1] - a[1])
    .map(([action, n]) => `${action} ${n}`)
    .join(", ");
}

const sumCalls = (calls: Record<string, number>): number => Object.values(calls).reduce((a, b) => a + b, 0);

async function addAll(store: DynamoDbConnectionStore, members: readonly Member[], at: { now: number; connectedAt: number }): Promise<void> {
  async function* each(): AsyncGenerator<Member> {
    yield* members;
  }
  await forEachConcurrently(each(), SEED_CONCURRENCY, (member) =>
    store.addConnection({ ...member, connectedAt: at.connectedAt, joinedAt: at.connectedAt, rooms: [...member.rooms], expiresAt: Math.floor(at.now / 1000) + SETTINGS.connectionTtlSeconds.default }),
  );
}

/** The leaver as `$connect` leaves a signed-in user: name claimed and bound, connection and memberships written. */
async function seedLeaver(cell: Pick<Cell, "store" | "leaver">): Promise<void> {
  const now = Date.now();
  const nowSeconds = Math.floor(now / 1000);
  const bindingExpires = nowSeconds + SETTINGS.nameBindingDays.default * 86_400;
  await cell.store.claimName({ name: cell.leaver.userName, userId: cell.leaver.userId, expiresAt: bindingExpires, nowSeconds });
  await cell.store.bindName({ userId: cell.leaver.userId, name: cell.leaver.userName, expiresAt: bindingExpires });
  // Connected ten minutes ago, so the others see an established connection leave.
  await addAll(cell.store, [cell.leaver], { now, connectedAt: now - 600_000 });
}

/** A runner on a CPU quota: the share of a core Lambda gives `memoryMb`. */
interface Capped {
  readonly memoryMb: number;
  readonly share: number;
  readonly quota: CpuQuota;
  readonly runner: ChildHandle<RunnerApi>;
}

const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;

export async function disconnectBench(quick: boolean, argv: readonly string[] = process.argv.slice(2)): Promise<BenchReport[]> {
  const latencyMs = latencyArgument(argv);
  const config = routeFunctionConfig("$disconnect");
  const timeoutMs = config.timeoutSeconds * 1000;
  const share = config.cpuShare;
  const sharePercent = percent(share);
  const roomCount = SETTINGS.maxRoomsPerConnection.default;
  const concurrency = SETTINGS.fanOutConcurrency.default;
  const sweep = quick ? [1, 20] : [1, 50, 200];
  const largest = sweep[sweep.length - 1]!;
  // Larger memory sizes for the largest cells: what raising the function's memory would buy.
  const moreMemory = (quick ? [2] : [2, 4]).map((factor) => factor * config.memoryMb);
  const repetitions = quick ? 1 : 3;
  const loadAtStart = os.loadavg();
  // Dummy credentials: every request is signed, none leaves the machine. The children inherit them.
  process.env["AWS_REGION"] = "us-east-1";
  process.env["AWS_ACCESS_KEY_ID"] = "bench";
  process.env["AWS_SECRET_ACCESS_KEY"] = "bench";
  delete process.env["AWS_SESSION_TOKEN"];
  delete process.env["AWS_PROFILE"];

  progress(`disconnect: $disconnect gets ${config.timeoutSeconds} s and ${config.memoryMb} MB (${sharePercent} of a vCPU), from ${config.source}`);
  progress(`disconnect: starting the @connections stand-in (latency ${latencyMs} ms), DynamoDB and the measured runners in child processes`);
  const standIn: ChildHandle<StandInApi> = await startChild<StandInApi>("./stand-in.ts", { stage: STAGE });
  const dynamo: ChildHandle<CostDynamoApi> = await startChild<CostDynamoApi>("../disconnect/dynamo.ts", {});
  const dynamoEndpoint = await dynamo.call("endpoint");
  const raw = new DynamoDBClient({ endpoint: dynamoEndpoint, region: "us-east-1", requestHandler: { httpAgent: { keepAlive: true, maxSockets: 64 } } });
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const clock = systemClock();
  const { host } = await standIn.call("address");
  const connectionsEndpoint = `http://${host}/${STAGE}`;
  const runnerOptions: RunnerOptions = { dynamoEndpoint, connectionsEndpoint, fanOutConcurrency: concurrency };
  const full: ChildHandle<RunnerApi> = await startChild<RunnerApi>("../disconnect/runner.ts", runnerOptions);
  const capped: Capped[] = [];
  let noQuota: string | undefined;
  const parentSenders = new ManagementApiSenders({ endpointFor: () => connectionsEndpoint, maxSockets: concurrency });

  try {
    for (const memoryMb of [config.memoryMb, ...moreMemory]) {
      const memoryShare = memoryMb / MB_PER_VCPU;
      const quota = tryCpuQuota(memoryShare, `wsstack-bench-${process.pid}-${memoryMb}mb`);
      if ("unavailable" in quota) {
        noQuota = quota.unavailable;
        break;
      }
      const runner = await startChild<RunnerApi>("../disconnect/runner.ts", runnerOptions).catch((error: unknown) => {
        quota.remove();
        throw error;
      });
      quota.add(runner.pid);
      capped.push({ memoryMb, share: memoryShare, quota, runner });
      progress(`disconnect: runner ${runner.pid} capped at ${quota.quotaUs} µs per ${quota.periodUs} µs (${percent(memoryShare)} of one core, as ${memoryMb} MB) in ${quota.path}`);
    }
    if (noQuota !== undefined) progress(`disconnect: no CPU quota (${noQuota}); the ${sharePercent} column is an estimate, CPU ÷ ${share.toFixed(3)}`);
    const primary = capped.find((c) => c.memoryMb === config.memoryMb);

    // ── part 1: $disconnect at the room limit ──
    const newCell = async (m: number, lobbyHoldsEveryone: boolean, reuse?: Cell): Promise<Cell> => {
      const label = lobbyHoldsEveryone ? `${m}, lobby = everyone` : `${m}`;
      const tableName = reuse?.tableName ?? `disconnect-${m}`;
      if (reuse === undefined) await raw.send(new CreateTableCommand((await dynamo.call("tableDefinition", { tableName })) as CreateTableCommandInput));
      const store = reuse?.store ?? new DynamoDbConnectionStore({ client, tableName, sleep: clock.sleep });
      const rooms = [DEFAULT_ROOM, ...Array.from({ length: roomCount - 1 }, (_, i) => `room-${i + 1}`)];
      const leaver: Member = reuse?.leaver ?? { connectionId: apiGatewayId(), userId: "u-bench-leaver", userName: "Leaver", rooms };
      // M others per room, each in that room (and, when the lobby holds everyone, in the lobby too, as $connect leaves them).
      const others: Member[] =
        reuse?.others.map((o) => ({ ...o, rooms: o.rooms[0] === DEFAULT_ROOM || !lobbyHoldsEveryone ? o.rooms : [o.rooms[0]!, DEFAULT_ROOM] })) ??
        rooms.flatMap((room, r) =>
          Array.from({ length: m }, (_, i) => {
            const connectionId = apiGatewayId();
            return { connectionId, userId: `a-bench-${r}-${i}`, userName: `member-${r}-${i}`, rooms: [room] };
          }),
        );
      const start = process.hrtime.bigint();
      const now = Date.now();
      const cell: Cell = {
        label,
        m,
        lobbyHoldsEveryone,
        tableName,
        store,
        leaver,
        others,
        gone: others.filter((_, i) => i % GONE_EVERY === GONE_EVERY - 1),
        lobbySize: others.filter((o) => o.rooms.includes(DEFAULT_ROOM)).length,
      };
      await addAll(store, reuse === undefined ? others : others.filter((o) => o.rooms.length > 1), { now, connectedAt: now - 600_000 });
      await seedLeaver(cell);
      progress(`disconnect: M=${label}: ${others.length} others seeded in ${(elapsedMs(start) / 1000).toFixed(1)} s`);
      return cell;
    };

    const measure = async (runner: ChildHandle<RunnerApi>, cell: Cell, quota?: CpuQuota): Promise<Measured> => {
      await standIn.call("configure", { gone: cell.gone.map((g) => g.connectionId), throttleOnce: [], latencyMs });
      await standIn.call("reset");
      await dynamo.call("reset");
      const throttledBefore = quota?.throttledUs();
      const run = await runner.call("run", { tableName: cell.tableName, connectionId: cell.leaver.connectionId });
      const throttledUs = throttledBefore === undefined ? undefined : quota!.throttledUs() - throttledBefore;
      const stand = await standIn.call("stats", { until: wallNow() });
      const dyn = await dynamo.call("stats", { trace: false });
      // Put back what the run deleted: the leaver, and the stale members its broadcasts pruned.
      const now = Date.now();
      await addAll(cell.store, cell.gone, { now, connectedAt: now - 600_000 });
      await seedLeaver(cell);
      return { run, standIn: stand, dynamo: dyn, ...(throttledUs === undefined ? {} : { throttledUs }) };
    };

    const cells: Cell[] = [];
    const results = new Map<Cell, { full: Measured[]; capped: Map<number, Measured[]> }>();
    const warmed = new Set<ChildHandle<RunnerApi>>();
    const runCell = async (cell: Cell): Promise<void> => {
      const lineup = capped.filter((c) => c === primary || cell.m === largest);
      // A warm container: one unmeasured run per runner on every cell (quick: on its first), so JIT and sockets are warm for this size.
      progress(`disconnect: M=${cell.label}: warm-up (one unmeasured run per runner${quick ? " not yet warm" : ""})`);
      for (const [runner, quota] of [[full, undefined] as const, ...lineup.map((c) => [c.runner, c.quota] as const)]) {
        if (quick && warmed.has(runner)) continue;
        await measure(runner, cell, quota);
        warmed.add(runner);
      }
      cells.push(cell);
      const bucket = { full: [] as Measured[], capped: new Map<number, Measured[]>() };
      results.set(cell, bucket);
      for (let rep = 1; rep <= repetitions; rep++) {
        const f = await measure(full, cell);
        bucket.full.push(f);
        let line = `disconnect: rep ${rep}/${repetitions} M=${cell.label}: ${f.standIn.posts} posts, full CPU ${f.run.ms.toFixed(0)} ms (${(f.run.cpuUs / 1000).toFixed(0)} ms CPU)`;
        for (const c of lineup) {
          const measured = await measure(c.runner, cell, c.quota);
          bucket.capped.set(c.memoryMb, [...(bucket.capped.get(c.memoryMb) ?? []), measured]);
          line += `; at ${percent(c.share)} ${measured.run.ms.toFixed(0)} ms (own deletes by ${measured.run.deletedMs.toFixed(0)} ms, ${(measured.run.cpuUs / 1000).toFixed(0)} ms CPU)`;
        }
        progress(line);
      }
    };

    let last: Cell | undefined;
    for (const m of sweep) {
      last = await newCell(m, false);
      await runCell(last);
    }
    // $connect puts every connection in the lobby: the same table, with the other rooms' members in the lobby too.
    await runCell(await newCell(last!.m, true, last));

    // ── the table ──
    const cappedLabel = primary === undefined ? " (estimate: CPU ÷ share)" : " (cgroup quota)";
    const columns = [
      "M (others per room)",
      "rooms",
      "lobby members",
      "presence posts (410 gone)",
      "DynamoDB calls",
      "items deleted (own + pruned)",
      "full CPU: wall ms",
      "CPU ms",
      `at ${sharePercent}: own items deleted by (ms)`,
      `at ${sharePercent}: wall ms${cappedLabel}`,
      "CPU share received",
      `estimate: CPU ms ÷ ${share.toFixed(3)}`,
      `wall at ${sharePercent} ÷ timeout (${config.timeoutSeconds} s)`,
      "fits the timeout",
    ];
    const rows: (string | number)[][] = [];
    const summary: Record<string, unknown> = {};
    const verdicts: { cell: Cell; fits: boolean; cappedMs: number; deletedMs: number; posts: number }[] = [];
    const med = (list: readonly Measured[], pick: (r: Measured) => number): number => median(list.map(pick));
    for (const cell of cells) {
      const { full: fullRuns, capped: cappedByMemory } = results.get(cell)!;
      const cappedRuns = cappedByMemory.get(config.memoryMb) ?? [];
      const fullMs = med(fullRuns, (r) => r.run.ms);
      const cpuMs = med(fullRuns, (r) => r.run.cpuUs / 1000);
      const estimateMs = cpuMs / share;
      const cappedMs = cappedRuns.length ? med(cappedRuns, (r) => r.run.ms) : estimateMs;
      const deletedMs = cappedRuns.length ? med(cappedRuns, (r) => r.run.deletedMs) : med(fullRuns, (r) => r.run.deletedMs) / share;
      const received = cappedRuns.length ? med(cappedRuns, (r) => r.run.cpuUs / 1000 / r.run.ms) : undefined;
      const posts = med(fullRuns, (r) => r.standIn.posts);
      const gone = med(fullRuns, (r) => r.standIn.answeredGone);
      const calls = fullRuns[Math.floor(fullRuns.length / 2)]!.dynamo.calls;
      const own = 3 + med(fullRuns, (r) => r.run.rooms); // connection item, memberships, user entry, identity entry
      const deleted = med(fullRuns, (r) => r.dynamo.deletes);
      const fits = cappedMs < timeoutMs;
      verdicts.push({ cell, fits, cappedMs, deletedMs, posts });
      rows.push([
        cell.label,
        roomCount,
        cell.lobbySize,
        `${posts} (${gone})`,
        `${sumCalls(calls)}: ${byAction(calls)}`,
        `${deleted} (${own} + ${deleted - own})`,
        fullMs.toFixed(0),
        cpuMs.toFixed(0),
        deletedMs.toFixed(0),
        cappedMs.toFixed(0),
        received === undefined ? "—" : percent(received),
        estimateMs.toFixed(0),
        ratio(cappedMs, timeoutMs),
        fits ? `yes, ${ratio(timeoutMs, cappedMs, 1)} margin` : `NO, ${ratio(cappedMs, timeoutMs)} the timeout`,
      ]);
      const runsOf = (list: readonly Measured[]) =>
        list.map((r) => ({ ms: r.run.ms, deletedMs: r.run.deletedMs, cpuUs: r.run.cpuUs, throttledUs: r.throttledUs ?? null, posts: r.standIn.posts, gone: r.standIn.answeredGone, maxInFlight: r.standIn.maxInFlight, calls: r.dynamo.calls, deletes: r.dynamo.deletes, readUnits: r.dynamo.readUnits, writeUnits: r.dynamo.writeUnits, logLines: r.run.logLines }));
      summary[cell.label] = {
        m: cell.m,
        lobbyHoldsEveryone: cell.lobbyHoldsEveryone,
        lobbySize: cell.lobbySize,
        others: cell.others.length,
        stale: cell.gone.length,
        medianFullMs: fullMs,
        medianCpuMs: cpuMs,
        medianCappedMs: cappedRuns.length ? cappedMs : null,
        medianDeletedMs: deletedMs,
        estimateMs,
        fits,
        full: runsOf(fullRuns),
        capped: Object.fromEntries([...cappedByMemory].map(([memoryMb, list]) => [`${memoryMb}MB`, runsOf(list)])),
      };
    }

    const notes: string[] = [];
    const worst = verdicts.reduce((a, b) => (b.cappedMs > a.cappedMs ? b : a));
    const sweepWorst = verdicts.filter((v) => !v.cell.lobbyHoldsEveryone).reduce((a, b) => (b.cappedMs > a.cappedMs ? b : a));
    const estimateTag = primary === undefined ? " [estimate]" : "";
    const slowestDeletes = verdicts.reduce((a, b) => (b.deletedMs > a.deletedMs ? b : a));
    notes.push(
      `what $disconnect must delete (the connection item, ${roomCount} memberships, the user and identity entries) is done by ${slowestDeletes.deletedMs.toFixed(0)} ms at ${sharePercent} CPU in the slowest cell (M=${slowestDeletes.cell.label}, median), ` +
        `${ratio(slowestDeletes.deletedMs, timeoutMs, 3)} of the ${config.timeoutSeconds} s timeout: it FITS, and it runs before any presence post${estimateTag}`,
    );
    notes.push(
      `the whole handler, presence broadcasts included, at the room limit (M=${sweepWorst.cell.m} others in each room, ${sweepWorst.posts} posts): ${sweepWorst.fits ? "fits" : "DOES NOT FIT"}, ` +
        `${sweepWorst.cappedMs.toFixed(0)} ms, ${ratio(sweepWorst.cappedMs, timeoutMs)} of the timeout (${sweepWorst.fits ? `${ratio(timeoutMs, sweepWorst.cappedMs, 1)} margin` : "over"})${estimateTag}`,
    );
    if (worst !== sweepWorst) {
      notes.push(
        `with the lobby holding everyone (${worst.cell.lobbySize} others, ${worst.posts} posts): ${worst.fits ? "fits" : "DOES NOT FIT"}, ${worst.cappedMs.toFixed(0)} ms, ${ratio(worst.cappedMs, timeoutMs)} of the timeout; ` +
          `the rooms still unannounced when the timeout ends the invocation never hear that it left (its items are gone already)${estimateTag}`,
      );
    }
    // Posts are what grows with the rooms' sizes: the time per post at the largest M says how many fit in the timeout.
    const perPost = verdicts.filter((v) => v.cell.m === largest).map((v) => v.cappedMs / v.posts);
    const [low, high] = [Math.min(...perPost), Math.max(...perPost)];
    notes.push(
      `at ${sharePercent} CPU a presence post costs ${low.toFixed(2)}–${high.toFixed(2)} ms of wall time at M=${largest} (everything else the handler does, prunes included, spread over the posts): ` +
        `the timeout holds about ${Math.floor(timeoutMs / high)}–${Math.floor(timeoutMs / low)} posts in all. The room limit bounds rooms, not members: a lobby of that size alone would not fit`,
    );
    notes.push(`function: ${config.timeoutSeconds} s timeout, ${config.memoryMb} MB → ${sharePercent} of one vCPU (1 vCPU at 1,769 MB); ${config.source}`);
    notes.push(
      primary === undefined
        ? `CPU quota unavailable (${noQuota}): the ${sharePercent} columns are the full-CPU run's numbers ÷ ${share.toFixed(3)}, an estimate that ignores time spent waiting on the network`
        : `capped runs: a cgroup v1 cpu quota of ${primary.quota.quotaUs} µs per ${primary.quota.periodUs} µs period on the runner process (all its threads); a "CPU share received" below ${sharePercent} means the busy machine, not the quota, held it back`,
    );
    notes.push(
      `${latencyMs} ms @connections latency; 2% of the others gone (410, pruned by the broadcast, put back after each run); fan-out concurrency ${concurrency}; ` +
        `${repetitions} repetition(s) per cell after ${quick ? "one warm-up run per runner" : "one warm-up run per runner and cell"}, full and capped runs interleaved; the leaver is signed in with a bound name; ` +
        `${os.cpus().length} × ${os.cpus()[0]?.model ?? "unknown CPU"}, load average ${loadAtStart.map((l) => l.toFixed(1)).join(" / ")} at the start, ${os.loadavg().map((l) => l.toFixed(1)).join(" / ")} at the end`,
    );

    // ── more memory: the largest cells at larger sizes ──
    const memoryColumns = ["M (others per room)", "memory MB", "CPU share", "own items deleted by (ms)", "wall ms (median)", "CPU share received", `wall ÷ timeout (${config.timeoutSeconds} s)`, "fits the timeout", "GB-s per disconnect"];
    const memoryRows: (string | number)[][] = [];
    for (const cell of cells.filter((c) => c.m === largest)) {
      for (const c of capped) {
        const list = results.get(cell)!.capped.get(c.memoryMb);
        if (list === undefined || list.length === 0) continue;
        const ms = med(list, (r) => r.run.ms);
        memoryRows.push([
          cell.label,
          c.memoryMb,
          percent(c.share),
          med(list, (r) => r.run.deletedMs).toFixed(0),
          ms.toFixed(0),
          percent(med(list, (r) => r.run.cpuUs / 1000 / r.run.ms)),
          ratio(ms, timeoutMs),
          ms < timeoutMs ? `yes, ${ratio(timeoutMs, ms, 1)} margin` : `NO, ${ratio(ms, timeoutMs)} the timeout`,
          ((ms / 1000) * (c.memoryMb / 1024)).toFixed(2),
        ]);
      }
    }
    const memoryReport: BenchReport = {
      name: "disconnect-memory",
      title: `$disconnect at the room limit with more memory (Lambda's CPU share grows with it; cgroup quota; median of ${repetitions})`,
      columns: memoryColumns,
      rows: memoryRows,
      notes: memoryRows.length
        ? [
            "GB-s = wall s × memory GB, what Lambda bills: while the handler is CPU-bound, doubling the memory halves the time and leaves the bill the same",
            "same cells, runs interleaved with the table above",
          ]
        : [`not measured: ${noQuota ?? "no capped runner"}`],
      raw: { memorySizes: capped.map((c) => ({ memoryMb: c.memoryMb, share: c.share, quotaUs: c.quota.quotaUs, periodUs: c.quota.periodUs })) },
    };

    // ── part 2: what the limits cost ──
    progress("disconnect: what one message costs (DynamoDB calls and capacity units, with and without the rate check)");
    const costTable = "limit-costs";
    await raw.send(new CreateTableCommand((await dynamo.call("tableDefinition", { tableName: costTable })) as CreateTableCommandInput));
    await standIn.call("configure", { gone: [], throttleOnce: [], latencyMs });
    const scenarios = await measureLimitCosts({ client, tableName: costTable, dynamo, sender: parentSenders.senderFor({ domainName: "bench", stage: STAGE }), roomSize: 5, newId: apiGatewayId });

    return [
      {
        name: "disconnect",
        title: `$disconnect at the room limit: ${roomCount} rooms, M others in each (latency ${latencyMs} ms, 2% gone; median of ${repetitions})`,
        columns,
        rows,
        notes,
        raw: {
          latencyMs,
          repetitions,
          roomCount,
          fanOutConcurrency: concurrency,
          function: config,
          quota: primary === undefined ? { unavailable: noQuota } : { quotaUs: primary.quota.quotaUs, periodUs: primary.quota.periodUs },
          machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadAtStart, loadAtEnd: os.loadavg() },
          cells: summary,
        },
      },
      memoryReport,
      costReport(scenarios),
    ];
  } finally {
    parentSenders.destroy();
    raw.destroy();
    await full.close();
    // A group can only be removed once its runner has exited.
    for (const c of capped) {
      await c.runner.close();
      try {
        c.quota.remove();
      } catch (error) {
        progress(`disconnect: could not remove ${c.quota.path}: ${(error as Error).message}`);
      }
    }
    await standIn.close();
    await dynamo.close();
  }
}

/** One row per request: its calls, the limit's share of them, and the ratios to its baseline. */
function costReport(scenarios: readonly CostScenario[]): BenchReport {
  const columns = ["request", "variant", "answer", "DynamoDB calls, in order", "calls", "the limit's calls", "calls vs without", "RCU", "WCU", "capacity units vs without"];
  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  const units = (s: CostStats): number => s.readUnits + s.writeUnits;
  const callsOf = (s: CostStats): number => s.trace.length;
  const limitUnits = (sc: CostScenario): number => sc.limitCalls.reduce((sum, c) => sum + c.readUnits + c.writeUnits, 0);
  const describe = (sc: CostScenario): string =>
    sc.stats.trace.map((c) => `${c.action} ${c.target}${c.error === undefined ? "" : ` ✗${c.error.replace(/Exception$/, "")}`}`).join("; ");
  for (const sc of scenarios) {
    const base = sc.baseline === undefined ? undefined : scenarios.find((o) => o.request === sc.request && o.variant === sc.baseline);
    // Without a measured baseline, the request without the limit is this one minus the limit's calls.
    const baseCalls = base === undefined ? callsOf(sc.stats) - sc.limitCalls.length : callsOf(base.stats);
    const baseUnits = base === undefined ? units(sc.stats) - limitUnits(sc) : units(base.stats);
    const isBaseline = sc.limit === "—";
    const estimated = (n: number): string => (n > 0 ? ` (${n} est.)` : "");
    rows.push([
      sc.request,
      sc.variant,
      sc.outcome,
      describe(sc),
      callsOf(sc.stats),
      isBaseline ? "—" : `${sc.limitCalls.length}: ${sc.limitCalls.map((c) => `${c.action}${c.error === undefined ? "" : " ✗"}`).join(", ")}`,
      isBaseline ? "1.00×" : `${ratio(callsOf(sc.stats), baseCalls)}${base === undefined ? " (by subtraction)" : ""}`,
      `${sc.stats.readUnits}${estimated(sc.stats.estimatedReadUnits)}`,
      `${sc.stats.writeUnits}${estimated(sc.stats.estimatedWriteUnits)}`,
      isBaseline ? "1.00×" : ratio(units(sc.stats), baseUnits),
    ]);
  }
  const steady = scenarios.find((s) => s.request.startsWith("onMessage") && s.variant.startsWith("any other"));
  const first = scenarios.find((s) => s.request.startsWith("onMessage") && s.variant.startsWith("first"));
  const base = scenarios.find((s) => s.request.startsWith("onMessage") && s.limit === "—");
  if (steady && first && base) {
    notes.push(
      `one onMessage costs ${callsOf(base.stats)} DynamoDB calls without the rate check and ${callsOf(steady.stats)} with it (${ratio(callsOf(steady.stats), callsOf(base.stats))}); ` +
        `the first message of each minute costs ${callsOf(first.stats)} (${ratio(callsOf(first.stats), callsOf(base.stats))}): its UpdateItem fails the same-window condition and a second one starts the window`,
    );
  }
  notes.push(
    "capacity units as dynalite computes them for the base table (writes: 1 per started KB; reads: 1 per started 4 KB, half for eventually consistent ones), plus two estimates (est.): " +
      "a failed conditional write, which DynamoDB charges by the item's size (1 WCU here), and a read that found nothing, which dynalite charges 0 and DynamoDB rounds up to 4 KB (1 RCU, 0.5 eventually consistent)",
  );
  notes.push("not in the WCU column: index writes. The rate count lives on the connection item, which is not in the room index, so it adds none; memberships (joinRoom, $connect, $disconnect) each add one index write");
  notes.push("✗ marks a call that failed its condition (ConditionalCheckFailed); posts to @connections are not DynamoDB calls and are left out");
  return {
    name: "limit-costs",
    title: "What the limits cost one request: DynamoDB calls and capacity units, with and without each check",
    columns,
    rows,
    notes,
    raw: { scenarios: scenarios.map((s) => ({ request: s.request, variant: s.variant, limit: s.limit, outcome: s.outcome, baseline: s.baseline ?? null, calls: s.stats.calls, trace: s.stats.trace })) },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes("--quick");
  for (const report of await disconnectBench(quick)) publish(report, quick);
  process.exit(process.exitCode ?? 0);
}
