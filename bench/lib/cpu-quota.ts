/**
 * A CPU quota for one process: a cgroup v1 `cpu` sub-group with
 * `cpu.cfs_quota_us / cpu.cfs_period_us` set to the share of one core
 * wanted, the way Lambda gives a function CPU in proportion to its memory.
 * Needs a writable /sys/fs/cgroup/cpu (root, cgroup v1); `tryCpuQuota`
 * answers why not otherwise, so the caller can fall back to an estimate.
 *
 * @see https://docs.kernel.org/scheduler/sched-bwc.html
 */
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const CPU_ROOT = "/sys/fs/cgroup/cpu";

export interface CpuQuota {
  /** The share of one core, e.g. 0.145. */
  readonly share: number;
  readonly periodUs: number;
  readonly quotaUs: number;
  readonly path: string;
  /** Moves a process (all its threads) into the group. */
  add(pid: number): void;
  /** Microseconds the group spent throttled so far (cpu.stat `throttled_time`, ns → µs). */
  throttledUs(): number;
  /** Removes the group; its processes must have exited. */
  remove(): void;
}

/** Makes the group, or says why it cannot. */
export function tryCpuQuota(share: number, name = `wsstack-bench-${process.pid}`): CpuQuota | { readonly unavailable: string } {
  const dir = path.join(CPU_ROOT, name);
  try {
    mkdirSync(dir);
  } catch (error) {
    return { unavailable: `cannot create ${dir}: ${(error as Error).message}` };
  }
  try {
    const periodUs = Number(readFileSync(path.join(dir, "cpu.cfs_period_us"), "utf8").trim());
    const quotaUs = Math.round(share * periodUs);
    writeFileSync(path.join(dir, "cpu.cfs_quota_us"), String(quotaUs));
    return {
      share,
      periodUs,
      quotaUs,
      path: dir,
      add: (pid) => writeFileSync(path.join(dir, "cgroup.procs"), String(pid)),
      throttledUs: () => {
        const line = readFileSync(path.join(dir, "cpu.stat"), "utf8").split("\n").find((l) => l.startsWith("throttled_time "));
        return line === undefined ? 0 : Number(line.split(" ")[1]) / 1000;
      },
      remove: () => rmdirSync(dir),
    };
  } catch (error) {
    rmdirSync(dir);
    return { unavailable: `cannot set a quota in ${dir}: ${(error as Error).message}` };
  }
}
