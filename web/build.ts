import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadWebAssets } from "./site.ts";

/**
 * `npm run build:web`: writes the page as static files (index.html, app.js,
 * style.css) for any static host or for opening against a deployed API with
 * `?ws=wss://…/<stage>`. No config.json is written: a deployed page learns the
 * API from its URL (see web/README.md).
 */

const root = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(process.argv[2] ?? path.join(root, "..", ".build", "web"));
mkdirSync(outDir, { recursive: true });
for (const [route, asset] of await loadWebAssets(root, { release: true })) {
  writeFileSync(path.join(outDir, route.slice(1)), asset.body);
}
console.log(`web page written to ${path.relative(process.cwd(), outDir) || "."}/ (index.html, app.js, style.css)`);
