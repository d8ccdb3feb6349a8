import { isLocalDate, type LocalDate, todayInShanghai } from './dates.js';
import { getDivision } from './divisions.js';
import { type Checked, collect, fail, type RuleViolation, violation } from './violation.js';

// ---------------------------------------------------------------------------------------------------
// Resident ID number (居民身份证号码, GB 11643-1999)
// ---------------------------------------------------------------------------------------------------

const RESIDENT_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const RESIDENT_ID_CHECK_CHARACTERS = '10X98765432';

/** Birth dates before this are taken as typing errors rather than living or recently deceased people. */
const EARLIEST_BIRTH_DATE = '1900-01-01';

/** The ISO 7064 MOD 11-2 check character for the first 17 digits of a resident ID number. */
export function residentIdCheckCharacter(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError(`Expected 17 digits, got '${first17}'`);
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(first17[i]) * (RESIDENT_ID_WEIGHTS[i] ?? 0);
  return RESIDENT_ID_CHECK_CHARACTERS.charAt(sum % 11);
}

function embeddedBirthDate(id: string): LocalDate | undefined {
  const ymd = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  return isLocalDate(ymd) ? ymd : undefined;
}

/**
 * Validates an 18-character resident ID number and returns it with a lowercase `x` made `X`.
 * `today` (Asia/Shanghai) bounds the birth date; pass it to keep callers deterministic.
 */
export function validateResidentId(
  id: string,
  field = 'residentId',
  today: LocalDate = todayInShanghai(),
): Checked<string> {
  if (id.length !== 18) {
    return fail('RESIDENT_ID_LENGTH', field, `A resident ID number has 18 characters, got ${id.length}.`);
  }
  const normalised = id.toUpperCase();
  if (!/^\d{17}[\dX]$/.test(normalised)) {
    return fail(
      'RESIDENT_ID_FORMAT',
      field,
      'A resident ID number is 17 digits followed by a digit or X; it contains other characters.',
    );
  }
  const violations: RuleViolation[] = [];
  const birthDate = embeddedBirthDate(normalised);
  if (birthDate === undefined || birthDate < EARLIEST_BIRTH_DATE || birthDate > today) {
    violations.push(
      violation(
        'RESIDENT_ID_BIRTH_DATE',
        field,
        `The birth date in the resident ID number (characters 7–14, '${normalised.slice(6, 14)}') must be a real date from ${EARLIEST_BIRTH_DATE} to today.`,
      ),
    );
  }
  const expected = residentIdCheckCharacter(normalised.slice(0, 17));
  if (normalised.charAt(17) !== expected) {
    violations.push(
      violation(
        'RESIDENT_ID_CHECK_CHARACTER',
        field,
        'The check character of the resident ID number does not match; the number is mistyped.',
      ),
    );
  }
  return collect(violations, normalised);
}

/** The birth date written in a resident ID number, or `undefined` if it is not a real date. */
export function birthDateOfResidentId(id: string): LocalDate | undefined {
  return /^\d{17}[\dXx]$/.test(id) ? embeddedBirthDate(id) : undefined;
}

/**
 * The form shown to roles that may not see the number (`130881********123X`): region and the last
 * four characters stay, the birth date is hidden. Anything not 18 characters long is fully masked,
 * because we can't tell which part of it is personal.
 */
export function maskResidentId(id: string): string {
  if (id.length !== 18) return '*'.repeat(id.length);
  return `${id.slice(0, 6)}********${id.slice(14).toUpperCase()}`;
}

// ---------------------------------------------------------------------------------------------------
// Unified social credit code (统一社会信用代码, GB 32100-2015)
// ---------------------------------------------------------------------------------------------------

/** The 31 characters of GB 32100: digits and capitals without I, O, S, V, Z (easily misread). */
export const CREDIT_CODE_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

const CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/**
 * 登记管理部门代码 — registration authorities. GB 32100-2015 itself lists 1, 5, 9 and Y; the code
 * service assigned the rest since (2 foreign affairs, 3 justice e.g. law firms, 4 culture, 6 tourism,
 * 7 religion, 8 trade unions, A military, N agriculture for collective economic organisations).
 * Validators that copy only the 2015 table wrongly refuse `N` and `3`; we accept the full table.
 */
