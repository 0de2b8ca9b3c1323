/**
 * Cold start: for every function, the bundle's raw and zipped size and the
 * median time to import it in a fresh worker (what a Lambda init pays for
 * module evaluation), next to an empty module measured the same way.
 *
 * Run alone: `npx tsx bench/cold-start.ts [--quick]`.
 */
import { buildSync } from "esbuild";
import { zipSync } from "fflate";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { AUTHORIZER, LAMBDA_ROUTES } from "../contract/routes.ts";
import { bundleHandler } from "../stacks/bundle-handler.ts";
import { progress, publish, type BenchReport } from "./lib/report.ts";
import { median, ratio } from "./lib/stats.ts";

const FUNCTIONS_DIR = fileURLToPath(new URL("../functions/", import.meta.url));
const ZIP_TARGET = 150 * 1024;
const RAW_TARGET = 500 * 1024;

// Each sample is a new worker: a new V8 isolate with an empty module cache, as a new container has.
async function importTimeMs(file: string): Promise<number> {
  const source = `
    const { parentPort } = require("node:worker_threads");
    const start = performance.now();
    import(${JSON.stringify(pathToFileURL(file).href)}).then(
      () => parentPort.postMessage(performance.now() - start),
      (err) => parentPort.postMessage({ error: String(err) }),
    );`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true });
    worker.once("message", (m: number | { error: string }) => {
      void worker.terminate();
      typeof m === "number" ? resolve(m) : reject(new Error(m.error));
    });
    worker.once("error", reject);
  });
}

async function medianImportMs(file: string, samples: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) times.push(await importTimeMs(file));
  return median(times);
}

function zippedBytes(file: string): number {
  // Deflate level 9, as stacks/bundle-handler.ts writes the function zips.
  return zipSync({ "index.mjs": [readFileSync(file), { level: 9, mtime: new Date(2020, 0, 1) }] }).byteLength;
}

export async function coldStart(quick: boolean): Promise<BenchReport> {
  const samples = quick ? 3 : 20;
  const out = mkdtempSync(path.join(os.tmpdir(), "wsstack-cold-"));
  const empty = path.join(out, "empty.mjs");
  writeFileSync(empty, "export const handler = async () => ({ statusCode: 200 });\n");
  progress(`cold start: empty module, ${samples} samples`);
  const emptyMs = await medianImportMs(empty, samples);

  const functions = [...LAMBDA_ROUTES.map((r) => ({ name: r.name, entry: r.entry })), { name: AUTHORIZER.name, entry: AUTHORIZER.entry }];
  const rows: (string | number)[][] = [["(empty module)", 0, 0, emptyMs.toFixed(1), "1.00×"]];
  const raw: Record<string, unknown> = { emptyMs, samples };
  let worst = { raw: 0, zip: 0 };
  for (const fn of functions) {
    progress(`cold start: ${fn.name}`);
    const bundle = bundleHandler({ entry: path.join(FUNCTIONS_DIR, fn.entry), outRoot: out, name: fn.name });
    const file = path.join(path.dirname(bundle.zipFile), "index.mjs");
    const zip = bundle.zipBytes;
    const ms = await medianImportMs(file, samples);
    worst = { raw: Math.max(worst.raw, bundle.bytes), zip: Math.max(worst.zip, zip) };
    rows.push([fn.name, (bundle.bytes / 1024).toFixed(1), (zip / 1024).toFixed(1), ms.toFixed(1), ratio(ms, emptyMs)]);
    raw[fn.name] = { rawBytes: bundle.bytes, zipBytes: zip, initMedianMs: ms };
  }

  // The alternative: leave @aws-sdk/* to the copy in Lambda's runtime.
  progress("cold start: on-message with @aws-sdk/* external");
  // Inside the project, so the external SDK resolves from node_modules as Lambda's runtime would provide it.
  const externalFile = fileURLToPath(new URL("../.build/bench/on-message-external.mjs", import.meta.url));
  buildSync({
    entryPoints: [path.join(FUNCTIONS_DIR, "on-message.ts")],
    bundle: true, format: "esm", platform: "node", target: "node20", minify: true,
    mainFields: ["module", "main"], external: ["@aws-sdk/*", "@smithy/*"], outfile: externalFile, logLevel: "silent",
    banner: { js: 'import { createRequire as __r } from "node:module"; const require = __r(import.meta.url);' },
  });
  const externalBytes = readFileSync(externalFile).byteLength;
  const externalMs = await medianImportMs(externalFile, samples);
  rows.push(["on-message, SDK external", (externalBytes / 1024).toFixed(1), (zippedBytes(externalFile) / 1024).toFixed(1), externalMs.toFixed(1), ratio(externalMs, emptyMs)]);
  raw["on-message-sdk-external"] = { rawBytes: externalBytes, initMedianMs: externalMs };

  const bundledOnMessage = (raw["on-message"] as { initMedianMs: number } | undefined)?.initMedianMs;
  return {
    name: "cold-start",
    title: `Cold start: bundle size and init time (median of ${samples} fresh workers)`,
    columns: ["function", "raw KB", "zip KB", "init ms (median)", "vs empty"],
    rows,
    notes: [
      `largest zip ${(worst.zip / 1024).toFixed(1)} KB (target ≤ 150 KB): ${worst.zip <= ZIP_TARGET ? "met" : "MISSED"}`,
      `largest raw bundle ${(worst.raw / 1024).toFixed(1)} KB (target ≤ 500 KB): ${worst.raw <= RAW_TARGET ? "met" : "MISSED"}`,
      `SDK external: init ${externalMs.toFixed(1)} ms vs bundled ${bundledOnMessage?.toFixed(1) ?? "?"} ms (${ratio(externalMs, bundledOnMessage)}); locally it resolves the SDK from node_modules, on Lambda from the runtime's copy, whose version we would not control`,
    ],
    raw,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  publish(await coldStart(process.argv.includes("--quick")), process.argv.includes("--quick"));
}
