import { Events } from '@pingquan/contracts/catalogue';
import {
  type Change,
  type CommandContext,
  type EntityManager,
  groupBy,
  inTransaction,
  type Logger,
  newId,
  type Orm,
  recordChanges,
  withSpan,
} from '@pingquan/kit';
import { applyExtension, type ExtensionPolicy } from '../domain/extension.js';
import type { Contract, ContractStatus } from '../domain/model.js';
import type { PlotRow } from '../persistence/entities.js';
import {
  type AdjustPlotRow,
  type AmendmentInsert,
  advanceBatch,
  type BatchRow,
  claimRunningBatch,
  type ExtendedContractUpdate,
  encumbrancesOf,
  findBatch,
  insertAmendments,
  insertSkips,
  plotsWhere,
  type SkipInsert,
  selectChunk,
  updateExtendedContracts,
} from '../persistence/extension-sql.js';
import { batchToMsg, decideChunk, EXTENSION_CHUNK_SIZE, principalOfBatch } from './extension.js';
import { contractToMsg } from './mapping.js';

/** A plot row as the register's mapping reads it. */
function plotRowOf(p: AdjustPlotRow): PlotRow {
  return {
    code: p.code,
    contractId: p.contract_id,
    name: p.name,
    contractAreaMu4: Number(p.contract_area_mu4),
    surveyedAreaMu4: Number(p.surveyed_area_mu4),
    landClass: p.land_class,
    basicFarmland: p.basic_farmland,
    boundaryEast: p.boundary_east,
    boundarySouth: p.boundary_south,
    boundaryWest: p.boundary_west,
    boundaryNorth: p.boundary_north,
    geometry: p.geometry ?? null,
  };
}

export type ChunkOutcome =
  | { kind: 'IDLE' }
  | { kind: 'CHUNK'; batchId: string; processed: number; extended: number; completed: boolean };

/**
 * One chunk of the oldest running batch nobody else holds, in the caller's transaction: lock the
 * batch row, read the next contracts after its cursor (locked), decide each, update the extended
 * contracts, record their uniform amendments and skipped rows, write audit entries and
 * ContractExtended events, move the cursor. It all commits or none of it does, so a crash at any
 * row resumes from the last committed chunk with nothing doubled; and since a decision depends only
 * on a contract's recorded state, even a replayed chunk would find its contracts ALREADY_EXTENDED.
 */
export async function runExtensionChunk(
  em: EntityManager,
  chunkSize = EXTENSION_CHUNK_SIZE,
  now = new Date(),
  excluded: readonly string[] = [],
): Promise<ChunkOutcome> {
  const batch = await claimRunningBatch(em, excluded);
  if (!batch) return { kind: 'IDLE' };
  try {
    return await extendChunk(em, batch, chunkSize, now);
  } catch (error) {
    throw new ExtensionChunkFailed(batch.id, error);
  }
}