export const CREDIT_CODE_AUTHORITIES = '123456789ANY';

function creditCodeValue(char: string): number {
  return CREDIT_CODE_ALPHABET.indexOf(char);
}

/** The MOD 31 check character for the first 17 characters of a unified social credit code. */
export function creditCodeCheckCharacter(first17: string): string {
  if (first17.length !== 17) throw new RangeError(`Expected 17 characters, got '${first17}'`);
  let sum = 0;
  for (let i = 0; i < 17; i += 1) {
    const value = creditCodeValue(first17.charAt(i));
    if (value < 0)
      throw new RangeError(`'${first17.charAt(i)}' is not allowed in a unified social credit code`);
    sum += value * (CREDIT_CODE_WEIGHTS[i] ?? 0);
  }
  return CREDIT_CODE_ALPHABET.charAt((31 - (sum % 31)) % 31);
}

/** Validates a unified social credit code and returns it in capitals. */
export function validateCreditCode(code: string, field = 'creditCode'): Checked<string> {
  if (code.length !== 18) {
    return fail(
      'CREDIT_CODE_LENGTH',
      field,
      `A unified social credit code has 18 characters, got ${code.length}.`,
    );
  }
  const normalised = code.toUpperCase();
  const bad = [...normalised].filter((c) => creditCodeValue(c) < 0);
  if (bad.length > 0) {
    return fail(
      'CREDIT_CODE_CHARACTERS',
      field,
      `A unified social credit code uses digits and capitals except I, O, S, V, Z; found '${bad.join('')}'.`,
    );
  }
  const violations: RuleViolation[] = [];
  if (!CREDIT_CODE_AUTHORITIES.includes(normalised.charAt(0))) {
    violations.push(
      violation(
        'CREDIT_CODE_REGISTRATION_AUTHORITY',
        field,
        `The first character (registration authority) must be one of ${[...CREDIT_CODE_AUTHORITIES].join(', ')}; got '${normalised.charAt(0)}'.`,
      ),
    );
  }
  if (!/^\d{6}$/.test(normalised.slice(2, 8))) {
    violations.push(
      violation(
        'CREDIT_CODE_DIVISION',
        field,
        'Characters 3–8 of a unified social credit code are the 6-digit division code of the registering office.',
      ),
    );
  }
  if (normalised.charAt(17) !== creditCodeCheckCharacter(normalised.slice(0, 17))) {
    violations.push(
      violation(
        'CREDIT_CODE_CHECK_CHARACTER',
        field,
        'The check character of the unified social credit code does not match; the code is mistyped.',
      ),
    );
  }
  return collect(violations, normalised);
}

/**
 * Level of a rural collective economic organisation (农村集体经济组织), the second character of its
 * code: 组级 group, 村级 village, 乡镇级 township, other.
 */
export type CollectiveOrgLevel = 'GROUP' | 'VILLAGE' | 'TOWNSHIP' | 'OTHER';

const COLLECTIVE_LEVEL_DIGITS: Readonly<Record<CollectiveOrgLevel, string>> = {
  GROUP: '1',
  VILLAGE: '2',
  TOWNSHIP: '3',
  OTHER: '9',
};

/** Pingquan's division code, which the agriculture bureau writes into the codes it issues. */
const DEFAULT_COUNTY_CODE = '130881';

/**
 * Validates the code of a rural collective economic organisation registered by the county's
 * agricultural authority: a valid credit code, authority `N`, level 1/2/3/9, county code in 3–8.
 */
