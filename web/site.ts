import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/**
 * The chat web page as `wsstack dev` serves it on the emulator's port:
 * `/` (index.html), `/app.js` (web/src/main.ts bundled by esbuild, in memory),
 * `/style.css`, and `/config.json`, which tells the page where the WebSocket
 * API is and how to sign in. A deployed copy of the same files (npm run
 * build:web) has no config.json and reads `?ws=` and `?token=` instead.
 */

/** The folder holding index.html, style.css and src/. */
export const WEB_ROOT = path.dirname(fileURLToPath(import.meta.url));

/** What `/config.json` tells the page (web/src/config.ts reads it). */
export interface WebConfig {
  /** `ws://127.0.0.1:3001/dev` */
  readonly webSocketUrl: string;
  /** Whether `$connect` wants `?token=`; when false the page connects with `?name=`. */
  readonly auth: boolean;
  /** `http://127.0.0.1:3001/_dev` when the dev issuer signs tokens; null otherwise. */
  readonly devIssuer: string | null;
  /** The stack's `max_message_bytes`, when set: the page refuses bigger messages before sending. */
  readonly maxMessageBytes?: number;
}

export interface WebAsset {
  readonly body: Buffer;
  readonly contentType: string;
  /** Strong validator derived from the content, so a browser revalidates cheaply and never keeps a stale bundle. */
  readonly etag: string;
}

export interface BundleOptions {
  /** Minified, without a source map: for `npm run build:web`. @default false (readable, with an inline source map, for dev) */
  readonly release?: boolean;
}

/** Bundles the page's script (one ES module, no runtime dependency). */
export async function bundleWebApp(root = WEB_ROOT, options: BundleOptions = {}): Promise<Buffer> {
  const result = await build({
    entryPoints: [path.join(root, "src", "main.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    sourcemap: options.release ? false : "inline",
    minify: options.release ?? false,
    write: false,
    logLevel: "silent",
  });
  return Buffer.from(result.outputFiles[0]!.contents);
}

export function asset(body: Buffer | string, contentType: string): WebAsset {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  return { body: bytes, contentType, etag: `"${createHash("sha256").update(bytes).digest("base64url").slice(0, 27)}"` };
}

/** The static files of the page, loaded once. */
export async function loadWebAssets(root = WEB_ROOT, options: BundleOptions = {}): Promise<Map<string, WebAsset>> {
  const [html, css, script] = await Promise.all([readFile(path.join(root, "index.html")), readFile(path.join(root, "style.css")), bundleWebApp(root, options)]);
  return new Map([
    ["/index.html", asset(html, "text/html; charset=utf-8")],
    ["/style.css", asset(css, "text/css; charset=utf-8")],
    ["/app.js", asset(script, "text/javascript; charset=utf-8")],
  ]);
}

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  // No inline script or style, and no third-party origin: user text can never become code.
  "content-security-policy": "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
};

/** Mounted by `wsstack dev` through the emulator's `pages` option (local/server.ts HttpPage). */
export class WebSite {
  constructor(
    private readonly assets: ReadonlyMap<string, WebAsset>,
    private readonly config: WebConfig,
  ) {}

  static async create(config: WebConfig, root = WEB_ROOT): Promise<WebSite> {
    return new WebSite(await loadWebAssets(root), config);
  }

  handles(rawPath: string): boolean {
    return rawPath === "/" || rawPath === "/config.json" || rawPath === "/favicon.ico" || this.assets.has(rawPath);
  }

  async handle(request: IncomingMessage, response: ServerResponse, rawPath: string): Promise<void> {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return void response.writeHead(405, { allow: "GET, HEAD" }).end();
    }
    if (rawPath === "/favicon.ico") return void response.writeHead(204).end();
    const found = rawPath === "/config.json" ? asset(JSON.stringify(this.config), "application/json; charset=utf-8") : this.assets.get(rawPath === "/" ? "/index.html" : rawPath)!;
    if (request.headers["if-none-match"] === found.etag) {
      return void response.writeHead(304, { etag: found.etag, ...SECURITY_HEADERS }).end();
    }
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      "content-type": found.contentType,
      "content-length": found.body.length,
      etag: found.etag,
      "cache-control": "no-cache",
    });
    response.end(request.method === "HEAD" ? undefined : found.body);
  }
}
