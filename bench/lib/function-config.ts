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
import { SETTINGS, type SettingName } from "../../contract/settings.ts";

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

/**
 * The timeout every route function gets (BundledFunction's default: ChatBackend sets none), and
 * the memory of `functionName` (its name in contract/routes.ts): the default of the stack variable
 * that sizes it (stacks/chat-stack.ts MEMORY_SETTINGS, e.g. on-message → on_message_memory_mb),
 * else BundledFunction's default. `route` names it in errors and notes.
 */
export function routeFunctionConfig(route: string, functionName?: string): FunctionConfig {
  const bundled = read("stacks/bundled-function.ts");
  const timeout = /timeout:\s*props\.timeoutSeconds\s*\?\?\s*(\d+)/.exec(bundled);
  const memory = /memorySize:\s*props\.memorySize\s*\?\?\s*(\d+)/.exec(bundled);
  if (timeout === null || memory === null) {
    throw new Error("stacks/bundled-function.ts no longer reads `timeout: props.timeoutSeconds ?? N` and `memorySize: props.memorySize ?? N`: update bench/lib/function-config.ts");
  }
  const backend = read("stacks/chat-backend.ts");
  if (/\btimeoutSeconds\b/.test(backend)) {
    throw new Error(`stacks/chat-backend.ts now sets timeoutSeconds on its functions: read the ${route} function's own value in bench/lib/function-config.ts`);
  }
  // ChatBackend may size functions by name (`memorySize: props.memorySize?.[name]`), from the stack's memory variables.
  const sizedByName = /memorySize:\s*props\.memorySize\?\.\[name\]/.test(backend);
  const otherMemory = backend.split("\n").filter((line) => /^\s*memorySize:/.test(line) && !/props\.memorySize\?\.\[name\]/.test(line));
  if (otherMemory.length) {
    throw new Error(`stacks/chat-backend.ts sets memorySize in a way bench/lib/function-config.ts does not read (${otherMemory[0]!.trim()}): read the ${route} function's own value there`);
  }
  let memoryMb = Number(memory[1]);
  let source = `stacks/bundled-function.ts defaults (stacks/chat-backend.ts sets neither for ${route})`;
  if (sizedByName && functionName !== undefined) {
    const stack = read("stacks/chat-stack.ts");
    const entry = new RegExp(`\\[\\s*"${functionName}"\\s*,\\s*"(\\w+)"\\s*\\]`).exec(stack);
    if (entry !== null) {
      const setting = SETTINGS[entry[1] as SettingName] as { readonly variable: string; readonly default?: unknown };
      if (typeof setting?.default !== "number") throw new Error(`stacks/chat-stack.ts sizes ${functionName} with ${entry[1]}, which has no numeric default`);
      memoryMb = setting.default;
      source = `the timeout from stacks/bundled-function.ts; the memory from ${setting.variable}'s default (stacks/chat-stack.ts sizes ${functionName} with it)`;
    }
  }
  return {
    timeoutSeconds: Number(timeout[1]),
    memoryMb,
    cpuShare: memoryMb / MB_PER_VCPU,
    source,
  };
}
