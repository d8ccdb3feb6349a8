import { LockMode } from '@mikro-orm/core';
import type { ExchangeReviewItem } from '@pingquan/contracts/pingquan/land_contract/v1/rights';
import {
  assertCanWrite,
  type CommandContext,
  type EntityManager,
  InvalidInputError,
  NotFoundError,
  PermissionDeniedError,
  type Principal,
  queryBound,
  RuleRefusedError,
  recordChanges,
  townshipFilter,
} from '@pingquan/kit';
import { violation } from '@pingquan/reference';
import { DisposalTransferEntity, TransactionCertificateEntity } from '../persistence/exchange-entities.js';
import { TRACK } from './context.js';

/** A received certificate (交易鉴证书) or a disposal of a mortgaged right. */
export type ReviewItemKind = 'TRANSACTION_CERTIFICATE' | 'DISPOSAL';

interface ReviewRow {
  kind: ReviewItemKind;
  id: string;
  certificate_no: string;
  township_code: string;
  right_id: string;
  review_reason: string;
  review_note: string;
  price_fen: string;
  /** Receipt time to the microsecond, ISO 8601 UTC (a Date would drop the microseconds the keyset needs). */
  at: string;
}

/** A page of the review queue and the key of its last item, when more follow. */
export interface ReviewPage {
  /** The items, each with its keyset key (`cursor`, before the RPC layer encodes it). */
  items: ExchangeReviewItem[];
  nextCursor: string | undefined;
  total: number;
}

// The cursor is the last item's receipt time and id: the queue is read oldest first, and both tables
// are one list (a UNION), so a keyset on (created_at, kind, id) stays stable as items come and go.
const encodeKey = (r: Pick<ReviewRow, 'at' | 'kind' | 'id'>) => `${r.at}|${r.kind}|${r.id}`;

function decodeKey(cursor: string): [string, string, string] | undefined {
  const [at, kind, ...rest] = cursor.split('|');
  const id = rest.join('|');
  if (!at || !kind || !id || Number.isNaN(Date.parse(at))) return undefined;
  return [at, kind, id];
}

/**
 * 待复核 — received certificates and disposals the register could not place, oldest first, within
 * the caller's townships. Banks, county systems and village task forces have no part in it.
 */
export async function listExchangeReviewItems(
  em: EntityManager,
  principal: Principal,
  input: { townshipCode?: string; pageSize: number; after?: string },
): Promise<ReviewPage> {
  if (['COOPERATING_BANK', 'COUNTY_SYSTEM', 'VILLAGE_TASK_FORCE'].includes(principal.role)) {
    throw new PermissionDeniedError();
  }
  const allowed = townshipFilter(principal, TRACK);
  const townships = input.townshipCode
    ? allowed && !allowed.includes(input.townshipCode)
      ? []
      : [input.townshipCode]
    : allowed;
  const where: string[] = [];
  const params: unknown[] = [];
  const bind = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (townships) where.push(`township_code = ANY(${bind(townships)}::text[])`);
  const base = `
    SELECT * FROM (
      SELECT 'TRANSACTION_CERTIFICATE' AS kind, deal_id AS id, certificate_no, township_code, right_id,
             review_reason, review_note, price_fen, created_at,
             to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at
      FROM transaction_certificate WHERE review_reason IS NOT NULL AND settled_at IS NULL
      UNION ALL
      SELECT 'DISPOSAL', disposal_id, certificate_no, township_code, right_id,
             review_reason, review_note, price_fen, created_at,
             to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
      FROM disposal_transfer WHERE review_reason IS NOT NULL AND settled_at IS NULL
    ) q`;
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [count] = await queryBound<{ n: string }>(
    em,
    `SELECT count(*) AS n FROM (${base}) c ${filter}`,
    params,
  );
  const key = input.after ? decodeKey(input.after) : undefined;
  if (input.after && !key) {
    throw new InvalidInputError([
      violation('PAGE_TOKEN_INVALID', 'page.pageToken', 'Give a page token from the previous page.'),
    ]);
  }
  const page = [...where];
  if (key)
    page.push(`(created_at, kind, id) > (${bind(key[0])}::timestamptz, ${bind(key[1])}, ${bind(key[2])})`);
  const rows = await queryBound<ReviewRow>(
    em,
    `${base} ${page.length ? `WHERE ${page.join(' AND ')}` : ''}
     ORDER BY created_at, kind, id LIMIT ${bind(input.pageSize + 1)}`,
    params,
  );
  const shown = rows.slice(0, input.pageSize);
  const last = shown[shown.length - 1];
  return {
    items: shown.map((r) => ({
      kind: `EXCHANGE_REVIEW_ITEM_KIND_${r.kind}`,
      id: r.id,
      certificateNo: r.certificate_no,
      townshipCode: r.township_code,
      rightId: r.right_id,
      reason: r.review_reason,
      note: r.review_note,
      priceFen: Number(r.price_fen),
      receivedAt: new Date(r.at),
      cursor: encodeKey(r),
      settledBy: '',
      settlement: '',
    })),
    nextCursor: rows.length > input.pageSize && last ? encodeKey(last) : undefined,
    total: Number(count?.n ?? 0),
  };
}

