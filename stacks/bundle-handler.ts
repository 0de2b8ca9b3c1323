import { buildSync } from "esbuild";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Where a handler was bundled, and the facts the stack and the benchmarks need about it. */
export interface HandlerBundle {
  /** Folder holding exactly `index.mjs`; zipped as the function's asset. */
  readonly directory: string;
  /** The Lambda `handler` setting for that folder. */
  readonly handler: string;
  /** Size of `index.mjs` in bytes. */
  readonly bytes: number;
  /** Hash of the bundle's content: unchanged source gives an unchanged hash. */
  readonly contentHash: string;
}

/** Options for {@link bundleHandler}. */
export interface BundleHandlerOptions {
  /** Absolute path of the handler's entry file. */
  readonly entry: string;
  /** Folder under which each bundle gets its own subfolder. */
  readonly outRoot: string;
  /** Subfolder name, unique per function. */
  readonly name: string;
  /**
   * Minify the bundle.
   * @default true
   */
  readonly minify?: boolean;
}

// Lambda's nodejs22.x runs ESM natively; the SDK still has CommonJS parts that
// call require(), which an ESM bundle lacks unless we give it one.
const REQUIRE_SHIM = 'import { createRequire as __wsstackCreateRequire } from "node:module"; const require = __wsstackCreateRequire(import.meta.url);';

/**
 * Bundles one handler with esbuild into `<outRoot>/<name>/index.mjs`.
 *
 * The bundle targets node20 so the same file runs in the local emulator (Node
 * 20 here) and on Lambda's nodejs22.x. The AWS SDK is bundled, not marked
 * external: tree-shaken it is small, and a pinned copy makes local and
 * deployed behaviour the same.
 *
 * The output folder is only rewritten when the content changes, so the asset
 * hash (and the function's `source_code_hash`) stays stable across synths.
 */
export function bundleHandler(options: BundleHandlerOptions): HandlerBundle {
  if (!existsSync(options.entry)) {
    throw new HandlerEntryNotFoundError(options.entry);
  }
  const result = buildSync({
    entryPoints: [options.entry],
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    // Prefer ESM builds: the SDK's CommonJS builds defeat tree-shaking (about 37% larger).
    mainFields: ["module", "main"],
    target: "node20",
    minify: options.minify ?? true,
    treeShaking: true,
    legalComments: "none",
    banner: { js: REQUIRE_SHIM },
    logLevel: "silent",
  });
  const code = result.outputFiles[0]!.contents;
  const contentHash = createHash("sha256").update(code).digest("hex");
  const directory = path.join(options.outRoot, options.name);
  const file = path.join(directory, "index.mjs");
  const unchanged = existsSync(file) && createHash("sha256").update(readFileSync(file)).digest("hex") === contentHash;
  if (!unchanged) {
    // Write beside and rename, so a concurrent reader never sees half a bundle.
    mkdirSync(directory, { recursive: true });
    const staging = `${file}.${process.pid}.tmp`;
    writeFileSync(staging, code);
    rmSync(file, { force: true });
    renameSync(staging, file);
  }
  return { directory, handler: "index.handler", bytes: code.byteLength, contentHash };
}

/** The route manifest names a handler file that does not exist. */
export class HandlerEntryNotFoundError extends Error {
  constructor(readonly entry: string) {
    super(`Handler entry not found: ${entry}. Check the 'entry' of its route in functions/routes.ts.`);
    this.name = "HandlerEntryNotFoundError";
  }
}
