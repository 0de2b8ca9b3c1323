/**
 * AWS Signature Version 4 for one request shape: a POST with no query
 * string, a fixed set of headers and a body whose SHA-256 the caller already
 * knows. That is every `@connections` post of a broadcast, so the work per
 * post is one SHA-256 of the canonical request and one HMAC of the string to
 * sign; the signing key is derived once a day, the date header once a second.
 *
 * Same output as `@smithy/signature-v4` (the SDK's signer) for the same
 * request and time — test/functions/aws/sigv4-post-signer.test.ts checks
 * that — at about a third of its CPU: the SDK's signer clones the request,
 * hashes the credentials to look up its key cache and awaits each step, which
 * costs more than the post's own HTTP work. See docs/performance.md.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
import { createHash, createHmac } from "node:crypto";

export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface PostToSign {
  /** The request path as sent, already percent-encoded per segment, e.g. `/prod/@connections/abc%3D`. */
  readonly path: string;
  /** `canonicalPath(path)`, when the caller has it cheaper (see {@link canonicalPathAppend}). */
  readonly canonicalPath?: string;
  /**
   * Lower-case names; every header here is signed. `x-amz-date` and
   * `x-amz-security-token` are added. Pass the same object for every post of
   * a frame: its canonical form is computed once.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** Hex SHA-256 of the body. */
  readonly payloadHash: string;
}

const ALGORITHM = "AWS4-HMAC-SHA256";

export class SigV4PostSigner {
  readonly #credentials: SigningCredentials;
  readonly #region: string;
  readonly #service: string;
  #keyDate = "";
  #key: Buffer = Buffer.alloc(0);
  #second = -1;
  #amzDate = "";
  #lastHeaders: Readonly<Record<string, string>> | undefined;
  #canonical: { readonly beforeDate: string; readonly afterDate: string; readonly signedHeaders: string } | undefined;

  constructor(options: { readonly credentials: SigningCredentials; readonly region: string; readonly service: string }) {
    this.#credentials = options.credentials;
    this.#region = options.region;
    this.#service = options.service;
  }

  /** The headers to send: the request's own plus `x-amz-date`, `x-amz-security-token` (with a session) and `authorization`. */
  sign(request: PostToSign, now: number = Date.now()): Record<string, string> {
    const { amzDate, authorization } = this.authorize(request, now);
    const headers: Record<string, string> = { ...request.headers, "x-amz-date": amzDate };
    if (this.#credentials.sessionToken) headers["x-amz-security-token"] = this.#credentials.sessionToken;
    headers["authorization"] = authorization;
    return headers;
  }

  /**
   * What {@link sign} adds, without building a header object: the request
   * must also carry `x-amz-date: amzDate` and, when {@link sessionToken} is
   * set, `x-amz-security-token`.
   */
  authorize(request: PostToSign, now: number = Date.now()): { readonly amzDate: string; readonly authorization: string } {
    const amzDate = this.#dateFor(now);
    const shortDate = amzDate.slice(0, 8);
    const { beforeDate, afterDate, signedHeaders } = this.#canonicalHeaders(request.headers);
    const path = request.canonicalPath ?? canonicalPath(request.path);
    const canonicalRequest = `POST\n${path}\n\n${beforeDate}x-amz-date:${amzDate}\n${afterDate}\n${signedHeaders}\n${request.payloadHash}`;
    const scope = `${shortDate}/${this.#region}/${this.#service}/aws4_request`;
    const stringToSign = `${ALGORITHM}\n${amzDate}\n${scope}\n${createHash("sha256").update(canonicalRequest).digest("hex")}`;
    const signature = createHmac("sha256", this.#signingKey(shortDate)).update(stringToSign).digest("hex");
    return { amzDate, authorization: `${ALGORITHM} Credential=${this.#credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}` };
  }

  /** The session token every signed request must carry as `x-amz-security-token`, if any. */
  get sessionToken(): string | undefined {
    return this.#credentials.sessionToken || undefined;
  }

  /** The canonical header lines before and after `x-amz-date` (which changes each second), and the signed-header list. */
  #canonicalHeaders(given: Readonly<Record<string, string>>): { readonly beforeDate: string; readonly afterDate: string; readonly signedHeaders: string } {
    if (given === this.#lastHeaders && this.#canonical !== undefined) return this.#canonical;
    const headers: Record<string, string> = { ...given, "x-amz-date": "" };
    if (this.#credentials.sessionToken) headers["x-amz-security-token"] = this.#credentials.sessionToken;
    const names = Object.keys(headers).map((name) => name.toLowerCase()).sort();
    const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
    const line = (name: string): string => `${name}:${lower[name]!.trim().replace(/\s+/g, " ")}\n`;
    const at = names.indexOf("x-amz-date");
    this.#canonical = {
      beforeDate: names.slice(0, at).map(line).join(""),
      afterDate: names.slice(at + 1).map(line).join(""),
      signedHeaders: names.join(";"),
    };
    this.#lastHeaders = given;
    return this.#canonical;
  }

  /** `YYYYMMDDTHHMMSSZ`, computed once per second. */
  #dateFor(now: number): string {
    const second = Math.floor(now / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#amzDate = new Date(second * 1000).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    }
    return this.#amzDate;
  }

  #signingKey(shortDate: string): Buffer {
    if (shortDate !== this.#keyDate) {
      const dateKey = hmac(`AWS4${this.#credentials.secretAccessKey}`, shortDate);
      const regionKey = hmac(dateKey, this.#region);
      const serviceKey = hmac(regionKey, this.#service);
      this.#key = hmac(serviceKey, "aws4_request");
      this.#keyDate = shortDate;
    }
    return this.#key;
  }
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

/**
 * The canonical URI of every AWS service but S3: each segment of the
 * (already encoded) path encoded once more, `.` and `..` resolved and empty
 * segments dropped, as the SDK's signer does it.
 */
export function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  const normalised = `${path.startsWith("/") ? "/" : ""}${segments.join("/")}${segments.length > 0 && path.endsWith("/") ? "/" : ""}`;
  return escapeUri(normalised).replace(/%2F/g, "/");
}

/**
 * `canonicalPath(prefix + segment)` from `canonicalPath(prefix)`, for a
 * prefix ending in `/` and one non-empty segment with no `/`, `.` or `..`:
 * the segment is only encoded once more.
 */
export function canonicalPathAppend(canonicalPrefix: string, segment: string): string {
  return canonicalPrefix + escapeUri(segment);
}

/** encodeURIComponent plus the characters it leaves alone that RFC 3986 reserves. */
function escapeUri(text: string): string {
  const encoded = encodeURIComponent(text);
  return RESERVED.test(encoded) ? encoded.replace(RESERVED_ALL, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : encoded;
}

const RESERVED = /[!'()*]/;
const RESERVED_ALL = /[!'()*]/g;
