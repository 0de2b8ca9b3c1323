/** `joinRoom`: adds the connection to a room, answers with the members' names and tells the others. */
import { broadcastRoute } from "./aws/broadcast-route.ts";
import { joinRoom } from "./core/room-actions.ts";

export const handler = broadcastRoute(joinRoom);
