import { InvalidJsonError, TooLargeError } from "./client-errors.ts";

/** A message body a client sent, parsed: always a JSON object. */
export type ClientMessage = Readonly<Record<string, unknown>>;

/**
 * Parses a MESSAGE body. The limit counts UTF-8 bytes of the whole body, as
 * API Gateway does for frames, and is checked before parsing so an oversized
 * body costs no JSON work.
 */
export function parseClientMessage(body: string | undefined, maxBytes: number): ClientMessage {
  const text = body ?? "";
  const bytes = utf8ByteLength(text);
  if (bytes > maxBytes) {
    throw new TooLargeError(bytes, maxBytes);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidJsonError({ cause: error });
  }
  // Arrays and null parse fine but cannot carry an action.
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidJsonError();
  }
  return value as ClientMessage;
}

/** The message's `action` when it is a string; anything else counts as no action. */
export function actionOf(message: ClientMessage): string | undefined {
  return typeof message["action"] === "string" ? message["action"] : undefined;
}

/** UTF-8 length without building the encoded bytes. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      // A surrogate pair is one code point of four bytes.
      bytes += 4;
      i++;
    } else bytes += 3; // includes a lone surrogate, which TextEncoder writes as U+FFFD (3 bytes)
  }
  return bytes;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
