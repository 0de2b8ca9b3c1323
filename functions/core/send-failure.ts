/**
 * How the fan-out reads a failed post. It goes by the error's `name` and HTTP
 * status rather than by class, so it needs no SDK import and works for any
 * sender that reports failures the way the AWS SDK does.
 */

/** 410: the connection no longer exists, so its id is stale and can be pruned. */
export function isGone(error: unknown): boolean {
  return nameOf(error) === "GoneException";
}

/** 429: API Gateway is throttling us, or the client's buffer is full; worth a short wait and a retry. */
export function isThrottled(error: unknown): boolean {
  return nameOf(error) === "LimitExceededException" || httpStatusOf(error) === 429;
}

/** The 5xx statuses AWS SDKs treat as transient: the service failed this once, and may not the next time. */
const TRANSIENT_STATUSES: ReadonlySet<unknown> = new Set([500, 502, 503, 504]);

/**
 * A transient fault on the service's side: 500, 502, 503, 504, or an
 * `InternalServerErrorException` however it arrived. A timeout is not one
 * (retrying it would cost another full timeout).
 */
export function isServerFault(error: unknown): boolean {
  return nameOf(error) === "InternalServerErrorException" || TRANSIENT_STATUSES.has(httpStatusOf(error));
}

/** Worth another attempt after a short wait: throttling or a transient server fault. */
export function isTransient(error: unknown): boolean {
  return isThrottled(error) || isServerFault(error);
}

function nameOf(error: unknown): unknown {
  return typeof error === "object" && error !== null ? (error as { name?: unknown }).name : undefined;
}

// AWS SDK v3 errors carry the response status in `$metadata.httpStatusCode`.
function httpStatusOf(error: unknown): unknown {
  if (typeof error !== "object" || error === null) return undefined;
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata;
  return metadata?.httpStatusCode;
}
