import { createJsonLogger } from "../../../functions/aws/json-logger.ts";
import type { Logger } from "../../../functions/core/logger.ts";

/** The real JSON logger, writing into an array instead of stdout. */
export function captureLogs(): { readonly logger: Logger; readonly lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createJsonLogger({ level: "debug", write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}
