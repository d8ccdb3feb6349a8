import type { CollateralRef as CollateralRefMsg } from '@pingquan/contracts/pingquan/property_mortgage/v1/events';
import type {
  Document as DocumentMsg,
  Party as PartyMsg,
} from '@pingquan/contracts/pingquan/property_mortgage/v1/types';
import { InvalidInputError } from '@pingquan/kit';
import { isLocalDate, type LocalDate, type RuleViolation, violation } from '@pingquan/reference';
import { fromEnum } from '../app/mapping.js';
import {
  type CollateralRef,
  DOCUMENT_KINDS,
  type DocumentRef,
  PARTY_KINDS,
  type Party,
  RIGHT_TYPE_NAMES,
  type RightTypeName,
} from '../domain/model.js';

// Turns proto requests into domain values at the edge. Unknown enum values and missing parts are
// reported here with their field path; domain rules check the rest.

function fail(violations: RuleViolation[]): never {
  throw new InvalidInputError(violations);
}

/** A required enum value, by its bare name. */
export function enumOf<T extends string>(
  prefix: string,
  value: string,
  allowed: readonly T[],
  field: string,
): T {
  const bare = fromEnum(prefix, value, allowed);
  if (!bare)
    fail([
      violation(`${field.replace(/\W+/g, '_').toUpperCase()}_REQUIRED`, field, `Choose a valid ${field}.`),
    ]);
  return bare;
}

/** An optional enum filter: UNSPECIFIED means no filter. */
export function optionalEnum<T extends string>(
  prefix: string,
  value: string,
  allowed: readonly T[],
): T | undefined {
  return fromEnum(prefix, value, allowed);
}

export function rightTypeOf(value: string, field = 'rightType'): RightTypeName {
  return enumOf('RIGHT_TYPE_', value, RIGHT_TYPE_NAMES, field);
}

export function partyOf(msg: PartyMsg | undefined, field: string): Party {
  if (!msg) fail([violation('PARTY_REQUIRED', field, `Give the ${field}.`)]);
  return {
    kind: enumOf('PARTY_KIND_', msg.kind, PARTY_KINDS, `${field}.kind`),
    name: msg.name,
    idNumber: msg.idNumber.trim().toUpperCase(),
    householdId: msg.householdId,
  };
}

export function optionalPartyOf(msg: PartyMsg | undefined, field: string): Party | undefined {
  return msg && msg.kind !== 'PARTY_KIND_UNSPECIFIED' ? partyOf(msg, field) : undefined;
}

export function documentsOf(msgs: readonly DocumentMsg[], field = 'documents'): DocumentRef[] {
  return msgs.map((d, i) => ({
    kind: enumOf('DOCUMENT_KIND_', d.kind, DOCUMENT_KINDS, `${field}[${i}].kind`),
    number: d.number.trim(),
    title: d.title.trim(),
    issuedBy: d.issuedBy.trim(),
    issuedOn: d.issuedOn,
  }));
}

export function collateralOf(msg: CollateralRefMsg | undefined, field = 'collateral'): CollateralRef {
  if (!msg) fail([violation('COLLATERAL_REQUIRED', field, 'Name the right offered as collateral.')]);
  const rightType = rightTypeOf(msg.rightType, `${field}.rightType`);
  if (!msg.rightId.trim())
    fail([violation('RIGHT_ID_REQUIRED', `${field}.rightId`, 'Give the right’s id in its owner.')]);
  const plotCodes = [...new Set(msg.plotCodes.map((c) => c.trim()).filter(Boolean))].sort();
  return { rightType, rightId: msg.rightId.trim(), plotCodes, circulationId: msg.circulationId.trim() };
}

/** A date the caller may leave empty for "today". */
export function dateOr(value: string, fallback: LocalDate, field: string): LocalDate {
  if (!value) return fallback;
  if (!isLocalDate(value)) fail([violation('DATE_FORMAT', field, `'${value}' is not a YYYY-MM-DD date.`)]);
  return value;
}

/** Page size: 0 means the default; larger than the cap is capped, not refused. */
export function pageSize(requested: number | undefined, fallback = 50, cap = 500): number {
  if (!requested || requested <= 0) return fallback;
  return Math.min(requested, cap);
}

export function decodeCursor(token: string | undefined): string | undefined {
  if (!token) return undefined;
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  if (!decoded.startsWith('pm:')) {
    fail([
      violation('PAGE_TOKEN_INVALID', 'page.pageToken', 'The page token is not one this service issued.'),
    ]);
  }
  return decoded.slice(3);
}

export function encodeCursor(key: string | undefined): string {
  return key === undefined ? '' : Buffer.from(`pm:${key}`, 'utf8').toString('base64url');
}

export function batchLimit(count: number, field: string, max = 500): void {
  if (count > max) fail([violation('BATCH_TOO_LARGE', field, `At most ${max} ids per call.`)]);
}
