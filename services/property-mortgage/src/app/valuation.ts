import type {
  BenchmarkPrice as BenchmarkPriceMsg,
  MarketComparable as MarketComparableMsg,
  Valuation as ValuationMsg,
} from '@pingquan/contracts/pingquan/property_mortgage/v1/valuation';
import {
  type CommandContext,
  type EntityManager,
  isUuid,
  NotFoundError,
  newId,
  PermissionDeniedError,
  type Principal,
  recordChanges,
} from '@pingquan/kit';
import { type LocalDate, type RuleViolation, validateTownshipCode, violation } from '@pingquan/reference';
import type {
  CollateralFacts,
  CollateralRef,
  PriceUnitName,
  RightTypeName,
  ValuationBasisName,
  ValuationMethodName,
} from '../domain/model.js';
import { RIGHT_TYPES } from '../domain/rights.js';
import {
  checkValuationInput,
  type MarketComparableResult,
  marketComparable,
  nextBenchmarkVersion,
  referenceValueFen,
} from '../domain/valuation.js';
import {
  BenchmarkPriceEntity,
  type BenchmarkPriceRow,
  DealEntity,
  ValuationEntity,
} from '../persistence/entities.js';
import { valuationPolicy } from '../policies.js';
import { assertBankOrCentreWrite, assertLeadUnit, mayRead, mayReadPublic } from './access.js';
import { todayOf } from './context.js';
import { benchmarkToMsg, rightTypeToMsg, valuationToMsg } from './mapping.js';
import { invalidIfAny, policy, refuseIfAny, yearOf } from './support.js';

export interface BenchmarkInput {
  rightType: RightTypeName;
  townshipCode: string;
  year: number;
  unit: PriceUnitName | undefined;
  priceFen: number;
}

/**
 * 基准价格 — publishes a benchmark price; republishing the same right type, township and year makes a
 * new version, and the earlier ones stay readable (valuations name the version they used).
 */
export async function publishBenchmarkPrice(
  em: EntityManager,
  ctx: CommandContext,
  input: BenchmarkInput,
): Promise<BenchmarkPriceMsg> {
  const v: RuleViolation[] = [];
  const township = validateTownshipCode(input.townshipCode, 'townshipCode');
  if (!township.ok) v.push(...township.violations);
  if (!Number.isInteger(input.year) || input.year < 2000 || input.year > 2100)
    v.push(violation('YEAR_RANGE', 'year', 'Give the year the price applies to (2000–2100).'));
  if (!Number.isSafeInteger(input.priceFen) || input.priceFen <= 0)
    v.push(violation('MONEY_NOT_POSITIVE', 'priceFen', 'A benchmark price is greater than zero.'));
  const unit = input.unit ?? RIGHT_TYPES[input.rightType].priceUnit;
  if (unit !== RIGHT_TYPES[input.rightType].priceUnit)
    v.push(
      violation(
        'PRICE_UNIT_MISMATCH',
        'unit',
        `${RIGHT_TYPES[input.rightType].chinese} is priced ${RIGHT_TYPES[input.rightType].priceUnit}.`,
      ),
    );
  invalidIfAny(v);
  assertLeadUnit(ctx.principal);
  const key = { rightType: input.rightType, townshipCode: input.townshipCode, year: input.year };
  const published = await em.find(BenchmarkPriceEntity, key);
  const row = em.create(BenchmarkPriceEntity, {
    id: newId(),
    ...key,
    version: nextBenchmarkVersion(published),
    unit,
    priceFen: input.priceFen,
    publishedOn: todayOf(ctx),
    documentRef: ctx.documentRef,
  });
  const msg = benchmarkToMsg(row, true);
  await recordChanges(em, ctx, [
    {
      aggregateType: 'benchmark_price',
      aggregateId: row.id,
      aggregateVersion: row.version,
      townshipCode: row.townshipCode,
      action: 'benchmark.published',
      state: msg,
    },
  ]);
  return msg;
}

export async function listBenchmarkPrices(
  em: EntityManager,
  principal: Principal,
  filter: { rightType?: RightTypeName; townshipCode?: string; year?: number; allVersions: boolean },
): Promise<BenchmarkPriceMsg[]> {
  if (!mayReadPublic(principal)) throw new PermissionDeniedError();
  const where: Record<string, unknown> = {};
  if (filter.rightType) where['rightType'] = filter.rightType;
  if (filter.townshipCode) where['townshipCode'] = filter.townshipCode;
  if (filter.year) where['year'] = filter.year;
  const rows = await em.find(BenchmarkPriceEntity, where, {
    orderBy: { rightType: 'asc', townshipCode: 'asc', year: 'asc', version: 'asc' },
  });
  const latest = new Map<string, number>();
  for (const r of rows) {
    const k = `${r.rightType}|${r.townshipCode}|${r.year}`;
    latest.set(k, Math.max(latest.get(k) ?? 0, r.version));
  }
  return rows
    .map((r) => benchmarkToMsg(r, latest.get(`${r.rightType}|${r.townshipCode}|${r.year}`) === r.version))
    .filter((m) => filter.allVersions || m.current);
}

/** The current benchmark of a right type in a township for a year, if one was published. */
export async function currentBenchmark(
  em: EntityManager,
  rightType: RightTypeName,
  townshipCode: string,
  year: number,
): Promise<BenchmarkPriceRow | null> {
  const [row] = await em.find(
    BenchmarkPriceEntity,
    { rightType, townshipCode, year },
    { orderBy: { version: 'desc' }, limit: 1 },
  );
  return row ?? null;
}

