import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The folder rules of docs/ARCHITECTURE.md: which project folder may import
// which. Packages (node:, npm) are not checked here; only the arrows between
// the project's own folders.

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Folder → the project folders its files may import (its own is always allowed). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  contract: [],
  local: [],
  functions: ["contract"],
  web: ["contract"],
  stacks: ["contract"],
  dev: ["local", "contract", "web"],
  scripts: ["stacks", "contract"],
  "main.ts": ["stacks", "contract"],
  bench: ["contract", "functions", "local", "stacks", "dev", "web", "bin"],
};

const FOLDERS = ["contract", "local", "functions", "web", "stacks", "dev", "scripts", "bench", "test", "bin", "main.ts"];

function filesUnder(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (statSync(full).isFile()) return /\.(ts|mts|js|mjs|cjs)$/.test(entry) ? [entry] : [];
  return readdirSync(full).filter((name) => name !== "node_modules" && !name.startsWith(".")).flatMap((name) => filesUnder(path.join(entry, name)));
}

/** The project folder each relative import of `file` lands in. */
function importedFolders(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"`]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
  return specifiers
    .filter((specifier) => specifier.startsWith("."))
    .map((specifier) => path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), specifier)).split(path.sep)[0]!)
    .filter((folder) => FOLDERS.includes(folder));
}

const FOLDER_OF = (file: string) => file.split(path.sep)[0]!;

describe("import rules", () => {
  for (const [folder, allowed] of Object.entries(MAY_IMPORT)) {
    it(`${folder} imports only ${allowed.length === 0 ? "itself" : allowed.join(", ")}`, () => {
      const files = filesUnder(folder);
      expect(files.length).toBeGreaterThan(0);
      const violations = files.flatMap((file) => importedFolders(file).filter((to) => to !== FOLDER_OF(file) && !allowed.includes(to)).map((to) => `${file} → ${to}/`));
      expect(violations).toEqual([]);
    });
  }

  it("the check sees imports (one that exists is found)", () => {
    expect(importedFolders("dev/cli.ts")).toEqual(expect.arrayContaining(["local", "contract", "web"]));
    expect(importedFolders("functions/connect.ts")).toContain("contract");
  });
});
