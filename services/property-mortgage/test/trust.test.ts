import { describeClientError, newId, PrincipalSigner } from '@pingquan/kit';
import { addDays, addMonths } from '@pingquan/reference';
import { Status } from 'nice-grpc-common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BANK_A,
  bankA,
  bankB,
  change,
  type Harness,
  household,
  leadingGroup,
  leadUnitA,
  leadUnitB,
  otherTownshipOfficial,
  residentId,
  rowCounts,
  sql,
  startExchangeCentre,
  townshipOfficial,
  waitFor,
} from './fixtures.js';

let h: Harness;
const contractId = newId();
const householdId = newId();
let mortgageId = '';
let productId = '';
let valuationId = '';

const documents = ['IDENTITY', 'CREDIT_REPORT', 'LOAN_CONTRACT', 'MORTGAGE_CONTRACT', 'ISSUER_FILING'].map(
  (kind) => ({
    kind: `DOCUMENT_KIND_${kind}` as never,
    number: 'x',
    title: '',
    issuedBy: '',
    issuedOn: '',
  }),
);

const apply = (principal = bankA) =>
  h.client.applyForMortgage(
    {
      productId,
      mortgagor: household(7, householdId),
      debtor: undefined,
      collateral: {
        rightType: 'RIGHT_TYPE_LAND_MANAGEMENT',
        rightId: contractId,
        plotCodes: [],
        circulationId: '',
      },
      valuationId,
      securedAmountFen: 100_000,
      termEndDate: addMonths(h.clock.today(), 12),
      documents,
      borrowerConditions: {
        fullCivilCapacity: true,
        noBadCredit: true,
        rightUndisputed: true,
        certificateHeld: true,
        creditReportRef: '',
      },
      context: change('apply'),
    },
    { principal },
  );

beforeAll(async () => {
  h = await startExchangeCentre();
  h.stub.addContract(contractId, householdId);
  productId = (
    await h.client.publishLoanProduct(
      {
        bankCreditCode: BANK_A,
        bankName: '平泉农商银行',
        name: '惠农e贷',
        eligibleRightTypes: ['RIGHT_TYPE_LAND_MANAGEMENT'],
        maxLtvBp: 6_000,
        maxTermMonths: 24,
        minRateBp: 400,
        maxRateBp: 600,
        context: change(),
      },
      { principal: bankA },
    )
  ).product!.id;
  valuationId = (
    await h.client.recordValuation(
      {
        collateral: {
          rightType: 'RIGHT_TYPE_LAND_MANAGEMENT',
          rightId: contractId,
          plotCodes: [],
          circulationId: '',
        },
        method: 'VALUATION_METHOD_BANK_OWN',
        basis: 'VALUATION_BASIS_MARKET_COMPARABLE',
        basisNote: '',
        valueFen: 1_000_000,
        appraiser: { name: '平泉农商银行授信部', creditCode: '', licenceNo: '' },
        valuedOn: '',
        validUntilDate: addDays(h.clock.today(), 90),
        reportNo: '',
        bankCreditCode: BANK_A,
        context: change(),
      },
      { principal: bankA },
    )
  ).valuation!.id;
  mortgageId = (await apply()).mortgage!.id;
});
afterAll(async () => {
  await h?.stop();
});

async function failure(call: Promise<unknown>) {
  return describeClientError(await call.then(() => undefined).catch((e: unknown) => e));
}

