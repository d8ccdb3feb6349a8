import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listVillages } from './divisions.js';
import {
  birthDateOfResidentId,
  type CollectiveOrgLevel,
  type ContractMode,
  CREDIT_CODE_ALPHABET,
  CREDIT_CODE_AUTHORITIES,
  collectiveOrgLevelOfCode,
  contractModeFromCode,
  creditCodeCheckCharacter,
  makeCollectiveOrgCode,
  makeContractCode,
  makeContractorCode,
  makeIssuerCode,
  makePlotCode,
  maskResidentId,
  residentIdCheckCharacter,
  validateCollectiveOrgCode,
  validateContractCode,
  validateContractorCode,
  validateCreditCode,
  validateIssuerCode,
  validatePlotCode,
  validateResidentId,
} from './identifiers.js';
import type { Checked } from './violation.js';

const TODAY = '2025-06-01';

function rules<T>(checked: Checked<T>): string[] {
  return checked.ok ? [] : checked.violations.map((v) => v.rule);
}

const digit = fc.constantFrom(...'0123456789');
const digits = (n: number) => fc.array(digit, { minLength: n, maxLength: n }).map((a) => a.join(''));
const creditChars = (n: number) =>
  fc.array(fc.constantFrom(...CREDIT_CODE_ALPHABET), { minLength: n, maxLength: n }).map((a) => a.join(''));

const validResidentId = fc
  .tuple(
    digits(6),
    fc.date({
      min: new Date('1900-01-01T00:00:00Z'),
      max: new Date(`${TODAY}T00:00:00Z`),
      noInvalidDate: true,
    }),
    digits(3),
  )
  .map(([region, birth, sequence]) => {
    const first17 = `${region}${birth.toISOString().slice(0, 10).replaceAll('-', '')}${sequence}`;
    return first17 + residentIdCheckCharacter(first17);
  });

const validCreditCode = fc
  .tuple(fc.constantFrom(...CREDIT_CODE_AUTHORITIES), creditChars(1), digits(6), creditChars(9))
  .map(([authority, type, division, body]) => {
    const first17 = `${authority}${type}${division}${body}`;
    return first17 + creditCodeCheckCharacter(first17);
  });

/** A code with the character at `position` replaced by a different one from `allowed`. */
function mutate(code: string, allowed: (position: number) => string) {
  return fc.tuple(fc.integer({ min: 0, max: code.length - 1 }), fc.nat()).map(([position, pick]) => {
    const options = [...allowed(position)].filter((c) => c !== code.charAt(position));
    const replacement = options[pick % options.length] ?? '';
    return `${code.slice(0, position)}${replacement}${code.slice(position + 1)}`;
  });
}

