import type { ChangeContext } from '@pingquan/contracts/pingquan/common/v1/types';
import { type CommandContext, currentTraceId, InvalidInputError, type Principal } from '@pingquan/kit';
import { type LocalDate, todayInShanghai } from '@pingquan/reference';

/** Track B — mortgage and guarantee power of rural property rights (农村产权抵押担保权能). */
export const TRACK = 'B' as const;

/**
 * The service's sense of time. Production reads the system clock; tests move it forward to let a loan
 * fall overdue without waiting months. Every date the service decides on comes from here.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function today(clock: Clock): LocalDate {
  return todayInShanghai(clock.now());
}

/** Builds the context of a command; every change needs a reason or a document reference. */
export function commandContext(
  principal: Principal,
  change: ChangeContext | undefined,
  clock: Clock,
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
  return { principal, reason, documentRef, traceId: currentTraceId(), now: clock.now() };
}

export function todayOf(ctx: CommandContext): LocalDate {
  return todayInShanghai(ctx.now);
}
