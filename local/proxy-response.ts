import { MalformedProxyResponseError } from "./errors.ts";

/**
 * The Lambda proxy result, checked the way API Gateway checks it: any key
 * other than these makes the whole response malformed (the middy report of
 * `{statusCode, Data, ConnectionId}` giving "Internal server error").
 */
export interface ProxyResponse {
  readonly statusCode?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[]>>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

const ALLOWED_KEYS = new Set(["statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"]);

export function parseProxyResponse(value: unknown): ProxyResponse {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new MalformedProxyResponseError(`expected an object, got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`);
  }
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !ALLOWED_KEYS.has(key));
  if (unknown.length > 0) throw new MalformedProxyResponseError(`unexpected keys ${unknown.join(", ")}`);
  const response: { -readonly [K in keyof ProxyResponse]: ProxyResponse[K] } = {};
  if (record.statusCode !== undefined && record.statusCode !== null) {
    const status = typeof record.statusCode === "string" ? Number(record.statusCode) : record.statusCode;
    if (typeof status !== "number" || !Number.isInteger(status)) throw new MalformedProxyResponseError("statusCode is not an integer");
    response.statusCode = status;
  }
  if (record.headers !== undefined && record.headers !== null) {
    if (typeof record.headers !== "object" || Array.isArray(record.headers)) throw new MalformedProxyResponseError("headers is not an object");
    const headers: Record<string, string> = {};
    for (const [name, item] of Object.entries(record.headers as Record<string, unknown>)) {
      if (item === null || typeof item === "object") throw new MalformedProxyResponseError(`header ${name} is not a scalar`);
      headers[name] = String(item);
    }
    response.headers = headers;
  }
  if (record.multiValueHeaders !== undefined && record.multiValueHeaders !== null) {
    if (typeof record.multiValueHeaders !== "object" || Array.isArray(record.multiValueHeaders)) {
      throw new MalformedProxyResponseError("multiValueHeaders is not an object");
    }
    const headers: Record<string, string[]> = {};
    for (const [name, items] of Object.entries(record.multiValueHeaders as Record<string, unknown>)) {
      if (!Array.isArray(items)) throw new MalformedProxyResponseError(`multiValueHeaders.${name} is not a list`);
      headers[name] = items.map(String);
    }
    response.multiValueHeaders = headers;
  }
  if (record.body !== undefined && record.body !== null) {
    if (typeof record.body !== "string") throw new MalformedProxyResponseError("body is not a string");
    response.body = record.body;
  }
  if (record.isBase64Encoded !== undefined && record.isBase64Encoded !== null) {
    if (typeof record.isBase64Encoded !== "boolean") throw new MalformedProxyResponseError("isBase64Encoded is not a boolean");
    response.isBase64Encoded = record.isBase64Encoded;
  }
  return response;
}

/** A header of the response, whatever its case, from `headers` or `multiValueHeaders`. */
export function responseHeader(response: ProxyResponse, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(response.headers ?? {})) if (key.toLowerCase() === lower) return value;
  for (const [key, values] of Object.entries(response.multiValueHeaders ?? {})) if (key.toLowerCase() === lower) return values.join(",");
  return undefined;
}