describe('resident ID number (GB 11643)', () => {
  it('accepts the standard example and computes its check character', () => {
    expect(residentIdCheckCharacter('11010519491231002')).toBe('X');
    expect(validateResidentId('11010519491231002X', 'id', TODAY)).toEqual({
      ok: true,
      value: '11010519491231002X',
    });
    expect(validateResidentId('130881198001011236', 'id', TODAY).ok).toBe(true);
    expect(validateResidentId('130881200002290046', 'id', TODAY).ok).toBe(true);
  });

  it('normalises a lowercase x to X', () => {
    expect(validateResidentId('11010519491231002x', 'id', TODAY)).toEqual({
      ok: true,
      value: '11010519491231002X',
    });
  });

  it('RESIDENT_ID_LENGTH and RESIDENT_ID_FORMAT', () => {
    expect(rules(validateResidentId('11010519491231002', 'id', TODAY))).toEqual(['RESIDENT_ID_LENGTH']);
    expect(rules(validateResidentId('1101051949123100XX', 'id', TODAY))).toEqual(['RESIDENT_ID_FORMAT']);
    expect(rules(validateResidentId('11010519491231002 ', 'id', TODAY))).toEqual(['RESIDENT_ID_FORMAT']);
  });

  it('RESIDENT_ID_CHECK_CHARACTER: a mistyped last character fails', () => {
    const checked = validateResidentId('110105194912310021', 'members[0].residentId', TODAY);
    expect(checked.ok || checked.violations).toEqual([
      {
        rule: 'RESIDENT_ID_CHECK_CHARACTER',
        field: 'members[0].residentId',
        message: 'The check character of the resident ID number does not match; the number is mistyped.',
      },
    ]);
  });

  it('RESIDENT_ID_BIRTH_DATE: impossible, too early or future birth dates fail', () => {
    // 440524188001010014 is the standard's own example: its check character is right, but 1880 is too early.
    expect(rules(validateResidentId('440524188001010014', 'id', TODAY))).toEqual(['RESIDENT_ID_BIRTH_DATE']);
    const feb30 = `13088119990230123`;
    expect(rules(validateResidentId(feb30 + residentIdCheckCharacter(feb30), 'id', TODAY))).toEqual([
      'RESIDENT_ID_BIRTH_DATE',
    ]);
    const tomorrow = '13088120250602123';
    expect(rules(validateResidentId(tomorrow + residentIdCheckCharacter(tomorrow), 'id', TODAY))).toEqual([
      'RESIDENT_ID_BIRTH_DATE',
    ]);
    const today = '13088120250601123';
    expect(validateResidentId(today + residentIdCheckCharacter(today), 'id', TODAY).ok).toBe(true);
  });

  it('masks all but the region and last four characters', () => {
    expect(maskResidentId('13088119800101123x')).toBe('130881********123X');
    expect(maskResidentId('123')).toBe('***');
  });

  it('reads the birth date', () => {
    expect(birthDateOfResidentId('11010519491231002X')).toBe('1949-12-31');
    expect(birthDateOfResidentId('110105194902310027')).toBeUndefined();
  });

  it('property: every generated number with its check character is valid', () => {
    fc.assert(fc.property(validResidentId, (id) => validateResidentId(id, 'id', TODAY).ok));
  });

  it('property: changing any one character to another allowed character fails', () => {
    fc.assert(
      fc.property(
        validResidentId.chain((id) => mutate(id, (p) => (p === 17 ? '0123456789X' : '0123456789'))),
        (mutated) => !validateResidentId(mutated, 'id', TODAY).ok,
      ),
    );
  });
});

describe('unified social credit code (GB 32100)', () => {
  it('accepts the commonly cited 91350100M000100Y43', () => {
    expect(creditCodeCheckCharacter('91350100M000100Y4')).toBe('3');
    expect(validateCreditCode('91350100M000100Y43', 'c')).toEqual({ ok: true, value: '91350100M000100Y43' });
    expect(validateCreditCode('91110000600037341L', 'c').ok).toBe(true);
  });

  it('accepts agricultural (N) and law-firm (3) authorities that old validators reject', () => {
    expect(validateCreditCode('N2130881MA0A1B2C3Y', 'c').ok).toBe(true);
    const lawFirm = '31110000E00017891';
    expect(validateCreditCode(lawFirm + creditCodeCheckCharacter(lawFirm), 'c').ok).toBe(true);
  });

  it('normalises lowercase letters to capitals', () => {
    expect(validateCreditCode('91350100m000100y43', 'c')).toEqual({ ok: true, value: '91350100M000100Y43' });
  });

  it('CREDIT_CODE_LENGTH and CREDIT_CODE_CHARACTERS', () => {
    expect(rules(validateCreditCode('91350100M000100Y4', 'c'))).toEqual(['CREDIT_CODE_LENGTH']);
    expect(rules(validateCreditCode('91350100M000100I43', 'c'))).toEqual(['CREDIT_CODE_CHARACTERS']);
  });

  it('CREDIT_CODE_REGISTRATION_AUTHORITY: B is no registration authority', () => {
    const first17 = 'B1350100M000100Y4';
    expect(rules(validateCreditCode(first17 + creditCodeCheckCharacter(first17), 'c'))).toEqual([
      'CREDIT_CODE_REGISTRATION_AUTHORITY',
    ]);
  });

  it('CREDIT_CODE_DIVISION: characters 3–8 are digits', () => {
    const first17 = '9135A100M000100Y4';
    expect(rules(validateCreditCode(first17 + creditCodeCheckCharacter(first17), 'c'))).toEqual([
      'CREDIT_CODE_DIVISION',
    ]);
  });

  it('CREDIT_CODE_CHECK_CHARACTER', () => {
    expect(rules(validateCreditCode('91350100M000100Y44', 'c'))).toEqual(['CREDIT_CODE_CHECK_CHARACTER']);
  });

  it('property: every generated code with its check character is valid', () => {
    fc.assert(fc.property(validCreditCode, (code) => validateCreditCode(code, 'c').ok));
  });

  it('property: changing any one character to another allowed character fails', () => {
    fc.assert(
      fc.property(
        validCreditCode.chain((code) => mutate(code, () => CREDIT_CODE_ALPHABET)),
        (mutated) => !validateCreditCode(mutated, 'c').ok,
      ),
    );
  });
});

