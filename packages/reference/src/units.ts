import { type Checked, collect, fail, ok, type RuleViolation, violation } from './violation.js';

/** Money in fen (分, 1/100 yuan) as a safe integer, so sums and shares never drift as floats do. */
export type Fen = number;

/** Farmland area (亩) in ten-thousandths of a mu: the registers record mu with 4 decimals, exactly. */
export type Mu4 = number;

/** Homestead or building area in hundredths of a square metre: m² is recorded with 2 decimals. */
export type M2x100 = number;

export const FEN_PER_YUAN = 100;
export const MU4_PER_MU = 10_000;
export const M2X100_PER_SQUARE_METRE = 100;

/** 1 mu = 10000/15 m² (666.67 m²) by the legal definition, so one Mu4 unit is 1/15 m². */
export const SQUARE_METRES_PER_MU = 10_000 / 15;

export function isFen(value: number): value is Fen {
  return Number.isSafeInteger(value);
}

function formatScaled(value: number, decimals: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`Expected a safe integer, got ${value}`);
  const scale = 10 ** decimals;
  const abs = Math.abs(value);
  const whole = Math.floor(abs / scale);
  const fraction = String(abs % scale).padStart(decimals, '0');
  return `${value < 0 ? '-' : ''}${whole}.${fraction}`;
}

/** `123456` fen → `'1234.56'`; negative amounts keep their sign. */
export function formatYuan(fen: Fen): string {
  return formatScaled(fen, 2);
}

/** `123456` → `'12.3456'`: always 4 decimals, as the land registers print mu. */
export function formatMu(mu4: Mu4): string {
  return formatScaled(mu4, 4);
}

/** `12340` → `'123.40'`: always 2 decimals. */
export function formatSquareMetres(m2x100: M2x100): string {
  return formatScaled(m2x100, 2);
}

/** Area in m² as a float, for display and geometry only; keep stored areas in Mu4. */
export function mu4ToSquareMetres(mu4: Mu4): number {
  return mu4 / 15;
}

interface DecimalRules {
  /** Rule-name prefix: `AREA` or `MONEY`. */
  prefix: string;
  unit: string;
  decimals: number;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

// Parses non-negative fixed-point text by string concatenation, so '0.1' never passes through a float.
function parseDecimal(text: string, field: string, rules: DecimalRules): Checked<number> {
  const { prefix, unit, decimals } = rules;
  if (/^-\d/.test(text)) {
    return fail(`${prefix}_NEGATIVE`, field, `${unit} must not be negative, got '${text}'.`);
  }
  const match = DECIMAL.exec(text);
  if (!match) {
    return fail(
      `${prefix}_FORMAT`,
      field,
      `'${text}' is not a plain decimal number of ${unit} (digits, optionally a point and up to ${decimals} decimals).`,
    );
  }
  const whole = match[1] ?? '';
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) {
    return fail(
      `${prefix}_TOO_MANY_DECIMALS`,
      field,
      `${unit} are recorded with at most ${decimals} decimals, got '${text}'.`,
    );
  }
  const scaled = Number(whole + fraction.padEnd(decimals, '0'));
  if (!Number.isSafeInteger(scaled)) {
    return fail(`${prefix}_TOO_LARGE`, field, `'${text}' ${unit} is too large to record.`);
  }
  return ok(scaled);
}

/** Parses mu text such as `'12'`, `'12.5'` or `'12.3456'`; refuses more than 4 decimals. */
export function parseMu(text: string, field: string): Checked<Mu4> {
  return parseDecimal(text, field, { prefix: 'AREA', unit: 'mu', decimals: 4 });
}

/** Parses square-metre text such as `'120'` or `'120.25'`; refuses more than 2 decimals. */
export function parseSquareMetres(text: string, field: string): Checked<M2x100> {
  return parseDecimal(text, field, { prefix: 'AREA', unit: 'square metres', decimals: 2 });
}

/** Parses yuan text such as `'1234.56'` into fen; refuses more than 2 decimals. */
export function parseYuan(text: string, field: string): Checked<Fen> {
  return parseDecimal(text, field, { prefix: 'MONEY', unit: 'yuan', decimals: 2 });
}

interface Bound {
  prefix: 'AREA' | 'MONEY';
  what: string;
  format: (value: number) => string;
  allowZero: boolean;
}

function checkBounded(value: number, max: number, field: string, bound: Bound): Checked<number> {
  const { prefix, what, format } = bound;
  const violations: RuleViolation[] = [];
  if (!Number.isSafeInteger(value)) {
    violations.push(
      violation(`${prefix}_NOT_INTEGER`, field, `${what} must be a whole number of its unit, got ${value}.`),
    );
  } else if (bound.allowZero ? value < 0 : value <= 0) {
    const rule = bound.allowZero ? `${prefix}_NEGATIVE` : `${prefix}_NOT_POSITIVE`;
    const need = bound.allowZero ? 'must not be negative' : 'must be greater than zero';
    violations.push(violation(rule, field, `${what} ${need}, got ${format(value)}.`));
  } else if (value > max) {
    violations.push(
      violation(
        `${prefix}_TOO_LARGE`,
        field,
        `${what} ${format(value)} exceeds the maximum of ${format(max)}.`,
      ),
    );
  }
  return collect(violations, value);
}

/** A farmland area greater than zero and at most `maxMu4` (e.g. a plot, a circulation). */
export function validatePositiveMu4(value: Mu4, maxMu4: Mu4, field: string): Checked<Mu4> {
  return checkBounded(value, maxMu4, field, {
    prefix: 'AREA',
    what: 'Area',
    format: (v) => `${formatMu(v)} mu`,
    allowZero: false,
  });
}

/** A homestead or building area greater than zero and at most `maxM2x100`. */
export function validatePositiveM2x100(value: M2x100, maxM2x100: M2x100, field: string): Checked<M2x100> {
  return checkBounded(value, maxM2x100, field, {
    prefix: 'AREA',
    what: 'Area',
    format: (v) => `${formatSquareMetres(v)} m²`,
    allowZero: false,
  });
}

/** An amount greater than zero and at most `maxFen` (loans, prices, compensation). */
export function validatePositiveFen(value: Fen, maxFen: Fen, field: string): Checked<Fen> {
  return checkBounded(value, maxFen, field, {
    prefix: 'MONEY',
    what: 'Amount',
    format: (v) => `${formatYuan(v)} yuan`,
    allowZero: false,
  });
}

/** An amount of zero or more and at most `maxFen` (fees and deposits that may be waived). */
export function validateNonNegativeFen(value: Fen, maxFen: Fen, field: string): Checked<Fen> {
  return checkBounded(value, maxFen, field, {
    prefix: 'MONEY',
    what: 'Amount',
    format: (v) => `${formatYuan(v)} yuan`,
    allowZero: true,
  });
}
