/**
 * The timeout and memory a route function (`$disconnect`, the message route
 * that broadcasts, …) is deployed with, read
 * from the stack's source: BundledFunction's defaults
 * (`timeout: props.timeoutSeconds ?? 10`, `memorySize: props.memorySize ?? 256`),
 * which ChatBackend's route functions take as they are. Read from the source
 * rather than a synth, which bundles every function and takes tens of
 * seconds; if ChatBackend starts setting either prop, this fails and says
 * so, rather than report a margin against the wrong timeout.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Lambda gives a function one vCPU's worth of CPU at this memory size, and CPU in proportion below it. */
export const MB_PER_VCPU = 1_769;

export interface FunctionConfig {
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** memoryMb / MB_PER_VCPU: the share of one core the function gets. */
  readonly cpuShare: number;
  /** Where the numbers were read. */
  readonly source: string;
}

const read = (relative: string): string => readFileSync(fileURLToPath(new URL(`../../${relative}`, import.meta.url)), "utf8");

/** The same for every route today: ChatBackend gives none of them its own timeout or memory (checked). `route` only names it in errors and notes. */
export function routeFunctionConfig(route: string): FunctionConfig {
  const bundled = read("stacks/bundled-function.ts");
  const timeout = /timeout:\s*props\.timeoutSeconds\s*\?\?\s*(\d+)/.exec(bundled);
  const memory = /memorySize:\s*props\.memorySize\s*\?\?\s*(\d+)/.exec(bundled);
  if (timeout === null || memory === null) {
    throw new Error("stacks/bundled-function.ts no longer reads `timeout: props.timeoutSeconds ?? N` and `memorySize: props.memorySize ?? N`: update bench/lib/function-config.ts");
  }
  const backend = read("stacks/chat-backend.ts");
  const overridden = ["timeoutSeconds", "memorySize"].filter((prop) => new RegExp(`\\b${prop}\\b`).test(backend));
  if (overridden.length) {
    throw new Error(`stacks/chat-backend.ts now sets ${overridden.join(" and ")} on its functions: read the ${route} function's own value in bench/lib/function-config.ts`);
  }
  const memoryMb = Number(memory[1]);
  return {
    timeoutSeconds: Number(timeout[1]),
    memoryMb,
    cpuShare: memoryMb / MB_PER_VCPU,
    source: `stacks/bundled-function.ts defaults (stacks/chat-backend.ts sets neither for ${route})`,
  };
}