export function comparableToMsg(c: MarketComparableResult): MarketComparableMsg {
  return {
    rightType: rightTypeToMsg(c.rightType),
    townshipCode: c.townshipCode,
    windowStartDate: c.windowStart,
    windowEndDate: c.windowEnd,
    dealCount: c.dealCount,
    medianFenPerMuYear: c.medianFenPerMuYear,
    insufficient: c.insufficient,
    certificateNos: c.certificateNos,
  };
}

/** 市场可比价格 from the centre's certified deals, under the valuation policy in force on the day. */
export async function computeComparable(
  em: EntityManager,
  rightType: RightTypeName,
  townshipCode: string,
  asOf: LocalDate,
): Promise<MarketComparableResult> {
  const rules = (await policy(em, valuationPolicy, asOf)).value;
  const deals = await em.find(DealEntity, {
    rightType,
    townshipCode,
    status: 'CERTIFIED',
    certifiedOn: { $lte: asOf },
  });
  return marketComparable(
    deals.map((d) => ({
      rightType: d.rightType as RightTypeName,
      townshipCode: d.townshipCode,
      certifiedOn: d.certifiedOn ?? '',
      fenPerMuYear: d.fenPerMuYear,
      certificateNo: d.certificateNo ?? '',
    })),
    rightType,
    townshipCode,
    asOf,
    rules,
  );
}

export interface ValuationInput {
  collateral: CollateralRef;
  method: ValuationMethodName;
  basis: ValuationBasisName;
  basisNote: string;
  valueFen: number;
  appraiser: { name: string; creditCode: string; licenceNo: string };
  valuedOn: string;
  validUntil: string;
  reportNo: string;
  bankCreditCode: string;
}

/**
 * 评估报告 — records a valuation of a right its owner has just confirmed, with the benchmark reference
 * value and the market comparable of the day beside it for the reviewer.
 */
export async function recordValuation(
  em: EntityManager,
  ctx: CommandContext,
  facts: CollateralFacts,
  input: ValuationInput,
): Promise<ValuationMsg> {
  const today = todayOf(ctx);
  const rules = (await policy(em, valuationPolicy, today)).value;
  invalidIfAny(
    checkValuationInput(
      {
        method: input.method,
        valueFen: input.valueFen,
        appraiserName: input.appraiser.name,
        appraiserCreditCode: input.appraiser.creditCode,
        valuedOn: input.valuedOn,
        validUntil: input.validUntil,
        bankCreditCode: input.bankCreditCode,
      },
      today,
      { maxValidityDays: Number.MAX_SAFE_INTEGER },
    ),
  );
  if (input.bankCreditCode) assertBankOrCentreWrite(ctx.principal, input.bankCreditCode, facts.townshipCode);
  else if (ctx.principal.role === 'COOPERATING_BANK') throw new PermissionDeniedError();
  else assertBankOrCentreWrite(ctx.principal, '', facts.townshipCode);
  refuseIfAny(
    checkValuationInput(
      {
        method: input.method,
        valueFen: input.valueFen,
        appraiserName: input.appraiser.name,
        appraiserCreditCode: input.appraiser.creditCode,
        valuedOn: input.valuedOn,
        validUntil: input.validUntil,
        bankCreditCode: input.bankCreditCode,
      },
      today,
      rules,
    ),
  );
  const benchmark = await currentBenchmark(em, facts.rightType, facts.townshipCode, yearOf(input.valuedOn));
  const comparable = await computeComparable(em, facts.rightType, facts.townshipCode, input.valuedOn);
  const row = em.create(ValuationEntity, {
    id: newId(),
    rightType: facts.rightType,
    rightId: facts.rightId,
    plotCodes: input.collateral.plotCodes,
    circulationId: input.collateral.circulationId,
    townshipCode: facts.townshipCode,
    method: input.method,
    basis: input.basis,
    basisNote: input.basisNote,
    valueFen: input.valueFen,
    appraiser: input.appraiser,
    valuedOn: input.valuedOn,
    validUntil: input.validUntil,
    areaMu4: facts.areaMu4,
    benchmarkPriceId: benchmark?.id ?? null,
    benchmarkVersion: benchmark?.version ?? 0,
    referenceValueFen: benchmark
      ? referenceValueFen(
          benchmark.unit as PriceUnitName,
          benchmark.priceFen,
          facts.areaMu4,
          facts.remainingDays,
        )
      : 0,
    comparable: comparableToMsg(comparable),
    reportNo: input.reportNo,
    bankCreditCode: input.bankCreditCode,
    version: 1,
  });
  const msg = valuationToMsg(row);
  await recordChanges(em, ctx, [
    {
      aggregateType: 'valuation',
      aggregateId: row.id,
      aggregateVersion: 1,
      townshipCode: row.townshipCode,
      action: 'valuation.recorded',
      state: msg,
    },
  ]);
  return msg;
}

export async function getValuation(
  em: EntityManager,
  principal: Principal,
  id: string,
): Promise<ValuationMsg> {
  const row = isUuid(id) ? await em.findOne(ValuationEntity, { id }) : null;
  // A bank reads its own valuations and those of the government panel or agencies made for no one bank.
  const visible =
    row &&
    (principal.role === 'COOPERATING_BANK'
      ? !row.bankCreditCode || row.bankCreditCode === principal.bank
      : mayRead(principal, { townshipCode: row.townshipCode }));
  if (!row || !visible) throw new NotFoundError('valuation', id);
  return valuationToMsg(row);
}
