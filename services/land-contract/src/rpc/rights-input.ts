import type {
  CirculatedPlot as CirculatedPlotMsg,
  RecordedAct as RecordedActMsg,
  Transferee as TransfereeMsg,
} from '@pingquan/contracts/pingquan/land_contract/v1/rights';
import { InvalidInputError, isUuid } from '@pingquan/kit';
import { type LocalDate, parseLocalDate, type RuleViolation, violation } from '@pingquan/reference';
import type { CirculatedPlot, RecordedAct, Transferee, TransfereeKind } from '../domain/model.js';

// The edge of the rights API: proto requests become domain values here, and every shape problem
// (a date that is not a date, an enum left unset, money below zero, an id that is not an id) is
// collected with its field path and refused as INVALID_ARGUMENT before any use case runs.

export class Edge {
  readonly violations: RuleViolation[] = [];

  date(value: string, field: string): LocalDate {
    const checked = parseLocalDate(value, field);
    if (!checked.ok) this.violations.push(...checked.violations);
    return value;
  }

  optionalDate(value: string, field: string): LocalDate | undefined {
    return value ? this.date(value, field) : undefined;
  }

  /** `PREFIX_VALUE` → `VALUE`; UNSPECIFIED and unknown values are refused. */
  enumOf<T extends string>(value: string, prefix: string, field: string, allowed?: readonly T[]): T {
    const bare = value.startsWith(prefix) ? value.slice(prefix.length) : '';
    if (!bare || bare === 'UNSPECIFIED' || (allowed && !allowed.includes(bare as T))) {
      this.violations.push(violation('ENUM_REQUIRED', field, `Choose a value for ${field}.`));
    }
    return bare as T;
  }

  optionalEnum<T extends string>(value: string, prefix: string): T | undefined {
    const bare = value.startsWith(prefix) ? value.slice(prefix.length) : '';
    return !bare || bare === 'UNSPECIFIED' ? undefined : (bare as T);
  }

  uuid(value: string, field: string): string {
    if (!isUuid(value)) this.violations.push(violation('ID_FORMAT', field, `${field} must be an id (UUID).`));
    return value;
  }

  optionalUuid(value: string, field: string): string | undefined {
    return value ? this.uuid(value, field) : undefined;
  }

  /** Whole fen, zero or more, below a trillion yuan (anything larger is a unit error). */
  fen(value: number, field: string): number {
    if (!Number.isSafeInteger(value) || value < 0 || value > 100_000_000_000_000) {
      this.violations.push(
        violation('MONEY_INVALID', field, 'Money is a whole number of fen, zero or more.'),
      );
    }
    return value;
  }

  positiveMu4(value: number, field: string): number {
    if (!Number.isSafeInteger(value) || value <= 0) {
      this.violations.push(
        violation('AREA_NOT_POSITIVE', field, 'The area must be greater than zero (1/10000 mu).'),
      );
    }
    return value;
  }

  text(value: string, field: string, rule: string, message: string): string {
    const trimmed = value.trim();
    if (!trimmed) this.violations.push(violation(rule, field, message));
    return trimmed;
  }

  /** A recorded act when one was given: its date must be a date and its document named. */
  act(msg: RecordedActMsg | undefined, field: string): RecordedAct | undefined {
    if (!msg || (!msg.actedOn && !msg.reference && !msg.by)) return undefined;
    const date = this.date(msg.actedOn, `${field}.actedOn`);
    const reference = this.text(
      msg.reference,
      `${field}.reference`,
      'ACT_REFERENCE_REQUIRED',
      'Cite the document of the act.',
    );
    return { date, reference, by: msg.by.trim() };
  }

  code(value: string, digits: number, field: string): string {
    if (!new RegExp(`^\\d{${digits}}$`).test(value)) {
      this.violations.push(violation('CODE_FORMAT', field, `${field} is a ${digits}-digit code.`));
    }
    return value;
  }

  codes(values: readonly string[], digits: number, field: string): string[] {
    return values.map((code, i) => this.code(code, digits, `${field}[${i}]`));
  }

  transferee(msg: TransfereeMsg | undefined, field: string): Transferee {
    if (!msg) {
      this.violations.push(violation('TRANSFEREE_REQUIRED', field, 'Say who receives the management right.'));
      return { kind: 'HOUSEHOLD', name: '', memberOfCollective: false };
    }
    const kind = this.enumOf<TransfereeKind>(msg.kind, 'TRANSFEREE_KIND_', `${field}.kind`);
    const householdId = this.optionalUuid(msg.householdId, `${field}.householdId`);
    return {
      kind,
      name: msg.name.trim(),
      memberOfCollective: msg.memberOfCollective,
      ...(msg.creditCode.trim() ? { creditCode: msg.creditCode.trim().toUpperCase() } : {}),
      ...(msg.residentId.trim() ? { residentId: msg.residentId.trim().toUpperCase() } : {}),
      ...(householdId ? { householdId } : {}),
    };
  }

  circulatedPlots(plots: readonly CirculatedPlotMsg[], field: string): CirculatedPlot[] {
    return plots.map((p, i) => ({
      plotCode: this.code(p.plotCode, 19, `${field}[${i}].plotCode`),
      areaMu4: this.positiveMu4(p.areaMu4, `${field}[${i}].areaMu4`),
    }));
  }

  /** Throws INVALID_ARGUMENT with every violation collected so far. */
  done(): void {
    if (this.violations.length > 0) throw new InvalidInputError(this.violations);
  }
}
