import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The k6 scripts are type-checked here against @types/k6 (k6 itself is not installed; operators run
// them where it is).

const k6Dir = fileURLToPath(new URL('../k6/', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

describe('k6 scripts', () => {
  it('type-check', () => {
    const result = spawnSync(process.execPath, [tsc, '-p', `${k6Dir}tsconfig.json`], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.each(['household', 'pilot-overview', 'township', 'supervision', 'live-events'])(
    '%s.ts exists with thresholds',
    (name) => {
      const file = `${k6Dir}${name}.ts`;
      expect(existsSync(file)).toBe(true);
      expect(readFileSync(file, 'utf8')).toMatch(/thresholds: \{/);
    },
  );

  it('encodes the household target: p95 ≤ 100 ms at a fixed 100 requests/s', () => {
    const script = readFileSync(`${k6Dir}household.ts`, 'utf8');
    expect(script).toContain("executor: 'constant-arrival-rate'");
    expect(script).toContain("rate: Number(__ENV['RATE'] ?? 100)");
    expect(script).toContain("'http_req_duration{view:household}': ['p(95)<100']");
  });
});
