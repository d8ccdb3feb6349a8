import type { ExchangeReviewItem } from '@pingquan/contracts/pingquan/land_contract/v1/rights';
import {
  type EntityManager,
  InvalidInputError,
  PermissionDeniedError,
  type Principal,
  queryBound,
  townshipFilter,
} from '@pingquan/kit';
import { violation } from '@pingquan/reference';
import { TRACK } from './context.js';

interface ReviewRow {
  kind: 'TRANSACTION_CERTIFICATE' | 'DISPOSAL';
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
      FROM transaction_certificate WHERE review_reason IS NOT NULL
      UNION ALL
      SELECT 'DISPOSAL', disposal_id, certificate_no, township_code, right_id,
             review_reason, review_note, price_fen, created_at,
             to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
      FROM disposal_transfer WHERE review_reason IS NOT NULL
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
    })),
    nextCursor: rows.length > input.pageSize && last ? encodeKey(last) : undefined,
    total: Number(count?.n ?? 0),
  };
}
