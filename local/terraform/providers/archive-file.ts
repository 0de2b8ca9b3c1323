import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync, type Stats } from "node:fs";
import path from "node:path";
import { Zip, ZipDeflate } from "fflate";
import { EmulatorError } from "../../errors.ts";
import { blockList, optionalBool, optionalString, optionalStringList, requiredString, toText } from "./arguments.ts";
import { defineProvider, once } from "./computed.ts";
import { globToRegExp } from "./glob-match.ts";
import { InvalidArgumentError, type InstanceInputs, type LocalProvider } from "./local-provider.ts";

/**
 * `archive_file` (hashicorp/archive), the data source and its deprecated
 * managed twin: zips a file, a folder or inline content, writes the zip to
 * `output_path`, and reports its size and hashes, so a function's `filename`
 * and `source_code_hash` can refer to it as they do with the real provider.
 *
 * Entries follow the provider (v2.7): a folder is walked in name order, inline
 * `source` blocks are sorted by file name, files keep their Unix mode (or
 * `output_file_mode`), inline content has none, and every entry is stamped
 * 2049-01-01 00:00, which is what Go's zip writer makes of the zero time the
 * provider sets (the provider leaves inline entries at DOS time 0, which fflate
 * cannot write). The deflate stream is fflate's, so the bytes and hashes are
 * stable from run to run but differ from the real provider's.
 *
 * @see https://registry.terraform.io/providers/hashicorp/archive/latest/docs/data-sources/file
 * @see https://github.com/hashicorp/terraform-provider-archive/blob/main/internal/provider/zip_archiver.go
 */

/** An archive `type` other than zip: the emulator builds Lambda packages, which are zips. */
export class UnsupportedArchiveTypeError extends EmulatorError {
  constructor(
    readonly address: string,
    readonly archiveType: string,
  ) {
    super(`${address}: archive_file type "${archiveType}" is not supported by the emulator, which builds only type = "zip" (the format Lambda deploys)`);
  }
}

/** The sources cannot be archived: a missing file or folder, or nothing left to archive. */
export class ArchiveSourceError extends EmulatorError {
  constructor(
    readonly address: string,
    readonly argument: string,
    detail: string,
  ) {
    super(`${address}: ${argument}: ${detail}`);
  }
}

/** What was written: its size and hashes, as the provider reports them. */
interface WrittenArchive {
  readonly size: number;
  readonly md5: string;
  readonly sha1: string;
  readonly sha256: Buffer;
  readonly sha512: Buffer;
}

interface ArchiveEntry {
  readonly name: string;
  readonly data: Uint8Array;
  /** Unix permission bits (with setuid, setgid, sticky), for entries made from files; inline content has none. */
  readonly mode?: number;
}

// Go's zip writer turns the zero time.Time the provider sets into this DOS date. fflate writes local time,
// so the instant is built in local time to land on the same DOS fields in every time zone.
const ENTRY_TIME = new Date(2049, 0, 1, 0, 0, 0);
const S_IFREG = 0o100000;
const UNIX = 3;
const SOURCE_ARGUMENTS = ["source_dir", "source_file", "source_content_filename", "source"] as const;

function archiveFile(mode: "managed" | "data"): LocalProvider {
  return defineProvider(
    mode,
    "archive_file",
    (instance) => {
      const written = once(() => writeArchive(instance));
      return {
        output_size: () => written().size,
        output_md5: () => written().md5,
        output_sha: () => written().sha1,
        output_sha256: () => written().sha256.toString("hex"),
        output_base64sha256: () => written().sha256.toString("base64"),
        output_sha512: () => written().sha512.toString("hex"),
        output_base64sha512: () => written().sha512.toString("base64"),
        id: () => written().sha1,
      };
    },
    // Terraform builds the zip whenever it reads the data source, whether or not anything uses the hashes.
    (_instance, attributes) => void attributes.id!(),
  );
}

