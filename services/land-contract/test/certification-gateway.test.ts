import { LandContractServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/land_contract_service';
import { todayInShanghai } from '@pingquan/reference';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The platform harness (land-contract and the gateway in this process) lives with the end-to-end tests.
import { type Platform, startPlatform } from '../../../test/support/platform.js';
import { leadUnitA, registerSample } from './fixtures.js';

let platform: Platform;
let lead: string;
let leadingGroup: string;
let auditor: string;
let sample: Awaited<ReturnType<typeof registerSample>>;

beforeAll(async () => {
  platform = await startPlatform();
  lead = await platform.token({ sub: 'user:agri', pq_role: 'LEAD_UNIT', pq_track: 'A' });
  leadingGroup = await platform.token({ sub: 'user:lg', pq_role: 'LEADING_GROUP' });
  auditor = await platform.token({ sub: 'user:audit', pq_role: 'AUDITOR' });
  const client = platform.clients.create(
    LandContractServiceDefinition,
    `127.0.0.1:${platform.landContract.port}`,
  );
  sample = await registerSample(client, 31, leadUnitA);
});
afterAll(async () => {
  await platform?.stop();
});

const CASE_FIELDS = /* GraphQL */ `
  id stage nextStage noticeWindowDays noticeWindowEnd
  blockers { rule field }
  objections { id resolved resolvedOn }
  legacyCases { id kind state owner }
  certificate { number issuedOn }
  registerEntries { seq kind contractCodes totalArea }
`;

const ADVANCE = /* GraphQL */ `
  mutation Advance($input: AdvanceCertificationStageInput!) {
    advanceCertificationStage(input: $input) {
      certificationCase { ${CASE_FIELDS} }
      userErrors { code field message }
    }
  }
`;

interface CaseView {
  id: string;
  stage: string | null;
  nextStage: string | null;
  blockers: { rule: string; field: string }[];
  objections: { id: string; resolved: boolean }[];
  legacyCases: { id: string; state: string }[];
  certificate: { number: string; issuedOn: string } | null;
  registerEntries: { kind: string; totalArea: string }[];
}
type Payload = {
  certificationCase: CaseView | null;
  userErrors: { code: string; field: string[]; message: string }[];
};

async function advance(stage: string, date: string, extra: Record<string, string> = {}) {
  const r = await platform.graphql<{ advanceCertificationStage: Payload }>(lead, ADVANCE, {
    input: {
      householdId: sample.household.id,
      stage,
      date,
      ...extra,
      change: { reason: `${stage} (gateway test)` },
    },
  });
  expect(r.errors).toBeUndefined();
  return r.data!.advanceCertificationStage;
}

describe('certification, history and figures through GraphQL', () => {
  it('runs the campaign with typed refusals in userErrors', async () => {
    expect((await advance('SURVEYED', '2024-03-01')).certificationCase?.stage).toBe('SURVEYED');
    const noticed = await advance('PUBLICLY_NOTICED', '2024-03-10');
    expect(noticed.certificationCase).toEqual(
      // Blockers are judged today: this 2024 notice has long run its course.
      expect.objectContaining({
        noticeWindowDays: 30,
        noticeWindowEnd: '2024-04-09',
        nextStage: 'SIGNED',
        blockers: [],
      }),
    );
    const early = await advance('SIGNED', '2024-03-20');
    expect(early.certificationCase).toBeNull();
    expect(early.userErrors).toEqual([
      expect.objectContaining({ code: 'NOTICE_WINDOW_OPEN', field: ['input', 'date'] }),
    ]);

    const raised = await platform.graphql<{
      raiseCertificationObjection: Payload & { objection: { id: string; resolved: boolean } | null };
    }>(
      lead,
      /* GraphQL */ `mutation($input: RaiseCertificationObjectionInput!) {
        raiseCertificationObjection(input: $input) { objection { id resolved } certificationCase { id } userErrors { code } }
      }`,
      {
        input: {
          householdId: sample.household.id,
          raisedOn: '2024-03-15',
          raisedBy: '王五',
          subject: '四至有误',
          change: { reason: '异议' },
        },
      },
    );
    const objection = raised.data?.raiseCertificationObjection.objection;
    expect(objection?.resolved).toBe(false);
    const blocked = await advance('SIGNED', '2024-04-10');
    expect(blocked.userErrors.map((e) => [e.code, e.field.join('.')])).toEqual([
      ['OBJECTION_UNRESOLVED', 'input.objections.0'],
    ]);

    const resolved = await platform.graphql<{ resolveCertificationObjection: Payload }>(
      lead,
      /* GraphQL */ `mutation($input: ResolveCertificationObjectionInput!) {
        resolveCertificationObjection(input: $input) { certificationCase { objections { resolved } } userErrors { code } }
      }`,
      {
        input: {
          householdId: sample.household.id,
          objectionId: objection?.id,
          resolvedOn: '2024-04-05',
          resolution: '重新丈量',
          change: { reason: '异议处理' },
        },
      },
    );
    expect(resolved.data?.resolveCertificationObjection.certificationCase?.objections).toEqual([
      { resolved: true },
    ]);
    await advance('SIGNED', '2024-04-10');
    const registered = await advance('REGISTERED', '2024-05-01', { registerBookNo: 'DJB-31' });
    expect(registered.certificationCase?.registerEntries).toEqual([
      expect.objectContaining({
        kind: 'INITIAL_REGISTRATION',
        contractCodes: [sample.contract.code],
        totalArea: '7.5000',
      }),
    ]);

    const opened = await platform.graphql<{
      openLegacyCase: Payload & { legacyCase: { id: string } | null };
    }>(
      lead,
      /* GraphQL */ `mutation($input: OpenLegacyCaseInput!) {
        openLegacyCase(input: $input) { legacyCase { id } userErrors { code } }
      }`,
      {
        input: {
          householdId: sample.household.id,
          kind: 'PETITION',
          owner: '信访办 刘主任',
          openedOn: '2024-05-02',
          change: { documentRef: '平信〔2024〕12号' },
        },
      },
    );
    const legacyId = opened.data?.openLegacyCase.legacyCase?.id;
    const refused = await advance('CERTIFIED', '2024-06-01', { certificateNo: 'JY-GW-31' });
    expect(refused.userErrors.map((e) => e.code)).toEqual(['LEGACY_CASE_OPEN']);
    const closed = await platform.graphql<{ updateLegacyCase: Payload }>(
      lead,
      /* GraphQL */ `mutation($input: UpdateLegacyCaseInput!) {
        updateLegacyCase(input: $input) { certificationCase { legacyCases { state } } userErrors { code } }
      }`,
      {
        input: {
          householdId: sample.household.id,
          legacyCaseId: legacyId,
          state: 'CLOSED',
          date: '2024-05-20',
          note: '已息访',
          change: { reason: '结案' },
        },
      },
    );
    expect(closed.data?.updateLegacyCase.certificationCase?.legacyCases).toEqual([{ state: 'CLOSED' }]);
    const certified = await advance('CERTIFIED', '2024-06-01', { certificateNo: 'JY-GW-31' });
    expect(certified.certificationCase?.certificate).toEqual({ number: 'JY-GW-31', issuedOn: '2024-06-01' });

    // Bad input is a GraphQL error naming the field, not a userError.
    const bad = await platform.graphql(lead, ADVANCE, {
      input: {
        householdId: sample.household.id,
        stage: 'CERTIFIED',
        date: '2024-02-30',
        change: { reason: 'x' },
      },
    });
    expect(bad.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });

  it('lists and reads cases, also from the household (一户一档), masked per role', async () => {
    const r = await platform.graphql<{
      certificationCases: {
        totalCount: number;
        nodes: { certificate: { number: string } }[];
        pageInfo: { hasNextPage: boolean };
      };
      household: {
        certificationCase: { stage: string; householdCode: string };
        members: { residentId: string }[];
      };
      certificationCase: { household: { members: { residentId: string }[] } };
    }>(
      leadingGroup,
      /* GraphQL */ `query($village: String!, $household: ID!) {
        certificationCases(filter: { villageCode: $village, stage: CERTIFIED }, first: 10) {
          totalCount nodes { certificate { number } } edges { cursor } pageInfo { hasNextPage endCursor }
        }
        household(id: $household) { members { residentId } certificationCase { stage householdCode } }
        certificationCase(id: $household) { household { members { residentId } } }
      }`,
      { village: sample.household.villageCode, household: sample.household.id },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.certificationCases).toEqual(
      expect.objectContaining({
        totalCount: 1,
        nodes: [{ certificate: { number: 'JY-GW-31' } }],
        pageInfo: expect.objectContaining({ hasNextPage: false }),
      }),
    );
    expect(r.data?.household.certificationCase).toEqual({
      stage: 'CERTIFIED',
      householdCode: sample.household.code,
    });
    expect(r.data?.certificationCase.household.members[0]?.residentId).toMatch(/^130881\*{8}/);

    const badPage = await platform.graphql(leadingGroup, '{ certificationCases(first: 0) { totalCount } }');
    expect(badPage.errors?.[0]?.extensions).toEqual(
      expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'first' }),
    );
  });

  it('reads history and a contract as of a date; the auditor unmasked, the leading group masked', async () => {
    const HISTORY = /* GraphQL */ `query($id: String!, $contract: String!) {
      householdHistory(idOrCode: $id) { personalDataUnmasked totalCount nodes { action state actor { subject role } } }
      contractHistory(idOrCode: $contract) {
        totalCount findings { rule }
        nodes { seq action effectiveOn reason documentRef at actor { subject role } }
      }
    }`;
    type History = {
      householdHistory: {
        personalDataUnmasked: boolean;
        nodes: { action: string; state: string; actor: { role: string } }[];
      };
      contractHistory: {
        totalCount: number;
        findings: unknown[];
        nodes: {
          action: string;
          effectiveOn: string;
          reason: string;
          actor: { subject: string; role: string };
        }[];
      };
    };
    const vars = { id: sample.household.id, contract: sample.contract.code };
    const masked = await platform.graphql<History>(leadingGroup, HISTORY, vars);
    expect(masked.errors).toBeUndefined();
    expect(masked.data?.householdHistory.personalDataUnmasked).toBe(false);
    const maskedState = JSON.parse(masked.data!.householdHistory.nodes[0]!.state) as {
      members: { residentId: string }[];
    };
    expect(maskedState.members[0]?.residentId).toMatch(/^130881\*{8}/);
    expect(masked.data?.contractHistory).toEqual(
      expect.objectContaining({
        totalCount: 1,
        findings: [],
        nodes: [
          expect.objectContaining({
            action: 'contract.registered',
            effectiveOn: '1998-10-01',
            reason: 'test registration',
            actor: { subject: leadUnitA.sub, role: 'LEAD_UNIT' },
          }),
        ],
      }),
    );

    const plain = await platform.graphql<History>(auditor, HISTORY, vars);
    expect(plain.data?.householdHistory.personalDataUnmasked).toBe(true);
    const plainState = JSON.parse(plain.data!.householdHistory.nodes[0]!.state) as {
      members: { residentId: string }[];
    };
    expect(plainState.members[0]?.residentId).toMatch(/^\d{17}[\dX]$/);

    const asOf = await platform.graphql<{
      before: { existed: boolean; contract: null };
      during: {
        existed: boolean;
        contract: { code: string; termEnd: string; status: string };
        changesApplied: number;
      };
    }>(
      leadingGroup,
      /* GraphQL */ `query($c: String!) {
        before: contractAsOf(idOrCode: $c, asOf: "1990-01-01") { existed contract { code } }
        during: contractAsOf(idOrCode: $c, asOf: "2024-01-01") { existed changesApplied contract { code termEnd status } }
      }`,
      { c: sample.contract.code },
    );
    expect(asOf.data?.before).toEqual({ existed: false, contract: null });
    expect(asOf.data?.during).toEqual({
      existed: true,
      changesApplied: 1,
      contract: { code: sample.contract.code, termEnd: '2028-09-30', status: 'ACTIVE' },
    });

    const caseHistory = await platform.graphql<{
      certificationCase: { history: { totalCount: number; nodes: { action: string }[] } };
    }>(
      auditor,
      `query($id: ID!) { certificationCase(id: $id) { history(first: 3) { totalCount nodes { action } pageInfo { hasNextPage } } } }`,
      { id: sample.household.id },
    );
    // Five stages, one objection raised and resolved, one legacy case opened and closed.
    expect(caseHistory.data?.certificationCase.history.totalCount).toBe(9);
    expect(caseHistory.data?.certificationCase.history.nodes.map((n) => n.action)).toEqual([
      'certification-case.stage-advanced',
      'certification-case.stage-advanced',
      'certification-case.objection-raised',
    ]);
  });

  it('answers the leading group’s land figures', async () => {
    const r = await platform.graphql<{
      landFigures: {
        asOf: string;
        city: {
          households: number;
          certifiedHouseholds: number;
          certifiedShare: { percent: number };
          contractsInForce: { count: number; area: string };
          dueForExtension: { count: number };
        };
        townships: { division: { code: string } }[];
        villages: { division: { code: string }; households: number }[];
      };
    }>(
      leadingGroup,
      /* GraphQL */ `{
        landFigures {
          asOf
          city { households certifiedHouseholds certifiedShare { percent } contractsInForce { count area } dueForExtension { count } }
          townships { division { code } }
          villages { division { code } households }
        }
      }`,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.landFigures).toEqual({
      asOf: todayInShanghai(),
      city: {
        households: 1,
        certifiedHouseholds: 1,
        certifiedShare: { percent: 100 },
        contractsInForce: { count: 1, area: '7.5000' },
        dueForExtension: { count: 1 },
      },
      townships: [{ division: { code: sample.household.townshipCode } }],
      villages: [{ division: { code: sample.household.villageCode }, households: 1 }],
    });
    const township = await platform.graphql<{ landFigures: { city: null; townships: unknown[] } }>(
      leadingGroup,
      `{ landFigures(township: "${sample.household.townshipCode}") { city { households } townships { households } } }`,
    );
    expect(township.data?.landFigures).toEqual({ city: null, townships: [{ households: 1 }] });
    const bad = await platform.graphql(leadingGroup, '{ landFigures(township: "13088") { asOf } }');
    expect(bad.errors?.[0]?.extensions).toEqual(
      expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'township' }),
    );
  });
});
