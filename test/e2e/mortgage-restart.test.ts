import { type ChildProcess, spawn } from 'node:child_process';
import { CollateralServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/collateral';
import { PropertyMortgageServiceDefinition } from '@pingquan/contracts/pingquan/property_mortgage/v1/property_mortgage_service';
import {
  GrpcClients,
  type Principal,
  PrincipalSigner,
  type RunningService,
  startService,
  waitForHealthy,
} from '@pingquan/kit';
import { createTestDatabase, TEST_SIGNING_KEY, testServiceEnv, uniqueToken } from '@pingquan/kit/testing';
import { configSchema, type LandContractConfig, landContractModule } from '@pingquan/land-contract';
import { addDays, addMonths, residentIdCheckCharacter, todayInShanghai } from '@pingquan/reference';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../infra/src/local/ports.js';
import {
  landContractClient,
  OPERATOR,
  ROOT,
  registerHouseholdWithContract,
  registerIssuer,
  waitFor,
} from '../fault/support.js';

// Kill property-mortgage between the registration of a mortgage and the encumbrance landing in
// land-contract: the registration and its MortgageRegistered event committed together (outbox), so
// after a restart the relay publishes the event and land-contract records the encumbrance, once.
//
// To make "between" certain rather than a race, the test holds the outbox relay's leader lock on
// property-mortgage's database while the mortgage is registered (the relay cannot publish), then
// SIGKILLs the process — no shutdown hook, no drain — and lets go of the lock before the restart.

const RELAY_LEADER_LOCK = 7_161_953;
const centre: Principal = { sub: 'user:restart-centre', role: 'LEAD_UNIT', track: 'B' };
const bank: Principal = { sub: 'bank:restart', role: 'COOPERATING_BANK', bank: '' };

function enterpriseCode(body: string): string {
  const first17 = `91130881${body}`;
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const sum = [...first17].reduce((s, ch, i) => s + alphabet.indexOf(ch) * (weights[i] ?? 0), 0);
  return first17 + alphabet.charAt((31 - (sum % 31)) % 31);
}
const BANK = enterpriseCode('MA0RETBK1');
bank.bank = BANK;

interface Child {
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** property-mortgage as its own process, exactly as the local runner starts it. */
async function spawnPropertyMortgage(env: Record<string, string>, port: number): Promise<Child> {
  const { NODE_OPTIONS: _nodeOptions, ...inherited } = process.env;
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=pq-source', '--import', 'tsx', 'services/property-mortgage/src/main.ts'],
    { cwd: ROOT, env: { ...inherited, ...env, GRPC_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = exited.then(() => {
    throw new Error(`property-mortgage exited during start-up: ${output}`);
  });
  await Promise.race([waitForHealthy(`127.0.0.1:${port}`, 60_000), failed]);
  failed.catch(() => undefined);
  return {
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

let landContract: RunningService<LandContractConfig>;
let lcDrop: () => Promise<void>;
let pmDb: { url: string; drop(): Promise<void> };
let env: Record<string, string>;
let port: number;
let child: Child | undefined;
let holder: pg.Client | undefined;
const clients = new GrpcClients({ signer: new PrincipalSigner(TEST_SIGNING_KEY), defaultDeadlineMs: 15_000 });

beforeAll(async () => {
  const token = uniqueToken();
  const lcDb = await createTestDatabase(inject('pgUrl'), `lc_${token}`);
  lcDrop = lcDb.drop;
  landContract = await startService(
    landContractModule,
    configSchema.parse(testServiceEnv(lcDb.url, inject('natsUrl'), token)),
  );
  pmDb = await createTestDatabase(inject('pgUrl'), `pm_${token}`);
  port = await freePort();
  env = {
    ...testServiceEnv(pmDb.url, inject('natsUrl'), token, {
      LAND_CONTRACT_GRPC_URL: `127.0.0.1:${landContract.port}`,
      CLASSIFICATION_CHECK_INTERVAL_MS: '0',
    }),
    GRPC_HOST: '127.0.0.1',
  };
});
afterAll(async () => {
  await holder?.end().catch(() => undefined);
  await child?.kill('SIGTERM');
  clients.close();
  await landContract?.stop();
  await pmDb?.drop();
  await lcDrop?.();
});

describe('property-mortgage killed between registration and the encumbrance landing in land-contract', () => {
  it('delivers the encumbrance after the restart, exactly once', async () => {
    const land = landContractClient(landContract.port);
    await registerIssuer(land.client);
    const code = await registerHouseholdWithContract(land.client, 1);
    const contract = (await land.client.getContract({ idOrCode: code }, { principal: OPERATOR })).contract!;
    land.close();

    // Hold the relay's leader lock: property-mortgage commits, but cannot publish yet.
    holder = new pg.Client({ connectionString: pmDb.url });
    holder.on('error', () => undefined);
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock($1)', [RELAY_LEADER_LOCK]);

    child = await spawnPropertyMortgage(env, port);
    const pm = clients.create(PropertyMortgageServiceDefinition, `127.0.0.1:${port}`);
    const today = todayInShanghai();
    const change = (reason: string) => ({ reason, documentRef: '', idempotencyKey: '' });
    const collateral = {
      rightType: 'RIGHT_TYPE_LAND_MANAGEMENT' as const,
      rightId: contract.id,
      plotCodes: [],
      circulationId: '',
    };
    const { valuation } = await pm.recordValuation(
      {
        collateral,
        method: 'VALUATION_METHOD_GOVERNMENT_PANEL',
        basis: 'VALUATION_BASIS_BENCHMARK_PRICE',
        basisNote: '',
        valueFen: 500_000,
        appraiser: { name: '平泉市农村产权评估小组', creditCode: '', licenceNo: '' },
        valuedOn: today,
        validUntilDate: addDays(today, 90),
        reportNo: '',
        bankCreditCode: '',
        context: change('valuation'),
      },
      { principal: centre },
    );
    const { product } = await pm.publishLoanProduct(
      {
        bankCreditCode: BANK,
        bankName: '平泉农商银行',
        name: '土地经营权抵押贷',
        eligibleRightTypes: ['RIGHT_TYPE_LAND_MANAGEMENT'],
        maxLtvBp: 0,
        maxTermMonths: 24,
        minRateBp: 400,
        maxRateBp: 700,
        context: change('product'),
      },
      { principal: bank },
    );
    const head = (() => {
      const first17 = '13088119600101001';
      return first17 + residentIdCheckCharacter(first17);
    })();
    const { mortgage } = await pm.applyForMortgage(
      {
        productId: product!.id,
        mortgagor: {
          kind: 'PARTY_KIND_HOUSEHOLD',
          name: '户主1',
          idNumber: head,
          householdId: contract.householdId,
        },
        debtor: undefined,
        collateral,
        valuationId: valuation!.id,
        securedAmountFen: 300_000,
        termEndDate: addMonths(today, 12),
        documents: ['IDENTITY', 'CREDIT_REPORT', 'LOAN_CONTRACT', 'MORTGAGE_CONTRACT', 'ISSUER_FILING'].map(
          (kind) => ({
            kind: `DOCUMENT_KIND_${kind}` as never,
            number: kind,
            title: '',
            issuedBy: '',
            issuedOn: '',
          }),
        ),
        borrowerConditions: {
          fullCivilCapacity: true,
          noBadCredit: true,
          rightUndisputed: true,
          certificateHeld: true,
          creditReportRef: '',
        },
        context: change('apply'),
      },
      { principal: bank },
    );
    await pm.reviewMortgageApplication(
      { mortgageId: mortgage!.id, approve: true, note: '', context: change('review') },
      { principal: centre },
    );
    const { mortgage: registered } = await pm.registerMortgage(
      { mortgageId: mortgage!.id, context: change('register') },
      { principal: centre },
    );
    expect(registered?.status).toBe('MORTGAGE_STATUS_REGISTERED');

    // Committed, not published: the event waits in the outbox and land-contract knows nothing yet.
    const pending = await holder.query<{ n: string }>(
      "SELECT count(*) AS n FROM pq_outbox WHERE event_type LIKE '%MortgageRegistered' AND published_at IS NULL",
    );
    expect(Number(pending.rows[0]?.n)).toBe(1);
    const collateralClient = clients.create(CollateralServiceDefinition, `127.0.0.1:${landContract.port}`);
    const check = async () =>
      (
        await collateralClient.verifyCollateral(
          { contractId: contract.id, plotCodes: [], circulationId: '', asOfDate: '' },
          { principal: centre },
        )
      ).collateral?.encumbrances ?? [];
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await check()).toEqual([]);

    // Crash: no shutdown hook, no drain. Then let the relay lead again and start the service anew.
    await child.kill('SIGKILL');
    child = undefined;
    await holder.query('SELECT pg_advisory_unlock($1)', [RELAY_LEADER_LOCK]);
    await holder.end();
    holder = undefined;
    child = await spawnPropertyMortgage(env, port);

    const encumbrances = await waitFor('the encumbrance to land after the restart', async () => {
      const found = await check();
      return found.length ? found : undefined;
    });
    expect(encumbrances).toHaveLength(1);
    expect(encumbrances[0]).toMatchObject({
      mortgageId: mortgage!.id,
      certificateNo: registered!.certificateNo,
      securedAmountFen: 300_000,
      mortgageeCreditCode: BANK,
      inEffect: true,
    });
    // Exactly once: one inbox row in land-contract for the registration, however it travelled.
    const lc = new pg.Client({ connectionString: landContract.runtime.config.DATABASE_URL });
    await lc.connect();
    const inbox = await lc.query<{ n: string }>(
      "SELECT count(*) AS n FROM pq_inbox WHERE subject = 'pq.property-mortgage.v1.mortgage.registered'",
    );
    await lc.end();
    expect(Number(inbox.rows[0]?.n)).toBe(1);
  }, 120_000);
});
