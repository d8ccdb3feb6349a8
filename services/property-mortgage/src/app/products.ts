import type { LoanProduct as LoanProductMsg } from '@pingquan/contracts/pingquan/property_mortgage/v1/mortgage';
import {
  type CommandContext,
  type EntityManager,
  newId,
  PermissionDeniedError,
  type Principal,
  recordChanges,
} from '@pingquan/kit';
import { validateCreditCode, violation } from '@pingquan/reference';
import type { RightTypeName } from '../domain/model.js';
import { checkProduct, productLtvBp } from '../domain/product.js';
import { LoanProductEntity } from '../persistence/entities.js';
import { ltvCapsPolicy } from '../policies.js';
import { mayReadPublic } from './access.js';
import { todayOf } from './context.js';
import { productToMsg } from './mapping.js';
import { invalidIfAny, policy, refuseIfAny } from './support.js';

export interface ProductInput {
  bankCreditCode: string;
  bankName: string;
  name: string;
  eligibleRightTypes: RightTypeName[];
  maxLtvBp: number;
  maxTermMonths: number;
  minRateBp: number;
  maxRateBp: number;
}

/** A cooperating bank publishes a product; its LTV never exceeds the policy cap of its right types. */
export async function publishLoanProduct(
  em: EntityManager,
  ctx: CommandContext,
  input: ProductInput,
): Promise<LoanProductMsg> {
  const code = validateCreditCode(input.bankCreditCode, 'bankCreditCode');
  invalidIfAny([
    ...(code.ok ? [] : code.violations),
    ...(input.name.trim() ? [] : [violation('NAME_REQUIRED', 'name', 'Name the product.')]),
    ...(input.bankName.trim() ? [] : [violation('NAME_REQUIRED', 'bankName', 'Name the bank.')]),
  ]);
  const p = ctx.principal;
  const allowed =
    p.role === 'SERVICE' ||
    (p.role === 'LEAD_UNIT' && p.track === 'B') ||
    (p.role === 'COOPERATING_BANK' && p.bank === input.bankCreditCode.toUpperCase());
  if (!allowed) throw new PermissionDeniedError();
  const today = todayOf(ctx);
  const caps = (await policy(em, ltvCapsPolicy, today)).value;
  refuseIfAny(checkProduct(input, caps));
  const row = em.create(LoanProductEntity, {
    id: newId(),
    bankCreditCode: input.bankCreditCode.toUpperCase(),
    bankName: input.bankName.trim(),
    name: input.name.trim(),
    eligibleRightTypes: input.eligibleRightTypes,
    maxLtvBp: productLtvBp(input, caps),
    maxTermMonths: input.maxTermMonths,
    minRateBp: input.minRateBp,
    maxRateBp: input.maxRateBp,
    status: 'ACTIVE',
    publishedOn: today,
    version: 1,
  });
  const msg = productToMsg(row);
  await recordChanges(em, ctx, [
    {
      aggregateType: 'loan_product',
      aggregateId: row.id,
      aggregateVersion: 1,
      townshipCode: '',
      action: 'product.published',
      state: msg,
    },
  ]);
  return msg;
}

export async function listLoanProducts(
  em: EntityManager,
  principal: Principal,
  filter: { bankCreditCode?: string; rightType?: RightTypeName },
): Promise<LoanProductMsg[]> {
  if (!mayReadPublic(principal)) throw new PermissionDeniedError();
  const where: Record<string, unknown> = { status: 'ACTIVE' };
  if (filter.bankCreditCode) where['bankCreditCode'] = filter.bankCreditCode;
  const rows = await em.find(LoanProductEntity, where, { orderBy: { publishedOn: 'desc', id: 'asc' } });
  return rows
    .filter((r) => !filter.rightType || r.eligibleRightTypes.includes(filter.rightType))
    .map(productToMsg);
}
