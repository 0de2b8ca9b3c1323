import type { Clock } from "./clock.ts";
import { parseClientMessage } from "./client-message.ts";
import { UnknownConnectionError, type ConnectionStore, type NameClaims } from "./connection-store.ts";
import type { NameFrame } from "../../contract/frames.ts";
import { isSignedIn, type Identity } from "./identity.ts";
import type { Logger } from "./logger.ts";
import type { ActionInput } from "./room-actions.ts";
import { readSetNameRequest } from "./requests.ts";

export interface SetNameDependencies {
  readonly store: ConnectionStore & NameClaims;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * `setName`: gives this connection a new display name, which its later
 * messages, presence and private messages use. The name must follow the
 * naming rules (`invalid_name`) and must not be held by another user
 * (`name_taken`), so nobody can pass as someone who is signed in. Other
 * connections of the same user keep their name.
 *
 * A signed-in user's new name is bound to them for `nameBindingSeconds` (it
 * is the name their next connection gets), and the name it replaces is
 * freed unless another of their connections still shows it: renaming is how
 * a user gives a name up.
 */
export async function setName(
  input: ActionInput & { readonly authorized?: Identity },
  dependencies: SetNameDependencies,
  settings: { readonly maxMessageBytes: number; readonly connectionTtlSeconds: number; readonly nameBindingSeconds: number },
): Promise<NameFrame> {
  const { name } = readSetNameRequest(parseClientMessage(input.body, settings.maxMessageBytes));
  const { store, clock, logger } = dependencies;
  // The authorizer's context carries the user id on every event; without one, the connection record does.
  const userId = input.authorized?.userId ?? (await store.connection(input.connectionId))?.userId;
  if (userId === undefined) {
    throw new UnknownConnectionError(input.connectionId);
  }
  const nowSeconds = Math.floor(clock.now().getTime() / 1000);
  const signedIn = isSignedIn(userId);
  const expiresAt = nowSeconds + (signedIn ? settings.nameBindingSeconds : settings.connectionTtlSeconds);
  await store.claimName({ name, userId, expiresAt, nowSeconds });
  if (signedIn) {
    // Before the rename, which frees the old name only when it is no longer the bound one.
    await store.bindName({ userId, name, expiresAt });
  }
  const renamed = await store.rename(input.connectionId, name);
  if (renamed === undefined) {
    throw new UnknownConnectionError(input.connectionId);
  }
  logger.info("name set", { previousName: renamed.previousName, userName: name });
  return { type: "name", name, userId };
}
