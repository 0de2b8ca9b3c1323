/**
 * The error frames API Gateway sends on an open connection. The spacing is
 * copied from real captures (one space after `"message":` and after each
 * comma, none after the other colons) because clients and tests compare the
 * text; so the frames are built as strings, not with JSON.stringify.
 */
export type GatewayErrorMessage = "Forbidden" | "Internal server error" | "Endpoint request timed out" | "Too Many Requests";

export function errorFrame(message: GatewayErrorMessage, connectionId: string, requestId: string): string {
  return `{"message": ${JSON.stringify(message)}, "connectionId":${JSON.stringify(connectionId)}, "requestId":${JSON.stringify(requestId)}}`;
}
