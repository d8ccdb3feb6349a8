import { PolicyServiceDefinition } from '@pingquan/contracts/pingquan/common/v1/policy';
import {
  type CertificationCase,
  CertificationServiceDefinition,
  CertificationStageAdvanced,
} from '@pingquan/contracts/pingquan/land_contract/v1/certification';
import { describeClientError, type Principal } from '@pingquan/kit';
import { Status } from 'nice-grpc-common';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  change,
  type Harness,
  leadingGroup,
  leadUnitA,
  readEvents,
  registerSample,
  startLandContract,
  TOWNSHIP,
  VILLAGE,
} from './fixtures.js';

let h: Harness;
let cert: ReturnType<Harness['clients']['create']> & ReturnType<typeof certClient>;
const certClient = (x: Harness) =>
  x.clients.create(CertificationServiceDefinition, `127.0.0.1:${x.service.port}`);

beforeAll(async () => {
  h = await startLandContract();
  cert = certClient(h);
});
afterAll(async () => {
  await h?.stop();
});

const otherTownshipOfficial: Principal = {
  sub: 'user:t-other',
  role: 'TOWNSHIP_OFFICIAL',
  townships: ['130881103'],
};
const ownTownshipOfficial: Principal = {
  sub: 'user:t-own',
  role: 'TOWNSHIP_OFFICIAL',
  townships: [TOWNSHIP],
};

