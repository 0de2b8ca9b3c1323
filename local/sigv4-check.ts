import type { IncomingHttpHeaders } from "node:http";

/**
 * The shape checks API Gateway makes on a SigV4-signed `@connections`
 * request, without the one it cannot: the emulator never knows the caller's
 * secret key, so it cannot recompute the signature. Any key id and secret
 * pass, as long as the request is signed the way the AWS SDK signs it:
 *
 *   Authorization: AWS4-HMAC-SHA256 Credential=<key id>/<yyyymmdd>/<region>/execute-api/aws4_request,
 *                  SignedHeaders=<…;host;…>, Signature=<64 hex digits>
 *   X-Amz-Date: <yyyymmdd>T<hhmmss>Z, within 5 minutes of now
 *
 * What this buys locally: a web page cannot post into, read or close a
 * connection (a browser cannot send `Authorization` to another origin without
 * a CORS preflight, which the emulator never grants), and a handler that
 * forgot to sign fails here as it would on AWS.
 *
 * Answers are 403 with `x-amzn-ErrorType` and `{"message": …}`. The unsigned
 * and expired texts are API Gateway's observed ones (local/README.md, "The
 * `@connections` signature check", lists sources and the [UNV] ones). The
 * Lambda Invoke API (lambda-api.ts) makes the same checks with the service
 * `lambda`; Lambda's expired-signature text is the same, with the same
 * 5-minute window (local/spec/lambda-invoke.md §2).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-elements.html
 */

export interface SignatureRefusal {
  /** `x-amzn-ErrorType`: what the SDK names the exception. */
  readonly errorType: "MissingAuthenticationTokenException" | "IncompleteSignatureException" | "InvalidSignatureException";
  readonly message: string;
}

export interface SignatureCheckOptions {
  /** The region the credential scope must name (the emulator's, `us-east-1` unless given). */
  readonly region: string;
  /** Epoch milliseconds. */
  readonly now: number;
  /**
   * The service the credential scope must name: `execute-api` for `@connections`,
   * `lambda` for the Lambda Invoke API (local/lambda-api.ts). @default "execute-api"
   */
  readonly service?: string;
}

/** How far `X-Amz-Date` may be from now: API Gateway reports "- 5 min." when it is older (see the README's sources). */
export const SIGNATURE_WINDOW_MS = 5 * 60_000;

const ALGORITHM = "AWS4-HMAC-SHA256";
const DEFAULT_SERVICE = "execute-api";
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Undefined when the request is signed as the SDK signs it; otherwise API Gateway's 403 answer. */
export function checkSignature(headers: IncomingHttpHeaders, options: SignatureCheckOptions): SignatureRefusal | undefined {
  const authorization = single(headers.authorization)?.trim();
  if (authorization === undefined || authorization === "") {
    return { errorType: "MissingAuthenticationTokenException", message: "Missing Authentication Token" };
  }
  const space = authorization.indexOf(" ");
  const algorithm = space < 0 ? authorization : authorization.slice(0, space);
  const rest = space < 0 ? "" : authorization.slice(space + 1);
  const parameters = new Map<string, string>();
  for (const part of rest.split(",").map((piece) => piece.trim()).filter((piece) => piece !== "")) {
    const eq = part.indexOf("=");
    if (eq <= 0) {
      return { errorType: "IncompleteSignatureException", message: `'${part}' not a valid key=value pair (missing equal-sign) in Authorization header: '${authorization}'.` };
    }
    parameters.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const dateHeader = single(headers["x-amz-date"]);
  const missing = [
    ...["Credential", "Signature", "SignedHeaders"].filter((name) => !parameters.has(name)).map((name) => `Authorization header requires '${name}' parameter.`),
    ...(dateHeader === undefined && headers.date === undefined ? ["Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."] : []),
  ];
  if (missing.length > 0) return { errorType: "IncompleteSignatureException", message: `${missing.join(" ")} Authorization=${authorization}` };
  if (algorithm !== ALGORITHM) {
    return { errorType: "IncompleteSignatureException", message: `Unsupported Authorization Type: '${algorithm}' (the algorithm must be ${ALGORITHM})` };
  }

  const credential = parameters.get("Credential")!.split("/");
  if (credential.length !== 5 || credential[0] === "" || credential[4] !== "aws4_request") {
    return {
      errorType: "IncompleteSignatureException",
      message: `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/aws4_request, got '${parameters.get("Credential")}'`,
    };
  }
  const [, scopeDate, scopeRegion, scopeService] = credential as [string, string, string, string, string];
  const service = options.service ?? DEFAULT_SERVICE;
  if (scopeService !== service) return { errorType: "InvalidSignatureException", message: `Credential should be scoped to correct service: '${service}'.` };
  if (scopeRegion !== options.region) return { errorType: "InvalidSignatureException", message: `Credential should be scoped to a valid region, not '${scopeRegion}'.` };

  const signedHeaders = parameters.get("SignedHeaders")!.split(";");
  if (!signedHeaders.includes("host")) {
    return { errorType: "IncompleteSignatureException", message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization." };
  }
  const unsent = signedHeaders.find((name) => name === "" || name !== name.toLowerCase() || headers[name] === undefined);
  if (unsent !== undefined || !/^[0-9a-f]{64}$/.test(parameters.get("Signature")!)) {
    return {
      errorType: "InvalidSignatureException",
      message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    };
  }

  const signedAt = requestTime(dateHeader, single(headers.date));
  if (signedAt === undefined) {
    return { errorType: "IncompleteSignatureException", message: `Date must be in ISO-8601 'basic format'. Got '${dateHeader ?? headers.date}'. See http://en.wikipedia.org/wiki/ISO_8601` };
  }
  const stamp = amzDate(signedAt);
  if (scopeDate !== stamp.slice(0, 8)) {
    return {
      errorType: "InvalidSignatureException",
      message: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${stamp.slice(0, 8)}', from '${stamp}'.`,
    };
  }
  if (signedAt < options.now - SIGNATURE_WINDOW_MS) {
    return {
      errorType: "InvalidSignatureException",
      message: `Signature expired: ${stamp} is now earlier than ${amzDate(options.now - SIGNATURE_WINDOW_MS)} (${amzDate(options.now)} - 5 min.)`,
    };
  }
  if (signedAt > options.now + SIGNATURE_WINDOW_MS) {
    return {
      errorType: "InvalidSignatureException",
      message: `Signature not yet current: ${stamp} is still later than ${amzDate(options.now + SIGNATURE_WINDOW_MS)} (${amzDate(options.now)} + 5 min.)`,
    };
  }
  return undefined;
}

/** `YYYYMMDDTHHMMSSZ` */
export function amzDate(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

function requestTime(amz: string | undefined, date: string | undefined): number | undefined {
  if (amz !== undefined) {
    const match = AMZ_DATE.exec(amz.trim());
    if (match === null) return undefined;
    const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
    const time = Date.UTC(y, mo - 1, d, h, mi, s);
    return Number.isNaN(time) ? undefined : time;
  }
  const time = date === undefined ? Number.NaN : Date.parse(date);
  return Number.isNaN(time) ? undefined : time;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
