/** `leaveRoom`: removes the connection from a room and tells the others. */
import { broadcastRoute } from "./aws/broadcast-route.ts";
import { leaveRoom } from "./core/room-actions.ts";

export const handler = broadcastRoute(leaveRoom);
