import type { ChangeContext } from '@pingquan/contracts/pingquan/common/v1/types';
import { type CommandContext, currentTraceId, InvalidInputError, type Principal } from '@pingquan/kit';

/** Builds the context of a command; every change needs a reason or a document reference. */
export function commandContext(
  principal: Principal,
  change: ChangeContext | undefined,
  now = new Date(),
): CommandContext {
  const reason = change?.reason?.trim() ?? '';
  const documentRef = change?.documentRef?.trim() ?? '';
  if (!reason && !documentRef) {
    throw new InvalidInputError([
      {
        rule: 'CHANGE_REASON_REQUIRED',
        field: 'context.reason',
        message: 'Give a reason or a document reference for the change.',
      },
    ]);
  }
  return { principal, reason, documentRef, traceId: currentTraceId(), now };
}

export const TRACK = 'A' as const;
