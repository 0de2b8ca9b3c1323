import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TestClient } from "./support/client.ts";
import { ControlServer } from "./support/control.ts";
import { baseDocument, writeStack } from "./support/stack.ts";

// The CLI as a user runs it: bin/wsstack.js → tsx → local/cli.ts.

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const LAUNCHER = path.join(ROOT, "bin", "wsstack.js");

interface Run {
  readonly output: () => string;
  readonly exited: Promise<number | null>;
  readonly waitFor: (text: string) => Promise<void>;
  readonly signal: (signal: NodeJS.Signals) => void;
}

function run(args: string[], cwd = ROOT): Run {
  const child = spawn(process.execPath, [LAUNCHER, ...args], { cwd, env: { ...process.env, PORT: "" }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const listeners: Array<() => void> = [];
  const collect = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    for (const listener of listeners) listener();
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    output: () => output,
    exited,
    signal: (signal) => child.kill(signal),
    waitFor: (text) =>
      new Promise((resolve, reject) => {
        const check = () => output.includes(text) && resolve();
        listeners.push(check);
        check();
        void exited.then(() => (output.includes(text) ? resolve() : reject(new Error(`exited before printing "${text}":\n${output}`))));
      }),
  };
}

describe("wsstack CLI", () => {
  it("emulate refuses an HTTP integration, naming the resource and the argument", async () => {
    const document = baseDocument();
    document.resource.aws_apigatewayv2_integration!.chat_http = {
      api_id: "${aws_apigatewayv2_api.chat_api_A1B2C3.id}",
      integration_type: "HTTP",
      integration_uri: "https://example.invalid/",
    };
    document.resource.aws_apigatewayv2_route!.join_route!.target = "integrations/${aws_apigatewayv2_integration.chat_http.id}";
    const cli = run(["emulate", writeStack(document), "--port", "0"]);
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toContain('aws_apigatewayv2_integration.chat_http: integration_type "HTTP" is not supported (supported: AWS_PROXY, MOCK)');
  });

  it("emulate refuses a non-WebSocket API and a function the emulator does not have, with clear messages", async () => {
    const http = baseDocument();
    http.resource.aws_apigatewayv2_api!.chat_api_A1B2C3!.protocol_type = "HTTP";
    const first = run(["emulate", writeStack(http), "--port", "0"]);
    expect(await first.exited).toBe(1);
    expect(first.output()).toContain('aws_apigatewayv2_api.chat_api_A1B2C3: protocol_type "HTTP" is not supported (supported: WEBSOCKET)');

    const unresolved = baseDocument();
    (unresolved.resource.aws_lambda_function!.join!.environment as Array<{ variables: Record<string, string> }>)[0]!.variables.X = "${uuid()}";
    const second = run(["emulate", writeStack(unresolved), "--port", "0"]);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(
      "cdk.tf.json: aws_lambda_function.join, argument environment: the emulator does not implement Terraform's uuid() function. Compute the value another way, or pass it in with --var",
    );
  });

  it("emulate prints both URLs, serves the stack, and SIGINT closes sockets with 1001 and exits 0", async () => {
    const control = new ControlServer();
    await control.start();
    const cli = run(["emulate", path.dirname(writeStack(baseDocument())), "--port", "0", "--var", `control_url=${control.url}`]);
    try {
      await cli.waitFor("Connection URL:");
      const url = /WebSocket URL: (ws:\/\/\S+)/.exec(cli.output())![1]!;
      expect(cli.output()).toMatch(/Connection URL: http:\/\/127\.0\.0\.1:\d+\/dev\/@connections/);
      control.script("echo", { return: { statusCode: 200, body: "from the CLI" } });
      const client = await TestClient.open(url);
      client.send(JSON.stringify({ action: "echo" }));
      expect(await client.next()).toBe("from the CLI");
      cli.signal("SIGINT");
      expect((await client.closed).code).toBe(1001);
      expect(await cli.exited).toBe(0);
      expect(control.of("$disconnect")).toHaveLength(1);
    } finally {
      cli.signal("SIGKILL");
      await control.stop();
    }
  });

  it("emulate --host 0.0.0.0 without --allow-host refuses to start, naming both flags", async () => {
    const cli = run(["emulate", writeStack(baseDocument()), "--port", "0", "--host", "0.0.0.0"]);
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toContain("error: --host 0.0.0.0 makes the emulator reachable from other machines; name the hosts clients will use with --allow-host <name> (repeatable), or pass --allow-any-host");
  });

  it("dev outside a cdktf project fails with a clear message", async () => {
    const empty = mkdtempSync(path.join(tmpdir(), "wsstack-dev-"));
    const cli = run(["dev", "--port", "0"], empty);
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toContain("has no cdktf.json");
  });

  it("dev --skip-synth without a synthesized wsstack stack names the missing file", async () => {
    const project = mkdtempSync(path.join(tmpdir(), "wsstack-dev-"));
    writeFileSync(path.join(project, "cdktf.json"), "{}");
    const cli = run(["dev", "--skip-synth", "--port", "0"], project);
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toContain('cdktf.out/stacks/wsstack/cdk.tf.json does not exist: main.ts must synthesize a stack named "wsstack"');
  });
});

describe("CLI options", () => {
  it("maps flags and PORT to emulator options, converting numbers and repeating --var", async () => {
    const { emulatorOptions, parseArgs } = await import("../../local/cli.ts");
    const args = parseArgs(["emulate", "stack", "--var", "a=1", "--var=b=x=y", "--var-file", "dev.tfvars", "--idle-timeout", "1000", "--integration-timeout=200", "--data", "d"]);
    const options = emulatorOptions(args.positional[0]!, args.flags, { PORT: "4000" });
    // --var values stay text: they are read per the variable's type, as terraform -var does
    expect(options).toMatchObject({ source: "stack", port: 4000, dataDir: "d", vars: ["a=1", "b=x=y"], varFiles: ["dev.tfvars"] });
    expect(() => emulatorOptions("s", parseArgs(["emulate", "s", "--var", "novalue"]).flags, {})).toThrow('--var expects NAME=VALUE (got "novalue")');
    expect(options.gateway).toMatchObject({ idleTimeoutMs: 1000, integrationTimeoutMs: 200 });
    expect(emulatorOptions("s", parseArgs(["emulate", "s", "--port", "0"]).flags, { PORT: "4000" }).port).toBe(0);
    expect(emulatorOptions("s", parseArgs(["emulate", "s"]).flags, {}).port).toBe(3001);
    expect(() => emulatorOptions("s", parseArgs(["emulate", "s", "--port", "x"]).flags, {})).toThrow("--port must be a whole number");
  });

  it("maps --allow-host (repeatable), --allow-any-host, --unsigned-connections and --no-throttling; the defaults keep every guard on", async () => {
    const { emulatorOptions, parseArgs, EMULATE_USAGE } = await import("../../local/cli.ts");
    const args = parseArgs(["emulate", "--allow-host", "devbox.lan", "--allow-any-host", "--unsigned-connections", "--no-throttling", "--allow-host=*.localhost", "stack"]);
    expect(args.positional).toEqual(["stack"]);
    const options = emulatorOptions("stack", args.flags, {});
    expect(options).toMatchObject({ allowedHosts: ["devbox.lan", "*.localhost"], allowAnyHost: true, unsignedConnections: true });
    expect(options.gateway).toMatchObject({ stageThrottling: false });
    const defaults = emulatorOptions("stack", parseArgs(["emulate", "stack"]).flags, {});
    expect(defaults).toMatchObject({ allowedHosts: [], allowAnyHost: false, unsignedConnections: false });
    expect(defaults.gateway?.stageThrottling).toBeUndefined();
    for (const flag of ["--allow-host NAME", "--allow-any-host", "--unsigned-connections", "--no-throttling"]) expect(EMULATE_USAGE).toContain(flag);
  });
});