describe('collective economic organisation code', () => {
  it('builds and accepts a village-level code of Pingquan', () => {
    const code = makeCollectiveOrgCode('VILLAGE', '130881', 'MA0A1B2C3');
    expect(code).toBe('N2130881MA0A1B2C3Y');
    expect(validateCollectiveOrgCode(code)).toEqual({ ok: true, value: code });
    expect(collectiveOrgLevelOfCode(code)).toBe('VILLAGE');
    expect(makeCollectiveOrgCode('TOWNSHIP', '130881', '000000001')).toBe('N3130881000000001R');
  });

  it('COLLECTIVE_ORG_AUTHORITY: an enterprise code is no collective organisation', () => {
    const first17 = '92130881MA0A1B2C3';
    expect(rules(validateCollectiveOrgCode(first17 + creditCodeCheckCharacter(first17)))).toEqual([
      'COLLECTIVE_ORG_AUTHORITY',
    ]);
  });

  it('COLLECTIVE_ORG_LEVEL: only 1, 2, 3 and 9', () => {
    const first17 = 'N4130881MA0A1B2C3';
    expect(rules(validateCollectiveOrgCode(first17 + creditCodeCheckCharacter(first17)))).toEqual([
      'COLLECTIVE_ORG_LEVEL',
    ]);
  });

  it('COLLECTIVE_ORG_COUNTY: another county, unless that county is given', () => {
    const other = makeCollectiveOrgCode('GROUP', '130821', 'MA0A1B2C3');
    expect(rules(validateCollectiveOrgCode(other))).toEqual(['COLLECTIVE_ORG_COUNTY']);
    expect(validateCollectiveOrgCode(other, 'org', '130821').ok).toBe(true);
  });

  it('reports credit-code violations first', () => {
    expect(rules(validateCollectiveOrgCode('N2130881MA0A1B2C3X'))).toEqual(['CREDIT_CODE_CHECK_CHARACTER']);
  });

  it('property: the builder always produces a valid code of the requested level', () => {
    const levels: CollectiveOrgLevel[] = ['GROUP', 'VILLAGE', 'TOWNSHIP', 'OTHER'];
    fc.assert(
      fc.property(fc.constantFrom(...levels), creditChars(9), (level, body) => {
        const code = makeCollectiveOrgCode(level, '130881', body);
        return validateCollectiveOrgCode(code).ok && collectiveOrgLevelOfCode(code) === level;
      }),
    );
  });

  it('refuses a body outside the alphabet', () => {
    expect(() => makeCollectiveOrgCode('VILLAGE', '130881', 'MA0A1B2CO')).toThrow(RangeError);
  });
});

