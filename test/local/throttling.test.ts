import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadPlan } from "../../local/plan.ts";
import { StageThrottle, TokenBucket } from "../../local/throttle.ts";
import { HandshakeRejected, rejectedStatus, TestClient } from "./support/client.ts";
import { startHarness, type Harness } from "./support/harness.ts";
import { baseDocument, FIXTURES, writeStack, type TerraformJson } from "./support/stack.ts";

// Stage throttling read from the stage's default_route_settings and
// route_settings (fixtures/throttled-stage.tf.json: $connect burst 3, rate 1/s;
// echo burst 1, rate 0.5/s; every other route burst 2, rate 1/s). Time is a
// fake clock handed to the emulator's token buckets: no test waits for a refill.

type Block = Record<string, unknown>;

function throttledDocument(change?: (stage: Block) => void): TerraformJson {
  const fixture = JSON.parse(readFileSync(path.join(FIXTURES, "throttled-stage.tf.json"), "utf8")) as { variable: Block; resource: { aws_apigatewayv2_stage: Record<string, Block> } };
  const document = baseDocument();
  document.resource.aws_apigatewayv2_stage = fixture.resource.aws_apigatewayv2_stage;
  document.variable = { ...(document.variable as Block), ...fixture.variable };
  change?.(fixture.resource.aws_apigatewayv2_stage.stage!);
  return document;
}

function fakeClock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** Frames of the throttle answer, as the other API Gateway error frames are spaced. */
const throttleFrame = (cid: string) => new RegExp(`^\\{"message": "Too Many Requests", "connectionId":"${cid.replace(/[+=/]/g, "\\$&")}", "requestId":"[^"]+"\\}$`);

async function until(condition: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function withHarness(options: NonNullable<Parameters<typeof startHarness>[0]>, body: (h: Harness) => Promise<void>): Promise<void> {
  // Shutdown need not wait for the $disconnects: each test starts its own emulator.
  const h = await startHarness({ ...options, gateway: { shutdownDisconnectMs: 0, ...options.gateway } });
  try {
    await body(h);
  } finally {
    await h.close();
  }
}

describe("stage throttling", () => {
  it("$connect: a burst of 6 handshakes against burst 3 gets exactly 3 × 429, and $connect runs only 3 times; after a refill it flows again", async () => {
    const clock = fakeClock();
    await withHarness({ document: throttledDocument(), emulator: { throttleClock: clock.now } }, async (h) => {
      // WHEN six clients connect at once, with no time passing
      const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => TestClient.open(h.emulator.url)));

      // THEN three get in and three get HTTP 429, and the throttled ones never reached $connect
      const statuses = outcomes.map((outcome) => (outcome.status === "fulfilled" ? 101 : (outcome.reason as HandshakeRejected).status));
      expect(statuses.filter((status) => status === 101)).toHaveLength(3);
      expect(statuses.filter((status) => status === 429)).toHaveLength(3);
      expect(h.control.of("$connect")).toHaveLength(3);
      expect(await rejectedStatus(h.emulator.url)).toBe(429);

      // AND one second later one more gets in (rate 1/s), and a long pause refills only up to the burst
      clock.advance(1_000);
      (await TestClient.open(h.emulator.url)).close();
      expect(await rejectedStatus(h.emulator.url)).toBe(429);
      clock.advance(60_000);
      for (let i = 0; i < 3; i += 1) (await TestClient.open(h.emulator.url)).close();
      expect(await rejectedStatus(h.emulator.url)).toBe(429);
      expect(h.control.of("$connect")).toHaveLength(7);
      for (const outcome of outcomes) if (outcome.status === "fulfilled") outcome.value.close();
    });
  });

  it("messages: the excess of a burst gets Too Many Requests frames and never reaches the integration; buckets are per route, shared by connections, and refill", async () => {
    const clock = fakeClock();
    await withHarness({ document: throttledDocument(), emulator: { throttleClock: clock.now } }, async (h) => {
      h.control.script("echo", { return: { statusCode: 200, body: "echoed" } });
      const { client, cid } = await h.connect();

      // WHEN five join messages arrive at once (route join: the stage default, burst 2)
      for (let n = 0; n < 5; n += 1) client.send(JSON.stringify({ action: "join", n }));

      // THEN three throttle frames come back, and only the first two messages were delivered
      for (let i = 0; i < 3; i += 1) expect(await client.next()).toMatch(throttleFrame(cid));
      await until(() => h.control.of("join").length === 2, "two join invocations");
      expect(await client.framesAfter(200)).toEqual([]);
      expect(h.control.of("join").map((i) => JSON.parse(i.event.body as string).n)).toEqual([0, 1]);

      // AND echo has its own bucket (route_settings: burst 1): one answer, then a throttle frame
      client.send(JSON.stringify({ action: "echo" }));
      expect(await client.next()).toBe("echoed");
      client.send(JSON.stringify({ action: "echo" }));
      expect(await client.next()).toMatch(throttleFrame(cid));

      // AND another connection shares the join bucket
      const other = await h.connect();
      other.client.send(JSON.stringify({ action: "join", n: 5 }));
      expect(await other.client.next()).toMatch(throttleFrame(other.cid));

      // AND one second later (rate 1/s) one more join goes through
      clock.advance(1_000);
      client.send(JSON.stringify({ action: "join", n: 6 }));
      await until(() => h.control.of("join").length === 3, "a third join invocation");
      client.send(JSON.stringify({ action: "join", n: 7 }));
      expect(await client.next()).toMatch(throttleFrame(cid));
      expect(h.control.of("join").map((i) => JSON.parse(i.event.body as string).n)).toEqual([0, 1, 6]);
      expect(h.logs.join("\n")).toMatch(/join on \S+ throttled \(stage dev route settings\); integration not invoked/);
      client.close();
      other.client.close();
    });
  });

  it("messages: without default_route_settings a route with no route_settings is not throttled; throttledMessageFrame false sends nothing", async () => {
    const clock = fakeClock();
    const document = throttledDocument((stage) => delete stage.default_route_settings);
    await withHarness({ document, gateway: { throttledMessageFrame: false }, emulator: { throttleClock: clock.now } }, async (h) => {
      h.control.script("echo", { return: { statusCode: 200, body: "echoed" } });
      const { client } = await h.connect();
      for (let n = 0; n < 10; n += 1) client.send(JSON.stringify({ action: "join", n }));
      await until(() => h.control.of("join").length === 10, "ten join invocations");
      client.send(JSON.stringify({ action: "echo" }));
      client.send(JSON.stringify({ action: "echo" }));
      expect(await client.next()).toBe("echoed");
      expect(await client.framesAfter(200)).toEqual([]);
      expect(h.control.of("echo")).toHaveLength(1);
      client.close();
    });
  });

  it("unset limits are 0, as the AWS provider sends them: every $connect gets 429 and a warning says why; stageThrottling false turns enforcement off", async () => {
    const document = throttledDocument((stage) => {
      stage.default_route_settings = { detailed_metrics_enabled: true };
      delete stage.route_settings;
    });
    await withHarness({ document }, async (h) => {
      expect(h.logs.join("\n")).toContain(
        "warning: aws_apigatewayv2_stage.stage: default_route_settings has throttling_burst_limit 0 (unset limits are 0): every route without route_settings is throttled (429) on every request, as on AWS",
      );
      expect(await rejectedStatus(h.emulator.url)).toBe(429);
      expect(h.control.of("$connect")).toEqual([]);
    });
    await withHarness({ document, gateway: { stageThrottling: false } }, async (h) => {
      const { client } = await h.connect();
      client.close();
    });
  });
});

