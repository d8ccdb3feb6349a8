import { describeClientError } from '@pingquan/kit';
import type { RuleViolation } from '@pingquan/reference';
import { GraphQLError, Kind, parse, type ValueNode, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { Status } from 'nice-grpc-common';

/** Codes front-end teams can switch on (`extensions.code`). */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'FORBIDDEN'
  | 'UNAUTHENTICATED'
  | 'RULE_REFUSED'
  | 'CONFLICT'
  | 'NOT_FOUND'
  | 'SERVICE_UNAVAILABLE';

export function badUserInput(violations: RuleViolation[], pathPrefix = ''): GraphQLError {
  const first = violations[0];
  return new GraphQLError(violations.map((v) => v.message).join(' '), {
    extensions: {
      code: 'BAD_USER_INPUT',
      field: first ? `${pathPrefix}${first.field}` : undefined,
      rule: first?.rule,
      violations: violations.map((v) => ({ ...v, field: `${pathPrefix}${v.field}` })),
    },
  });
}

export function forbidden(): GraphQLError {
  return new GraphQLError('Not allowed for your role or scope.', { extensions: { code: 'FORBIDDEN' } });
}

/**
 * Maps a downstream failure to what the client sees. Internal errors are rethrown untouched so that
 * yoga masks them (with the trace id in the log, never in the response body).
 */
export function fromDownstream(error: unknown, inputPath = ''): GraphQLError | unknown {
  const failure = describeClientError(error);
  if (!failure) return error;
  switch (failure.code) {
    case Status.INVALID_ARGUMENT:
      return badUserInput(
        failure.violations.length
          ? failure.violations
          : [{ rule: 'INVALID', field: '', message: failure.message }],
        inputPath,
      );
    case Status.PERMISSION_DENIED:
      return forbidden();
    case Status.NOT_FOUND:
      // A mutation naming a record that is not there (or not in the caller's scope: services answer
      // both the same way, so this says nothing about records the caller may not see).
      return new GraphQLError(failure.message, { extensions: { code: 'NOT_FOUND' } });
    case Status.FAILED_PRECONDITION:
      return new GraphQLError(failure.message, {
        extensions: {
          code: 'RULE_REFUSED',
          rule: failure.violations[0]?.rule,
          violations: failure.violations,
        },
      });
    case Status.ALREADY_EXISTS:
    case Status.ABORTED:
      return new GraphQLError(failure.message, { extensions: { code: 'CONFLICT' } });
    case Status.UNAVAILABLE:
    case Status.DEADLINE_EXCEEDED:
      return new GraphQLError('A service is unavailable; try again.', {
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      });
    default:
      return error;
  }
}

/** NOT_FOUND becomes null for nullable lookups; other failures are mapped. */
export async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (describeClientError(error)?.code === Status.NOT_FOUND) return null;
    throw fromDownstream(error);
  }
}

/** A typed refusal in a mutation payload (Shopify-style userErrors). */
export interface UserError {
  code: string;
  field: string[];
  message: string;
}

/**
 * Runs a mutation's downstream call. Business-rule refusals come back as typed `userErrors` in the
 * payload; bad input, missing permission and outages are GraphQL errors with `extensions.code`.
 */
export async function runMutation<T>(
  key: string,
  call: () => Promise<T | undefined>,
): Promise<Record<string, T | null | UserError[]>> {
  try {
    return { [key]: (await call()) ?? null, userErrors: [] };
  } catch (error) {
    const failure = describeClientError(error);
    if (failure?.code === Status.FAILED_PRECONDITION || failure?.code === Status.ALREADY_EXISTS) {
      const violations = failure.violations.length
        ? failure.violations
        : [
            {
              rule: failure.code === Status.ALREADY_EXISTS ? 'ALREADY_EXISTS' : 'RULE_REFUSED',
              field: '',
              message: failure.message,
            },
          ];
      return {
        [key]: null,
        userErrors: violations.map((v) => ({
          code: v.rule,
          field: ['input', ...v.field.split(/[.[\]]+/).filter(Boolean)],
          message: v.message,
        })),
      };
    }
    throw fromDownstream(error, 'input.');
  }
}

