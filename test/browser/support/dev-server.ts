import { inject } from "vitest";
import { startDevServer, type DevServer } from "../../../dev/cli.ts";

/** `wsstack dev` in-process on the stack global-setup synthesized: emulator, dev issuer and web page on one port. */
export async function startChatServer(port = 0, variables: Record<string, string> = {}): Promise<DevServer> {
  return startDevServer({ source: inject("stackDir"), port, variables, log: () => undefined });
}
