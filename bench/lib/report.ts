import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const RESULTS_DIR = fileURLToPath(new URL("../results/", import.meta.url));

/** One benchmark's output: a markdown table for people and the raw numbers for machines. */
export interface BenchReport {
  readonly name: string;
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
  /** Lines printed under the table: targets met or missed, and why. */
  readonly notes: readonly string[];
  readonly raw: unknown;
}

export function markdownTable(columns: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = (r: readonly (string | number)[]) => `| ${r.map((c) => String(c)).join(" | ")} |`;
  return [cells(columns), `|${columns.map(() => "---").join("|")}|`, ...rows.map(cells)].join("\n");
}

/** Prints the report and writes `bench/results/<name>.json`. */
export function publish(report: BenchReport, quick: boolean): void {
  process.stdout.write(`\n### ${report.title}${quick ? " (quick)" : ""}\n\n${markdownTable(report.columns, report.rows)}\n\n`);
  for (const note of report.notes) process.stdout.write(`- ${note}\n`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${report.name}${quick ? ".quick" : ""}.json`);
  writeFileSync(file, `${JSON.stringify({ ...report, quick, measuredAt: new Date().toISOString(), node: process.version }, null, 2)}\n`);
}

/** Progress on stderr, so the tables on stdout stay clean. */
export function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}
