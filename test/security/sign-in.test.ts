import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { RESOURCE_ENVIRONMENT, SETTINGS } from "../../contract/settings.ts";
import type { RunningEmulator } from "../../local/emulator.ts";
import type { AuthorizerEvent, AuthorizerResult, ProxyResult, WebSocketEvent } from "../../functions/aws/websocket-event.ts";
import { useDummyAwsCredentials } from "../functions/support/aws-test-environment.ts";
import { startConnectionTable, type ConnectionTableUnderTest } from "../functions/support/connection-table.ts";
import { authorizerEvent, fixtureEvent, newApiGatewayId } from "../functions/support/events.ts";
import { startJwksServer, TEST_AUDIENCE, TEST_ISSUER, type JwksServer } from "../functions/support/jwks-server.ts";
import { stdoutLogsOf } from "../functions/support/stdout-logs.ts";
import { claims, handshake, issuerVariables, nowSeconds, opened, rawToken, received, reply, SECURITY_TIMEOUT_MS, startStack, unique } from "./support/chat.ts";
import { nonLoopbackAddress, serveJwksAt } from "./support/foreign-jwks.ts";

// Attack 2, signing in as nobody or as anyone: a correctly signed token is
// not enough. It must name a subject, say when it was issued (and not too
// long ago), and be an access or ID token (typ JWT or at+jwt), not another
// kind of JWT the issuer signs (a DPoP proof, a logout token). A $connect
// that reaches the handler without the authorizer's identity, while sign-in
// is on, is refused rather than treated as a guest; and the authorizer never
// fetches its keys over plain HTTP from anywhere but this machine.

