import { createHash } from "node:crypto";

/**
 * Ids in the shapes AWS and Terraform give them, derived from a hash of the
 * resource address (plus what the id is for), so the same configuration gets
 * the same ids in every run and two resources never share one by accident.
 */

const LOWER_ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const HEX = "0123456789abcdef";
const DIGITS = "0123456789";

/**
 * The instant every locally "created" thing was created at (`last_modified`,
 * `create_date`, a stream label): a constant, because a timestamp taken at
 * start-up would change the stack's values on every run.
 */
export const LOCAL_CREATION_TIME = new Date(Date.UTC(2024, 0, 1, 0, 0, 0));

/** `length` characters of `alphabet`, derived from the seed. */
export function derivedId(seed: string, length: number, alphabet: string = LOWER_ALPHANUMERIC): string {
  let id = "";
  for (let block = 0; id.length < length; block += 1) {
    const digest = createHash("sha256").update(`${block}\0${seed}`).digest();
    for (const byte of digest) {
      if (id.length === length) break;
      id += alphabet[byte % alphabet.length];
    }
  }
  return id;
}

/** Lowercase alphanumerics, the shape of API Gateway ids (`a1b2c3d`). */
export function gatewayId(address: string, length: number): string {
  return derivedId(`gateway-id\0${address}`, length, LOWER_ALPHANUMERIC);
}

/** An IAM unique id: the four-letter kind prefix (`AROA` role, `ANPA` policy, `AIDA` user) and 17 uppercase alphanumerics. */
export function iamUniqueId(prefix: string, address: string): string {
  return prefix + derivedId(`iam-unique-id\0${address}`, 17, UPPER_ALPHANUMERIC);
}

/** A random-looking (version 4) UUID, the shape of KMS key ids. */
export function derivedUuid(address: string): string {
  const hex = derivedId(`uuid\0${address}`, 32, HEX).split("");
  hex[12] = "4";
  hex[16] = "89ab"[HEX.indexOf(hex[16]!) % 4]!;
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * A name the way Terraform generates one when `name` is unset: the prefix,
 * then 26 characters (18 timestamp digits and an 8-hex-digit counter in
 * Terraform's `id.PrefixedUniqueId`), e.g. `terraform-20240101000000000000000001`.
 *
 * @param prefix `name_prefix` when configured
 * @default prefix "terraform-"
 */
export function generatedName(address: string, prefix = "terraform-"): string {
  return prefix + derivedId(`generated-name\0${address}`, 18, DIGITS) + derivedId(`generated-counter\0${address}`, 8, HEX);
}
