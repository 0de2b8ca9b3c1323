import type { LogFields, Logger, LogLevel } from "../core/logger.ts";
import type { Environment } from "./env.ts";

export interface JsonLoggerOptions {
  /** Events below this level are dropped. */
  readonly level: LogLevel;
  /** Fields on every event. */
  readonly fields?: LogFields;
  /**
   * Where each line goes.
   * @default process.stdout: Lambda ships each stdout line to CloudWatch as one event
   */
  readonly write?: (line: string) => void;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

const SEVERITY: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * A logger that writes one JSON object per line:
 * `{"level":"INFO","timestamp":…,"message":…,<fields>}`. Errors in fields
 * are written with name, message, stack and cause, which JSON.stringify
 * would otherwise drop.
 */
export function createJsonLogger(options: JsonLoggerOptions): Logger {
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const threshold = SEVERITY[options.level];
  const base = options.fields ?? {};
  const log = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (SEVERITY[level] < threshold) return;
    const event = { level: level.toUpperCase(), timestamp: now().toISOString(), message, ...base, ...fields };
    write(JSON.stringify(event, errorsAsObjects));
  };
  return {
    debug: (message, fields) => log("debug", message, fields),
    info: (message, fields) => log("info", message, fields),
    warn: (message, fields) => log("warn", message, fields),
    error: (message, fields) => log("error", message, fields),
    child: (fields) => createJsonLogger({ ...options, write, now, fields: { ...base, ...fields } }),
  };
}

/**
 * The level from `LOG_LEVEL`, else from `AWS_LAMBDA_LOG_LEVEL` (set by
 * Lambda's advanced logging controls), else `info`. An unknown value also
 * gives `info`: a typo in a log setting should not take a handler down.
 */
export function logLevelFrom(env: Environment): LogLevel {
  const value = (env["LOG_LEVEL"] || env["AWS_LAMBDA_LOG_LEVEL"] || "info").toLowerCase();
  if (value === "trace") return "debug";
  if (value === "fatal") return "error";
  return value in SEVERITY ? (value as LogLevel) : "info";
}

function errorsAsObjects(_key: string, value: unknown): unknown {
  return value instanceof Error ? describeError(value) : value;
}

function describeError(error: Error): Record<string, unknown> {
  const described: Record<string, unknown> = { name: error.name, message: error.message, stack: error.stack };
  // AWS SDK v3 errors: the HTTP status and request id are what a search for the failure needs.
  const metadata = (error as { $metadata?: { httpStatusCode?: number; requestId?: string } }).$metadata;
  if (metadata !== undefined) {
    described["httpStatusCode"] = metadata.httpStatusCode;
    described["awsRequestId"] = metadata.requestId;
  }
  if (error.cause !== undefined) {
    described["cause"] = error.cause;
  }
  return described;
}
