/**
 * Terraform numbers are arbitrary-precision decimals (512-bit big floats),
 * so `0.1 + 0.2` is `0.3` and `0.3 / 0.1` is `3` there, and a number in a
 * string is written out in full (`"${1e30}"` is thirty zeros, never `1e+30`).
 * The emulator keeps JS numbers but does the arithmetic on their shortest
 * decimal form, which gives Terraform's answer whenever the operands are the
 * short decimals configurations contain.
 */

/** `digits / 10^scale` */
interface Decimal {
  readonly digits: bigint;
  readonly scale: number;
}

/** Significant digits computed for a quotient before rounding back to a double. */
const QUOTIENT_DIGITS = 25;

function toDecimal(value: number): Decimal {
  const [mantissa = "0", exponent = "0"] = String(value).split("e");
  const [whole = "0", fraction = ""] = mantissa.split(".");
  return { digits: BigInt(whole + fraction), scale: fraction.length - Number(exponent) };
}

function toNumber({ digits, scale }: Decimal): number {
  return Number(`${digits}e${-scale}`);
}

function pow10(exponent: number): bigint {
  return 10n ** BigInt(exponent);
}

/** Both operands' digits at the same (larger) scale. */
function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.digits * pow10(scale - a.scale), b.digits * pow10(scale - b.scale), scale];
}

/**
 * `a op b` as Terraform computes it. Division by zero is the caller's error;
 * `a % 0` is `a`, as in Terraform.
 */
export function decimalArithmetic(op: "+" | "-" | "*" | "/" | "%", a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return op === "%" ? a % b : { "+": a + b, "-": a - b, "*": a * b, "/": a / b }[op];
  const x = toDecimal(a);
  const y = toDecimal(b);
  switch (op) {
    case "+":
    case "-": {
      const [xd, yd, scale] = align(x, y);
      return toNumber({ digits: op === "+" ? xd + yd : xd - yd, scale });
    }
    case "*":
      return toNumber({ digits: x.digits * y.digits, scale: x.scale + y.scale });
    case "/": {
      const shift = Math.max(0, QUOTIENT_DIGITS + y.digits.toString().length - x.digits.toString().length);
      return toNumber({ digits: (x.digits * pow10(shift)) / y.digits, scale: shift + x.scale - y.scale });
    }
    case "%": {
      if (b === 0) return a;
      const [xd, yd, scale] = align(x, y);
      return toNumber({ digits: xd % yd, scale });
    }
  }
}
