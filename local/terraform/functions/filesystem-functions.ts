import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TerraformFunction } from "../functions.ts";
import { defineFunction, fail, STRING } from "./function-spec.ts";

/**
 * Terraform's file and path functions. Relative paths are relative to the
 * directory Terraform runs in (not to the module), and `~` is the user's
 * home, as in Terraform; paths are handled with Go's (POSIX) rules.
 *
 * @see https://developer.hashicorp.com/terraform/language/functions/file
 */
export function filesystemFunctions(cwd: string): Record<string, TerraformFunction> {
  const contents = (name: string, read: (bytes: Buffer, given: string) => string): TerraformFunction =>
    defineFunction(name, { params: [{ name: "path", type: STRING }], impl: ([given]) => read(readFile(cwd, given as string), given as string) });
  return {
    file: contents("file", (bytes, given) => {
      try {
        return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      } catch {
        return fail(
          `contents of ${JSON.stringify(given)} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead`,
        );
      }
    }),
    filebase64: contents("filebase64", (bytes) => bytes.toString("base64")),
    filebase64sha256: contents("filebase64sha256", (bytes) => createHash("sha256").update(bytes).digest("base64")),
    filesha256: contents("filesha256", (bytes) => createHash("sha256").update(bytes).digest("hex")),
    filebase64sha512: contents("filebase64sha512", (bytes) => createHash("sha512").update(bytes).digest("base64")),
    filemd5: contents("filemd5", (bytes) => createHash("md5").update(bytes).digest("hex")),
    filesha1: contents("filesha1", (bytes) => createHash("sha1").update(bytes).digest("hex")),
    filesha512: contents("filesha512", (bytes) => createHash("sha512").update(bytes).digest("hex")),

    fileexists: defineFunction("fileexists", {
      params: [{ name: "path", type: STRING }],
      impl: ([given]) => {
        const resolved = resolvePath(cwd, given as string);
        let stat;
        try {
          stat = statSync(resolved);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") return false;
          return fail(`failed to stat ${JSON.stringify(resolved)}`);
        }
        if (stat.isFile()) return true;
        if (stat.isDirectory()) return fail(`${JSON.stringify(resolved)} is a directory, not a file`);
        return fail(`${JSON.stringify(resolved)} is not a regular file`);
      },
    }),

    basename: pathFunction("basename", goBase),
    dirname: pathFunction("dirname", goDir),
    abspath: pathFunction("abspath", (given) => (path.posix.isAbsolute(given) ? goClean(given) : goClean(path.posix.join(cwd, given)))),
  };
}

function pathFunction(name: string, apply: (given: string) => string): TerraformFunction {
  return defineFunction(name, { params: [{ name: "path", type: STRING }], impl: ([given]) => apply(given as string) });
}

function readFile(cwd: string, given: string): Buffer {
  const resolved = resolvePath(cwd, given);
  try {
    return readFileSync(resolved);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      fail(
        `no file exists at ${JSON.stringify(given)}; this function works only with files that are distributed as part of the configuration source code, so if this file will be created by a resource in this configuration you must instead obtain this result from an attribute of that resource`,
      );
    }
    return fail(`failed to read file: ${(error as Error).message}`);
  }
}

/** `~` expanded, then made absolute against the working directory. */
function resolvePath(cwd: string, given: string): string {
  let expanded = given;
  if (given === "~" || given.startsWith("~/")) expanded = os.homedir() + given.slice(1);
  else if (given.startsWith("~")) fail("failed to expand ~: cannot expand user-specific home dir");
  return goClean(path.posix.isAbsolute(expanded) ? expanded : path.posix.join(cwd, expanded));
}

/** Go's filepath.Clean: like path.normalize, but "" is "." and there is no trailing slash. */
function goClean(given: string): string {
  if (given === "") return ".";
  const normalized = path.posix.normalize(given);
  return normalized.length > 1 && normalized.endsWith("/") ? normalized.slice(0, -1) : normalized;
}

/** Go's filepath.Base: the last element, trailing slashes ignored; "" is "." and "/" stays "/". */
function goBase(given: string): string {
  if (given === "") return ".";
  const trimmed = given.replace(/\/+$/, "");
  if (trimmed === "") return "/";
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** Go's filepath.Dir: everything before the last slash, cleaned. */
function goDir(given: string): string {
  return goClean(given.slice(0, given.lastIndexOf("/") + 1));
}
