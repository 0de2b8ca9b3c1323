import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ChatUser } from "./chat-user.ts";

/**
 * `wsstack emulate <stack> --dev-issuer` in a child process, so a test can
 * kill it the hard way (SIGKILL: no close frames, no `$disconnect`, nothing
 * flushed on purpose), as a crashed host or a lost region would.
 */

const BIN = fileURLToPath(new URL("../../../bin/wsstack.js", import.meta.url));

export class ChatProcess {
  private output = "";

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly issuer: string,
    readonly dynamoDbEndpoint: string,
    private readonly exited: Promise<number | null>,
    output: string,
  ) {
    this.output = output;
    child.stdout!.on("data", (chunk: Buffer) => (this.output += chunk.toString("utf8")));
    child.stderr!.on("data", (chunk: Buffer) => (this.output += chunk.toString("utf8")));
  }

  /** Starts the emulator on a free port and resolves once it serves (its start-up TTL sweep done). */
  static async start(stackDir: string, extraArgs: readonly string[]): Promise<ChatProcess> {
    const child = spawn(process.execPath, [BIN, "emulate", stackDir, "--port", "0", "--dev-issuer", ...extraArgs], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    let output = "";
    const ready = await new Promise<{ url: string; issuer: string; dynamo: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the emulator did not start within 60 s:\n${output}`)), 60_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString("utf8");
        const url = /WebSocket URL: (ws:\/\/\S+)/.exec(output)?.[1];
        const issuer = /curl -s '(http:\/\/\S+?\/_dev)\/token/.exec(output)?.[1];
        const dynamo = /DynamoDB: (http:\/\/\S+)/.exec(output)?.[1];
        if (url && issuer && dynamo) {
          clearTimeout(timer);
          child.stdout!.off("data", onData);
          child.stderr!.off("data", onData);
          resolve({ url, issuer, dynamo });
        }
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`the emulator exited (${code}) before serving:\n${output}`));
      });
    });
    return new ChatProcess(child, ready.url, ready.issuer, ready.dynamo, exited, output);
  }

  /** Everything the process printed. */
  log(): string {
    return this.output;
  }

  async signIn(name: string): Promise<ChatUser> {
    const response = await fetch(`${this.issuer}/token?name=${encodeURIComponent(name)}`);
    if (!response.ok) throw new Error(`dev issuer answered ${response.status} for ${name}`);
    const { token } = (await response.json()) as { token: string };
    return ChatUser.open(`${this.url}?token=${token}`, name);
  }

  /** SIGKILL: the process ends at once; its sockets are reset by the OS, `$disconnect` never runs. */
  async kill(): Promise<void> {
    this.child.kill("SIGKILL");
    await this.exited;
  }

  /** SIGTERM: the emulator's clean shutdown. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGTERM");
    await this.exited;
  }
}
