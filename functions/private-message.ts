/** `privateMessage`: delivers a message to every connection of the named user. */
import { broadcastRoute } from "./aws/broadcast-route.ts";
import { privateMessage } from "./core/private-message.ts";

export const handler = broadcastRoute(privateMessage);