/** The environment variables these tests set, restored afterwards. */
const touched = new Map<string, string | undefined>();
function setEnv(values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) {
    if (!touched.has(name)) touched.set(name, process.env[name]);
    process.env[name] = value;
  }
}
afterAll(() => {
  for (const [name, value] of touched) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe("sign-in: which tokens open a connection (the stack under the emulator, trusting a test issuer)", { timeout: SECURITY_TIMEOUT_MS }, () => {
  let jwks: JwksServer;
  let stack: RunningEmulator;
  beforeAll(async () => {
    jwks = await startJwksServer();
    stack = await startStack(issuerVariables(jwks));
  });
  afterAll(async () => {
    await stack?.close();
    await jwks?.close();
  });

  const statusOf = async (token: string) => handshake(`${stack.url}?token=${token}`);

  it("sign-in: a correctly signed token with an empty or missing sub, no iat, or an iat older than max_token_age_seconds is refused with 401", async () => {
    const now = nowSeconds();
    const maxAge = SETTINGS.maxTokenAgeSeconds.default;
    // GIVEN tokens signed with the issuer's own key, for our audience, unexpired
    const tokens = {
      "a good token (control)": claims({ sub: "sub-good" }),
      "iat an hour ago (control)": claims({ sub: "sub-hour", iat: now - 3_600 }),
      "iat just inside max_token_age_seconds (control)": claims({ sub: "sub-inside", iat: now - maxAge + 600 }),
      "sub empty": claims({ sub: "" }),
      "no sub": claims({}),
      "no iat": { ...claims({ sub: "sub-no-iat" }), iat: undefined },
      "iat older than max_token_age_seconds, exp still ahead": claims({ sub: "sub-old", iat: now - maxAge - 600, exp: now + 300 }),
    };
    // WHEN each is used to connect
    const statuses: Record<string, number | "accepted"> = {};
    for (const [label, payload] of Object.entries(tokens)) statuses[label] = await statusOf(await rawToken(jwks, payload));
    // THEN only the controls open a connection
    expect(statuses).toStrictEqual({
      "a good token (control)": "accepted",
      "iat an hour ago (control)": "accepted",
      "iat just inside max_token_age_seconds (control)": "accepted",
      "sub empty": 401,
      "no sub": 401,
      "no iat": 401,
      "iat older than max_token_age_seconds, exp still ahead": 401,
    });
  });

  it("sign-in: a token whose header typ is another kind of JWT (DPoP proof, logout token, JOSE) is refused with 401; JWT, at+jwt (any case, application/ prefix) or no typ are accepted", async () => {
    const typs: Record<string, string | undefined> = {
      "no typ": undefined,
      JWT: "JWT",
      jwt: "jwt",
      "at+jwt": "at+jwt",
      "AT+JWT": "AT+JWT",
      "application/at+jwt": "application/at+jwt",
      "application/JWT": "application/JWT",
      "dpop+jwt": "dpop+jwt",
      "application/logout+jwt": "application/logout+jwt",
      "secevent+jwt": "secevent+jwt",
      JOSE: "JOSE",
    };
    const statuses: Record<string, number | "accepted"> = {};
    for (const [label, typ] of Object.entries(typs)) {
      const token = await rawToken(jwks, claims({ sub: `sub-typ-${label}` }), typ === undefined ? {} : { typ });
      statuses[label] = await statusOf(token);
    }
    expect(statuses).toStrictEqual({
      "no typ": "accepted",
      JWT: "accepted",
      jwt: "accepted",
      "at+jwt": "accepted",
      "AT+JWT": "accepted",
      "application/at+jwt": "accepted",
      "application/JWT": "accepted",
      "dpop+jwt": 401,
      "application/logout+jwt": 401,
      "secevent+jwt": 401,
      JOSE: 401,
    });
  });

  it("sign-in: with a valid token, ?name= is ignored: the name comes from the token", async () => {
    // GIVEN nina's token, and a ?name= asking for another name
    const token = await rawToken(jwks, claims({ sub: "sub-nina", "cognito:username": "nina" }));
    const nina = await opened(`${stack.url}?token=${token}&name=admin`, "nina");
    try {
      // WHEN she writes to the lobby
      const text = unique("who am i");
      const since = nina.frames.length;
      expect(await reply(nina, { action: "onMessage", message: text })).toMatchObject({ type: "sent" });
      // THEN her message is from nina
      expect(await received(nina, (f) => f.type === "message" && f.message === text, "her own message", since)).toMatchObject({ from: "nina" });
    } finally {
      nina.client.ws.terminate();
    }
  });
});

describe("sign-in: $connect without the authorizer's identity (the real connect handler, against dynalite)", { timeout: SECURITY_TIMEOUT_MS }, () => {
  let table: ConnectionTableUnderTest;
  beforeAll(async () => {
    useDummyAwsCredentials();
    table = await startConnectionTable();
    setEnv({ AWS_ENDPOINT_URL_DYNAMODB: table.endpoint, [RESOURCE_ENVIRONMENT.tableName]: table.tableName });
  });
  afterAll(async () => {
    await table?.close();
  });

  /** The handler as a cold container runs it, with AUTH_ENABLED as given. */
  async function connectHandler(authEnabled: boolean): Promise<(event: WebSocketEvent) => Promise<ProxyResult>> {
    setEnv({ [SETTINGS.authEnabled.environment.name]: String(authEnabled) });
    vi.resetModules();
    return ((await import("../../functions/connect.ts")) as { handler: (event: WebSocketEvent) => Promise<ProxyResult> }).handler;
  }

  function connectEvent(connectionId: string, authorizer: Record<string, unknown> | undefined): WebSocketEvent {
    // A @connections endpoint that refuses at once, should the handler announce the connection to anyone.
    const requestContext = { connectionId, domainName: "127.0.0.1:9", ...(authorizer === undefined ? {} : { authorizer }) };
    const event = fixtureEvent("connect-event", { requestContext });
    return { ...event, queryStringParameters: { name: "admin" }, multiValueQueryStringParameters: { name: ["admin"] } };
  }

  const everything = async () => (await table.client.send(new ScanCommand({ TableName: table.tableName, ConsistentRead: true }))).Items ?? [];

  it("connect: with sign-in on, a $connect with no authorizer identity (none, or a context without a user id) is refused with 403 and stores nothing, whatever ?name= says", async () => {
    // GIVEN the connect handler of a stack with auth_enabled = true
    const handler = await connectHandler(true);
    // WHEN $connect events arrive without the authorizer's identity, asking for the name "admin"
    const results = [];
    for (const authorizer of [undefined, {}, { principalId: "mallory" }, { principalId: "mallory", userName: "admin" }]) {
      const { result } = await stdoutLogsOf(() => handler(connectEvent(newApiGatewayId(), authorizer)));
      results.push(result);
    }
    // THEN each is refused, and nothing is stored: no connection, membership, user entry or name claim
    expect(results).toStrictEqual([{ statusCode: 403 }, { statusCode: 403 }, { statusCode: 403 }, { statusCode: 403 }]);
    expect(await everything()).toEqual([]);
  });

  it("connect: with sign-in off, the same $connect is a guest's (control: the harness can store a connection)", async () => {
    const handler = await connectHandler(false);
    const connectionId = newApiGatewayId();
    const { result } = await stdoutLogsOf(() => handler(connectEvent(connectionId, undefined)));
    expect(result).toStrictEqual({ statusCode: 200 });
    expect(await table.itemsOf(connectionId)).not.toEqual([]);
  });
});

describe("sign-in: the authorizer fetches keys over plain HTTP only from this machine (the real authorizer handler)", { timeout: SECURITY_TIMEOUT_MS }, () => {
  let jwks: JwksServer;
  let keySet: unknown;
  beforeAll(async () => {
    jwks = await startJwksServer();
    keySet = await (await fetch(jwks.url)).json();
  });
  afterAll(async () => {
    await jwks?.close();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** The real authorizer, as a fresh container runs it, with JWKS_URL = `jwksUrl`: allowed (its principal) or refused (its error). */
  async function authorize(jwksUrl: string, token: string): Promise<{ allowed: string } | { refused: string }> {
    setEnv({
      [SETTINGS.jwtIssuer.environment.name]: TEST_ISSUER,
      [SETTINGS.jwtAudience.environment.name]: TEST_AUDIENCE,
      [SETTINGS.jwksUrl.environment.name]: jwksUrl,
    });
    vi.resetModules();
    const { handler } = (await import("../../functions/authorizer.ts")) as { handler: (event: AuthorizerEvent) => Promise<AuthorizerResult> };
    const { result } = await stdoutLogsOf(() =>
      handler(authorizerEvent(token)).then(
        (value) => ({ allowed: value.principalId }),
        (error: unknown) => ({ refused: error instanceof Error ? error.message : String(error) }),
      ),
    );
    return result;
  }

  const token = () => rawToken(jwks, claims({ sub: "sub-mitm", "cognito:username": "admin" }));

  it("jwks: with JWKS_URL on loopback (the dev issuer's case) a good token is allowed (control)", async () => {
    expect(await authorize(jwks.url, await token())).toMatchObject({ allowed: expect.any(String) });
  });

  it("jwks: with JWKS_URL = http://evil.example/jwks.json the connection is refused (401) and nothing is fetched, even when the network would answer with keys", async () => {
    // GIVEN a network on which http://evil.example answers with the attacker's key set (the token below is signed with it)
    const realFetch = globalThis.fetch;
    const fetched: string[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (new URL(url).hostname !== "evil.example") return realFetch(input, init);
      fetched.push(url);
      return new Response(JSON.stringify(keySet), { status: 200, headers: { "content-type": "application/json" } });
    });
    // WHEN the authorizer, deployed with that URL, sees a token
    const outcome = await authorize("http://evil.example/jwks.json", await token());
    // THEN it refuses (API Gateway answers 401 to exactly "Unauthorized"), without asking evil.example anything
    expect(outcome).toStrictEqual({ refused: "Unauthorized" });
    expect(fetched).toEqual([]);
  });

  // A real interface when the machine has one; else 127.0.0.2, which Linux answers on lo but which is not
  // one of the two loopback names the rule allows: either way a reachable plain-HTTP key set the rule refuses.
  const host = nonLoopbackAddress() ?? "127.0.0.2";
  it(`jwks: with JWKS_URL = http://${host}/… (plain HTTP, not localhost or 127.0.0.1) the connection is refused (401) and the server gets no request`, async () => {
    // GIVEN the key set served over plain HTTP on a non-loopback interface
    const foreign = await serveJwksAt(host!, keySet);
    try {
      // WHEN the authorizer, deployed with that URL, sees a token signed with that key set
      const outcome = await authorize(foreign.url, await token());
      // THEN it refuses, and never asked
      expect(outcome).toStrictEqual({ refused: "Unauthorized" });
      expect(foreign.requests).toBe(0);
    } finally {
      await foreign.close();
    }
  });
});
