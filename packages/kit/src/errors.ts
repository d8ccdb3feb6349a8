import type { RuleViolation } from '@pingquan/reference';
import { ClientError, Status } from 'nice-grpc-common';
import { BadRequest, PreconditionFailure, RichClientError, RichServerError } from 'nice-grpc-error-details';

/**
 * Errors a use case raises on purpose. Each maps to one gRPC status at the service edge and back to a
 * typed error at the gateway. Anything else is an internal error: logged with the trace id, masked.
 */
export abstract class DomainError extends Error {
  abstract readonly code: Status;
}

/** Bad input: every violated field, INVALID_ARGUMENT with google.rpc.BadRequest field violations. */
export class InvalidInputError extends DomainError {
  readonly code = Status.INVALID_ARGUMENT;
  constructor(readonly violations: RuleViolation[]) {
    super(violations.map((v) => `${v.field}: ${v.message}`).join('; '));
    this.name = 'InvalidInputError';
  }
}

/** A business rule refused the command: FAILED_PRECONDITION with the rule's name. */
export class RuleRefusedError extends DomainError {
  readonly code = Status.FAILED_PRECONDITION;
  constructor(readonly violations: RuleViolation[]) {
    super(violations.map((v) => `${v.rule}: ${v.message}`).join('; '));
    this.name = 'RuleRefusedError';
  }
}

export class NotFoundError extends DomainError {
  readonly code = Status.NOT_FOUND;
  constructor(
    readonly entity: string,
    readonly key: string,
  ) {
    super(`${entity} ${key} not found`);
    this.name = 'NotFoundError';
  }
}

export class AlreadyExistsError extends DomainError {
  readonly code = Status.ALREADY_EXISTS;
  constructor(
    readonly entity: string,
    readonly key: string,
  ) {
    super(`${entity} ${key} already exists`);
    this.name = 'AlreadyExistsError';
  }
}

/** The caller's role or scope does not allow this. Never says whether the record exists. */
export class PermissionDeniedError extends DomainError {
  readonly code = Status.PERMISSION_DENIED;
  constructor(message = 'not allowed for this role or scope') {
    super(message);
    this.name = 'PermissionDeniedError';
  }
}

export class UnauthenticatedError extends DomainError {
  readonly code = Status.UNAUTHENTICATED;
  constructor(message = 'missing or invalid principal') {
    super(message);
    this.name = 'UnauthenticatedError';
  }
}

/** Concurrent modification or a conflicting idempotency key. */
export class ConflictError extends DomainError {
  readonly code = Status.ABORTED;
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** Another service could not confirm what we asked; callers fail closed. */
export class DependencyUnavailableError extends DomainError {
  readonly code = Status.UNAVAILABLE;
  constructor(message: string) {
    super(message);
    this.name = 'DependencyUnavailableError';
  }
}

/** Converts a domain error into the error the gRPC server sends, with rich details. */
export function toServerError(error: DomainError): RichServerError {
  if (error instanceof InvalidInputError) {
    return new RichServerError(error.code, error.message, [
      BadRequest.fromPartial({
        fieldViolations: error.violations.map((v) => ({
          field: v.field,
          description: `${v.rule}: ${v.message}`,
        })),
      }),
    ]);
  }
  if (error instanceof RuleRefusedError) {
    return new RichServerError(error.code, error.message, [
      PreconditionFailure.fromPartial({
        violations: error.violations.map((v) => ({ type: v.rule, subject: v.field, description: v.message })),
      }),
    ]);
  }
  return new RichServerError(error.code, error.message, []);
}

/** What a caller learns from a failed call: the status, and the violations when there are any. */
export interface CallFailure {
  code: Status;
  message: string;
  violations: RuleViolation[];
}

/** Reads violations back out of a client error (BadRequest or PreconditionFailure details). */
export function describeClientError(error: unknown): CallFailure | undefined {
  if (!(error instanceof ClientError)) return undefined;
  const violations: RuleViolation[] = [];
  if (error instanceof RichClientError) {
    for (const detail of error.extra) {
      if (detail.$type === BadRequest.$type) {
        for (const fv of detail.fieldViolations) {
          const [rule, ...rest] = fv.description.split(': ');
          violations.push({
            field: fv.field,
            rule: rest.length ? (rule ?? '') : 'INVALID',
            message: rest.join(': ') || fv.description,
          });
        }
      } else if (detail.$type === PreconditionFailure.$type) {
        for (const v of detail.violations)
          violations.push({ rule: v.type, field: v.subject, message: v.description });
      }
    }
  }
  return { code: error.code, message: error.details, violations };
}
