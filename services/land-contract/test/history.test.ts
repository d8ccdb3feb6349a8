import { CertificationServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/certification';
import { LandHistoryServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/history';
import {
  type CommandContext,
  describeClientError,
  inTransaction,
  type Principal,
  recordChanges,
} from '@pingquan/kit';
import { Status } from 'nice-grpc-common';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { contractToMsg } from '../src/app/mapping.js';
import { ContractEntity, PlotEntity } from '../src/persistence/entities.js';
import {
  change,
  type Harness,
  leadingGroup,
  leadUnitA,
  registerSample,
  startLandContract,
} from './fixtures.js';

let h: Harness;
let history: ReturnType<typeof historyClient>;
const historyClient = (x: Harness) =>
  x.clients.create(LandHistoryServiceDefinition, `127.0.0.1:${x.service.port}`);
const auditor: Principal = { sub: 'user:audit-office', role: 'AUDITOR', name: '审计局 张审计' };

/** Structured auditor-read log lines, captured from the service's own logger. */
const auditorReads: Record<string, unknown>[] = [];

beforeAll(async () => {
  h = await startLandContract();
  history = historyClient(h);
  const logger = h.service.runtime.logger;
  const child = logger.child.bind(logger);
  vi.spyOn(logger, 'child').mockImplementation((bindings, options) => {
    const created = child(bindings, options);
    if (bindings['component'] === 'auditor-read') {
      vi.spyOn(created, 'info').mockImplementation((obj: unknown) => {
        auditorReads.push(obj as Record<string, unknown>);
      });
    }
    return created;
  });
});
afterAll(async () => {
  vi.restoreAllMocks();
  await h?.stop();
});

/**
 * Records an amendment of a contract the way every use case does: the row changed and one audit entry
 * with the state after it, in one transaction. (The amendment use cases themselves belong to the
 * extension and rights capabilities; history must read whatever they record.)
 */
async function amend(
  contractId: string,
  edit: (row: { termEnd: string; status: string }, plots: { code: string; name: string }[]) => void,
  action: string,
  effectiveOn: string,
  documentRef: string,
) {
  await inTransaction(h.service.runtime.orm, async (em) => {
    const row = await em.findOneOrFail(ContractEntity, { id: contractId });
    const plots = await em.find(PlotEntity, { contractId }, { orderBy: { code: 'asc' } });
    edit(row, plots);
    // A change of a plot is a change of its contract: the contract's version moves with it.
    row.updatedAt = new Date();
    await em.flush();
    const ctx: CommandContext = {
      principal: leadUnitA,
      reason: '',
      documentRef,
      traceId: `trace-${action}`,
      now: new Date(),
    };
    await recordChanges(em, ctx, [
      {
        aggregateType: 'contract',
        aggregateId: row.id,
        aggregateVersion: row.version,
        townshipCode: row.townshipCode,
        action,
        state: contractToMsg(row, plots),
        effectiveOn,
      },
    ]);
  });
}

describe('history and as-of reads', () => {
  it('reads a contract as of a date after an amendment, and a back-dated correction from its own day', async () => {
    const { contract } = await registerSample(h.client, 21);
    await amend(
      contract.id,
      (row) => {
        row.termEnd = '2058-09-30';
        row.status = 'EXTENDED';
      },
      'contract.extended',
      '2028-09-30',
      '碾子沟村成员大会决议〔2024〕3号',
    );
    // Recorded after the extension, but in effect since 2000: the plot was always named so.
    await amend(
      contract.id,
      (_row, plots) => {
        plots[0]!.name = '东大地一号';
      },
      'contract.corrected',
      '2000-01-01',
      '更正通知〔2024〕7号',
    );

    const asOf = (date: string, principal: Principal = leadingGroup) =>
      history.getContractAsOf({ idOrCode: contract.code, asOfDate: date }, { principal });

    const before = await asOf('2024-06-30');
    expect(before.existed).toBe(true);
    expect(before.contract).toEqual(
      expect.objectContaining({
        termEndDate: '2028-09-30',
        status: 'CONTRACT_STATUS_ACTIVE',
        totalAreaMu4: 75_000,
      }),
    );
    // The correction reaches back; the extension does not come forward with it.
    expect(before.contract?.plots.map((p) => p.name)).toEqual(['东大地一号', '东大地2']);
    expect(before.changesApplied).toBe(2);
    expect(before.lastChangeEffectiveOn).toBe('2000-01-01');

    const after = await asOf('2030-01-01');
    expect(after.contract).toEqual(
      expect.objectContaining({ termEndDate: '2058-09-30', status: 'CONTRACT_STATUS_EXTENDED', version: 3 }),
    );
    expect(after.changesApplied).toBe(3);

    const beforeTerm = await asOf('1998-09-30');
    expect(beforeTerm).toEqual(expect.objectContaining({ existed: false, contract: undefined }));

    const bad = describeClientError(
      await asOf('2024-13-01').then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    expect(bad?.code).toBe(Status.INVALID_ARGUMENT);
    expect(bad?.violations[0]).toEqual(expect.objectContaining({ rule: 'DATE_INVALID', field: 'asOfDate' }));

    // The history itself: every change with who, in which role, why, when, under which trace.
    const read = await history.getContractHistory(
      { idOrCode: contract.id, page: undefined },
      { principal: leadingGroup },
    );
    const entries = read.history?.entries ?? [];
    expect(entries.map((e) => [e.seq, e.action, e.effectiveOn, e.aggregateVersion])).toEqual([
      [1, 'contract.registered', '1998-10-01', 1],
      [2, 'contract.extended', '2028-09-30', 2],
      [3, 'contract.corrected', '2000-01-01', 3],
    ]);
    expect(entries[0]).toEqual(
      expect.objectContaining({
        actor: expect.objectContaining({ subject: leadUnitA.sub, role: 'ROLE_LEAD_UNIT' }),
        reason: 'test registration',
        eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      }),
    );
    expect(entries[1]).toEqual(
      expect.objectContaining({
        documentRef: '碾子沟村成员大会决议〔2024〕3号',
        traceId: 'trace-contract.extended',
      }),
    );
    expect(JSON.parse(entries[1]!.stateJson)).toEqual(expect.objectContaining({ termEndDate: '2058-09-30' }));
    expect(entries[0]!.at).toBeInstanceOf(Date);
    expect(read.history?.findings).toEqual([]);
  });

  it('pages through a history and reports a gap in its version sequence', async () => {
    const { contract } = await registerSample(h.client, 22);
    await amend(
      contract.id,
      (row) => {
        row.termEnd = '2028-09-29';
      },
      'contract.corrected',
      '2024-01-01',
      'x-1',
    );
    await amend(
      contract.id,
      (row) => {
        row.termEnd = '2028-09-30';
      },
      'contract.corrected',
      '2024-01-02',
      'x-2',
    );
    const seen: number[] = [];
    let token = '';
    do {
      const page = await history.getContractHistory(
        { idOrCode: contract.code, page: { pageSize: 2, pageToken: token } },
        { principal: leadingGroup },
      );
      seen.push(...(page.history?.entries ?? []).map((e) => e.seq));
      expect(page.history?.pageInfo?.totalCount).toBe(3);
      token = page.history?.pageInfo?.nextPageToken ?? '';
    } while (token);
    expect(seen).toEqual([1, 2, 3]);

    // A change recorded with a skipped version is something an auditor must see.
    const c = new pg.Client({ connectionString: h.dbUrl });
    await c.connect();
    await c.query(
      `INSERT INTO pq_audit_log (aggregate_type, aggregate_id, aggregate_version, action, actor_subject, actor_role, reason, state)
       SELECT 'contract', aggregate_id, 5, 'contract.corrected', 'user:x', 'SERVICE', 'gap', state FROM pq_audit_log
       WHERE aggregate_type = 'contract' AND aggregate_id = $1 ORDER BY id DESC LIMIT 1`,
      [contract.id],
    );
    await c.end();
    const gap = await history.getContractHistory(
      { idOrCode: contract.code, page: undefined },
      { principal: auditor },
    );
    expect(gap.history?.findings).toContainEqual(
      expect.objectContaining({ rule: 'HISTORY_SEQUENCE_GAP', field: 'history[3].seq' }),
    );
  });

  it('shows the auditor personal data unmasked and the leading group masked, and logs every auditor read', async () => {
    const { household, contract } = await registerSample(h.client, 23);
    auditorReads.length = 0;

    const masked = await history.getHouseholdHistory(
      { idOrCode: household.code, page: undefined },
      { principal: leadingGroup },
    );
    expect(masked.history?.personalDataUnmasked).toBe(false);
    const maskedState = JSON.parse(masked.history?.entries[0]?.stateJson ?? '{}') as {
      members: { residentId: string }[];
    };
    expect(maskedState.members.map((m) => m.residentId)).toEqual([
      expect.stringMatching(/^130881\*{8}\d{3}[\dX]$/),
      expect.stringMatching(/^130881\*{8}\d{3}[\dX]$/),
    ]);
    expect(auditorReads).toEqual([]);

    const plain = await history.getHouseholdHistory(
      { idOrCode: household.id, page: undefined },
      { principal: auditor },
    );
    expect(plain.history?.personalDataUnmasked).toBe(true);
    const plainState = JSON.parse(plain.history?.entries[0]?.stateJson ?? '{}') as {
      members: { residentId: string }[];
    };
    expect(plainState.members.map((m) => m.residentId)).toEqual([
      expect.stringMatching(/^\d{17}[\dX]$/),
      expect.stringMatching(/^\d{17}[\dX]$/),
    ]);
    await history.getContractAsOf(
      { idOrCode: contract.code, asOfDate: '2024-01-01' },
      { principal: auditor },
    );
    await history.getContractHistory({ idOrCode: contract.code, page: undefined }, { principal: auditor });

    expect(auditorReads).toEqual([
      expect.objectContaining({
        auditor: auditor.sub,
        auditorName: auditor.name,
        role: 'AUDITOR',
        read: expect.objectContaining({ rpc: 'GetHouseholdHistory', household: household.id }),
      }),
      expect.objectContaining({
        auditor: auditor.sub,
        read: expect.objectContaining({
          rpc: 'GetContractAsOf',
          contract: contract.code,
          asOfDate: '2024-01-01',
        }),
      }),
      expect.objectContaining({
        auditor: auditor.sub,
        read: expect.objectContaining({ rpc: 'GetContractHistory', contract: contract.code }),
      }),
    ]);

    // Outside a township official's scope the household's history does not exist.
    const other: Principal = { sub: 'user:t', role: 'TOWNSHIP_OFFICIAL', townships: ['130881103'] };
    const denied = await history
      .getHouseholdHistory({ idOrCode: household.id, page: undefined }, { principal: other })
      .then(
        () => undefined,
        (e: unknown) => describeClientError(e),
      );
    expect(denied?.code).toBe(Status.NOT_FOUND);
  });

  it('reads a certification case history with each stage dated by its legal day', async () => {
    const cert = h.clients.create(CertificationServiceDefinition, `127.0.0.1:${h.service.port}`);
    const { household } = await registerSample(h.client, 24);
    for (const [stage, date] of [
      ['SURVEYED', '2024-03-01'],
      ['PUBLICLY_NOTICED', '2024-03-10'],
    ] as const) {
      await cert.advanceCertificationStage(
        {
          householdId: household.id,
          stage: `CERTIFICATION_STAGE_${stage}`,
          date,
          certificateNo: '',
          registerBookNo: '',
          context: { reason: '', documentRef: `公示〔2024〕${stage}`, idempotencyKey: '' },
        },
        { principal: leadUnitA },
      );
    }
    await cert.raiseCertificationObjection(
      {
        householdId: household.id,
        raisedOn: '2024-03-15',
        raisedBy: '王五',
        subject: '面积',
        context: change('异议登记'),
      },
      { principal: leadUnitA },
    );
    const read = await history.getCertificationCaseHistory(
      { id: household.id, page: undefined },
      { principal: auditor },
    );
    expect(read.history?.aggregateType).toBe('certification-case');
    expect(read.history?.entries.map((e) => [e.action, e.effectiveOn, e.documentRef || e.reason])).toEqual([
      ['certification-case.stage-advanced', '2024-03-01', '公示〔2024〕SURVEYED'],
      ['certification-case.stage-advanced', '2024-03-10', '公示〔2024〕PUBLICLY_NOTICED'],
      ['certification-case.objection-raised', '2024-03-15', '异议登记'],
    ]);
    expect(read.history?.findings).toEqual([]);
  });
});
