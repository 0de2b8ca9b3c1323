import { inject } from "vitest";
import { startDevServer, type DevServer } from "../../../local/cli.ts";

/** `wsstack dev` in-process on the stack global-setup synthesized: emulator, dev issuer and web page on one port. */
export async function startChatServer(port = 0): Promise<DevServer> {
  return startDevServer({ source: inject("stackDir"), port, log: () => undefined });
}
