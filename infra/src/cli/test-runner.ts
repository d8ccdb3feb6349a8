// The README's test command ends here: every test (unit, integration, end-to-end, chart, repository
// checks) in one vitest run, then one plain closing line `N passed, N failed` that CI can read.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

interface VitestJson {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  success: boolean;
  testResults: { name: string; status: string; assertionResults: { status: string }[] }[];
}

const root = resolve(import.meta.dirname, '..', '..', '..');
const report = join(root, '.vitest-report.json');
rmSync(report, { force: true });
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const args = [
  vitest,
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
];
const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });

if (!existsSync(report)) {
  process.stdout.write('0 passed, 1 failed\n');
  process.stderr.write('vitest wrote no report: the run did not complete.\n');
  process.exit(1);
}
const result = JSON.parse(readFileSync(report, 'utf8')) as VitestJson;
const skipped = result.numPendingTests + result.numTodoTests;
// A test file that failed outside its tests (a failing beforeAll, an import error) counts once: its
// tests show as skipped, and the closing line must not read "0 failed" for it.
const brokenFiles = result.testResults.filter(
  (f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed'),
);
for (const f of brokenFiles) process.stderr.write(`failed outside its tests: ${f.name}\n`);
// A run that executes nothing is a failure, never a pass.
const failed = result.numFailedTests + brokenFiles.length + (result.numTotalTests === 0 ? 1 : 0);
process.stdout.write(
  `\n${result.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
);
process.exit(run.status === 0 && failed === 0 ? 0 : 1);