export function validateCollectiveOrgCode(
  code: string,
  field = 'collectiveOrgCode',
  countyCode = DEFAULT_COUNTY_CODE,
): Checked<string> {
  const checked = validateCreditCode(code, field);
  if (!checked.ok) return checked;
  const value = checked.value;
  const violations: RuleViolation[] = [];
  if (value.charAt(0) !== 'N') {
    violations.push(
      violation(
        'COLLECTIVE_ORG_AUTHORITY',
        field,
        `A collective economic organisation is registered by the agricultural authority, so its code starts with N, not '${value.charAt(0)}'.`,
      ),
    );
  }
  if (collectiveOrgLevelOfCode(value) === undefined) {
    violations.push(
      violation(
        'COLLECTIVE_ORG_LEVEL',
        field,
        `The second character must be 1 (group), 2 (village), 3 (township) or 9 (other), not '${value.charAt(1)}'.`,
      ),
    );
  }
  if (value.slice(2, 8) !== countyCode) {
    violations.push(
      violation(
        'COLLECTIVE_ORG_COUNTY',
        field,
        `Characters 3–8 must be the county division code ${countyCode}, not ${value.slice(2, 8)}.`,
      ),
    );
  }
  return collect(violations, value);
}

/** The level encoded in a collective organisation's code, or `undefined` for another character. */
export function collectiveOrgLevelOfCode(code: string): CollectiveOrgLevel | undefined {
  const digit = code.charAt(1);
  return (Object.keys(COLLECTIVE_LEVEL_DIGITS) as CollectiveOrgLevel[]).find(
    (level) => COLLECTIVE_LEVEL_DIGITS[level] === digit,
  );
}

/**
 * Builds a collective organisation's code from its level, county code and the 9-character body
 * (主体标识码), appending the check character. Throws on input that cannot form a valid code.
 */
export function makeCollectiveOrgCode(level: CollectiveOrgLevel, countyCode: string, body9: string): string {
  if (!/^\d{6}$/.test(countyCode)) throw new RangeError(`County code must be 6 digits, got '${countyCode}'`);
  if (body9.length !== 9 || [...body9].some((c) => creditCodeValue(c) < 0)) {
    throw new RangeError(`Body must be 9 characters of the credit code alphabet, got '${body9}'`);
  }
  const first17 = `N${COLLECTIVE_LEVEL_DIGITS[level]}${countyCode}${body9}`;
  return first17 + creditCodeCheckCharacter(first17);
}

// ---------------------------------------------------------------------------------------------------
// Land contracting codes (农村土地承包经营权确权登记 data standard)
// ---------------------------------------------------------------------------------------------------

/** How a contract was let (承包方式): the last digit of the contract code. */
export type ContractMode = 'FAMILY' | 'TENDER' | 'AUCTION' | 'OPEN_NEGOTIATION' | 'OTHER';

/** 家庭承包 family; 招标 tender; 拍卖 auction; 公开协商 open negotiation; 其他 other. */
const CONTRACT_MODE_DIGITS: Readonly<Record<ContractMode, string>> = {
  FAMILY: '1',
  TENDER: '2',
  AUCTION: '3',
  OPEN_NEGOTIATION: '4',
  OTHER: '9',
};

interface LandCode {
  /** Rule-name prefix, e.g. `PLOT_CODE`. */
  rule: string;
  /** What the code identifies, for messages. */
  noun: string;
  length: number;
  layout: string;
}

const ISSUER: LandCode = {
  rule: 'ISSUER_CODE',
  noun: 'contract issuer code',
  length: 14,
  layout: '12-digit village code + 2-digit group number',
};
const CONTRACTOR: LandCode = {
  rule: 'CONTRACTOR_CODE',
  noun: 'contractor code',
  length: 18,
  layout: '14-digit issuer code + 4-digit household number',
};
const PLOT: LandCode = {
  rule: 'PLOT_CODE',
  noun: 'plot code',
  length: 19,
  layout: '14-digit issuer code + 5-digit plot number',
};
const CONTRACT: LandCode = {
  rule: 'CONTRACT_CODE',
  noun: 'contract code',
  length: 19,
  layout: '14-digit issuer code + 4-digit household number + 1-digit contracting mode',
};

function checkLandCode(code: string, field: string, kind: LandCode): RuleViolation[] {
  if (code.length !== kind.length || !/^\d+$/.test(code)) {
    return [
      violation(
        `${kind.rule}_FORMAT`,
        field,
        `A ${kind.noun} is ${kind.length} digits (${kind.layout}), got '${code}'.`,
      ),
    ];
  }
  const villageCode = code.slice(0, 12);
  if (getDivision(villageCode)?.level !== 'village') {
    return [
      violation(
        `${kind.rule}_UNKNOWN_VILLAGE`,
        field,
        `The ${kind.noun} names village ${villageCode}, which is not a known village of Pingquan City.`,
      ),
    ];
  }
  return [];
}

