import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import { EmulatorError } from "./errors.ts";

/**
 * Which `Host` and `Origin` headers the emulator answers: by default only
 * loopback names, so a web page cannot reach it through DNS rebinding (its
 * own name resolved to 127.0.0.1 arrives as `Host: evil.example`), nor
 * open a WebSocket to `ws://127.0.0.1:<port>` from another site (the browser
 * sends `Origin: https://evil.example`).
 *
 * Loopback names: `localhost`, any `127.x.y.z` and `::1` (`[::1]` in a Host
 * header), at any port. `*.localhost` is NOT loopback by default: Chrome and
 * Firefox resolve it to 127.0.0.1 themselves, but RFC 6761 only says
 * resolvers SHOULD, and a resolver that asks DNS hands an attacker's
 * `evil.localhost` back to the rebinding attack. `--allow-host '*.localhost'`
 * accepts it.
 *
 * @see https://datatracker.ietf.org/doc/html/rfc6761#section-6.3
 */

export interface HostPolicyOptions {
  /**
   * Names accepted besides the loopback ones, in `Host` and in a WebSocket
   * upgrade's `Origin`: host names or IP addresses without a port, or
   * `*.suffix` for every name under `suffix`. @default []
   */
  readonly allowedHosts?: readonly string[];
  /**
   * Accept any `Host` header (the DNS-rebinding guard is off). `Origin` is
   * still checked: it must be an allowed host or the request's own `Host`
   * (a page the emulator served itself). @default false
   */
  readonly allowAnyHost?: boolean;
}

/** Why a request was refused: the one line its 403 body and the log carry. */
export interface HostRefusal {
  readonly message: string;
}

const LOOPBACK_NAMES = "localhost, 127.0.0.1, [::1]";

export class HostPolicy {
  private readonly names: ReadonlySet<string>;
  private readonly suffixes: readonly string[];
  private readonly anyHost: boolean;

  constructor(options: HostPolicyOptions = {}) {
    const entries = (options.allowedHosts ?? []).map(normalizeAllowedHost);
    this.names = new Set(entries.filter((entry) => !entry.startsWith("*.")));
    this.suffixes = entries.filter((entry) => entry.startsWith("*.")).map((entry) => entry.slice(1));
    this.anyHost = options.allowAnyHost ?? false;
  }

  /** Whether a host name (no port, no brackets) is loopback or allowed. */
  allows(hostname: string): boolean {
    const name = hostname.toLowerCase();
    return isLoopbackName(name) || this.names.has(name) || this.suffixes.some((suffix) => name.endsWith(suffix) && name.length > suffix.length);
  }

  /** Checks `Host`, then `Origin` when the request carries one; undefined when it may proceed. */
  check(request: IncomingMessage): HostRefusal | undefined {
    const host = single(request.headers.host);
    const hostRefusal = this.checkHost(host);
    if (hostRefusal !== undefined) return hostRefusal;
    return this.checkOrigin(single(request.headers.origin), host);
  }

  checkHost(host: string | undefined): HostRefusal | undefined {
    if (this.anyHost) return undefined;
    if (host === undefined || host === "") {
      return { message: "a Host header is required (this emulator answers loopback names only)" };
    }
    const hostname = hostnameOf(host);
    if (hostname !== undefined && this.allows(hostname)) return undefined;
    const name = hostname ?? host;
    return {
      message: `Host ${JSON.stringify(host)} is not allowed: this emulator answers loopback names only (${LOOPBACK_NAMES}); to accept it, restart with --allow-host ${flagValue(name)} (or --allow-any-host)`,
    };
  }

  /**
   * A browser sends `Origin` on every WebSocket handshake and on cross-site
   * requests; wscat and SDKs send none, and are let through. `null` (a
   * sandboxed frame, a `file://` page) is refused: it can be any site.
   */
  checkOrigin(origin: string | undefined, host: string | undefined): HostRefusal | undefined {
    if (origin === undefined) return undefined;
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (url !== undefined && url.hostname !== "") {
      // The emulator's own page (`wsstack dev`'s chat page) connects from the origin it was served on.
      if (host !== undefined && url.host.toLowerCase() === host.toLowerCase()) return undefined;
      if (this.allows(bare(url.hostname))) return undefined;
    }
    const hostname = url === undefined || url.hostname === "" ? undefined : bare(url.hostname);
    const widen = hostname === undefined ? "serve the page from a loopback origin" : `restart with --allow-host ${flagValue(hostname)}`;
    return {
      message: `Origin ${JSON.stringify(origin)} is not allowed: browser pages may reach this emulator only from loopback origins (${LOOPBACK_NAMES}) or the emulator's own; to accept it, ${widen}`,
    };
  }
}

/** `localhost`, `127.0.0.0/8`, `::1` (and `[::1]`); case-insensitive. */
export function isLoopbackName(hostname: string): boolean {
  const name = bare(hostname.toLowerCase());
  if (name === "localhost") return true;
  if (isIP(name) === 4) return name.startsWith("127.");
  if (isIP(name) === 6) return name === "::1" || name === "0:0:0:0:0:0:0:1";
  return false;
}

/** Whether a listen address (`--host`) keeps the emulator on this machine. */
export function isLoopbackListenAddress(host: string): boolean {
  return isLoopbackName(host);
}

/** The host name of a `Host` header value: port and IPv6 brackets removed, lower-case; undefined when malformed. */
export function hostnameOf(host: string): string | undefined {
  const value = host.trim().toLowerCase();
  if (value.startsWith("[")) {
    const end = value.indexOf("]");
    if (end < 0) return undefined;
    const rest = value.slice(end + 1);
    if (rest !== "" && !/^:\d+$/.test(rest)) return undefined;
    return value.slice(1, end);
  }
  const colon = value.lastIndexOf(":");
  if (colon >= 0) {
    if (!/^\d+$/.test(value.slice(colon + 1))) return undefined;
    return value.slice(0, colon);
  }
  return value === "" ? undefined : value;
}

/**
 * One `allowedHosts` entry, checked and lower-cased: a host name or IP
 * address without port or scheme, or `*.suffix`.
 */
export function normalizeAllowedHost(entry: string): string {
  const value = bare(entry.trim().toLowerCase());
  if (isIP(value) !== 0) return value;
  if (/^(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(value)) return value;
  throw new EmulatorError(`--allow-host expects a host name or IP address without scheme or port, or *.suffix (got ${JSON.stringify(entry)})`);
}

function bare(hostname: string): string {
  return hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** A value safe to paste after a flag in the hint (a hostile Host header must not become a shell command). */
function flagValue(name: string): string {
  return /^[A-Za-z0-9._:*-]+$/.test(name) ? name : "<name>";
}