describe("stage throttling: plan", () => {
  it("reads default_route_settings (object or one-element list) and route_settings, resolving expressions", async () => {
    const plan = await loadPlan({ source: writeStack(throttledDocument()) });
    expect(plan.stage.throttle.defaultLimits).toEqual({ burstLimit: 2, rateLimit: 1 });
    expect(Object.fromEntries(plan.stage.throttle.routeLimits)).toEqual({ $connect: { burstLimit: 3, rateLimit: 1 }, echo: { burstLimit: 1, rateLimit: 0.5 } });
    const listed = await loadPlan({ source: writeStack(throttledDocument((stage) => (stage.default_route_settings = [stage.default_route_settings]))), variables: { connect_burst: "7" } });
    expect(listed.stage.throttle.defaultLimits).toEqual({ burstLimit: 2, rateLimit: 1 });
    expect(listed.stage.throttle.routeLimits.get("$connect")).toEqual({ burstLimit: 7, rateLimit: 1 });
  });

  it("no settings: no limits; a route_settings for an undeclared route warns; a negative limit is refused with the address", async () => {
    const none = await loadPlan({ source: writeStack(baseDocument()) });
    expect(none.stage.throttle).toEqual({ defaultLimits: undefined, routeLimits: new Map() });
    const stray = await loadPlan({ source: writeStack(throttledDocument((stage) => (stage.route_settings as Block[]).push({ route_key: "nope", throttling_burst_limit: 1, throttling_rate_limit: 1 }))) });
    expect(stray.warnings).toContain('stage dev: route_settings names route "nope", which the API does not declare (AWS refuses this); ignored');
    await expect(loadPlan({ source: writeStack(throttledDocument((stage) => ((stage.default_route_settings as Block).throttling_rate_limit = -1))) })).rejects.toThrow(
      "aws_apigatewayv2_stage.stage: default_route_settings.throttling_rate_limit must be a number of at least 0",
    );
  });
});

describe("TokenBucket", () => {
  it("holds burst tokens, refills at rate per second up to burst, and never goes below empty", async () => {
    let now = 0;
    const bucket = new TokenBucket({ burstLimit: 2, rateLimit: 1 }, () => now);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
    now += 500;
    expect(bucket.take()).toBe(false);
    now += 500;
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    now += 60_000;
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
  });

  it("burst 0 throttles everything; a route without limits is never throttled", async () => {
    const throttle = new StageThrottle({ routeLimits: new Map([["$connect", { burstLimit: 0, rateLimit: 100 }]]) }, () => 0);
    expect(throttle.take("$connect")).toBe(false);
    for (let i = 0; i < 100; i += 1) expect(throttle.take("join")).toBe(true);
  });
});
