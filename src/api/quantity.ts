// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource): `500m`, `2`, `128Mi`,
// `1e3`. Parsed exactly (a bigint scaled by a power of ten) so that comparisons and the canonical
// form (`1024Mi` -> `1Gi`, `0.5` -> `500m`) match the API server's, and as a float for arithmetic.

export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

/** The regular expression upstream's parse error names. */
export const QUANTITY_PATTERN = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';

export const QUANTITY_FORMAT_ERROR = `quantities must match the regular expression '${QUANTITY_PATTERN}'`;
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

export class QuantityError extends Error {}

/** An exact quantity: `digits * 10^-scale` (scale may be negative), and the format it was written in. */
export interface Quantity {
  digits: bigint;
  scale: number;
  format: QuantityFormat;
}

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const SUFFIX_CHARS = 'eEinumkKMGTP';

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

interface Split {
  negative: boolean;
  whole: string;
  fraction: string;
  suffix: string;
}

/** Upstream's parseQuantityString: sign, numerator, optional `.denominator`, then the suffix. */
function split(str: string): Split {
  let pos = 0;
  const end = str.length;
  let negative = false;
  if (str[0] === '-') {
    negative = true;
    pos++;
  } else if (str[0] === '+') {
    pos++;
  }
  const wholeStart = pos;
  while (isDigit(str[pos])) pos++;
  const whole = str.slice(wholeStart, pos);
  let fraction = '';
  if (str[pos] === '.') {
    pos++;
    const fracStart = pos;
    while (isDigit(str[pos])) pos++;
    fraction = str.slice(fracStart, pos);
  }
  if (pos === wholeStart) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(str[pos]!)) pos++;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (isDigit(str[pos])) pos++;
  if (pos < end) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  return { negative, whole, fraction, suffix: str.slice(suffixStart, end) };
}

/** Parses a quantity exactly; throws QuantityError with upstream's message. */
export function parseQuantityExact(input: string | number): Quantity {
  const str = typeof input === 'number' ? String(input) : input;
  if (typeof str !== 'string' || str.length === 0) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  const { negative, whole, fraction, suffix } = split(str);
  let digits = BigInt((whole || '0') + fraction);
  let scale = fraction.length;
  let format: QuantityFormat;
  if (suffix in DECIMAL_SUFFIXES) {
    format = 'DecimalSI';
    scale -= DECIMAL_SUFFIXES[suffix]!;
  } else if (suffix in BINARY_SUFFIXES) {
    format = 'BinarySI';
    digits *= 1024n ** BigInt(BINARY_SUFFIXES[suffix]!);
  } else if (/^[eE][-+]?[0-9]+$/.test(suffix)) {
    format = 'DecimalExponent';
    scale -= Number.parseInt(suffix.slice(1), 10);
  } else {
    throw new QuantityError(QUANTITY_SUFFIX_ERROR);
  }
  if (negative) digits = -digits;
  // Upstream keeps at most nano precision, rounding up.
  if (scale > 9) return roundUp({ digits, scale, format }, 9);
  return normalize({ digits, scale, format });
}

/** A quantity as a float: cores for cpu, bytes for memory. */
export function parseQuantity(input: string | number): number {
  const q = parseQuantityExact(input);
  return q.scale >= 0 ? Number(q.digits) / 10 ** q.scale : Number(q.digits) * 10 ** -q.scale;
}

/** Strips trailing zeros so equal values have equal representations. */
function normalize(q: Quantity): Quantity {
  let { digits, scale } = q;
  if (digits === 0n) return { digits: 0n, scale: 0, format: q.format };
  while (digits % 10n === 0n) {
    digits /= 10n;
    scale -= 1;
  }
  return { digits, scale, format: q.format };
}

/** Rounds away from zero to at most `maxScale` decimal places (upstream's RoundUp). */
export function roundUp(q: Quantity, maxScale: number): Quantity {
  if (q.scale <= maxScale) return normalize(q);
  const div = 10n ** BigInt(q.scale - maxScale);
  const negative = q.digits < 0n;
  const abs = negative ? -q.digits : q.digits;
  let rounded = abs / div;
  if (abs % div !== 0n) rounded += 1n;
  return normalize({ digits: negative ? -rounded : rounded, scale: maxScale, format: q.format });
}

/** `a` and `b` compared: -1, 0 or 1. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const scale = Math.max(a.scale, b.scale);
  const av = a.digits * 10n ** BigInt(scale - a.scale);
  const bv = b.digits * 10n ** BigInt(scale - b.scale);
  return av < bv ? -1 : av > bv ? 1 : 0;
}

/** The value times 1000, rounded up (upstream's MilliValue). */
export function milliValue(q: Quantity): bigint {
  const r = roundUp(q, 3);
  return r.digits * 10n ** BigInt(3 - r.scale);
}

const DECIMAL_BY_EXPONENT: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const BINARY_BY_EXPONENT = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

function formatDecimal(digits: bigint, scale: number, format: QuantityFormat): string {
  if (digits === 0n) return '0';
  const negative = digits < 0n;
  let mantissa = negative ? -digits : digits;
  let exponent = -scale;
  // Exponent a multiple of three, mantissa an integer (upstream's AsCanonicalBytes).
  const mod = ((exponent % 3) + 3) % 3;
  if (mod !== 0) {
    mantissa *= 10n ** BigInt(mod);
    exponent -= mod;
  }
  while (mantissa % 1000n === 0n && exponent < 18) {
    mantissa /= 1000n;
    exponent += 3;
  }
  let suffix: string;
  if (format === 'DecimalExponent') suffix = exponent === 0 ? '' : `e${exponent}`;
  else suffix = DECIMAL_BY_EXPONENT[exponent] ?? `e${exponent}`;
  return `${negative ? '-' : ''}${mantissa}${suffix}`;
}

/** The canonical form (upstream's Quantity.String()). */
export function formatQuantity(q: Quantity): string {
  const n = normalize(q);
  if (n.format === 'BinarySI' && n.scale <= 0) {
    const value = n.digits * 10n ** BigInt(-n.scale);
    const abs = value < 0n ? -value : value;
    if (abs >= 1024n) {
      let mantissa = abs;
      let exponent = 0;
      while (mantissa % 1024n === 0n && exponent < BINARY_BY_EXPONENT.length - 1) {
        mantissa /= 1024n;
        exponent++;
      }
      return `${value < 0n ? '-' : ''}${mantissa}${BINARY_BY_EXPONENT[exponent]}`;
    }
  }
  return formatDecimal(n.digits, n.scale, n.format === 'BinarySI' ? 'DecimalSI' : n.format);
}

/** What the API server stores for a resource list entry: rounded up to milli, canonical form. */
export function canonicalQuantity(input: string | number): string {
  return formatQuantity(roundUp(parseQuantityExact(input), 3));
}