function sequenceViolation(
  code: string,
  from: number,
  to: number,
  field: string,
  kind: LandCode,
  what: string,
) {
  return /^0+$/.test(code.slice(from, to))
    ? [
        violation(
          `${kind.rule}_SEQUENCE`,
          field,
          `The ${what} in a ${kind.noun} starts at 1; it is all zeros.`,
        ),
      ]
    : [];
}

/**
 * 发包方编码 — the contract issuer (the collective of a village, or of one of its groups): the
 * village's 12-digit code and a 2-digit group number, `00` meaning the village collective itself.
 */
export function validateIssuerCode(code: string, field = 'issuerCode'): Checked<string> {
  return collect(checkLandCode(code, field, ISSUER), code);
}

/** 承包方编码 — a contracting household: issuer code + 4-digit household number from 0001. */
export function validateContractorCode(code: string, field = 'contractorCode'): Checked<string> {
  const violations = checkLandCode(code, field, CONTRACTOR);
  if (violations.length > 0) return collect(violations, code);
  return collect(sequenceViolation(code, 14, 18, field, CONTRACTOR, 'household number'), code);
}

/** 地块编码 — a plot: issuer code + 5-digit plot number from 00001. */
export function validatePlotCode(code: string, field = 'plotCode'): Checked<string> {
  const violations = checkLandCode(code, field, PLOT);
  if (violations.length > 0) return collect(violations, code);
  return collect(sequenceViolation(code, 14, 19, field, PLOT, 'plot number'), code);
}

/** 承包合同编码 — a contract: issuer code + 4-digit household number + contracting mode digit. */
export function validateContractCode(code: string, field = 'contractCode'): Checked<string> {
  const violations = checkLandCode(code, field, CONTRACT);
  if (violations.length > 0) return collect(violations, code);
  violations.push(...sequenceViolation(code, 14, 18, field, CONTRACT, 'household number'));
  if (contractModeFromCode(code) === undefined) {
    violations.push(
      violation(
        'CONTRACT_CODE_MODE',
        field,
        `The last digit of a contract code is the contracting mode (1 family, 2 tender, 3 auction, 4 open negotiation, 9 other), not '${code.charAt(18)}'.`,
      ),
    );
  }
  return collect(violations, code);
}

/** The contracting mode in the last digit of a 19-digit contract code. */
export function contractModeFromCode(code: string): ContractMode | undefined {
  if (!/^\d{19}$/.test(code)) return undefined;
  const digit = code.charAt(18);
  return (Object.keys(CONTRACT_MODE_DIGITS) as ContractMode[]).find(
    (mode) => CONTRACT_MODE_DIGITS[mode] === digit,
  );
}

function numberField(value: number, digits: number, min: number, what: string): string {
  const max = 10 ** digits - 1;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return String(value).padStart(digits, '0');
}

function requireValid(checked: Checked<string>): string {
  if (!checked.ok) throw new RangeError(checked.violations.map((v) => v.message).join(' '));
  return checked.value;
}

/** Builds an issuer code; group 0 (the default) is the village collective itself. */
export function makeIssuerCode(villageCode: string, group = 0): string {
  return requireValid(validateIssuerCode(`${villageCode}${numberField(group, 2, 0, 'Group number')}`));
}

export function makeContractorCode(issuerCode: string, household: number): string {
  return requireValid(
    validateContractorCode(`${issuerCode}${numberField(household, 4, 1, 'Household number')}`),
  );
}

export function makePlotCode(issuerCode: string, sequence: number): string {
  return requireValid(validatePlotCode(`${issuerCode}${numberField(sequence, 5, 1, 'Plot number')}`));
}

export function makeContractCode(issuerCode: string, household: number, mode: ContractMode): string {
  const digit = CONTRACT_MODE_DIGITS[mode];
  if (digit === undefined) throw new RangeError(`Unknown contracting mode '${mode}'`);
  return requireValid(
    validateContractCode(`${issuerCode}${numberField(household, 4, 1, 'Household number')}${digit}`),
  );
}
