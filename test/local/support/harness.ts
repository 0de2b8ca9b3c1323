import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../../local/emulator.ts";
import type { GatewayOptions } from "../../../local/options.ts";
import { ApiGatewayManagementApiClient } from "@aws-sdk/client-apigatewaymanagementapi";
import { TestClient } from "./client.ts";
import { ControlServer } from "./control.ts";
import { baseDocument, writeStack, type TerraformJson } from "./stack.ts";

/** One emulator on a free port over a fixture stack, with its control server and an SDK client. */
export interface Harness {
  readonly emulator: RunningEmulator;
  readonly control: ControlServer;
  readonly sdk: ApiGatewayManagementApiClient;
  readonly logs: string[];
  /** Opens a client and returns it with the connection id and connectedAt its $connect event carried. */
  connect(): Promise<{ client: TestClient; cid: string; connectedAt: number }>;
  close(): Promise<void>;
}

export async function startHarness(
  options: { document?: TerraformJson; gateway?: Partial<GatewayOptions>; emulator?: Partial<Omit<EmulatorOptions, "source" | "log" | "gateway">> } = {},
): Promise<Harness> {
  const control = new ControlServer();
  await control.start();
  const logs: string[] = [];
  const emulator = await startEmulator({
    source: writeStack(options.document ?? baseDocument()),
    port: 0,
    apiId: "abc123",
    gateway: options.gateway,
    ...options.emulator,
    variables: { control_url: control.url, ...options.emulator?.variables },
    log: (line) => logs.push(line),
  });
  const sdk = new ApiGatewayManagementApiClient({
    endpoint: emulator.managementEndpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  return {
    emulator,
    control,
    sdk,
    logs,
    async connect() {
      const client = await TestClient.open(emulator.url);
      const context = control.of("$connect").at(-1)!.event.requestContext;
      return { client, cid: context.connectionId as string, connectedAt: context.connectedAt as number };
    },
    async close() {
      sdk.destroy();
      await emulator.close();
      await control.stop();
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
