/** `history`: answers with a page of the room's recent messages, newest first. */
import { readHistorySettings } from "./aws/settings.ts";
import { twoWayRoute } from "./aws/two-way-route.ts";
import { history } from "./core/history.ts";

export const handler = twoWayRoute(readHistorySettings, ({ connectionId, body, settings, ...dependencies }) =>
  history({ connectionId, body }, dependencies, { maxMessageBytes: settings.maxMessageBytes }),
);
