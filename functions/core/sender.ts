/**
 * The sender port: delivers one frame to one connection (the `@connections`
 * API on AWS).
 *
 * Implementations reject with the service's error as is: the fan-out tells a
 * gone connection from throttling by the error's `name` (see send-failure.ts).
 */
export interface Sender {
  post(connectionId: string, data: Uint8Array): Promise<void>;
}