function writeArchive(instance: InstanceInputs): WrittenArchive {
  const archiveType = requiredString(instance, "type", "the archive");
  if (archiveType !== "zip") throw new UnsupportedArchiveTypeError(instance.address, archiveType);
  const output = path.resolve(instance.context.cwd, requiredString(instance, "output_path", "the archive"));
  const bytes = zipEntries(readEntries(instance));
  mkdirSync(path.dirname(output), { recursive: true });
  writeFileSync(output, bytes);
  // Hash what is on disk, as the provider does, so the values describe the file a function will load.
  const written = readFileSync(output);
  const digest = (algorithm: string) => createHash(algorithm).update(written).digest();
  return { size: written.length, md5: digest("md5").toString("hex"), sha1: digest("sha1").toString("hex"), sha256: digest("sha256"), sha512: digest("sha512") };
}

/** The entries of whichever one source the configuration names, checked the way the provider's validators check. */
function readEntries(instance: InstanceInputs): ArchiveEntry[] {
  const { address } = instance;
  const sourceBlocks = blockList(instance.argument("source"), address, "source");
  const set = {
    source_dir: optionalString(instance, "source_dir"),
    source_file: optionalString(instance, "source_file"),
    source_content_filename: optionalString(instance, "source_content_filename"),
    source: sourceBlocks.length > 0 ? sourceBlocks : undefined,
  };
  const named = SOURCE_ARGUMENTS.filter((name) => set[name] !== undefined);
  const content = optionalString(instance, "source_content");
  if (named.length === 0) {
    const hint = content === undefined ? "" : " (source_content needs source_content_filename)";
    throw new InvalidArgumentError(address, "source", `one of ${SOURCE_ARGUMENTS.join(", ")} must be set${hint}`);
  }
  // source_content and source_content_filename go together; any other pair conflicts.
  if (named.length > 1) throw new InvalidArgumentError(address, named[1]!, `conflicts with ${named[0]}`);
  if (content !== undefined && set.source_content_filename === undefined) throw new InvalidArgumentError(address, "source_content", `conflicts with ${named[0]}`);
  const excludes = optionalStringList(instance, "excludes");
  if (excludes !== undefined && set.source_dir === undefined) throw new InvalidArgumentError(address, "excludes", `applies only to source_dir, not ${named[0]}`);

  const fileMode = parseFileMode(instance);
  const resolve = (file: string) => path.resolve(instance.context.cwd, file);
  if (set.source_dir !== undefined) {
    const entries = walkDirectory(address, resolve(set.source_dir), (excludes ?? []).filter((e) => e !== "").map(globToRegExp), optionalBool(instance, "exclude_symlink_directories") === true, fileMode);
    if (entries.length === 0) throw new ArchiveSourceError(address, "source_dir", "archive has not been created as it would be empty");
    return entries;
  }
  if (set.source_file !== undefined) {
    const file = resolve(set.source_file);
    if (!existsSync(file)) throw new ArchiveSourceError(address, "source_file", `could not archive missing file: ${set.source_file}`);
    return [{ name: path.basename(file), data: readFileSync(file), mode: fileMode ?? statSync(file).mode & 0o7777 }];
  }
  if (set.source_content_filename !== undefined) {
    return [{ name: set.source_content_filename, data: Buffer.from(content ?? "") }];
  }
  // Blocks form a set keyed by file name: a repeated name keeps one content; the zip lists names sorted.
  const byName = new Map<string, string>();
  sourceBlocks.forEach((block, index) => {
    const filename = toText(block.filename, address, `source[${index}].filename`);
    const text = toText(block.content, address, `source[${index}].content`);
    if (filename === undefined || text === undefined) throw new InvalidArgumentError(address, `source[${index}]`, "content and filename are required");
    byName.set(filename, text);
  });
  return [...byName.keys()].sort(compareBytes).map((name) => ({ name, data: Buffer.from(byName.get(name)!) }));
}

/**
 * The files under `root` in the order Go's filepath.Walk visits them (names
 * sorted within each folder), named relative to `root`. An excluded folder is
 * skipped whole; linked files are followed, linked folders too unless excluded.
 */
