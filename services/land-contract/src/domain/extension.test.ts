import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyExtension,
  checkBatchStart,
  DEFAULT_EXTENSION_POLICY,
  decideExtension,
  type ExtensionDecision,
  type ExtensionRow,
  extendedTerm,
  extensionPhaseOn,
  isDueForExtension,
  planExtensionBatch,
} from './extension.js';
import {
  accepted,
  contract,
  encumbrance,
  household,
  ISSUER,
  member,
  mu,
  PILOT_VILLAGE,
  resolution,
  rules,
  VILLAGE,
} from './test-fixtures.js';

const ctx = { scopeCode: ISSUER, asOf: '2024-08-01' };
const row = (seq: number, overrides: Partial<ExtensionRow> = {}): ExtensionRow => ({
  contract: contract(seq),
  household: household(seq),
  encumbrances: [],
  ...overrides,
});

function skipReason(d: ExtensionDecision): string {
  return d.action === 'SKIP' ? d.reason : 'EXTEND';
}

describe('30-year extension', () => {
  it('EXTENSION_TERM_FROM_SECOND_ROUND_EXPIRY: new term runs 30 years from the old end date, not from today', () => {
    const d = decideExtension(row(1), ctx);
    expect(d).toMatchObject({ action: 'EXTEND', newTermStart: '2028-12-31', newTermEnd: '2058-12-31' });
    const later = decideExtension(row(1), { ...ctx, asOf: '2026-05-17' });
    expect(later).toMatchObject({ newTermStart: '2028-12-31', newTermEnd: '2058-12-31' });
  });

  it('EXTENSION_TERM_FROM_SECOND_ROUND_EXPIRY: a 29 February expiry ends on 28 February thirty years on', () => {
    expect(extendedTerm({ termEnd: '2028-02-29' })).toEqual({ start: '2028-02-29', end: '2058-02-28' });
  });

  it('EXTENSION_TERM_FROM_SECOND_ROUND_EXPIRY: a transferee contract counts from the recorded second-round end', () => {
    expect(extendedTerm({ termEnd: '2028-12-31', secondRoundEnd: '2028-12-31' }).end).toBe('2058-12-31');
  });

  it('NOT_DUE: due only within the policy window; the window edge is inclusive', () => {
    const policy = { ...DEFAULT_EXTENSION_POLICY, dueWindowMonths: 12 };
    expect(isDueForExtension(contract(1), '2027-12-31', policy)).toBe(true);
    expect(isDueForExtension(contract(1), '2027-12-30', policy)).toBe(false);
    expect(skipReason(decideExtension(row(1), { ...ctx, asOf: '2027-12-30', policy }))).toBe('NOT_DUE');
  });

  it('NOT_DUE is not given to an expired, unextended contract: it is overdue and still extended', () => {
    const expired = contract(1, { termEnd: '2024-01-01' });
    expect(decideExtension(row(1, { contract: expired }), ctx)).toMatchObject({
      action: 'EXTEND',
      newTermStart: '2024-01-01',
      newTermEnd: '2054-01-01',
    });
  });

  it('ALREADY_EXTENDED: a batch run twice skips what the first run extended (idempotent)', () => {
    const first = decideExtension(row(1), ctx);
    const { contract: extended } = accepted(
      applyExtension(contract(1), first, { batchId: 'b1', resolutionRef: 'R1' }),
    );
    expect(extended).toMatchObject({
      status: 'EXTENDED',
      termEnd: '2058-12-31',
      secondRoundEnd: '2028-12-31',
    });
    expect(extended.termStart).toBe('1999-01-01');
    const again = decideExtension(row(1, { contract: extended }), ctx);
    expect(again).toMatchObject({ action: 'SKIP', reason: 'ALREADY_EXTENDED' });
  });

  it('ALREADY_EXTENDED: recognised by the term even if the status was lost', () => {
    const c = contract(1, { secondRoundEnd: '2028-12-31', termEnd: '2058-12-31' });
    expect(skipReason(decideExtension(row(1, { contract: c }), ctx))).toBe('ALREADY_EXTENDED');
  });

  it('NOT_FAMILY_CONTRACT: tender, auction and negotiated contracts keep their own term', () => {
    const c = contract(1, { mode: 'TENDER', code: `${ISSUER}00012` });
    expect(skipReason(decideExtension(row(1, { contract: c }), ctx))).toBe('NOT_FAMILY_CONTRACT');
  });

  it('HOUSEHOLD_EXTINCT: a household whose members all died is reclaimed, not extended', () => {
    const dead = household(1, {
      members: [member(11, { alive: false }), member(12, { relation: 'SPOUSE', alive: false })],
    });
    expect(skipReason(decideExtension(row(1, { household: dead }), ctx))).toBe('HOUSEHOLD_EXTINCT');
    expect(skipReason(decideExtension(row(1, { household: household(1, { members: [] }) }), ctx))).toBe(
      'HOUSEHOLD_INVALID',
    );
  });

  it('HOUSEHOLD_UNKNOWN: a contract whose household is missing from the register is reported, not guessed', () => {
    const { household: _omitted, ...withoutHousehold } = row(1);
    expect(skipReason(decideExtension(withoutHousehold, ctx))).toBe('HOUSEHOLD_UNKNOWN');
  });

  it('STATUS_ENDED: surrendered, transferred, reclaimed and terminated contracts are skipped', () => {
    for (const status of ['TRANSFERRED', 'SURRENDERED', 'RECLAIMED', 'TERMINATED'] as const) {
      expect(skipReason(decideExtension(row(1, { contract: contract(1, { status }) }), ctx))).toBe(
        'STATUS_ENDED',
      );
    }
  });

  it('OUTSIDE_BATCH_SCOPE: a batch for one issuer does not touch another', () => {
    expect(skipReason(decideExtension(row(1), { ...ctx, scopeCode: `${VILLAGE}01` }))).toBe(
      'OUTSIDE_BATCH_SCOPE',
    );
    expect(skipReason(decideExtension(row(1), { ...ctx, scopeCode: VILLAGE }))).toBe('EXTEND');
  });

  it('ENCUMBRANCE_REVIEW_REQUIRED: mortgaged contracts are extended and flagged by default, held back if policy says so', () => {
    const r = row(1, { encumbrances: [encumbrance()] });
    expect(decideExtension(r, ctx)).toMatchObject({ action: 'EXTEND', encumbered: true });
    const policy = { ...DEFAULT_EXTENSION_POLICY, encumberedContracts: 'SKIP' as const };
    expect(skipReason(decideExtension(r, { ...ctx, policy }))).toBe('ENCUMBRANCE_REVIEW_REQUIRED');
    const released = row(1, { encumbrances: [encumbrance({ releasedOn: '2024-05-01' })] });
    expect(decideExtension(released, { ...ctx, policy })).toMatchObject({
      action: 'EXTEND',
      encumbered: false,
    });
  });

  it('planExtensionBatch reports every skip with its reason and sums areas exactly', () => {
    const { decisions, summary } = planExtensionBatch(
      [row(1), row(2), row(3, { contract: contract(3, { status: 'SURRENDERED' }) })],
      ctx,
    );
    expect(decisions.map(skipReason)).toEqual(['EXTEND', 'EXTEND', 'STATUS_ENDED']);
    expect(summary.extend).toEqual({ count: 2, areaMu4: mu(8) });
    expect(summary.skipped).toEqual({ STATUS_ENDED: { count: 1, areaMu4: mu(4) } });
  });

  it('EXTENSION_PLAN_STALE: a decision taken on an older state is not applied over a newer one', () => {
    const d = decideExtension(row(1), ctx);
    const changed = contract(1, { termEnd: '2028-06-30' });
    expect(rules(applyExtension(changed, d, { batchId: 'b', resolutionRef: 'R' }))).toEqual([
      'EXTENSION_PLAN_STALE',
    ]);
  });

  it('EXTENSION_TERM_FROM_SECOND_ROUND_EXPIRY: the amendment leaves the certificate untouched (不变不换)', () => {
    const d = decideExtension(row(1), ctx);
    const { amendment } = accepted(applyExtension(contract(1), d, { batchId: 'b1', resolutionRef: 'R1' }));
    expect(amendment).toMatchObject({
      kind: 'TERM_EXTENSION',
      certificateReissued: false,
      oldTermEnd: '2028-12-31',
    });
  });

  it('property: deciding again after applying never extends twice, whatever the dates', () => {
    const dates = fc
      .date({
        min: new Date('2020-01-01T00:00:00Z'),
        max: new Date('2035-12-31T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(dates, dates, (termEnd, asOf) => {
        const c = contract(1, { termEnd });
        const first = decideExtension(row(1, { contract: c }), { ...ctx, asOf });
        if (first.action !== 'EXTEND') return;
        const applied = accepted(applyExtension(c, first, { batchId: 'b', resolutionRef: 'R' })).contract;
        expect(decideExtension(row(1, { contract: applied }), { ...ctx, asOf })).toMatchObject({
          action: 'SKIP',
          reason: 'ALREADY_EXTENDED',
        });
      }),
    );
  });
});

