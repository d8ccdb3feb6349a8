import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

// The house rules as tests, so a type error or a lint error fails the one test command.
describe('repository', () => {
  it('type-checks (TypeScript strict, every package and test)', () => {
    const run = spawnSync(bin('tsc'), ['-p', 'tsconfig.json', '--noEmit'], { cwd: root, encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 120_000);

  it('passes the linter and formatter (biome: no any, no default exports, import types)', () => {
    const run = spawnSync(bin('biome'), ['check', '.', '--max-diagnostics=20'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
  }, 60_000);
});
