import { describe, expect, it } from 'vitest';
import {
  type ContractAuditEntry,
  contractAsOf,
  shanghaiDateOf,
  validateAuditEntry,
  verifyHistory,
} from './history.js';
import type { Contract } from './model.js';
import { contract, plot, rules } from './test-fixtures.js';

const created = contract(1);
const extended: Contract = {
  ...created,
  status: 'EXTENDED',
  termEnd: '2058-12-31',
  secondRoundEnd: '2028-12-31',
};
const renamed: Contract = {
  ...extended,
  plots: [{ ...plot(11), name: '南河滩' }, plot(12)],
};

function entry(seq: number, overrides: Partial<ContractAuditEntry>): ContractAuditEntry {
  return {
    id: `e${seq}`,
    aggregateId: created.id,
    seq,
    at: '2024-08-01T09:30:00+08:00',
    effectiveOn: '2024-08-01',
    actor: { principal: 'clerk-1', role: 'TOWNSHIP_OFFICIAL' },
    documentRef: 'DOC',
    traceId: `trace-${seq}`,
    kind: 'CORRECTED',
    before: null,
    after: created,
    ...overrides,
  };
}

const history: ContractAuditEntry[] = [
  entry(1, {
    kind: 'CREATED',
    effectiveOn: '1999-01-01',
    at: '2023-03-01T10:00:00+08:00',
    before: null,
    after: created,
  }),
  entry(2, { kind: 'TERM_EXTENDED', effectiveOn: '2024-08-01', before: created, after: extended }),
  // Recorded later, but corrects a plot name that was wrong from the start.
  entry(3, {
    kind: 'CORRECTED',
    effectiveOn: '1999-01-01',
    at: '2024-09-01T10:00:00+08:00',
    before: extended,
    after: renamed,
    reason: '地块名称录入错误',
  }),
];

describe('history', () => {
  it('CONTRACT_AS_OF: nothing before creation, the original state before the extension, the extended one after', () => {
    expect(contractAsOf(history, '1998-12-31')).toBeUndefined();
    expect(contractAsOf(history, '2024-07-31')?.termEnd).toBe('2028-12-31');
    expect(contractAsOf(history, '2024-08-01')).toMatchObject({ status: 'EXTENDED', termEnd: '2058-12-31' });
  });

  it('CONTRACT_AS_OF: a back-dated correction applies from its effective day without pulling later changes back', () => {
    const in2020 = contractAsOf(history, '2020-01-01');
    expect(in2020?.plots[0]?.name).toBe('南河滩');
    expect(in2020?.status).toBe('ACTIVE');
    expect(in2020?.termEnd).toBe('2028-12-31');
    expect(contractAsOf(history, '2025-01-01')).toEqual(renamed);
  });

  it('CONTRACT_AS_OF: a plot removed by an adjustment is gone from that day only', () => {
    const adjusted: Contract = { ...renamed, plots: [plot(12), plot(901)] };
    const withAdjustment = [
      ...history,
      entry(4, { kind: 'PLOTS_ADJUSTED', effectiveOn: '2025-02-01', before: renamed, after: adjusted }),
    ];
    expect(contractAsOf(withAdjustment, '2025-01-31')?.plots.map((p) => p.code)).toEqual([
      plot(11).code,
      plot(12).code,
    ]);
    expect(contractAsOf(withAdjustment, '2025-02-01')?.plots.map((p) => p.code)).toEqual([
      plot(12).code,
      plot(901).code,
    ]);
  });

  it('AUDIT_REASON_REQUIRED: every change says why, by a reason or a document', () => {
    const { documentRef: _none, ...bare } = entry(2, { before: created, after: extended });
    expect(rules(validateAuditEntry(bare))).toEqual(['AUDIT_REASON_REQUIRED']);
    expect(validateAuditEntry({ ...bare, reason: '延包' })).toEqual([]);
  });

  it('AUDIT_ACTOR_REQUIRED / AUDIT_TRACE_ID_REQUIRED / AUDIT_INSTANT_INVALID / AUDIT_SNAPSHOT_REQUIRED', () => {
    const e = entry(2, { before: created, after: extended });
    expect(rules(validateAuditEntry({ ...e, actor: { principal: '', role: 'x' } }))).toEqual([
      'AUDIT_ACTOR_REQUIRED',
    ]);
    expect(rules(validateAuditEntry({ ...e, traceId: '' }))).toEqual(['AUDIT_TRACE_ID_REQUIRED']);
    expect(rules(validateAuditEntry({ ...e, at: 'yesterday' }))).toEqual(['AUDIT_INSTANT_INVALID']);
    expect(rules(validateAuditEntry({ ...e, before: null }))).toEqual(['AUDIT_SNAPSHOT_REQUIRED']);
  });

  it('HISTORY_CHAIN_BROKEN / HISTORY_SEQUENCE_GAP: each entry starts where the last one left off', () => {
    expect(verifyHistory(history)).toEqual([]);
    const broken = [
      history[0] as ContractAuditEntry,
      { ...(history[1] as ContractAuditEntry), before: renamed },
    ];
    expect(rules(verifyHistory(broken))).toEqual(['HISTORY_CHAIN_BROKEN']);
    expect(
      rules(verifyHistory([history[0] as ContractAuditEntry, history[2] as ContractAuditEntry])),
    ).toContain('HISTORY_SEQUENCE_GAP');
  });

  it('shanghaiDateOf: the effective day of an instant is its date in Asia/Shanghai', () => {
    expect(shanghaiDateOf('2024-12-31T16:00:00Z')).toBe('2025-01-01');
    expect(shanghaiDateOf('2024-12-31T15:59:59Z')).toBe('2024-12-31');
    expect(shanghaiDateOf('not a time')).toBeUndefined();
  });
});
