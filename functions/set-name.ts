/** `setName`: sets the connection's display name. */
import { readSetNameSettings } from "./aws/settings.ts";
import { twoWayRoute } from "./aws/two-way-route.ts";
import { setName } from "./core/set-name.ts";

export const handler = twoWayRoute(readSetNameSettings, ({ connectionId, body, authorized, settings, ...dependencies }) =>
  setName(
    authorized === undefined ? { connectionId, body } : { connectionId, body, authorized },
    dependencies,
    { maxMessageBytes: settings.maxMessageBytes, connectionTtlSeconds: settings.connectionTtlSeconds, nameBindingSeconds: settings.nameBindingSeconds },
  ),
);
