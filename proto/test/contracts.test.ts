import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const protoRoot = resolve(import.meta.dirname, '..');
const repoRoot = resolve(protoRoot, '..');
const buf = join(protoRoot, 'node_modules', '.bin', 'buf');
const scratch = mkdtempSync(join(tmpdir(), 'pq-proto-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe('contracts', () => {
  it('pass buf lint (STANDARD rules)', () => {
    const run = spawnSync(buf, ['lint'], { cwd: protoRoot, encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('generated TypeScript, descriptor set and event catalogue are up to date (run `pnpm gen`)', () => {
    const out = join(scratch, 'gen-check');
    execFileSync(
      join(repoRoot, 'node_modules', '.bin', 'tsx'),
      [join(protoRoot, 'scripts', 'generate.ts'), '--out', out],
      {
        cwd: protoRoot,
        stdio: 'pipe',
      },
    );
    const committed = join(protoRoot, 'gen');
    const fresh = join(out, 'gen');
    const names = (root: string) =>
      files(root)
        .map((f) => relative(root, f))
        .sort();
    expect(names(fresh)).toEqual(names(committed));
    const stale = names(fresh).filter(
      (f) => !readFileSync(join(fresh, f)).equals(readFileSync(join(committed, f))),
    );
    expect(stale).toEqual([]);
    expect(readFileSync(join(out, 'docs', 'event-catalogue.md'), 'utf8')).toBe(
      readFileSync(join(repoRoot, 'docs', 'event-catalogue.md'), 'utf8'),
    );
  });

  it('make no breaking change against the published baseline (buf breaking)', () => {
    const run = spawnSync(buf, ['breaking', '--against', 'baseline/image.binpb'], {
      cwd: protoRoot,
      encoding: 'utf8',
    });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('the breaking-change guard really fails when a published event loses a field', () => {
    const copy = join(scratch, 'broken');
    cpSync(protoRoot, copy, {
      recursive: true,
      filter: (src) => !src.includes('node_modules') && !src.includes(`${join(protoRoot, 'gen')}`),
    });
    const events = join(copy, 'pingquan', 'land_contract', 'v1', 'events.proto');
    writeFileSync(events, readFileSync(events, 'utf8').replace('  Contract contract = 1;\n', ''));
    const run = spawnSync(buf, ['breaking', '--against', 'baseline/image.binpb'], {
      cwd: copy,
      encoding: 'utf8',
    });
    expect(run.status).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/ContractRegistered/);
  });
});