describe('trust between services and callers', () => {
  it('a bank sees only its own applications and mortgages', async () => {
    expect((await h.client.getMortgage({ idOrNumber: mortgageId }, { principal: bankA })).mortgage?.id).toBe(
      mortgageId,
    );
    expect(
      (await failure(h.client.getMortgage({ idOrNumber: mortgageId }, { principal: bankB })))?.code,
    ).toBe(Status.NOT_FOUND);
    const listed = await h.client.listMortgages(
      {
        page: undefined,
        townshipCode: '',
        bankCreditCode: '',
        status: 'MORTGAGE_STATUS_UNSPECIFIED',
        rightType: 'RIGHT_TYPE_UNSPECIFIED',
        rightId: '',
      },
      { principal: bankB },
    );
    expect(listed.mortgages).toEqual([]);
    expect((await failure(h.client.getValuation({ id: valuationId }, { principal: bankB })))?.code).toBe(
      Status.NOT_FOUND,
    );
  });

  it('a township official sees only their own township', async () => {
    const all = {
      page: undefined,
      townshipCode: '',
      bankCreditCode: '',
      status: 'MORTGAGE_STATUS_UNSPECIFIED' as const,
      rightType: 'RIGHT_TYPE_UNSPECIFIED' as const,
      rightId: '',
    };
    expect(
      (await h.client.listMortgages(all, { principal: townshipOfficial })).mortgages.map((m) => m.id),
    ).toEqual([mortgageId]);
    expect((await h.client.listMortgages(all, { principal: otherTownshipOfficial })).mortgages).toEqual([]);
    expect(
      (await failure(h.client.getMortgage({ idOrNumber: mortgageId }, { principal: otherTownshipOfficial })))
        ?.code,
    ).toBe(Status.NOT_FOUND);
    expect(
      (await failure(h.client.getMortgage({ idOrNumber: mortgageId }, { principal: leadUnitA })))?.code,
    ).toBe(Status.NOT_FOUND);
  });

  it('masks a household’s resident ID for the leading group, not for the bank it belongs to', async () => {
    const own = (await h.client.getMortgage({ idOrNumber: mortgageId }, { principal: bankA })).mortgage;
    expect(own?.mortgagor?.idNumber).toBe(residentId(7));
    const masked = (await h.client.getMortgage({ idOrNumber: mortgageId }, { principal: leadingGroup }))
      .mortgage;
    expect(masked?.mortgagor?.idNumber).toMatch(/^130881\*{8}\d{3}[\dX]$/);
  });

  it('refuses a caller without a signed principal, and one signed with another key', async () => {
    expect((await failure(h.client.getMortgage({ idOrNumber: mortgageId })))?.code).toBe(
      Status.UNAUTHENTICATED,
    );
    const forged = await new PrincipalSigner('another-key-that-is-at-least-32-characters-long').metadata(
      leadUnitB,
    );
    expect(
      (await failure(h.client.getMortgage({ idOrNumber: mortgageId }, { metadata: forged })))?.code,
    ).toBe(Status.UNAUTHENTICATED);
  });

  it('fails closed when land-contract does not answer within the deadline: nothing is accepted', async () => {
    const before = await rowCounts(h.dbUrl);
    h.stub.mode = 'stall';
    try {
      const out = await failure(apply());
      expect(out?.code).toBe(Status.UNAVAILABLE);
      expect(out?.message).toMatch(/COLLATERAL_OWNER_UNAVAILABLE/);
    } finally {
      h.stub.mode = 'answer';
    }
    expect(await rowCounts(h.dbUrl)).toEqual(before);
  });

  it('fails closed at registration when land-contract is down: no registration, no event', async () => {
    await h.client.reviewMortgageApplication(
      { mortgageId, approve: true, note: '', context: change() },
      { principal: leadUnitB },
    );
    await h.stub.stop();
    const out = await failure(
      h.client.registerMortgage({ mortgageId, context: change() }, { principal: leadUnitB }),
    );
    expect(out?.code).toBe(Status.UNAVAILABLE);
    const [row] = await sql<{ status: string }>(h.dbUrl, 'SELECT status FROM mortgage WHERE id = $1', [
      mortgageId,
    ]);
    expect(row?.status).toBe('APPROVED');
    const events = await sql<{ n: string }>(
      h.dbUrl,
      "SELECT count(*) AS n FROM pq_outbox WHERE event_type LIKE '%MortgageRegistered'",
    );
    expect(Number(events[0]?.n)).toBe(0);
  });

  it('runs the daily classification from the kit background hook, once per day', async () => {
    await h.restart({ CLASSIFICATION_CHECK_INTERVAL_MS: '200' });
    const today = h.clock.today();
    const runs = await waitFor(async () => {
      const rows = await sql<{ as_of: string }>(
        h.dbUrl,
        "SELECT to_char(as_of, 'YYYY-MM-DD') AS as_of FROM classification_run",
      );
      return rows.length > 0 ? rows : undefined;
    });
    expect(runs.map((r) => r.as_of)).toEqual([today]);
    await new Promise((r) => setTimeout(r, 600));
    expect(await sql(h.dbUrl, 'SELECT as_of FROM classification_run')).toHaveLength(1);
  });
});