function walkDirectory(address: string, root: string, excludes: readonly RegExp[], skipLinkedFolders: boolean, fileMode: number | undefined): ArchiveEntry[] {
  if (!existsSync(root)) throw new ArchiveSourceError(address, "source_dir", `could not archive missing directory: ${root}`);
  if (!statSync(root).isDirectory()) throw new ArchiveSourceError(address, "source_dir", `could not archive directory that is a file: ${root}`);
  const entries: ArchiveEntry[] = [];
  const visit = (folder: string, prefix: string) => {
    for (const name of readdirSync(folder).sort(compareBytes)) {
      const full = path.join(folder, name);
      const archivePath = prefix === "" ? name : `${prefix}/${name}`;
      const excluded = excludes.some((pattern) => pattern.test(archivePath));
      let stats: Stats = lstatSync(full);
      if (stats.isSymbolicLink()) {
        stats = statSync(full);
        if (stats.isDirectory()) {
          if (!skipLinkedFolders && !excluded) visit(realpathSync(full), archivePath);
          continue;
        }
      }
      if (excluded) continue;
      if (stats.isDirectory()) visit(full, archivePath);
      else if (stats.isFile()) entries.push({ name: archivePath, data: readFileSync(full), mode: fileMode ?? stats.mode & 0o7777 });
    }
  };
  visit(root, "");
  return entries;
}

/** `output_file_mode`, read as Go's ParseUint with base 0 reads it: `0644` is octal, `0x1a4` hex, `420` decimal. */
function parseFileMode(instance: InstanceInputs): number | undefined {
  const text = optionalString(instance, "output_file_mode");
  if (text === undefined || text === "") return undefined;
  const forms: readonly [RegExp, number][] = [
    [/^0[xX]([0-9a-fA-F_]+)$/, 16],
    [/^0[bB]([01_]+)$/, 2],
    [/^0[oO]?([0-7_]+)$/, 8],
    [/^([1-9][0-9_]*|0)$/, 10],
  ];
  let value = Number.NaN;
  for (const [form, radix] of forms) {
    const digits = form.exec(text)?.[1];
    if (digits !== undefined) {
      value = parseInt(digits.replaceAll("_", ""), radix);
      break;
    }
  }
  if (!Number.isSafeInteger(value) || value > 0xffffffff) throw new InvalidArgumentError(instance.address, "output_file_mode", `error parsing output_file_mode value: ${text}`);
  // The provider passes the number as a Go FileMode, whose setuid, setgid and sticky flags sit elsewhere: only the permissions count.
  return value & 0o777;
}

/**
 * The zip, written with fflate's streaming writer (which, like Go's, follows
 * each entry with a data descriptor). Its deflate runs synchronously, so all
 * output has arrived when end() returns.
 */
function zipEntries(entries: readonly ArchiveEntry[]): Buffer {
  const chunks: Uint8Array[] = [];
  let finished = false;
  let failure: Error | null = null;
  const zip = new Zip((error, chunk, final) => {
    if (error) failure = error;
    else chunks.push(chunk);
    if (final) finished = true;
  });
  for (const entry of entries) {
    const file = new ZipDeflate(entry.name, { level: 6 });
    file.mtime = ENTRY_TIME;
    if (entry.mode !== undefined) {
      // As Go's FileHeader.SetMode: a regular file's Unix mode in the high half, plus the DOS read-only bit when not writable.
      const permissions = entry.mode;
      file.os = UNIX;
      file.attrs = (((S_IFREG | permissions) << 16) >>> 0) + (permissions & 0o200 ? 0 : 1);
    }
    zip.add(file);
    file.push(entry.data, true);
  }
  zip.end();
  if (failure) throw failure;
  if (!finished) throw new Error("the zip writer did not finish synchronously");
  return Buffer.concat(chunks);
}

/** Go sorts names byte by byte. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The archive providers: `data "archive_file"` and the deprecated `resource "archive_file"`. */
export const archiveProviders: readonly LocalProvider[] = [archiveFile("data"), archiveFile("managed")];
