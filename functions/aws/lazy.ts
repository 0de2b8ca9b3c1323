/**
 * Builds a value on first use and keeps it for the life of the container, so
 * SDK clients and their sockets are reused across invocations. A build that
 * throws is not kept: the next invocation tries again.
 */
export function lazy<T>(build: () => T): () => T {
  let built: { readonly value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}
