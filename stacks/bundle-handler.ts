import { build, buildSync, type BuildOptions, type Metafile } from "esbuild";
import { zipSync } from "fflate";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Where a handler was bundled and zipped, and the facts the stack and the benchmarks need about it. */
export interface HandlerBundle {
  /** The deployment package: a zip holding exactly `index.mjs`. */
  readonly zipFile: string;
  /** The Lambda `handler` setting for that zip. */
  readonly handler: string;
  /** Size of `index.mjs` in bytes. */
  readonly bytes: number;
  /** Size of the zip in bytes. */
  readonly zipBytes: number;
  /**
   * Base64 SHA-256 of the zip: what Lambda reports as `CodeSha256`, so
   * Terraform sees no change unless the code changed.
   */
  readonly zipSha256: string;
}

/** Options for {@link bundleHandler}. */
export interface BundleHandlerOptions {
  /** Absolute path of the handler's entry file. */
  readonly entry: string;
  /** Folder under which each bundle gets its own subfolder. */
  readonly outRoot: string;
  /** Subfolder name, unique per function. */
  readonly name: string;
}

// Lambda's nodejs22.x runs ESM natively; the SDK still has CommonJS parts that
// call require(), which an ESM bundle lacks unless we give it one.
const REQUIRE_SHIM = 'import { createRequire as __wsstackCreateRequire } from "node:module"; const require = __wsstackCreateRequire(import.meta.url);';

/**
 * The bundle targets node20 so the same file runs in the local emulator (Node
 * 20 here) and on Lambda's nodejs22.x. The AWS SDK is bundled, not marked
 * external: tree-shaken it is small, loads faster than the runtime's copy
 * (see bench/cold-start.ts), and a pinned copy makes local and deployed
 * behaviour the same.
 */
const ESBUILD_OPTIONS = {
  bundle: true,
  write: false,
  format: "esm",
  platform: "node",
  target: "node20",
  // Prefer ESM builds: the SDK's CommonJS builds defeat tree-shaking (about 37% larger).
  mainFields: ["module", "main"],
  minify: true,
  treeShaking: true,
  legalComments: "none",
  banner: { js: REQUIRE_SHIM },
  metafile: true,
  logLevel: "silent",
} as const satisfies BuildOptions;

const OPTIONS_HASH = sha256Hex(JSON.stringify(ESBUILD_OPTIONS));
// A fixed timestamp: the same code must give the same zip, byte for byte.
const ZIP_MTIME = new Date(Date.UTC(2020, 0, 1));

/** What the last build of one handler read, so an unchanged handler is not rebuilt. */
interface BuildRecord {
  readonly optionsHash: string;
  readonly entry: string;
  /** Every input file esbuild read, with the SHA-256 of its content then. */
  readonly inputs: Record<string, string>;
  readonly bytes: number;
  readonly zipBytes: number;
  readonly zipSha256: string;
}

/**
 * Bundles one handler with esbuild and zips it, into `<outRoot>/<name>/`.
 *
 * Cached by content: when every file the previous build read is unchanged,
 * the previous zip is reused without running esbuild.
 */
export function bundleHandler(options: BundleHandlerOptions): HandlerBundle {
  const cached = reusable(options);
  if (cached) return cached;
  assertEntryExists(options.entry);
  const result = buildSync({ ...ESBUILD_OPTIONS, entryPoints: [options.entry] });
  return writeBundle(options, result.outputFiles[0]!.contents, result.metafile);
}

/**
 * Bundles many handlers at once, in parallel, filling the cache that
 * {@link bundleHandler} then reads. Synth calls it before building the
 * construct tree, whose constructors can only run synchronously.
 */
export async function bundleHandlers(all: readonly BundleHandlerOptions[]): Promise<HandlerBundle[]> {
  return Promise.all(
    all.map(async (options) => {
      const cached = reusable(options);
      if (cached) return cached;
      assertEntryExists(options.entry);
      const result = await build({ ...ESBUILD_OPTIONS, entryPoints: [options.entry] });
      return writeBundle(options, result.outputFiles[0]!.contents, result.metafile);
    }),
  );
}

function paths(options: BundleHandlerOptions) {
  const directory = path.join(options.outRoot, options.name);
  return { directory, zipFile: path.join(directory, "function.zip"), record: path.join(directory, "build.json") };
}

function reusable(options: BundleHandlerOptions): HandlerBundle | undefined {
  const { zipFile, record } = paths(options);
  if (!existsSync(record) || !existsSync(zipFile)) return undefined;
  let previous: BuildRecord;
  try {
    previous = JSON.parse(readFileSync(record, "utf8")) as BuildRecord;
  } catch {
    return undefined;
  }
  if (previous.optionsHash !== OPTIONS_HASH || previous.entry !== options.entry) return undefined;
  for (const [file, hash] of Object.entries(previous.inputs)) {
    if (!existsSync(file) || sha256Hex(readFileSync(file)) !== hash) return undefined;
  }
  return { zipFile, handler: "index.handler", bytes: previous.bytes, zipBytes: previous.zipBytes, zipSha256: previous.zipSha256 };
}

function writeBundle(options: BundleHandlerOptions, code: Uint8Array, metafile: Metafile): HandlerBundle {
  const { directory, zipFile, record } = paths(options);
  mkdirSync(directory, { recursive: true });
  const zip = zipSync({ "index.mjs": [code, { level: 9, mtime: ZIP_MTIME }] });
  const zipSha256 = createHash("sha256").update(zip).digest("base64");
  // esbuild's input paths are relative to its working directory.
  const inputs = Object.fromEntries(
    Object.keys(metafile.inputs).map((input) => {
      const file = path.resolve(input);
      return [file, sha256Hex(readFileSync(file))];
    }),
  );
  writeAtomically(zipFile, zip);
  writeFileSync(path.join(directory, "index.mjs"), code);
  const built: BuildRecord = { optionsHash: OPTIONS_HASH, entry: options.entry, inputs, bytes: code.byteLength, zipBytes: zip.byteLength, zipSha256 };
  writeAtomically(record, JSON.stringify(built));
  return { zipFile, handler: "index.handler", bytes: built.bytes, zipBytes: built.zipBytes, zipSha256 };
}

// Write beside and rename, so a concurrent reader never sees half a file.
function writeAtomically(file: string, data: Uint8Array | string): void {
  const staging = `${file}.${process.pid}.tmp`;
  writeFileSync(staging, data);
  renameSync(staging, file);
}

function assertEntryExists(entry: string): void {
  if (!existsSync(entry)) throw new HandlerEntryNotFoundError(entry);
}

function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The route manifest names a handler file that does not exist. */
export class HandlerEntryNotFoundError extends Error {
  constructor(readonly entry: string) {
    super(`Handler entry not found: ${entry}. Check the 'entry' of its route in contract/routes.ts.`);
    this.name = "HandlerEntryNotFoundError";
  }
}