/** A chunk of this batch failed and rolled back; the runner rests the batch and serves the others. */
export class ExtensionChunkFailed extends Error {
  constructor(
    readonly batchId: string,
    override readonly cause: unknown,
  ) {
    super(`extension chunk of batch ${batchId} failed: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'ExtensionChunkFailed';
  }
}

async function extendChunk(
  em: EntityManager,
  batch: BatchRow,
  chunkSize: number,
  now: Date,
): Promise<ChunkOutcome> {
  const policy = batch.policy as ExtensionPolicy;
  const rows = await selectChunk(em, batch.scope_code, batch.cursor, chunkSize, true);
  const encumbrances = await encumbrancesOf(
    em,
    rows.map((r) => r.id),
  );
  const decided = decideChunk(rows, encumbrances, batch.scope_code, batch.as_of, policy);

  const ctx: CommandContext = {
    principal: principalOfBatch(batch),
    reason: batch.reason,
    documentRef: batch.document_ref,
    traceId: batch.trace_id,
    now,
  };
  // Plots are read only for the contracts being extended: their recorded state is the whole contract.
  const plotsByContract = groupBy(
    await plotsWhere(
      em,
      'contract_id',
      decided.filter((d) => d.decision.action === 'EXTEND').map((d) => d.row.id),
    ),
    (p) => p.contract_id,
  );
  const updates: ExtendedContractUpdate[] = [];
  const amendments: AmendmentInsert[] = [];
  const skips: SkipInsert[] = [];
  const changes: Change[] = [];
  const skipped = { ...batch.skipped };
  let extendedArea = 0;
  let encumberedExtended = 0;

  for (const { row, decision } of decided) {
    if (decision.action === 'SKIP') {
      skips.push({
        batch_id: batch.id,
        contract_code: row.code,
        contract_id: row.id,
        household_id: row.household_id,
        reason: decision.reason,
        detail: decision.detail,
        area_mu4: decision.areaMu4,
      });
      const before = skipped[decision.reason] ?? { count: 0, areaMu4: 0 };
      skipped[decision.reason] = { count: before.count + 1, areaMu4: before.areaMu4 + decision.areaMu4 };
      continue;
    }
    const contract: Contract = {
      id: row.id,
      code: row.code,
      issuerCode: row.issuer_code,
      householdId: row.household_id,
      mode: row.mode as Contract['mode'],
      termStart: row.term_start,
      termEnd: row.term_end,
      status: row.status as ContractStatus,
      plots: [],
      adjustmentForbidden: row.adjustment_forbidden,
      ...(row.second_round_end ? { secondRoundEnd: row.second_round_end } : {}),
    };
    const applied = applyExtension(contract, decision, {
      batchId: batch.id,
      resolutionRef: batch.resolution_ref,
    });
    if (!applied.ok) {
      // The row is locked and was decided on its locked state, so this is a bug, not a race.
      throw new Error(
        `extension of ${row.code} refused after its decision: ${applied.violations.map((v) => v.rule).join(', ')}`,
      );
    }
    const { amendment } = applied.value;
    const amendmentId = newId();
    updates.push({
      id: row.id,
      term_end: amendment.newTermEnd,
      second_round_end: amendment.newTermStart,
      version: row.version,
    });
    amendments.push({
      id: amendmentId,
      contract_id: row.id,
      kind: 'TERM_EXTENSION',
      batch_id: batch.id,
      old_term_end: amendment.oldTermEnd,
      new_term_start: amendment.newTermStart,
      new_term_end: amendment.newTermEnd,
      resolution_ref: amendment.resolutionRef,
      detail: { ...amendment, encumbered: decision.encumbered, policyVersion: batch.policy_version },
      actor_subject: ctx.principal.sub,
    });
    extendedArea += decision.areaMu4;
    if (decision.encumbered) encumberedExtended += 1;
    const payload = {
      contractId: row.id,
      contractCode: row.code,
      issuerCode: row.issuer_code,
      villageCode: row.village_code,
      townshipCode: row.township_code,
      householdId: row.household_id,
      batchId: batch.id,
      amendmentId,
      oldTermEndDate: amendment.oldTermEnd,
      newTermStartDate: amendment.newTermStart,
      newTermEndDate: amendment.newTermEnd,
      areaMu4: decision.areaMu4,
      encumbered: decision.encumbered,
      certificateReissued: false,
      resolutionRef: amendment.resolutionRef,
    };
    changes.push({
      aggregateType: 'contract',
      aggregateId: row.id,
      aggregateVersion: row.version + 1,
      townshipCode: row.township_code,
      action: 'contract.extended',
      // The contract's full message, as every contract change records it: history and as-of reads replay these.
      state: contractToMsg(
        {
          id: row.id,
          code: row.code,
          issuerCode: row.issuer_code,
          householdId: row.household_id,
          mode: row.mode,
          termStart: row.term_start,
          termEnd: amendment.newTermEnd,
          status: 'EXTENDED',
          villageCode: row.village_code,
          townshipCode: row.township_code,
          totalAreaMu4: Number(row.total_area_mu4),
          secondRoundEnd: amendment.newTermStart,
          adjustmentForbidden: row.adjustment_forbidden,
          version: row.version + 1,
        },
        (plotsByContract.get(row.id) ?? []).map(plotRowOf),
      ),
      // The register is amended on the batch date; the extended term itself starts at the second-round expiry.
      effectiveOn: batch.as_of,
      event: { type: Events['land-contract'].ContractExtended, payload },
    });
  }

  const changed = await updateExtendedContracts(em, updates, now);
  if (changed !== updates.length) {
    throw new Error(
      `extension chunk of batch ${batch.id}: ${updates.length} contracts decided, ${changed} updated; retrying the chunk`,
    );
  }
  await insertAmendments(em, amendments, now);
  await insertSkips(em, skips);
  const completed = rows.length < chunkSize;
  await advanceBatch(
    em,
    batch.id,
    {
      cursor: rows[rows.length - 1]?.code ?? batch.cursor,
      processed: rows.length,
      extendedCount: updates.length,
      extendedAreaMu4: extendedArea,
      encumberedExtended,
      skipped,
      completed,
    },
    now,
  );
  if (completed) {
    const finished = await findBatch(em, batch.id);
    if (finished) {
      const msg = batchToMsg(finished);
      changes.push({
        aggregateType: 'extension-batch',
        aggregateId: batch.id,
        aggregateVersion: 2,
        townshipCode: batch.township_code,
        action: 'extension-batch.completed',
        state: msg,
        event: { type: Events['land-contract'].ExtensionBatchCompleted, payload: { batch: msg } },
      });
    }
  }
  await recordChanges(em, ctx, changes);
  return { kind: 'CHUNK', batchId: batch.id, processed: rows.length, extended: updates.length, completed };
}

export interface ExtensionRunnerOptions {
  /** Contracts per transaction. */
  chunkSize?: number;
  /** Chunks in flight at once (each on its own batch). Two keeps both cores busy: one encodes while the other waits on PostgreSQL. */
  workers?: number;
  /** How often idle workers look for batches started elsewhere (another replica). */
  pollIntervalMs?: number;
}

/**
 * The extension batches' background worker inside the service. Holds no batch state of its own:
 * every chunk claims its batch in the database, so a restart (or another replica) simply picks up
 * the unfinished batches from their committed cursors. Stopping lets the chunks in flight commit.
 */
export class ExtensionRunner {
  private stopping = false;
  private loops: Promise<void>[] = [];
  private sleepers = new Set<() => void>();
  private readonly chunkSize: number;
  private readonly workers: number;
  private readonly pollIntervalMs: number;

  constructor(
    private readonly orm: Orm,
    private readonly logger: Logger,
    options: ExtensionRunnerOptions = {},
  ) {
    this.chunkSize = options.chunkSize ?? EXTENSION_CHUNK_SIZE;
    this.workers = options.workers ?? 2;
    this.pollIntervalMs = options.pollIntervalMs ?? 2_000;
  }

  start(): this {
    if (this.loops.length > 0) return this;
    this.stopping = false;
    this.loops = Array.from({ length: this.workers }, (_, i) => this.loop(i));
    return this;
  }

  /** A batch was started here: wake the idle workers now rather than at the next poll. */
  notify(): void {
    for (const wake of [...this.sleepers]) wake();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.notify();
    await Promise.all(this.loops);
    this.loops = [];
  }

  /** Batches whose last chunk failed, until when they rest, so one bad batch cannot starve the rest. */
  private resting = new Map<string, number>();

  private restingIds(): string[] {
    const now = Date.now();
    for (const [id, until] of this.resting) if (until <= now) this.resting.delete(id);
    return [...this.resting.keys()];
  }

  private async loop(worker: number): Promise<void> {
    let backoff = 200;
    while (!this.stopping) {
      try {
        const outcome = await withSpan('extension-batch chunk', { attributes: { 'pq.worker': worker } }, () =>
          inTransaction(this.orm, (em) =>
            runExtensionChunk(em, this.chunkSize, new Date(), this.restingIds()),
          ),
        );
        backoff = 200;
        if (outcome.kind === 'IDLE') {
          await this.sleep(this.pollIntervalMs);
          continue;
        }
        this.failureCounts.delete(outcome.batchId);
        if (outcome.completed) {
          this.logger.info({ batchId: outcome.batchId }, 'extension batch completed');
        }
      } catch (error) {
        this.logger.warn(
          { err: error, backoffMs: backoff },
          'extension chunk failed; it rolled back and will be retried',
        );
        if (error instanceof ExtensionChunkFailed) {
          const rest = Math.min(1_000 * 2 ** Math.min(this.failures(error.batchId), 5), 60_000);
          this.resting.set(error.batchId, Date.now() + rest);
          continue;
        }
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  }

  private failureCounts = new Map<string, number>();

  private failures(batchId: string): number {
    const n = (this.failureCounts.get(batchId) ?? 0) + 1;
    this.failureCounts.set(batchId, n);
    return n;
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }
}

const runners = new WeakMap<object, ExtensionRunner>();

/** The one runner of a running service, shared by the gRPC handlers (notify) and the background hook. */
export function extensionRunnerFor(runtime: { orm: Orm; logger: Logger }): ExtensionRunner {
  let runner = runners.get(runtime);
  if (!runner) {
    runner = new ExtensionRunner(runtime.orm, runtime.logger.child({ component: 'extension-runner' }));
    runners.set(runtime, runner);
  }
  return runner;
}