/** The longest settlement text kept. */
export const MAX_SETTLEMENT_CHARS = 2_000;

/**
 * Takes one item off the review queue by hand, with what was done about it. The reason it waited
 * stays on the record; the settlement is audited (no event: nothing in the register changed).
 */
export async function settleExchangeReviewItem(
  em: EntityManager,
  ctx: CommandContext,
  input: { kind: ReviewItemKind; id: string; settlement: string },
): Promise<ExchangeReviewItem> {
  const settlement = input.settlement.trim();
  const problems = [
    ...(input.id.trim() ? [] : [violation('ID_REQUIRED', 'id', 'Give the deal id or the disposal id.')]),
    ...(settlement
      ? settlement.length > MAX_SETTLEMENT_CHARS
        ? [violation('SETTLEMENT_TOO_LONG', 'settlement', `At most ${MAX_SETTLEMENT_CHARS} characters.`)]
        : []
      : [violation('SETTLEMENT_REQUIRED', 'settlement', 'Say what was done about the item.')]),
  ];
  if (problems.length > 0) throw new InvalidInputError(problems);
  const row =
    input.kind === 'TRANSACTION_CERTIFICATE'
      ? await em.findOne(
          TransactionCertificateEntity,
          { dealId: input.id },
          { lockMode: LockMode.PESSIMISTIC_WRITE },
        )
      : await em.findOne(
          DisposalTransferEntity,
          { disposalId: input.id },
          { lockMode: LockMode.PESSIMISTIC_WRITE },
        );
  if (!row)
    throw new NotFoundError(input.kind === 'DISPOSAL' ? 'disposal' : 'transaction certificate', input.id);
  assertCanWrite(ctx.principal, { track: TRACK, townshipCode: row.townshipCode });
  if (!row.reviewReason || row.settledAt) {
    throw new RuleRefusedError([
      violation(
        'NOT_UNDER_REVIEW',
        'id',
        row.settledAt ? 'The item was settled already.' : 'The item does not wait for review: it was placed.',
      ),
    ]);
  }
  row.settledAt = ctx.now;
  row.settledBy = ctx.principal.sub;
  row.settlement = settlement;
  await em.flush();
  const id = 'dealId' in row ? row.dealId : row.disposalId;
  const aggregateType = input.kind === 'DISPOSAL' ? 'disposal-transfer' : 'transaction-certificate';
  const item: ExchangeReviewItem = {
    kind: `EXCHANGE_REVIEW_ITEM_KIND_${input.kind}`,
    id,
    certificateNo: row.certificateNo,
    townshipCode: row.townshipCode,
    rightId: row.rightId,
    reason: row.reviewReason,
    note: row.reviewNote,
    priceFen: Number(row.priceFen),
    receivedAt: row.createdAt,
    cursor: '',
    settledAt: ctx.now,
    settledBy: ctx.principal.sub,
    settlement,
  };
  await recordChanges(em, ctx, [
    {
      aggregateType,
      aggregateId: id,
      // Disposals are written once and carry no version; a certificate's counts its changes.
      aggregateVersion: 'version' in row ? row.version : 1,
      townshipCode: row.townshipCode,
      action: `${aggregateType}.settled`,
      state: { reviewReason: row.reviewReason, settledBy: ctx.principal.sub, settlement },
    },
  ]);
  return item;
}