/** The input field a GraphQL coercion or validation message is about, when it names one. */
function argumentError(message: string): { field?: string } | undefined {
  const at = /^Variable "\$[^"]+" got invalid value .*? at "([^"]+)"/s.exec(message);
  if (at?.[1]) return { field: at[1] };
  const variable =
    /^Variable "\$([^"]+)" (?:got invalid value|of required type "[^"]+" was not provided|of non-null type "[^"]+" must not be null)/.exec(
      message,
    );
  if (variable?.[1]) return { field: variable[1] };
  const argument = /^Argument "(?:[^"(]+\()?([^":)]+)[^"]*" of (?:required|non-null) type/.exec(message);
  if (argument?.[1]) return { field: argument[1] };
  if (
    /^(Expected value of type "[^"]+", found|Value "[^"]*" does not exist in "[^"]+" enum|Field "[^"]+" of required type "[^"]+" was not provided|Field "[^"]+" is not defined by type|Int cannot represent|Float cannot represent|String cannot represent|Boolean cannot represent|ID cannot represent)/.test(
      message,
    )
  ) {
    return {};
  }
  return undefined;
}

/**
 * The argument path of the literal value a validation error points at — `track`,
 * `input.plots[0].contractArea` — found by walking the request's arguments to the value that starts
 * where the error's node does. Values written inline in the query carry no variable name, so this is
 * the only way to name them.
 */
export function literalArgumentPath(error: GraphQLError): string | undefined {
  const start = error.nodes?.[0]?.loc?.start;
  if (start === undefined || !error.source) return undefined;
  let document: ReturnType<typeof parse>;
  try {
    // The body, not the Source object: a Source from another copy of graphql-js fails its
    // instanceof check (yoga and this module may load different builds of the package).
    document = parse(error.source.body);
  } catch {
    return undefined;
  }
  let found: string | undefined;
  const walk = (value: ValueNode, path: string): void => {
    if (found !== undefined) return;
    if (value.loc?.start === start) {
      found = path;
      return;
    }
    if (value.kind === Kind.OBJECT) {
      for (const field of value.fields) walk(field.value, `${path}.${field.name.value}`);
    } else if (value.kind === Kind.LIST) {
      for (const [i, item] of value.values.entries()) walk(item, `${path}[${i}]`);
    }
  };
  visit(document, {
    Argument(argument) {
      walk(argument.value, argument.name.value);
    },
  });
  return found;
}

/**
 * Gives invalid arguments the same shape whether a resolver, a service or GraphQL itself refused
 * them: `extensions.code = BAD_USER_INPUT` and, where the message names it, `extensions.field` (the
 * variable path, e.g. `input.plots[0].contractArea`). Type errors in variables are otherwise plain
 * GraphQL errors without a code.
 */
export function inputErrorFields(): Plugin {
  return {
    onExecutionResult({ result, setResult }) {
      if (!result || Symbol.asyncIterator in result || !result.errors?.length) return;
      let changed = false;
      const errors = result.errors.map((error) => {
        const info = argumentError(error.message);
        if (!info || error.extensions?.['field']) return error;
        const field = info.field ?? literalArgumentPath(error);
        changed = true;
        return new GraphQLError(error.message, {
          nodes: error.nodes ?? null,
          source: error.source ?? null,
          positions: error.positions ?? null,
          path: error.path ?? null,
          originalError: error.originalError ?? null,
          extensions: {
            ...error.extensions,
            code: 'BAD_USER_INPUT',
            ...(field ? { field } : {}),
          },
        });
      });
      if (changed) setResult({ ...result, errors });
    },
  };
}
