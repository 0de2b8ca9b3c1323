import { describe, expect, it } from "vitest";
import { emulatorOptions, parseArgs, startDevServer, USAGE } from "../../dev/cli.ts";
import { DevIssuer, ExposedDevIssuerError } from "../../dev/dev-issuer.ts";

// The DEV-ONLY issuer signs a token for any name: it must never be reachable
// from another machine. These checks run before anything is synthesized,
// bundled or listened on, so no stack is needed.

describe("dev issuer exposure", () => {
  it("dev: a non-loopback --host is refused while the issuer would be mounted, with the reason and the alternatives", async () => {
    for (const host of ["0.0.0.0", "::", "192.168.1.20", "devbox.lan"]) {
      const started = startDevServer({ source: "no-stack-needed", port: 0, host, allowedHosts: ["devbox.lan"], log: () => undefined });
      await expect(started, host).rejects.toThrow(ExposedDevIssuerError);
      await expect(started, host).rejects.toThrow(
        `the DEV-ONLY token issuer signs a token for any name, so anyone who reaches it can sign in as anyone: it runs only on a loopback --host (127.0.0.1, localhost, ::1), not ${JSON.stringify(host)}.`,
      );
    }
  });

  it("issuer: DevIssuer.create refuses a non-loopback origin and accepts loopback ones", async () => {
    await expect(DevIssuer.create("http://192.168.1.20:3001")).rejects.toThrow(ExposedDevIssuerError);
    for (const origin of ["http://127.0.0.1:3001", "http://localhost:3001", "http://[::1]:3001"]) {
      expect((await DevIssuer.create(origin)).issuer).toBe(`${origin}/_dev`);
    }
  });

  it("cli: dev knows the emulator's guard flags (none of them eats the next argument) and its usage explains the issuer rule", () => {
    const args = parseArgs(["dev", "--allow-any-host", "--unsigned-connections", "--no-throttling", "--no-auth", "--allow-host", "devbox.lan", "--skip-synth"]);
    expect(args.positional).toEqual([]);
    expect(emulatorOptions("stack", args.flags, {})).toMatchObject({ allowAnyHost: true, unsignedConnections: true, allowedHosts: ["devbox.lan"], gateway: { stageThrottling: false } });
    expect(USAGE).toContain("--allow-host NAME");
    expect(USAGE).toContain("refuses a --host other than a loopback address");
  });
});
