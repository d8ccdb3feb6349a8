import {
  ApplyForMortgageResponse,
  CertifyTransactionResponse,
  ClaimCompensationResponse,
  CompleteDisposalResponse,
  ContributeToFundResponse,
  CreateListingResponse,
  DisburseLoanResponse,
  FileMortgageResponse,
  MarkOperationalDelayResponse,
  PlaceBidResponse,
  type PropertyMortgageServiceDefinition,
  PublishBenchmarkPriceResponse,
  PublishLoanProductResponse,
  RecordDealResponse,
  RecordRepaymentResponse,
  RecordValuationResponse,
  RegisterMortgageResponse,
  RegisterRightResponse,
  ReleaseMortgageResponse,
  ReviewMortgageApplicationResponse,
  StartDisposalResponse,
} from '@pingquan/contracts/pingquan/property_mortgage/v1/property_mortgage_service';
import {
  type EntityManager,
  type HandlerContext,
  InvalidInputError,
  idempotent,
  inTransaction,
  type Orm,
  PermissionDeniedError,
  type Principal,
  type ResponseCodec,
  type ServiceHandlers,
} from '@pingquan/kit';
import { addDays, compareDates, violation } from '@pingquan/reference';
import { assertCentreWrite, assertMayRead, mayRead } from '../app/access.js';
import { classifyAllLoans } from '../app/classification.js';
import { type Clock, commandContext, TRACK, today } from '../app/context.js';
import {
  collateralOfLoan,
  completeDisposal,
  getDisposal,
  loanForDisposal,
  placeBid,
  startDisposal,
} from '../app/disposal.js';
import { claimCompensation, contributeToFund, getFundStatement } from '../app/fund.js';
import {
  disburseLoan,
  getLoan,
  listLoans,
  loansByHousehold,
  markOperationalDelay,
  recordRepayment,
} from '../app/loans.js';
import { checkToMsg, collateralOf as collateralOfRow } from '../app/mapping.js';
import {
  applyForMortgage,
  checkApplicationShape,
  checkSnapshot,
  fileMortgage,
  findMortgage,
  getMortgage,
  listMortgages,
  loadProduct,
  mortgagesByHousehold,
  registerMortgage,
  releaseMortgage,
  reviewApplication,
  standingOnRight,
} from '../app/mortgage.js';
import { listLoanProducts, publishLoanProduct } from '../app/products.js';
import { buildScopedReport, monthPeriod, weekPeriod } from '../app/reports.js';
import {
  certifyDeal,
  createListing,
  dealMsgFor,
  getRight,
  listDeals,
  recordDeal,
  registerRight,
} from '../app/rights.js';
import {
  comparableToMsg,
  computeComparable,
  getValuation,
  listBenchmarkPrices,
  publishBenchmarkPrice,
  recordValuation,
} from '../app/valuation.js';
import type { CollateralVerifiers } from '../collateral/verifier.js';
import { existingSecured } from '../domain/collateral.js';
import {
  type DisposalMethodName,
  type LoanClassName,
  type LoanStatusName,
  type LossCauseName,
  type MortgageStatusName,
  type PriceUnitName,
  type RepaymentMethodName,
  RIGHT_TYPE_NAMES,
  type TransactionModeName,
  type ValuationBasisName,
  type ValuationMethodName,
} from '../domain/model.js';
import {
  batchLimit,
  collateralOf,
  dateOr,
  decodeCursor,
  documentsOf,
  encodeCursor,
  enumOf,
  optionalEnum,
  optionalPartyOf,
  pageSize,
  partyOf,
  rightTypeOf,
} from './input.js';

export interface HandlerDeps {
  orm: Orm;
  clock: Clock;
  verifiers: CollateralVerifiers;
}

