import { currentTraceId, type Logger, type Principal, seesPersonalData } from '@pingquan/kit';
import { maskResidentId } from '@pingquan/reference';
import {
  defaultFieldResolver,
  type ExecutionArgs,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  getOperationAST,
  Kind,
  print,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * One audit line: who read what through which operation. Written for every operation of an auditor
 * (the roles table: "every read logged") and for every operation that revealed personal ID numbers
 * unmasked, whoever the reader. The line carries record ids, never the ID numbers themselves.
 */
export interface AuditEntry {
  audit: 'read';
  principal: { sub: string; role: string; name?: string };
  /** Operation type and name, and its root fields with their arguments as written. */
  operation: { type: string; name: string | null; rootFields: string[] };
  /** Variables as sent: with the root fields, what was asked for. */
  variables: Record<string, unknown>;
  /** Record ids read, by kind: household, contract, township, … */
  read: Record<string, string[]>;
  /** Households whose members' ID numbers were shown unmasked. */
  unmaskedPersonalData: { householdIds: string[]; residentIdCount: number };
  traceId: string;
}

export type AuditSink = (entry: AuditEntry) => void;

/** The default sink: a structured log line (`"audit":"read"`) the log pipeline can route to the audit store. */
export function loggerAuditSink(logger: Pick<Logger, 'info'>): AuditSink {
  return (entry) => logger.info(entry, 'audit: read');
}

/** Per-request collector of what was read; resolvers call it, the audit plugin writes it out. */
export class RequestAudit {
  private readonly records = new Map<string, Set<string>>();
  private readonly unmaskedHouseholds = new Set<string>();
  private residentIds = 0;

  constructor(
    readonly principal: Principal,
    private readonly sink: AuditSink,
  ) {}

  /** Notes that a record was returned to the caller. */
  read(kind: string, id: string): void {
    if (!id) return;
    let ids = this.records.get(kind);
    if (!ids) {
      ids = new Set();
      this.records.set(kind, ids);
    }
    ids.add(id);
  }

  revealed(householdId: string): void {
    this.unmaskedHouseholds.add(householdId);
    this.residentIds += 1;
  }

  /** Whether this operation must be logged. */
  get due(): boolean {
    return this.principal.role === 'AUDITOR' || this.residentIds > 0;
  }

  entry(operation: AuditEntry['operation'], variables: Record<string, unknown>, traceId: string): AuditEntry {
    const principal: AuditEntry['principal'] = { sub: this.principal.sub, role: this.principal.role };
    if (this.principal.name) principal.name = this.principal.name;
    return {
      audit: 'read',
      principal,
      operation,
      variables,
      read: Object.fromEntries([...this.records].map(([kind, ids]) => [kind, [...ids].sort()])),
      unmaskedPersonalData: {
        householdIds: [...this.unmaskedHouseholds].sort(),
        residentIdCount: this.residentIds,
      },
      traceId,
    };
  }

  /** Writes the line if one is due and starts over (a subscription writes one per event). */
  flush(operation: AuditEntry['operation'], variables: Record<string, unknown>): void {
    if (this.due) this.sink(this.entry(operation, variables, currentTraceId()));
    this.records.clear();
    this.unmaskedHouseholds.clear();
    this.residentIds = 0;
  }
}

/** Operation type, name and root fields (with arguments as written) of an execution. */
export function describeOperation(
  args: Pick<ExecutionArgs, 'document' | 'operationName'>,
): AuditEntry['operation'] {
  const op = getOperationAST(args.document, args.operationName ?? undefined);
  const rootFields = (op?.selectionSet.selections ?? []).flatMap((sel) => {
    if (sel.kind !== Kind.FIELD) return [];
    const params = (sel.arguments ?? []).map((a) => `${a.name.value}: ${print(a.value)}`).join(', ');
    return [params ? `${sel.name.value}(${params})` : sel.name.value];
  });
  return { type: op?.operation ?? 'unknown', name: op?.name?.value ?? null, rootFields };
}

/** Writes the audit line of each query and mutation when it is due (auditor, or unmasked data shown). */
export function auditPlugin(): Plugin {
  const flush = (args: ExecutionArgs) => {
    const audit = (args.contextValue as { audit?: RequestAudit }).audit;
    audit?.flush(describeOperation(args), (args.variableValues ?? {}) as Record<string, unknown>);
  };
  return {
    onExecute({ args }) {
      return { onExecuteDone: () => flush(args) };
    },
    // A subscription writes one line per event delivered, once its fields are resolved.
    onSubscribe({ args }) {
      return { onSubscribeResult: () => ({ onNext: () => flush(args) }) };
    },
  };
}

/**
 * Records every record an auditor is shown, whatever type it belongs to, so the audit line lists the
 * records read without each service's schema part having to remember to: on every type with an
 * `id: ID` field, each field resolved for an auditor notes its object's id (the `id` field's value,
 * or the source object's `id` when the field itself is not selected). Changes the schema's field
 * resolvers in place (graphql-js reads them at execution); for other roles the cost is one check.
 */
export function recordIdReads(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    // Duck-typed, not isObjectType(): under test runners the schema may come from graphql's other
    // module format, and instanceof checks across the two fail.
    if (type.constructor.name !== 'GraphQLObjectType' || type.name.startsWith('__')) continue;
    const fields = (type as GraphQLObjectType).getFields();
    const idField = fields['id'];
    if (!idField || namedTypeName(idField.type) !== 'ID') continue;
    const typeName = type.name;
    for (const field of Object.values(fields)) {
      const inner: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
      const isId = field.name === 'id';
      field.resolve = (source, args, context, info) => {
        const value = inner(source, args, context, info);
        const audit = (context as { audit?: RequestAudit } | undefined)?.audit;
        if (audit?.principal.role !== 'AUDITOR') return value;
        const sourceId = (source as { id?: unknown } | null)?.id;
        if (!isId && typeof sourceId === 'string') audit.read(typeName, sourceId);
        if (isId && typeof value === 'string') audit.read(typeName, value);
        if (isId && value instanceof Promise) {
          return value.then((v: unknown) => {
            if (typeof v === 'string') audit.read(typeName, v);
            return v;
          });
        }
        return value;
      };
    }
  }
  return schema;
}

function namedTypeName(type: GraphQLOutputType): string {
  let t: GraphQLOutputType = type;
  while ('ofType' in t) t = t.ofType;
  return t.name;
}

/** A household member as the gateway passes it on: with the household it belongs to, for masking. */
export interface MemberInScope {
  residentId: string;
  householdId: string;
  villageCode: string;
}

/**
 * The ID number a caller may see. The service already masks for roles that may not see it; the
 * gateway checks again (defence in depth: a service bug must not leak a number) and records unmasked
 * reads for the audit line.
 */
export function residentIdFor(member: MemberInScope, principal: Principal, audit: RequestAudit): string {
  const value = member.residentId;
  if (!seesPersonalData(principal, { track: 'A', villageCode: member.villageCode })) {
    return value.includes('*') ? value : maskResidentId(value);
  }
  if (!value.includes('*')) audit.revealed(member.householdId);
  return value;
}
