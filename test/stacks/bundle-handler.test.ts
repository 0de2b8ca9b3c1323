import { unzipSync } from "fflate";
import { copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { bundleHandler, bundleHandlers } from "../../stacks/bundle-handler.ts";
import { ECHO_HANDLER, tempBundleRoot } from "./synth-helpers.ts";

function handlerCopy(): string {
  const entry = path.join(mkdtempSync(path.join(os.tmpdir(), "wsstack-entry-")), "handler.ts");
  copyFileSync(ECHO_HANDLER, entry);
  return entry;
}

describe("bundleHandler", () => {
  it("zip: holds exactly index.mjs, an ESM module exporting handler", async () => {
    const bundle = bundleHandler({ entry: ECHO_HANDLER, outRoot: tempBundleRoot(), name: "echo" });
    const files = unzipSync(readFileSync(bundle.zipFile));
    expect(Object.keys(files)).toEqual(["index.mjs"]);
    const module = path.join(path.dirname(bundle.zipFile), "index.mjs");
    expect(Buffer.from(files["index.mjs"]!).equals(readFileSync(module))).toBe(true);
    const { handler } = (await import(pathToFileURL(module).href)) as { handler: (e: unknown) => Promise<unknown> };
    await expect(handler({ body: "hi" })).resolves.toEqual({ statusCode: 200, body: "hi" });
    expect(bundle.handler).toBe("index.handler");
  });

  it("zip: the same source gives the same bytes, anywhere and any time", () => {
    const a = bundleHandler({ entry: ECHO_HANDLER, outRoot: tempBundleRoot(), name: "echo" });
    const b = bundleHandler({ entry: ECHO_HANDLER, outRoot: tempBundleRoot(), name: "echo" });
    expect(readFileSync(a.zipFile).equals(readFileSync(b.zipFile))).toBe(true);
    expect(a.zipSha256).toBe(b.zipSha256);
  });

  it("cache: an unchanged handler is not rebuilt", () => {
    const outRoot = tempBundleRoot();
    const first = bundleHandler({ entry: ECHO_HANDLER, outRoot, name: "echo" });
    const writtenAt = statSync(first.zipFile).mtimeMs;
    const second = bundleHandler({ entry: ECHO_HANDLER, outRoot, name: "echo" });
    expect(statSync(second.zipFile).mtimeMs).toBe(writtenAt);
    expect(second).toEqual(first);
  });

  it("cache: a changed input is rebuilt", () => {
    const outRoot = tempBundleRoot();
    const entry = handlerCopy();
    const before = bundleHandler({ entry, outRoot, name: "h" });
    writeFileSync(entry, "export const handler = async () => ({ statusCode: 204 });\n");
    const after = bundleHandler({ entry, outRoot, name: "h" });
    expect(after.zipSha256).not.toBe(before.zipSha256);
    expect(readFileSync(path.join(path.dirname(after.zipFile), "index.mjs"), "utf8")).toContain("204");
  });

  it("bundleHandlers: builds in parallel what bundleHandler would build, and fills its cache", async () => {
    const outRoot = tempBundleRoot();
    const jobs = [
      { entry: ECHO_HANDLER, outRoot, name: "one" },
      { entry: handlerCopy(), outRoot, name: "two" },
    ];
    const parallel = await bundleHandlers(jobs);
    const writtenAt = parallel.map((b) => statSync(b.zipFile).mtimeMs);
    const sequential = jobs.map((j) => bundleHandler(j));
    expect(sequential).toEqual(parallel);
    expect(sequential.map((b) => statSync(b.zipFile).mtimeMs)).toEqual(writtenAt);
    expect(new Set(parallel.map((b) => b.zipSha256)).size).toBe(1);
  });
});
