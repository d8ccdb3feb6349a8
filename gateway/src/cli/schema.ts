#!/usr/bin/env node
// Prints, checks or writes the committed SDL snapshot (gateway/schema.graphql), and writes the
// persisted-operation manifest of the example operations. Run from the repository root:
//   pnpm exec tsx --conditions=pq-source gateway/src/cli/schema.ts --write
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { manifestOf } from '../persisted.js';
import {
  breakingChanges,
  conventionViolations,
  currentSnapshot,
  SNAPSHOT_PATH,
} from '../schema/base-snapshot.js';
import { VIEW_OPERATIONS } from '../views-operations.js';

const program = new Command()
  .name('schema')
  .description('The gateway schema snapshot: print (default), --check or --write.')
  .option('--write', `write the snapshot to ${SNAPSHOT_PATH}`)
  .option('--check', 'exit 1 when the snapshot is stale or the schema breaks clients relative to it')
  .option('--accept-breaking', 'with --write: write even though the change breaks clients (say so in review)')
  .option(
    '--persisted <file>',
    'write the persisted-operation manifest (sha256 → document) of the example operations',
  )
  .parse();
const opts = program.opts<{
  write?: boolean;
  check?: boolean;
  acceptBreaking?: boolean;
  persisted?: string;
}>();

const snapshot = currentSnapshot();
const committed = existsSync(SNAPSHOT_PATH) ? readFileSync(SNAPSHOT_PATH, 'utf8') : undefined;
const breaking = committed ? breakingChanges(committed) : [];
const conventions = conventionViolations();

if (opts.persisted) {
  writeFileSync(opts.persisted, `${JSON.stringify(manifestOf(Object.values(VIEW_OPERATIONS)), null, 2)}\n`);
  process.stdout.write(`wrote ${Object.keys(VIEW_OPERATIONS).length} operations to ${opts.persisted}\n`);
}

const report = (title: string, lines: string[]) =>
  process.stderr.write(`${title}:\n${lines.map((l) => `  - ${l}`).join('\n')}\n`);

if (conventions.length > 0) report('schema conventions not met (see gateway/README.md)', conventions);

if (opts.write) {
  if (breaking.length > 0 && !opts.acceptBreaking) {
    report(
      'the schema breaks clients relative to the snapshot; not written (use --accept-breaking after review)',
      breaking.map((b) => `${b.type}: ${b.description}`),
    );
    process.exit(1);
  }
  if (committed === snapshot) {
    process.stdout.write(`${SNAPSHOT_PATH} is up to date\n`);
  } else {
    writeFileSync(SNAPSHOT_PATH, snapshot);
    process.stdout.write(
      `wrote ${SNAPSHOT_PATH}${breaking.length ? ` (${breaking.length} breaking changes accepted)` : ''}\n`,
    );
  }
} else if (opts.check) {
  let failed = false;
  if (breaking.length > 0) {
    report(
      'breaking changes relative to the snapshot',
      breaking.map((b) => `${b.type}: ${b.description}`),
    );
    failed = true;
  }
  if (committed !== snapshot) {
    process.stderr.write(`${SNAPSHOT_PATH} is stale: run with --write and commit it\n`);
    failed = true;
  }
  if (conventions.length > 0) failed = true;
  process.exit(failed ? 1 : 0);
} else if (!opts.persisted) {
  process.stdout.write(snapshot);
}