const TRANSACTION_MODES: readonly TransactionModeName[] = [
  'LEASE',
  'SUBCONTRACT',
  'TRANSFER',
  'SHAREHOLDING',
  'CONTRACT_OPERATION',
  'AUCTION',
  'OTHER',
];
const MORTGAGE_STATUSES: readonly MortgageStatusName[] = [
  'APPLIED',
  'APPROVED',
  'REJECTED',
  'REGISTERED',
  'FILED',
  'RELEASED',
  'WITHDRAWN',
];
const LOAN_CLASSES: readonly LoanClassName[] = [
  'NORMAL',
  'SPECIAL_MENTION',
  'SUBSTANDARD',
  'DOUBTFUL',
  'LOSS',
];
const LOAN_STATUSES: readonly LoanStatusName[] = ['ACTIVE', 'SETTLED', 'IN_DISPOSAL', 'CLOSED_WITH_LOSS'];

/**
 * gRPC ↔ use cases. Each command runs in one transaction with its audit entries and events, wrapped in
 * `idempotent` when the request carries a key. A right's owner is asked before the transaction opens
 * (a remote call never holds database locks) and the use case re-checks everything inside it.
 */
export function propertyMortgageHandlers(
  deps: HandlerDeps,
): ServiceHandlers<typeof PropertyMortgageServiceDefinition> {
  const { orm, clock, verifiers } = deps;
  const read = () => orm.em.fork();
  const command = <T>(
    scope: string,
    request: { context?: { idempotencyKey: string } | undefined },
    codec: ResponseCodec<T>,
    run: (em: EntityManager) => Promise<T>,
  ): Promise<T> =>
    inTransaction(orm, (em) =>
      idempotent(em, scope, request.context?.idempotencyKey ?? '', request, codec, () => run(em)),
    );
  const verify = (collateral: Parameters<ReturnType<CollateralVerifiers>['verify']>[0]) =>
    verifiers(collateral.rightType).verify(collateral, today(clock));
  const ctxOf = (context: HandlerContext, change: Parameters<typeof commandContext>[1]) =>
    commandContext(context.principal, change, clock);
  /** Banks are turned away before anyone else is asked anything about a mortgage that is not theirs. */
  const assertCentre = (principal: Principal) => {
    if (principal.role === 'COOPERATING_BANK') throw new PermissionDeniedError();
  };

  return {
    // ---- rights and exchange ----
    async registerRight(request, context) {
      const ctx = ctxOf(context, request.context);
      const input = {
        rightType: rightTypeOf(request.rightType),
        holder: partyOf(request.holder, 'holder'),
        villageCode: request.villageCode,
        description: request.description,
        areaMu4: request.areaMu4,
        termEnd: request.termEndDate,
        quantity: request.quantity,
        evidence: documentsOf(request.evidence, 'evidence'),
      };
      return command('RegisterRight', request, RegisterRightResponse, async (em) => ({
        right: await registerRight(em, ctx, input),
      }));
    },
    async getRight(request, context) {
      return { right: await getRight(read(), context.principal, request.id) };
    },
    async createListing(request, context) {
      const ctx = ctxOf(context, request.context);
      const input = {
        rightType: rightTypeOf(request.rightType),
        rightId: request.rightId,
        plotCodes: request.plotCodes,
        seller: partyOf(request.seller, 'seller'),
        villageCode: request.villageCode,
        collectiveAsset: request.collectiveAsset,
        mode: enumOf('TRANSACTION_MODE_', request.mode, TRANSACTION_MODES, 'mode'),
        areaMu4: request.areaMu4,
        askingPriceFen: request.askingPriceFen,
        termStart: request.termStartDate,
        termEnd: request.termEndDate,
      };
      return command('CreateListing', request, CreateListingResponse, async (em) => ({
        listing: await createListing(em, ctx, input),
      }));
    },
    async recordDeal(request, context) {
      const ctx = ctxOf(context, request.context);
      const listed = Boolean(request.listingId);
      const input = {
        listingId: request.listingId,
        rightType: listed
          ? (optionalEnum('RIGHT_TYPE_', request.rightType, RIGHT_TYPE_NAMES) ?? 'LAND_MANAGEMENT')
          : rightTypeOf(request.rightType),
        rightId: request.rightId,
        plotCodes: request.plotCodes,
        ownerRecordId: request.ownerRecordId,
        seller: listed ? optionalPartyOf(request.seller, 'seller') : partyOf(request.seller, 'seller'),
        buyer: partyOf(request.buyer, 'buyer'),
        villageCode: request.villageCode,
        collectiveAsset: request.collectiveAsset,
        mode: listed
          ? (optionalEnum('TRANSACTION_MODE_', request.mode, TRANSACTION_MODES) ?? 'OTHER')
          : enumOf('TRANSACTION_MODE_', request.mode, TRANSACTION_MODES, 'mode'),
        areaMu4: request.areaMu4,
        priceFen: request.priceFen,
        termStart: request.termStartDate,
        termEnd: request.termEndDate,
        dealDate: request.dealDate || today(clock),
      };
      return command('RecordDeal', request, RecordDealResponse, async (em) => ({
        deal: dealMsgFor(ctx.principal, await recordDeal(em, ctx, input)),
      }));
    },
    async certifyTransaction(request, context) {
      const ctx = ctxOf(context, request.context);
      return command('CertifyTransaction', request, CertifyTransactionResponse, async (em) => ({
        deal: dealMsgFor(ctx.principal, await certifyDeal(em, ctx, request.dealId)),
      }));
    },
    async listDeals(request, context) {
      const result = await listDeals(
        read(),
        context.principal,
        {
          ...(request.townshipCode ? { townshipCode: request.townshipCode } : {}),
          ...(optionalEnum('RIGHT_TYPE_', request.rightType, RIGHT_TYPE_NAMES)
            ? { rightType: optionalEnum('RIGHT_TYPE_', request.rightType, RIGHT_TYPE_NAMES) }
            : {}),
          certifiedOnly: request.certifiedOnly,
        },
        pageSize(request.page?.pageSize),
        decodeCursor(request.page?.pageToken),
      );
      return {
        deals: result.deals,
        pageInfo: { nextPageToken: encodeCursor(result.nextCursor), totalCount: result.total },
      };
    },

    // ---- price system and valuation ----
    async publishBenchmarkPrice(request, context) {
      const ctx = ctxOf(context, request.context);
      const input = {
        rightType: rightTypeOf(request.rightType),
        townshipCode: request.townshipCode,
        year: request.year,
        unit: optionalEnum<PriceUnitName>('PRICE_UNIT_', request.unit, [
          'PER_MU_YEAR',
          'PER_MU',
          'PER_SQUARE_METRE',
          'PER_UNIT',
        ]),
        priceFen: request.priceFen,
      };
      return command('PublishBenchmarkPrice', request, PublishBenchmarkPriceResponse, async (em) => ({
        price: await publishBenchmarkPrice(em, ctx, input),
      }));
    },
    async listBenchmarkPrices(request, context) {
      const rightType = optionalEnum('RIGHT_TYPE_', request.rightType, RIGHT_TYPE_NAMES);
      return {
        prices: await listBenchmarkPrices(read(), context.principal, {
          ...(rightType ? { rightType } : {}),
          ...(request.townshipCode ? { townshipCode: request.townshipCode } : {}),
          ...(request.year ? { year: request.year } : {}),
          allVersions: request.allVersions,
        }),
      };
    },
    async getMarketComparable(request, context) {
      if (context.principal.role === 'COUNTY_SYSTEM') throw new PermissionDeniedError();
      const rightType = rightTypeOf(request.rightType);
      const asOf = dateOr(request.asOfDate, today(clock), 'asOfDate');
      return {
        comparable: comparableToMsg(await computeComparable(read(), rightType, request.townshipCode, asOf)),
      };
    },
    async recordValuation(request, context) {
      const ctx = ctxOf(context, request.context);
      const collateral = collateralOf(request.collateral);
      const input = {
        collateral,
        method: enumOf<ValuationMethodName>(
          'VALUATION_METHOD_',
          request.method,
          ['THIRD_PARTY_AGENCY', 'GOVERNMENT_PANEL', 'BANK_OWN', 'NEGOTIATED'],
          'method',
        ),
        basis: enumOf<ValuationBasisName>(
          'VALUATION_BASIS_',
          request.basis,
          ['BENCHMARK_PRICE', 'MARKET_COMPARABLE', 'INCOME', 'COST', 'OTHER'],
          'basis',
        ),
        basisNote: request.basisNote,
        valueFen: request.valueFen,
        appraiser: {
          name: request.appraiser?.name ?? '',
          creditCode: request.appraiser?.creditCode ?? '',
          licenceNo: request.appraiser?.licenceNo ?? '',
        },
        valuedOn: request.valuedOn || today(clock),
        validUntil: request.validUntilDate,
        reportNo: request.reportNo,
        bankCreditCode: request.bankCreditCode.trim().toUpperCase(),
      };
      if (ctx.principal.role === 'COOPERATING_BANK' && input.bankCreditCode !== ctx.principal.bank)
        throw new PermissionDeniedError();
      const facts = await verify(collateral);
      return command('RecordValuation', request, RecordValuationResponse, async (em) => ({
        valuation: await recordValuation(em, ctx, facts, input),
      }));
    },
    async getValuation(request, context) {
      return { valuation: await getValuation(read(), context.principal, request.id) };
    },

    // ---- products and mortgages ----
    async publishLoanProduct(request, context) {
      const ctx = ctxOf(context, request.context);
      const input = {
        bankCreditCode: request.bankCreditCode.trim(),
        bankName: request.bankName,
        name: request.name,
        eligibleRightTypes: request.eligibleRightTypes.map((t, i) =>
          rightTypeOf(t, `eligibleRightTypes[${i}]`),
        ),
        maxLtvBp: request.maxLtvBp,
        maxTermMonths: request.maxTermMonths,
        minRateBp: request.minRateBp,
        maxRateBp: request.maxRateBp,
      };
      return command('PublishLoanProduct', request, PublishLoanProductResponse, async (em) => ({
        product: await publishLoanProduct(em, ctx, input),
      }));
    },
    async listLoanProducts(request, context) {
      const rightType = optionalEnum('RIGHT_TYPE_', request.rightType, RIGHT_TYPE_NAMES);
      return {
        products: await listLoanProducts(read(), context.principal, {
          ...(request.bankCreditCode ? { bankCreditCode: request.bankCreditCode } : {}),
          ...(rightType ? { rightType } : {}),
        }),
      };
    },
    async checkCollateral(request, context) {
      const p = context.principal;
      if (
        !(
          p.role === 'COOPERATING_BANK' ||
          p.role === 'SERVICE' ||
          (p.role === 'LEAD_UNIT' && p.track === TRACK) ||
          p.role === 'TOWNSHIP_OFFICIAL'
        )
      )
        throw new PermissionDeniedError();
      const collateral = collateralOf(request.collateral);
      const asOf = dateOr(request.asOfDate, today(clock), 'asOfDate');
      const facts = await verifiers(collateral.rightType).verify(collateral, asOf);
      if (p.role === 'TOWNSHIP_OFFICIAL' && !mayRead(p, { townshipCode: facts.townshipCode }))
        throw new PermissionDeniedError();
      const standing = await standingOnRight(read(), {
        rightType: collateral.rightType,
        rightId: facts.rightId,
      });
      const here = existingSecured(
        { ...collateral, rightId: facts.rightId },
        standing.map((m) => ({
          mortgageId: m.id,
          collateral: collateralOfRow(m),
          securedAmountFen: m.securedAmountFen,
        })),
        [],
      );
      const all = existingSecured(
        { ...collateral, rightId: facts.rightId },
        standing.map((m) => ({
          mortgageId: m.id,
          collateral: collateralOfRow(m),
          securedAmountFen: m.securedAmountFen,
        })),
        facts.encumbrances,
      );
      return { check: checkToMsg(checkSnapshot(facts, all.totalFen)), registeredHereFen: here.totalFen };
    },
    async applyForMortgage(request, context) {
      const ctx = ctxOf(context, request.context);
      const input = {
        productId: request.productId,
        mortgagor: partyOf(request.mortgagor, 'mortgagor'),
        debtor: optionalPartyOf(request.debtor, 'debtor'),
        collateral: collateralOf(request.collateral),
        valuationId: request.valuationId,
        securedAmountFen: request.securedAmountFen,
        termEnd: request.termEndDate,
        documents: documentsOf(request.documents),
        borrowerConditions: {
          fullCivilCapacity: request.borrowerConditions?.fullCivilCapacity ?? false,
          noBadCredit: request.borrowerConditions?.noBadCredit ?? false,
          rightUndisputed: request.borrowerConditions?.rightUndisputed ?? false,
          certificateHeld: request.borrowerConditions?.certificateHeld ?? false,
          creditReportRef: request.borrowerConditions?.creditReportRef ?? '',
        },
      };
      checkApplicationShape(input);
      // A bank applies only under its own products: find out before asking the owner anything.
      const product = await loadProduct(read(), input.productId);
      if (ctx.principal.role === 'COOPERATING_BANK' && ctx.principal.bank !== product.bankCreditCode)
        throw new PermissionDeniedError();
      const facts = await verify(input.collateral);
      return command('ApplyForMortgage', request, ApplyForMortgageResponse, async (em) => ({
        mortgage: await applyForMortgage(em, ctx, facts, input),
      }));
    },
    async reviewMortgageApplication(request, context) {
      const ctx = ctxOf(context, request.context);
      assertCentre(ctx.principal);
      const row = await findMortgage(read(), ctx.principal, request.mortgageId);
      assertCentreWrite(ctx.principal, row.townshipCode);
      const facts = request.approve ? await verify(collateralOfRow(row)) : undefined;
      return command('ReviewMortgageApplication', request, ReviewMortgageApplicationResponse, async (em) => ({
        mortgage: await reviewApplication(em, ctx, facts, request.mortgageId, request.approve, request.note),
      }));
    },
    async registerMortgage(request, context) {
      const ctx = ctxOf(context, request.context);
      assertCentre(ctx.principal);
      const row = await findMortgage(read(), ctx.principal, request.mortgageId);
      assertCentreWrite(ctx.principal, row.townshipCode);
      const facts = await verify(collateralOfRow(row));
      return command('RegisterMortgage', request, RegisterMortgageResponse, async (em) => ({
        mortgage: await registerMortgage(em, ctx, facts, request.mortgageId),
      }));
    },
    async fileMortgage(request, context) {
      const ctx = ctxOf(context, request.context);
      return command('FileMortgage', request, FileMortgageResponse, async (em) => ({
        mortgage: await fileMortgage(em, ctx, request.mortgageId, request.filedWith, request.filingRef),
      }));
    },
    async releaseMortgage(request, context) {
      const ctx = ctxOf(context, request.context);
      return command('ReleaseMortgage', request, ReleaseMortgageResponse, async (em) => ({
        mortgage: await releaseMortgage(em, ctx, request.mortgageId),
      }));
    },
    async getMortgage(request, context) {
      return { mortgage: await getMortgage(read(), context.principal, request.idOrNumber) };
    },
    async listMortgages(request, context) {
      const status = optionalEnum('MORTGAGE_STATUS_', request.status, MORTGAGE_STATUSES);
      const rightType = optionalEnum('RIGHT_TYPE_', request.rightType, RIGHT_TYPE_NAMES);
      const result = await listMortgages(
        read(),
        context.principal,
        {
          ...(request.townshipCode ? { townshipCode: request.townshipCode } : {}),
          ...(request.bankCreditCode ? { bankCreditCode: request.bankCreditCode } : {}),
          ...(status ? { status } : {}),
          ...(rightType ? { rightType } : {}),
          ...(request.rightId ? { rightId: request.rightId } : {}),
        },
        pageSize(request.page?.pageSize),
        decodeCursor(request.page?.pageToken),
      );
      return {
        mortgages: result.mortgages,
        pageInfo: { nextPageToken: encodeCursor(result.nextCursor), totalCount: result.total },
      };
    },
    async batchGetMortgagesByHousehold(request, context) {
      batchLimit(request.householdIds.length, 'householdIds');
      const byHousehold = await mortgagesByHousehold(read(), context.principal, request.householdIds);
      return { results: [...byHousehold].map(([householdId, mortgages]) => ({ householdId, mortgages })) };
    },
    async batchGetHouseholdFinances(request, context) {
      batchLimit(request.householdIds.length, 'householdIds');
      // Two independent reads on two connections at once: the call costs the slower of them.
      const [mortgages, loans] = await Promise.all([
        mortgagesByHousehold(read(), context.principal, request.householdIds),
        loansByHousehold(read(), context.principal, request.householdIds),
      ]);
      const ids = [...new Set(request.householdIds)];
      return {
        results: ids.map((householdId) => ({
          householdId,
          mortgages: mortgages.get(householdId) ?? [],
          loans: loans.get(householdId) ?? [],
        })),
      };
    },

    // ---- loans ----
    async disburseLoan(request, context) {
      const ctx = ctxOf(context, request.context);
      const input = {
        mortgageId: request.mortgageId,
        principalFen: request.principalFen,
        annualRateBp: request.annualRateBp,
        disbursedOn: request.disbursedOn || today(clock),
        termMonths: request.termMonths,
        method: enumOf<RepaymentMethodName>(
          'REPAYMENT_METHOD_',
          request.method,
          ['EQUAL_PRINCIPAL', 'INTEREST_ONLY_BULLET'],
          'method',
        ),
        periodMonths: request.periodMonths,
      };
      return command('DisburseLoan', request, DisburseLoanResponse, async (em) => ({
        loan: await disburseLoan(em, ctx, input),
      }));
    },
    async recordRepayment(request, context) {
      const ctx = ctxOf(context, request.context);
      const input = {
        loanId: request.loanId,
        amountFen: request.amountFen,
        paidOn: request.paidOn || today(clock),
      };
      return command('RecordRepayment', request, RecordRepaymentResponse, async (em) => ({
        loan: await recordRepayment(em, ctx, input),
      }));
    },
    async markOperationalDelay(request, context) {
      const ctx = ctxOf(context, request.context);
      return command('MarkOperationalDelay', request, MarkOperationalDelayResponse, async (em) => ({
        loan: await markOperationalDelay(em, ctx, request.loanId, request.dueDate),
      }));
    },
    async classifyLoans(request, context) {
      const p = context.principal;
      if (!(p.role === 'SERVICE' || (p.role === 'LEAD_UNIT' && p.track === TRACK)))
        throw new PermissionDeniedError();
      const now = today(clock);
      const asOf = dateOr(request.asOfDate, now, 'asOfDate');
      if (compareDates(asOf, now) > 0)
        throw new InvalidInputError([
          violation(
            'CLASSIFICATION_IN_FUTURE',
            'asOfDate',
            'Loans are classified as of today or an earlier day.',
          ),
        ]);
      const ctx = commandContext(
        p,
        { reason: `classification as of ${asOf} on demand`, documentRef: '', idempotencyKey: '' },
        clock,
      );
      const result = await inTransaction(orm, (em) => classifyAllLoans(em, ctx, asOf));
      return {
        asOfDate: result.asOf,
        loansClassified: result.loansClassified,
        changed: result.changed,
        becameOverdue: result.becameOverdue,
        becameNonPerforming: result.becameNonPerforming,
      };
    },
    async getLoan(request, context) {
      return { loan: await getLoan(read(), context.principal, request.id) };
    },
    async listLoans(request, context) {
      const classification = optionalEnum('LOAN_CLASS_', request.classification, LOAN_CLASSES);
      const status = optionalEnum('LOAN_STATUS_', request.status, LOAN_STATUSES);
      const result = await listLoans(
        read(),
        context.principal,
        {
          ...(request.townshipCode ? { townshipCode: request.townshipCode } : {}),
          ...(request.bankCreditCode ? { bankCreditCode: request.bankCreditCode } : {}),
          ...(classification ? { classification } : {}),
          ...(status ? { status } : {}),
          ...(request.mortgageId ? { mortgageId: request.mortgageId } : {}),
        },
        pageSize(request.page?.pageSize),
        decodeCursor(request.page?.pageToken),
      );
      return {
        loans: result.loans,
        pageInfo: { nextPageToken: encodeCursor(result.nextCursor), totalCount: result.total },
      };
    },
    async batchGetLoansByHousehold(request, context) {
      batchLimit(request.householdIds.length, 'householdIds');
      const byHousehold = await loansByHousehold(read(), context.principal, request.householdIds);
      return { results: [...byHousehold].map(([householdId, loans]) => ({ householdId, loans })) };
    },

    // ---- disposal ----
    async startDisposal(request, context) {
      const ctx = ctxOf(context, request.context);
      const input = {
        loanId: request.loanId,
        method: enumOf<DisposalMethodName>(
          'DISPOSAL_METHOD_',
          request.method,
          ['ONLINE_AUCTION', 'MARKET_TRANSFER', 'STORAGE_ACQUISITION', 'THIRD_PARTY_RECIRCULATION'],
          'method',
        ),
        reservePriceFen: request.reservePriceFen,
        depositFen: request.depositFen,
        opensOn: request.opensOn,
        closesOn: request.closesOn,
        transferTermEnd: request.transferTermEndDate,
      };
      const em = read();
      const loan = await loanForDisposal(em, input.loanId);
      assertMayRead(
        ctx.principal,
        { townshipCode: loan.townshipCode, bankCreditCode: loan.bankCreditCode },
        'loan',
        input.loanId,
      );
      const { collateral } = await collateralOfLoan(em, loan);
      const facts = await verify(collateral);
      return command('StartDisposal', request, StartDisposalResponse, async (tx) => ({
        disposal: await startDisposal(tx, ctx, facts, input),
      }));
    },
    async placeBid(request, context) {
      const ctx = ctxOf(context, request.context);
      const input = {
        disposalId: request.disposalId,
        bidder: partyOf(request.bidder, 'bidder'),
        amountFen: request.amountFen,
        depositPaidFen: request.depositPaidFen,
      };
      return command('PlaceBid', request, PlaceBidResponse, async (em) => ({
        disposal: await placeBid(em, ctx, input),
      }));
    },
    async completeDisposal(request, context) {
      const ctx = ctxOf(context, request.context);
      const input = {
        disposalId: request.disposalId,
        buyer: optionalPartyOf(request.buyer, 'buyer'),
        priceFen: request.priceFen,
        costsFen: request.costsFen,
        completedOn: request.completedOn,
      };
      return command('CompleteDisposal', request, CompleteDisposalResponse, async (em) =>
        completeDisposal(em, ctx, input),
      );
    },
    async getDisposal(request, context) {
      return { disposal: await getDisposal(read(), context.principal, request.id) };
    },

    // ---- fund ----
    async contributeToFund(request, context) {
      const ctx = ctxOf(context, request.context);
      const input = {
        amountFen: request.amountFen,
        contributor: request.contributor,
        contributedOn: request.contributedOn,
      };
      return command('ContributeToFund', request, ContributeToFundResponse, async (em) => ({
        statement: await contributeToFund(em, ctx, input),
      }));
    },
    async claimCompensation(request, context) {
      const ctx = ctxOf(context, request.context);
      const input = {
        loanId: request.loanId,
        cause: enumOf<LossCauseName>('LOSS_CAUSE_', request.cause, ['ORDINARY', 'NATURAL_DISASTER'], 'cause'),
        insurerRecoveredFen: request.insurerRecoveredFen,
        guarantorRecoveredFen: request.guarantorRecoveredFen,
      };
      return command('ClaimCompensation', request, ClaimCompensationResponse, async (em) => ({
        claim: await claimCompensation(em, ctx, input),
      }));
    },
    async getFundStatement(request, context) {
      return getFundStatement(read(), context.principal, request.entries, today(clock));
    },

    // ---- reports ----
    async getWeeklyReport(request, context) {
      const end = dateOr(request.weekEndingDate, addDays(today(clock), -1), 'weekEndingDate');
      return { report: await buildScopedReport(read(), context.principal, 'WEEKLY', weekPeriod(end)) };
    },
    async getMonthlyDispatch(request, context) {
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(request.month))
        throw new InvalidInputError([violation('MONTH_FORMAT', 'month', 'Give the month as YYYY-MM.')]);
      return {
        report: await buildScopedReport(read(), context.principal, 'MONTHLY', monthPeriod(request.month)),
      };
    },
  };
}
