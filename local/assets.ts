import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { unzipSync } from "fflate";
import { EmulatorError } from "./errors.ts";
import type { CodeSource } from "./plan.ts";

/**
 * Deployment packages → folders a worker can load.
 *
 * A zip is unpacked once into `<cacheDir>/code/<sha256 of the zip>/`, so a
 * restart with the same bundle costs nothing and a rebuilt bundle never mixes
 * with the old one. The default cache lives under the project's
 * `node_modules/.cache`, which also lets unbundled handlers import
 * `@aws-sdk/*` from the project, as the Lambda Node.js runtime provides the
 * SDK v3 to them.
 */
export class CodeCache {
  constructor(private readonly cacheDir: string) {}

  /** The folder holding the function's code, unpacked if needed. */
  prepare(source: CodeSource, address: string): string {
    if (source.kind === "directory") return source.path;
    if (source.kind === "file") return path.dirname(source.path);
    const zip = readFileSync(source.path);
    const digest = createHash("sha256").update(zip).digest("hex").slice(0, 32);
    const target = path.join(this.cacheDir, "code", digest);
    if (existsSync(path.join(target, ".complete"))) return target;
    let files: Record<string, Uint8Array>;
    try {
      files = unzipSync(zip);
    } catch (error) {
      throw new EmulatorError(`${address}: ${source.path} is not a readable zip`, { cause: error });
    }
    // Unpack beside the target and rename, so a crash never leaves half a package that looks complete.
    const staging = `${target}.${process.pid}.${Date.now()}.tmp`;
    for (const [name, content] of Object.entries(files)) {
      const destination = path.resolve(staging, name);
      if (!destination.startsWith(path.resolve(staging) + path.sep)) {
        throw new EmulatorError(`${address}: ${source.path} holds an entry outside its root (${name})`);
      }
      if (name.endsWith("/")) {
        mkdirSync(destination, { recursive: true });
        continue;
      }
      mkdirSync(path.dirname(destination), { recursive: true });
      writeFileSync(destination, content);
    }
    mkdirSync(staging, { recursive: true });
    writeFileSync(path.join(staging, ".complete"), source.path);
    try {
      renameSync(staging, target);
    } catch (error) {
      // Another emulator unpacked the same zip first: its copy is identical.
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(path.join(target, ".complete"))) throw new EmulatorError(`${address}: cannot unpack ${source.path}`, { cause: error });
    }
    return target;
  }
}

/** `node_modules/.cache/wsstack` of the nearest project above `from`, or undefined. */
export function defaultCacheDir(from: string): string | undefined {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, "node_modules"))) return path.join(dir, "node_modules", ".cache", "wsstack");
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
