import { SignJWT, type JWTPayload } from "jose";
import type { DevServer } from "../../../dev/cli.ts";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../../local/emulator.ts";
import { SETTINGS } from "../../../contract/settings.ts";
import { TestClient, HandshakeRejected } from "../../local/support/client.ts";
import { TEST_AUDIENCE, TEST_ISSUER, type JwksServer } from "../../functions/support/jwks-server.ts";
import { signIn, startChat, synthesizeChatStack, tokenFor } from "../../reliability/support/chat-stack.ts";
import { ChatUser, type Frame } from "../../reliability/support/chat-user.ts";

/**
 * What the attack tests share: the chat as users run it (the synthesized
 * stack under the emulator, real `ws` clients), people in it, and the few
 * questions every attack asks of a reply.
 */

export type { Frame } from "../../reliability/support/chat-user.ts";
export { ChatUser } from "../../reliability/support/chat-user.ts";

/** The per-describe safety limit of the attack tests: a net for a busy two-core machine, never a target. */
export const SECURITY_TIMEOUT_MS = 120_000;

/** Emulator logs on stdout when SECURITY_LOG=1, for reading a failure; quiet otherwise. */
const log = process.env["SECURITY_LOG"] === "1" ? (line: string) => console.log(line) : () => undefined;

/** The chat with the dev issuer (`wsstack dev`), with some Terraform variables set. */
export function startDevChat(variables: Record<string, unknown> = {}, options: Partial<EmulatorOptions> = {}): Promise<DevServer> {
  return startChat({ log, variables, ...options });
}

/**
 * The synthesized stack alone under the emulator, as deployed: no dev issuer,
 * so every variable not given here has the module's default. Used with a
 * test's own JWKS server standing in for the identity provider.
 */
export function startStack(variables: Record<string, unknown>): Promise<RunningEmulator> {
  return startEmulator({ source: synthesizeChatStack(), port: 0, log, variables });
}

/** The variables that point the stack's authorizer at a test JWKS server. */
export function issuerVariables(jwks: JwksServer): Record<string, string> {
  return {
    [SETTINGS.jwtIssuer.variable]: TEST_ISSUER,
    [SETTINGS.jwtAudience.variable]: TEST_AUDIENCE,
    [SETTINGS.jwksUrl.variable]: jwks.url,
  };
}

/** Signs `name` in through the dev issuer. */
export async function signedIn(dev: DevServer, name: string): Promise<ChatUser> {
  return new ChatUser(name, await signIn(dev, name));
}

/** Opens `url` (with its `?token=` or `?name=`) as a chat user. */
export async function opened(url: string, label: string): Promise<ChatUser> {
  return ChatUser.open(url, label);
}

export { tokenFor };

/** The HTTP status the handshake was refused with, or "accepted" (the connection is then closed). */
export async function handshake(url: string): Promise<number | "accepted"> {
  try {
    const client = await TestClient.open(url);
    client.close();
    await client.closed;
    return "accepted";
  } catch (error) {
    if (error instanceof HandshakeRejected) return error.status;
    throw error;
  }
}

/**
 * A token signed by the test JWKS server's key with exactly this header and
 * payload: no claim is added, so a test can leave out `sub`, `iat` or `typ`.
 */
export async function rawToken(jwks: JwksServer, payload: JWTPayload, header: { readonly typ?: string } = { typ: "JWT" }): Promise<string> {
  const key = jwks.keys.ES256;
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(key.privateKey);
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** A payload the stack accepts: our issuer and audience, issued now, valid for 5 minutes; `claims` override. */
export function claims(overrides: JWTPayload): JWTPayload {
  const now = nowSeconds();
  return { iss: TEST_ISSUER, aud: TEST_AUDIENCE, iat: now, exp: now + 300, ...overrides };
}

/** Whether `frame` answers `action`: one of the answer `types`, or an error frame naming the action. */
function answers(frame: Frame, action: unknown, types: readonly string[]): boolean {
  return (frame.type !== undefined && types.includes(frame.type)) || (frame.type === "error" && frame.requestAction === action) || (frame.type === undefined && typeof frame.message === "string");
}

/** The answer types of each two-way action. */
const ANSWERS: Record<string, readonly string[]> = {
  onMessage: ["sent"],
  privateMessage: ["sent"],
  joinRoom: ["joined"],
  leaveRoom: ["left"],
  typingIndicator: ["ack"],
  setName: ["name"],
  history: ["history"],
};

/** Sends `request` and returns its answer: the answer frame or the error frame (API Gateway's own error frames too). */
export async function reply(user: ChatUser, request: Record<string, unknown>): Promise<Frame> {
  const types = ANSWERS[String(request.action)] ?? [];
  return user.ask(request, (frame) => answers(frame, request.action, types), `an answer to ${JSON.stringify(request).slice(0, 200)}`);
}

/** Waits for a broadcast frame that `matches`, among the frames received from `since` (an index into `user.frames`) on. */
export async function received(user: ChatUser, matches: (frame: Frame) => boolean, what: string, since = 0, timeoutMs = 20_000): Promise<Frame> {
  return user.waitFor((frames) => frames.slice(since).find(matches), what, timeoutMs);
}

/** Waits until `user`'s connection is closed and the chat saw it go: `watcher` got its presence `left` in the lobby. */
export async function leave(user: ChatUser, watcher: ChatUser, shownAs: string): Promise<void> {
  const since = watcher.frames.length;
  user.close();
  await user.client.closed;
  await received(watcher, (f) => f.type === "presence" && f.event === "left" && f.user === shownAs && f.room === "lobby", `presence left of ${shownAs}`, since);
}

/** A unique piece of text per call, so a test can find exactly its own messages. */
let counter = 0;
export function unique(label: string): string {
  counter += 1;
  return `${label}-${process.pid}-${counter}`;
}

/** Sleeps `ms`: only to let frames that should not come have their chance to, never to assert a duration. */
export function settle(ms = 750): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