describe('land contracting codes', () => {
  const lianyunhai = listVillages('130881102').find((v) => v.name === '连云海村');
  if (!lianyunhai) throw new Error('连云海村 missing from the division data');
  const village = lianyunhai.code;

  it('builds the codes of one household in 连云海村', () => {
    const issuer = makeIssuerCode(village, 3);
    expect(issuer).toBe(`${village}03`);
    expect(makeIssuerCode(village)).toBe(`${village}00`);
    expect(makeContractorCode(issuer, 27)).toBe(`${issuer}0027`);
    expect(makePlotCode(issuer, 125)).toBe(`${issuer}00125`);
    const contract = makeContractCode(issuer, 27, 'FAMILY');
    expect(contract).toBe(`${issuer}00271`);
    expect(contractModeFromCode(contract)).toBe('FAMILY');
  });

  it('ISSUER_CODE_FORMAT and ISSUER_CODE_UNKNOWN_VILLAGE', () => {
    expect(validateIssuerCode(`${village}00`).ok).toBe(true);
    expect(rules(validateIssuerCode(`${village}0`))).toEqual(['ISSUER_CODE_FORMAT']);
    expect(rules(validateIssuerCode('13088110299900'))).toEqual(['ISSUER_CODE_UNKNOWN_VILLAGE']);
    expect(rules(validateIssuerCode('11010500100100'))).toEqual(['ISSUER_CODE_UNKNOWN_VILLAGE']);
  });

  it('PLOT_CODE_FORMAT, PLOT_CODE_UNKNOWN_VILLAGE and PLOT_CODE_SEQUENCE', () => {
    expect(rules(validatePlotCode(`${village}01A0001`))).toEqual(['PLOT_CODE_FORMAT']);
    expect(rules(validatePlotCode('1308811029990100001'))).toEqual(['PLOT_CODE_UNKNOWN_VILLAGE']);
    expect(rules(validatePlotCode(`${village}0100000`))).toEqual(['PLOT_CODE_SEQUENCE']);
  });

  it('CONTRACTOR_CODE_SEQUENCE: household numbers start at 0001', () => {
    expect(validateContractorCode(`${village}010001`).ok).toBe(true);
    expect(rules(validateContractorCode(`${village}010000`))).toEqual(['CONTRACTOR_CODE_SEQUENCE']);
  });

  it('CONTRACT_CODE_MODE: the last digit is a known contracting mode', () => {
    expect(rules(validateContractCode(`${village}0100015`))).toEqual(['CONTRACT_CODE_MODE']);
    expect(rules(validateContractCode(`${village}0100000`))).toEqual([
      'CONTRACT_CODE_SEQUENCE',
      'CONTRACT_CODE_MODE',
    ]);
    expect(contractModeFromCode(`${village}0100014`)).toBe('OPEN_NEGOTIATION');
    expect(contractModeFromCode(`${village}0100015`)).toBeUndefined();
  });

  it('builders refuse what cannot form a valid code', () => {
    expect(() => makeIssuerCode('130881102999')).toThrow(RangeError);
    expect(() => makeIssuerCode(village, 100)).toThrow(RangeError);
    expect(() => makePlotCode(`${village}00`, 0)).toThrow(RangeError);
    expect(() => makeContractCode(`${village}00`, 10000, 'FAMILY')).toThrow(RangeError);
  });

  it('property: builders always produce valid codes that embed their parts', () => {
    const villages = listVillages().map((v) => v.code);
    const modes: ContractMode[] = ['FAMILY', 'TENDER', 'AUCTION', 'OPEN_NEGOTIATION', 'OTHER'];
    fc.assert(
      fc.property(
        fc.constantFrom(...villages),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 1, max: 99999 }),
        fc.constantFrom(...modes),
        (villageCode, group, household, plot, mode) => {
          const issuer = makeIssuerCode(villageCode, group);
          const contract = makeContractCode(issuer, household, mode);
          const plotCode = makePlotCode(issuer, plot);
          const contractor = makeContractorCode(issuer, household);
          return (
            validateIssuerCode(issuer).ok &&
            validatePlotCode(plotCode).ok &&
            validateContractorCode(contractor).ok &&
            validateContractCode(contract).ok &&
            contract.startsWith(contractor) &&
            plotCode.startsWith(issuer) &&
            contractModeFromCode(contract) === mode
          );
        },
      ),
    );
  });
});
