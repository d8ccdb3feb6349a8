// Builders for the domain's unit tests: valid by default, so each test changes only what its rule
// is about. Codes use real village codes from the reference data, so code validators pass.
import {
  type Checked,
  creditCodeCheckCharacter,
  type LocalDate,
  MU4_PER_MU,
  type Resolution,
  type ResolutionMatter,
  type RuleViolation,
  residentIdCheckCharacter,
} from '@pingquan/reference';
import type { Circulation, Contract, Encumbrance, Household, Member, Plot, RecordedAct } from './model.js';

/** 西梁村 of 平泉镇 — not an early-pilot village in the reference data. */
export const VILLAGE = '130881100201';
/** 头道河村 of 平泉镇 — an early-pilot village. */
export const PILOT_VILLAGE = '130881100203';
export const ISSUER = `${VILLAGE}00`;
export const OTHER_ISSUER = `${PILOT_VILLAGE}00`;
export const TODAY: LocalDate = '2025-03-01';

export function residentId(seq: number, birth = '19650312'): string {
  const first17 = `130881${birth}${String(seq).padStart(3, '0')}`;
  return first17 + residentIdCheckCharacter(first17);
}

export function creditCode(body9 = 'MA0A1B2C3', authority = '91'): string {
  const first17 = `${authority}130881${body9}`;
  return first17 + creditCodeCheckCharacter(first17);
}

export function mu(value: number): number {
  return Math.round(value * MU4_PER_MU);
}

export function plot(seq: number, overrides: Partial<Plot> = {}, issuer = ISSUER): Plot {
  return {
    code: `${issuer}${String(seq).padStart(5, '0')}`,
    name: `北山坡${seq}`,
    contractAreaMu4: mu(2),
    surveyedAreaMu4: mu(2.1234),
    landClass: 'CULTIVATED',
    basicFarmland: false,
    boundaries: { east: '张家地', south: '道路', west: '水渠', north: '山脚' },
    ...overrides,
  };
}

export function member(seq: number, overrides: Partial<Member> = {}): Member {
  return {
    residentId: residentId(seq),
    name: `成员${seq}`,
    relation: 'HEAD',
    alive: true,
    movedToTown: false,
    povertyFlags: [],
    ...overrides,
  };
}

export function household(seq: number, overrides: Partial<Household> = {}, issuer = ISSUER): Household {
  return {
    id: `hh-${issuer}-${seq}`,
    code: `${issuer}${String(seq).padStart(4, '0')}`,
    issuerCode: issuer,
    members: [member(seq * 10 + 1), member(seq * 10 + 2, { relation: 'SPOUSE' })],
    ...overrides,
  };
}

/** A second-round family contract 1999-01-01 → 2028-12-31 with two 2-mu plots. */
export function contract(seq: number, overrides: Partial<Contract> = {}, issuer = ISSUER): Contract {
  return {
    id: `c-${issuer}-${seq}`,
    code: `${issuer}${String(seq).padStart(4, '0')}1`,
    issuerCode: issuer,
    householdId: `hh-${issuer}-${seq}`,
    mode: 'FAMILY',
    termStart: '1999-01-01',
    termEnd: '2028-12-31',
    status: 'ACTIVE',
    plots: [plot(seq * 10 + 1, {}, issuer), plot(seq * 10 + 2, {}, issuer)],
    adjustmentForbidden: false,
    ...overrides,
  };
}

/** A valid member-meeting resolution: 100 members, 80 present, 70 for. */
export function resolution(matter: ResolutionMatter, overrides: Partial<Resolution> = {}): Resolution {
  return {
    body: 'MEMBER_MEETING',
    matter,
    meetingDate: '2024-06-20',
    noticeDate: '2024-06-05',
    totalMembers: 100,
    attending: 80,
    votesFor: 70,
    votesAgainst: 5,
    documentRef: '西梁村股份经济合作社决议〔2024〕3号',
    ...overrides,
  };
}

export function act(date: LocalDate, reference = 'DOC-1', by = '西梁村股份经济合作社'): RecordedAct {
  return { date, reference, by };
}

export function circulation(overrides: Partial<Circulation> = {}): Circulation {
  return {
    id: 'circ-1',
    contractId: `c-${ISSUER}-1`,
    contractorHouseholdId: `hh-${ISSUER}-1`,
    mode: 'LEASE',
    transferee: {
      kind: 'COOPERATIVE',
      name: '平泉镇食用菌专业合作社',
      creditCode: creditCode('MA0C0P001', '93'),
      memberOfCollective: false,
    },
    plots: [{ plotCode: `${ISSUER}00011`, areaMu4: mu(1) }],
    termStart: '2024-03-01',
    termEnd: '2027-03-01',
    use: 'GRAIN',
    written: true,
    filing: act('2024-02-20', 'BA-2024-001'),
    status: 'ACTIVE',
    reviews: [],
    riskDepositPaidFen: 0,
    ...overrides,
  };
}

export function encumbrance(overrides: Partial<Encumbrance> = {}): Encumbrance {
  return {
    mortgageId: 'm-1',
    contractId: `c-${ISSUER}-1`,
    scope: { kind: 'WHOLE_CONTRACT' },
    securedAmountFen: 5_000_000,
    registeredOn: '2024-01-10',
    creditor: '平泉农商银行',
    securedUntil: '2027-01-10',
    ...overrides,
  };
}

/** The rule names of a result, for `expect(rules(x)).toContain('RULE')`. */
export function rules(result: Checked<unknown> | readonly RuleViolation[]): string[] {
  if (Array.isArray(result)) return result.map((v: RuleViolation) => v.rule);
  const checked = result as Checked<unknown>;
  return checked.ok ? [] : checked.violations.map((v) => v.rule);
}

/** The value of a result that must have passed; fails the test with the violations otherwise. */
export function accepted<T>(result: Checked<T>): T {
  if (!result.ok) throw new Error(`Expected success, got ${JSON.stringify(result.violations, null, 2)}`);
  return result.value;
}