async function counts(): Promise<Record<string, number>> {
  const c = new pg.Client({ connectionString: h.dbUrl });
  await c.connect();
  const out: Record<string, number> = {};
  for (const t of [
    'certification_case',
    'certification_objection',
    'certification_legacy_case',
    'certification_register_entry',
    'pq_outbox',
    'pq_audit_log',
  ]) {
    out[t] = Number((await c.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
  }
  await c.end();
  return out;
}

/** The failure of a call: status and violations; fails the test when the call succeeded. */
async function failure(call: Promise<unknown>) {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  const f = describeClientError(error);
  if (!f) throw new Error(`expected a gRPC failure, got ${String(error)}`);
  return f;
}

/** Expects a refusal by the named rule on the named field that changed nothing at all. */
async function expectRefusedUnchanged(
  call: () => Promise<unknown>,
  rule: string,
  field: string,
  code = Status.FAILED_PRECONDITION,
) {
  const before = await counts();
  const f = await failure(call());
  expect(f.code).toBe(code);
  expect(f.violations).toContainEqual(expect.objectContaining({ rule, field }));
  expect(await counts()).toEqual(before);
  return f;
}

const advance = (
  householdId: string,
  stage: string,
  date: string,
  extra: Record<string, string> = {},
  principal = leadUnitA,
) =>
  cert
    .advanceCertificationStage(
      {
        householdId,
        stage: `CERTIFICATION_STAGE_${stage}` as never,
        date,
        certificateNo: extra['certificateNo'] ?? '',
        registerBookNo: extra['registerBookNo'] ?? '',
        context: change(`certification: ${stage}`),
      },
      { principal },
    )
    .then((r) => r.certificationCase as CertificationCase);

describe('certification campaign (确权登记颁证)', () => {
  it('moves a household through the stages strictly in order and issues the certificate with its register entries', async () => {
    const { household, contract } = await registerSample(h.client, 11);
    await expectRefusedUnchanged(
      () => advance(household.id, 'SIGNED', '2024-03-01'),
      'CERTIFICATION_STAGE_ORDER',
      'stage',
    );

    const surveyed = await advance(household.id, 'SURVEYED', '2024-03-01');
    expect(surveyed.stage).toBe('CERTIFICATION_STAGE_SURVEYED');
    expect(surveyed.nextStage).toBe('CERTIFICATION_STAGE_PUBLICLY_NOTICED');
    expect(surveyed.householdCode).toBe(household.code);
    expect(surveyed.villageCode).toBe(VILLAGE);

    // A stage is never skipped, nor dated before the one it follows.
    await expectRefusedUnchanged(
      () => advance(household.id, 'SIGNED', '2024-03-10'),
      'CERTIFICATION_STAGE_ORDER',
      'stage',
    );
    await expectRefusedUnchanged(
      () => advance(household.id, 'PUBLICLY_NOTICED', '2024-02-28'),
      'CERTIFICATION_DATE_ORDER',
      'date',
    );

    const noticed = await advance(household.id, 'PUBLICLY_NOTICED', '2024-03-10');
    expect(noticed.noticeWindowDays).toBe(30);
    expect(noticed.noticeWindowEndDate).toBe('2024-04-09');

    // The 30-day public notice must run its course.
    await expectRefusedUnchanged(
      () => advance(household.id, 'SIGNED', '2024-04-08'),
      'NOTICE_WINDOW_OPEN',
      'date',
    );
    await advance(household.id, 'SIGNED', '2024-04-09');

    const registered = await advance(household.id, 'REGISTERED', '2024-05-06', {
      registerBookNo: 'DJB-130881-0011',
    });
    expect(registered.registerEntries).toEqual([
      expect.objectContaining({
        seq: 1,
        kind: 'REGISTER_ENTRY_KIND_INITIAL_REGISTRATION',
        recordedOn: '2024-05-06',
        registerBookNo: 'DJB-130881-0011',
        contractCodes: [contract.code],
        totalAreaMu4: 75_000,
      }),
    ]);

    // The certificate number is part of the input of CERTIFIED; its absence is bad input.
    await expectRefusedUnchanged(
      () => advance(household.id, 'CERTIFIED', '2024-06-01'),
      'CERTIFICATE_NUMBER_REQUIRED',
      'certificateNo',
      Status.INVALID_ARGUMENT,
    );
    const certified = await advance(household.id, 'CERTIFIED', '2024-06-01', {
      certificateNo: 'JY130881-2024-000011',
    });
    expect(certified.stage).toBe('CERTIFICATION_STAGE_CERTIFIED');
    expect(certified.certificate).toEqual({ number: 'JY130881-2024-000011', issuedOn: '2024-06-01' });
    expect(certified.nextStage).toBe('CERTIFICATION_STAGE_UNSPECIFIED');
    expect(certified.registerEntries.map((e) => e.kind)).toEqual([
      'REGISTER_ENTRY_KIND_INITIAL_REGISTRATION',
      'REGISTER_ENTRY_KIND_CERTIFICATE_ISSUED',
    ]);
    expect(certified.stageDates).toEqual({
      surveyedOn: '2024-03-01',
      publiclyNoticedOn: '2024-03-10',
      signedOn: '2024-04-09',
      registeredOn: '2024-05-06',
      certifiedOn: '2024-06-01',
    });
    await expectRefusedUnchanged(
      () => advance(household.id, 'CERTIFIED', '2024-06-02', { certificateNo: 'JY130881-2024-000012' }),
      'CERTIFICATION_STAGE_ORDER',
      'stage',
    );

    // One event per change, on the case's subject, in order, each carrying the actor.
    const events = await waitFor(async () => {
      const mine = (await readEvents(h.service.runtime.nc, h.prefix)).filter(
        (e) => e.aggregateId === certified.id,
      );
      return mine.length >= 5 ? mine : undefined;
    });
    expect(events.map((e) => CertificationStageAdvanced.decode(e.payload).stage)).toEqual([
      'CERTIFICATION_STAGE_SURVEYED',
      'CERTIFICATION_STAGE_PUBLICLY_NOTICED',
      'CERTIFICATION_STAGE_SIGNED',
      'CERTIFICATION_STAGE_REGISTERED',
      'CERTIFICATION_STAGE_CERTIFIED',
    ]);
    expect(events.map((e) => e.aggregateVersion)).toEqual([1, 2, 3, 4, 5]);
    expect(events.every((e) => e.actor?.subject === leadUnitA.sub && e.townshipCode === TOWNSHIP)).toBe(true);
  });

  it('an objection raised during the notice blocks progress until it is resolved; a later one is refused', async () => {
    const { household } = await registerSample(h.client, 12);
    await advance(household.id, 'SURVEYED', '2024-03-01');
    // No notice posted yet: nothing to object to.
    await expectRefusedUnchanged(
      () =>
        cert.raiseCertificationObjection(
          {
            householdId: household.id,
            raisedOn: '2024-03-05',
            raisedBy: '王五',
            subject: '东大地1 东至有误',
            context: change(),
          },
          { principal: leadUnitA },
        ),
      'NOTICE_WINDOW_CLOSED',
      'objection.raisedOn',
    );
    await advance(household.id, 'PUBLICLY_NOTICED', '2024-03-10');
    const raised = await cert.raiseCertificationObjection(
      {
        householdId: household.id,
        raisedOn: '2024-03-20',
        raisedBy: '王五',
        subject: '东大地1 东至有误',
        context: change(),
      },
      { principal: leadUnitA },
    );
    expect(raised.certificationCase?.objections).toEqual([
      expect.objectContaining({ id: raised.objectionId, raisedOn: '2024-03-20', resolvedOn: '' }),
    ]);
    expect(raised.certificationCase?.blockers.map((b) => b.rule)).toContain('OBJECTION_UNRESOLVED');

    await expectRefusedUnchanged(
      () => advance(household.id, 'SIGNED', '2024-04-20'),
      'OBJECTION_UNRESOLVED',
      'objections[0]',
    );
    await expectRefusedUnchanged(
      () =>
        cert.raiseCertificationObjection(
          {
            householdId: household.id,
            raisedOn: '2024-04-09',
            raisedBy: '赵六',
            subject: '北至',
            context: change(),
          },
          { principal: leadUnitA },
        ),
      'NOTICE_WINDOW_CLOSED',
      'objection.raisedOn',
    );
    await expectRefusedUnchanged(
      () =>
        cert.resolveCertificationObjection(
          {
            householdId: household.id,
            objectionId: raised.objectionId,
            resolvedOn: '2024-04-15',
            resolution: ' ',
            context: change(),
          },
          { principal: leadUnitA },
        ),
      'OBJECTION_RESOLUTION_REQUIRED',
      'resolution',
      Status.INVALID_ARGUMENT,
    );

    const resolved = await cert.resolveCertificationObjection(
      {
        householdId: household.id,
        objectionId: raised.objectionId,
        resolvedOn: '2024-04-15',
        resolution: '重新实测，东至更正为路',
        context: change(),
      },
      { principal: leadUnitA },
    );
    expect(resolved.certificationCase?.objections[0]?.resolvedOn).toBe('2024-04-15');
    // Resolved on the 15th: a signature dated before the resolution is still blocked by it.
    await expectRefusedUnchanged(
      () => advance(household.id, 'SIGNED', '2024-04-12'),
      'OBJECTION_UNRESOLVED',
      'objections[0]',
    );
    const signed = await advance(household.id, 'SIGNED', '2024-04-20');
    expect(signed.stage).toBe('CERTIFICATION_STAGE_SIGNED');
  });

  it('an open legacy case (遗留问题) blocks the certificate until it is closed', async () => {
    const { household } = await registerSample(h.client, 13);
    await expectRefusedUnchanged(
      () =>
        cert.openLegacyCase(
          {
            householdId: household.id,
            kind: 'LEGACY_CASE_KIND_BOUNDARY_DISPUTE',
            owner: ' ',
            openedOn: '2024-02-01',
            note: '',
            context: change(),
          },
          { principal: leadUnitA },
        ),
      'LEGACY_CASE_OWNER_REQUIRED',
      'owner',
      Status.INVALID_ARGUMENT,
    );
    const opened = await cert.openLegacyCase(
      {
        householdId: household.id,
        kind: 'LEGACY_CASE_KIND_BOUNDARY_DISPUTE',
        owner: '镇农业综合服务中心 李干事',
        openedOn: '2024-02-01',
        note: '与邻户地界争议',
        context: change(),
      },
      { principal: ownTownshipOfficial },
    );
    // The case exists before the survey: the dispute was known first.
    expect(opened.certificationCase?.stage).toBe('CERTIFICATION_STAGE_UNSPECIFIED');
    const legacyId = opened.legacyCaseId;

    await advance(household.id, 'SURVEYED', '2024-03-01');
    await advance(household.id, 'PUBLICLY_NOTICED', '2024-03-10');
    await advance(household.id, 'SIGNED', '2024-04-10');
    await advance(household.id, 'REGISTERED', '2024-05-01');
    await expectRefusedUnchanged(
      () => advance(household.id, 'CERTIFIED', '2024-06-01', { certificateNo: 'JY130881-2024-000013' }),
      'LEGACY_CASE_OPEN',
      'legacyCases[0]',
    );

    const update = (state: string, date: string, note: string) =>
      cert.updateLegacyCase(
        {
          householdId: household.id,
          legacyCaseId: legacyId,
          state: state as never,
          date,
          note,
          context: change(),
        },
        { principal: leadUnitA },
      );
    const inProgress = await update('LEGACY_CASE_STATE_IN_PROGRESS', '2024-05-10', '');
    expect(inProgress.certificationCase?.legacyCases[0]?.state).toBe('LEGACY_CASE_STATE_IN_PROGRESS');
    expect(inProgress.certificationCase?.blockers.map((b) => b.rule)).toEqual(['LEGACY_CASE_OPEN']);
    await expectRefusedUnchanged(
      () => advance(household.id, 'CERTIFIED', '2024-06-01', { certificateNo: 'JY130881-2024-000013' }),
      'LEGACY_CASE_OPEN',
      'legacyCases[0]',
    );
    await expectRefusedUnchanged(
      () => update('LEGACY_CASE_STATE_CLOSED', '2024-05-20', ''),
      'LEGACY_CASE_CLOSING_NOTE_REQUIRED',
      'note',
      Status.INVALID_ARGUMENT,
    );
    const closed = await update('LEGACY_CASE_STATE_CLOSED', '2024-05-20', '双方签字确认地界');
    expect(closed.certificationCase?.legacyCases[0]).toEqual(
      expect.objectContaining({
        state: 'LEGACY_CASE_STATE_CLOSED',
        closedOn: '2024-05-20',
        note: '双方签字确认地界',
      }),
    );
    await expectRefusedUnchanged(
      () => update('LEGACY_CASE_STATE_IN_PROGRESS', '2024-05-21', ''),
      'LEGACY_CASE_TRANSITION',
      'state',
    );
    const certified = await advance(household.id, 'CERTIFIED', '2024-06-01', {
      certificateNo: 'JY130881-2024-000013',
    });
    expect(certified.certificate?.number).toBe('JY130881-2024-000013');

    // A certificate number belongs to one household only.
    const other = await registerSample(h.client, 14);
    for (const [stage, date] of [
      ['SURVEYED', '2024-03-01'],
      ['PUBLICLY_NOTICED', '2024-03-02'],
      ['SIGNED', '2024-04-02'],
      ['REGISTERED', '2024-04-03'],
    ] as const) {
      await advance(other.household.id, stage, date);
    }
    await expectRefusedUnchanged(
      () => advance(other.household.id, 'CERTIFIED', '2024-06-01', { certificateNo: 'JY130881-2024-000013' }),
      'CERTIFICATE_NUMBER_TAKEN',
      'certificateNo',
    );

    const linked = await cert.linkRealEstateRegister(
      {
        householdId: household.id,
        realEstateRegisterNo: '冀(2024)平泉市不动产权第0001234号',
        date: '2024-07-01',
        context: change(),
      },
      { principal: leadUnitA },
    );
    expect(linked.certificationCase?.realEstateRegisterNo).toBe('冀(2024)平泉市不动产权第0001234号');
    expect(linked.certificationCase?.registerEntries.at(-1)).toEqual(
      expect.objectContaining({
        kind: 'REGISTER_ENTRY_KIND_REAL_ESTATE_LINKED',
        certificateNo: 'JY130881-2024-000013',
        realEstateRegisterNo: '冀(2024)平泉市不动产权第0001234号',
      }),
    );
  });

  it('fixes the notice window by the policy in effect on the notice date', async () => {
    const policy = h.clients.create(PolicyServiceDefinition, `127.0.0.1:${h.service.port}`);
    await policy.setPolicy(
      {
        name: 'land-contract.certification.notice-window',
        valueJson: JSON.stringify({ noticeWindowDays: 15 }),
        effectiveFromDate: '2025-01-01',
        context: change('城乡融合试点办 2024 年第 9 号'),
      },
      { principal: leadUnitA },
    );
    const { household } = await registerSample(h.client, 15);
    await advance(household.id, 'SURVEYED', '2025-02-01');
    const noticed = await advance(household.id, 'PUBLICLY_NOTICED', '2025-02-01');
    expect(noticed.noticeWindowDays).toBe(15);
    expect(noticed.noticeWindowEndDate).toBe('2025-02-16');
    await expectRefusedUnchanged(
      () => advance(household.id, 'SIGNED', '2025-02-15'),
      'NOTICE_WINDOW_OPEN',
      'date',
    );
    expect((await advance(household.id, 'SIGNED', '2025-02-16')).stage).toBe('CERTIFICATION_STAGE_SIGNED');
  });

  it('checks role and township scope and refuses bad input without writing', async () => {
    const { household } = await registerSample(h.client, 16);
    const denied = await failure(advance(household.id, 'SURVEYED', '2024-03-01', {}, otherTownshipOfficial));
    expect(denied.code).toBe(Status.PERMISSION_DENIED);
    expect((await failure(advance(household.id, 'SURVEYED', '2024-03-01', {}, leadingGroup))).code).toBe(
      Status.PERMISSION_DENIED,
    );
    await expectRefusedUnchanged(
      () => advance(household.id, 'SURVEYED', '2024-02-30'),
      'DATE_INVALID',
      'date',
      Status.INVALID_ARGUMENT,
    );
    await expectRefusedUnchanged(
      () => advance('not-a-uuid', 'SURVEYED', '2024-03-01'),
      'HOUSEHOLD_ID_FORMAT',
      'householdId',
      Status.INVALID_ARGUMENT,
    );
    const surveyed = await advance(household.id, 'SURVEYED', '2024-03-01', {}, ownTownshipOfficial);
    // Reads are scoped too: outside the township the case does not exist.
    expect(
      (await failure(cert.getCertificationCase({ id: surveyed.id }, { principal: otherTownshipOfficial })))
        .code,
    ).toBe(Status.NOT_FOUND);
    const byHousehold = await cert.getCertificationCase({ id: household.id }, { principal: leadingGroup });
    expect(byHousehold.certificationCase?.id).toBe(surveyed.id);
  });

  it('repeats a command with the same idempotency key without acting twice', async () => {
    const { household } = await registerSample(h.client, 17);
    const request = {
      householdId: household.id,
      stage: 'CERTIFICATION_STAGE_SURVEYED' as const,
      date: '2024-03-01',
      certificateNo: '',
      registerBookNo: '',
      context: { reason: '实测完成', documentRef: '', idempotencyKey: `survey-${household.id}` },
    };
    const first = await cert.advanceCertificationStage(request, { principal: leadUnitA });
    const before = await counts();
    const again = await cert.advanceCertificationStage(request, { principal: leadUnitA });
    expect(again.certificationCase?.version).toBe(first.certificationCase?.version);
    expect(await counts()).toEqual(before);
  });

  it('lists cases by township, village and stage in household-code order, page by page', async () => {
    const all: CertificationCase[] = [];
    let token = '';
    do {
      const page = await cert.listCertificationCases(
        {
          page: { pageSize: 2, pageToken: token },
          townshipCode: TOWNSHIP,
          villageCode: VILLAGE,
          stage: 'CERTIFICATION_STAGE_UNSPECIFIED',
          blockedOnly: false,
        },
        { principal: leadingGroup },
      );
      all.push(...page.cases);
      expect(page.cases.length).toBeLessThanOrEqual(2);
      token = page.pageInfo?.nextPageToken ?? '';
      expect(page.pageInfo?.totalCount).toBe(7);
    } while (token);
    expect(all.map((c) => c.householdCode)).toEqual([...all.map((c) => c.householdCode)].sort());
    expect(all).toHaveLength(7);

    const certified = await cert.listCertificationCases(
      {
        page: { pageSize: 50, pageToken: '' },
        townshipCode: '',
        villageCode: '',
        stage: 'CERTIFICATION_STAGE_CERTIFIED',
        blockedOnly: false,
      },
      { principal: leadingGroup },
    );
    expect(certified.cases.map((c) => c.certificate?.number).sort()).toEqual([
      'JY130881-2024-000011',
      'JY130881-2024-000013',
    ]);

    const elsewhere = await cert.listCertificationCases(
      {
        page: { pageSize: 50, pageToken: '' },
        townshipCode: '',
        villageCode: '',
        stage: 'CERTIFICATION_STAGE_UNSPECIFIED',
        blockedOnly: false,
      },
      { principal: otherTownshipOfficial },
    );
    expect(elsewhere.cases).toEqual([]);
    const bad = await failure(
      cert.listCertificationCases(
        {
          page: { pageSize: 5, pageToken: '' },
          townshipCode: '1308',
          villageCode: '',
          stage: 'CERTIFICATION_STAGE_UNSPECIFIED',
          blockedOnly: false,
        },
        { principal: leadingGroup },
      ),
    );
    expect(bad.code).toBe(Status.INVALID_ARGUMENT);
    expect(bad.violations[0]?.field).toBe('townshipCode');
  });
});

async function waitFor<T>(fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
