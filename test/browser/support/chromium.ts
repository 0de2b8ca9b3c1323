import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** Debian's chromium (apt), not a browser playwright downloads: nothing is fetched at test time. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export class MissingChromiumError extends Error {
  constructor(path: string) {
    super(`chromium is not at ${path} (set CHROMIUM_PATH to use another): install it: apt-get install -y chromium`);
    this.name = "MissingChromiumError";
  }
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new MissingChromiumError(CHROMIUM_PATH);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // No sandbox: containers run as root without user namespaces. The rest keeps chromium from calling home.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
