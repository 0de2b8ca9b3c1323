/**
 * Numbers as Terraform writes them.
 *
 * Terraform keeps numbers as 512-bit binary floats parsed from their decimal
 * text; the emulator keeps JS doubles. The shortest decimal that reads back as
 * the same double is, for every number written in a configuration, the text
 * the user wrote, so it stands in for Terraform's value here. Where Terraform
 * rounds to a precision (`format("%.2f", …)`), the tie-breaking follows the
 * 512-bit value of that text, so `2.675` rounds to `2.67` as it does in Go.
 *
 * @see https://pkg.go.dev/math/big#Float.Text
 */

/** A finite number as `sign × 0.digits × 10^point`; zero has no digits. */
export interface DecimalDigits {
  readonly negative: boolean;
  /** Significant digits, no leading or trailing zeros. */
  readonly digits: string;
  /** Where the decimal point goes: value = 0.digits × 10^point. */
  readonly point: number;
}

/** The shortest digits that identify the double `n` (JS's own number-to-text algorithm). */
export function shortestDigits(n: number): DecimalDigits {
  const negative = n < 0 || Object.is(n, -0);
  if (n === 0) return { negative, digits: "", point: 0 };
  const [mantissa, exponent] = Math.abs(n).toExponential().split("e");
  const digits = mantissa!.replace(".", "").replace(/0+$/, "");
  return { negative, digits, point: Number(exponent) + 1 };
}

/**
 * Terraform's canonical text of a number: every digit, never an exponent
 * (`1e21` is `"1000000000000000000000"`, `1e-7` is `"0.0000001"`), as
 * `tostring()`, string templates and `jsonencode()` write it.
 */
export function numberToString(n: number): string {
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  const d = shortestDigits(n);
  return (d.negative ? "-" : "") + fixedText(d, Math.max(d.digits.length - d.point, 0));
}

/**
 * Parses a number the way Terraform converts a string to a number: decimal
 * only, optional sign, fraction and exponent, no spaces, no hex, no `Inf`.
 * Returns undefined when Terraform would say "a number is required".
 */
export function parseDecimalNumber(text: string): number | undefined {
  if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** Go's `%e`: one digit, `prec` decimals, exponent of at least two digits. */
export function exponentText(d: DecimalDigits, prec: number, upper: boolean): string {
  let out = d.digits[0] ?? "0";
  if (prec > 0) out += `.${d.digits.slice(1, prec + 1).padEnd(prec, "0")}`;
  const exp = d.digits === "" ? 0 : d.point - 1;
  return `${out}${upper ? "E" : "e"}${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

/** Go's `%f` digits: the integer part, then `prec` decimals. */
export function fixedText(d: DecimalDigits, prec: number): string {
  let out = d.point > 0 ? d.digits.slice(0, d.point).padEnd(d.point, "0") : "0";
  if (prec > 0) {
    let fraction = "";
    for (let i = 0; i < prec; i++) {
      const at = d.point + i;
      fraction += at >= 0 && at < d.digits.length ? d.digits[at] : "0";
    }
    out += `.${fraction}`;
  }
  return out;
}

/**
 * Rounds to `n` significant digits as Go's big.Float does: to nearest, and an
 * exact half to even. A half in the shortest digits is exact only when the
 * decimal is exactly a binary fraction; otherwise the 512-bit value Terraform
 * parsed lies just above or below it and that decides.
 */
export function roundDigits(d: DecimalDigits, n: number): DecimalDigits {
  if (n < 0 || n >= d.digits.length) return d;
  const digits = d.digits;
  let up: boolean;
  if (digits[n] === "5" && n + 1 === digits.length) {
    const direction = halfwayDirection(d);
    up = direction === 0 ? n > 0 && Number(digits[n - 1]) % 2 === 1 : direction > 0;
  } else {
    up = digits[n]! >= "5";
  }
  if (!up) return { ...d, digits: digits.slice(0, n).replace(/0+$/, "") };
  let i = n;
  while (i > 0 && digits[i - 1] === "9") i--;
  if (i === 0) return { ...d, digits: "1", point: d.point + 1 };
  return { ...d, digits: digits.slice(0, i - 1) + String(Number(digits[i - 1]) + 1) };
}

const MANTISSA_BITS = 512;

/**
 * Whether the 512-bit float nearest to the decimal lies above (1), below (-1)
 * or exactly on (0) it, i.e. which way Terraform's copy of the number leans.
 */
function halfwayDirection(d: DecimalDigits): number {
  const scale = d.digits.length - d.point;
  if (scale <= 0) return 0; // an integer: exact at 512 bits for any realistic size
  const numerator = BigInt(d.digits);
  const denominator = 10n ** BigInt(scale);
  // Scale so the quotient has exactly MANTISSA_BITS bits.
  let shift = MANTISSA_BITS - (bitLength(numerator) - bitLength(denominator));
  let quotient: bigint;
  let remainder: bigint;
  for (;;) {
    const scaled = shift >= 0 ? numerator << BigInt(shift) : numerator;
    const divisor = shift >= 0 ? denominator : denominator << BigInt(-shift);
    quotient = scaled / divisor;
    remainder = scaled % divisor;
    const bits = bitLength(quotient);
    if (bits === MANTISSA_BITS) {
      if (remainder === 0n) return 0;
      const twice = remainder * 2n;
      if (twice > divisor) return 1;
      if (twice < divisor) return -1;
      return quotient % 2n === 0n ? -1 : 1;
    }
    shift += bits < MANTISSA_BITS ? 1 : -1;
  }
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}
