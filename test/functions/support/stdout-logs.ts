import { vi } from "vitest";

/**
 * The JSON lines the handlers write to stdout during `run`. Adapters log to
 * stdout as on Lambda; this reads them back without changing the adapters.
 */
export async function stdoutLogsOf<T>(run: () => Promise<T>): Promise<{ readonly result: T; readonly logs: Record<string, unknown>[] }> {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    written.push(typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk));
    return true;
  });
  try {
    const result = await run();
    const logs = written
      .join("")
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { result, logs };
  } finally {
    spy.mockRestore();
  }
}