describe('starting a batch', () => {
  const policy = { ...DEFAULT_EXTENSION_POLICY, pilotVillageCodes: [PILOT_VILLAGE] };
  const r = resolution('CONTRACT_EXTENSION');

  it('EXTENSION_PILOT_VILLAGES_FIRST: before the city-wide phase only pilot villages may start', () => {
    expect(checkBatchStart(`${PILOT_VILLAGE}00`, '2024-06-30', r, policy)).toEqual([]);
    expect(rules(checkBatchStart(ISSUER, '2024-06-30', r, policy))).toEqual([
      'EXTENSION_PILOT_VILLAGES_FIRST',
    ]);
    expect(checkBatchStart(ISSUER, '2024-07-01', r, policy)).toEqual([]);
  });

  it('EXTENSION_BEFORE_PILOT_PHASE: nothing starts before the pilot phase', () => {
    const early = resolution('CONTRACT_EXTENSION', { noticeDate: '2023-04-01', meetingDate: '2023-05-01' });
    expect(rules(checkBatchStart(PILOT_VILLAGE, '2023-05-31', early, policy))).toEqual([
      'EXTENSION_BEFORE_PILOT_PHASE',
    ]);
    expect(extensionPhaseOn('2023-06-01', policy)).toBe('PILOT_VILLAGES');
  });

  it('RESOLUTION_REQUIRED: a batch needs the member meeting’s resolution', () => {
    expect(rules(checkBatchStart(ISSUER, '2024-08-01', undefined, policy))).toEqual(['RESOLUTION_REQUIRED']);
  });

  it('RESOLUTION_TWO_THIRDS_OF_ALL: two thirds of all members, not of those present', () => {
    const short = resolution('CONTRACT_EXTENSION', { votesFor: 66, votesAgainst: 0 });
    expect(rules(checkBatchStart(ISSUER, '2024-08-01', short, policy))).toEqual([
      'RESOLUTION_TWO_THIRDS_OF_ALL',
    ]);
    const exact = resolution('CONTRACT_EXTENSION', {
      totalMembers: 99,
      votesFor: 66,
      attending: 66,
      votesAgainst: 0,
    });
    expect(checkBatchStart(ISSUER, '2024-08-01', exact, policy)).toEqual([]);
  });

  it('RESOLUTION_MATTER_MISMATCH: a resolution on another matter does not authorise the batch', () => {
    expect(rules(checkBatchStart(ISSUER, '2024-08-01', resolution('PLOT_ADJUSTMENT'), policy))).toEqual([
      'RESOLUTION_MATTER_MISMATCH',
    ]);
  });

  it('RESOLUTION_AFTER_ACT: the meeting comes before the batch', () => {
    expect(
      rules(
        checkBatchStart(
          ISSUER,
          '2024-07-15',
          resolution('CONTRACT_EXTENSION', { meetingDate: '2024-07-20', noticeDate: '2024-07-01' }),
          policy,
        ),
      ),
    ).toEqual(['RESOLUTION_AFTER_ACT']);
  });

  it('ISSUER_CODE_UNKNOWN_VILLAGE: the scope is a known village or issuer', () => {
    expect(rules(checkBatchStart('13088199999900', '2024-08-01', r, policy))).toContain(
      'ISSUER_CODE_UNKNOWN_VILLAGE',
    );
    expect(rules(checkBatchStart('130881999999', '2024-08-01', r, policy))).toContain(
      'DIVISION_UNKNOWN_VILLAGE',
    );
  });
});
