/** `typingIndicator`: tells the room's other members that the sender is typing, or stopped; stores nothing. */
import { broadcastRoute } from "./aws/broadcast-route.ts";
import { typingIndicator } from "./core/room-actions.ts";

export const handler = broadcastRoute(typingIndicator);
