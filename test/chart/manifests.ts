import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { type IJob, Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { Manifest } from './helm.js';

/** Collects the manifests a type guard accepts, typed. */
export function ofKind<T>(manifests: readonly Manifest[], guard: (value: unknown) => value is T): T[] {
  const found: T[] = [];
  for (const manifest of manifests) if (guard(manifest)) found.push(manifest);
  return found;
}

function modelValidator<T>(guard: (value: unknown) => value is T, build: (value: T) => { validate(): void }) {
  return (manifest: Manifest): void => {
    if (!guard(manifest))
      throw new Error(`${manifest.kind} ${manifest.metadata.name}: wrong apiVersion/kind`);
    build(manifest).validate();
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireField(manifest: Manifest, path: string, check: (value: unknown) => boolean): void {
  let current: unknown = manifest;
  for (const key of path.split('.')) current = isRecord(current) ? current[key] : undefined;
  if (!check(current)) {
    throw new Error(`${manifest.kind} ${manifest.metadata.name}: ${path} is ${JSON.stringify(current)}`);
  }
}

const isString = (value: unknown): boolean => typeof value === 'string' && value.length > 0;
const isPositiveInteger = (value: unknown): boolean => Number.isInteger(value) && Number(value) > 0;

/**
 * Custom resources this chart renders, checked by hand against the fields their controllers need
 * (CloudNativePG postgresql.cnpg.io/v1, NACK jetstream.nats.io/v1beta2); kubernetes-models has no
 * schema for them.
 */
const customResourceValidators: Record<string, (manifest: Manifest) => void> = {
  'postgresql.cnpg.io/v1/Cluster': (m) => {
    requireField(m, 'spec.instances', isPositiveInteger);
    requireField(m, 'spec.storage.size', isString);
    requireField(m, 'spec.bootstrap.initdb.database', isString);
    requireField(m, 'spec.bootstrap.initdb.owner', isString);
  },
  'postgresql.cnpg.io/v1/Database': (m) => {
    requireField(m, 'spec.name', (v) => typeof v === 'string' && /^[a-z_][a-z0-9_]*$/.test(v));
    requireField(m, 'spec.owner', isString);
    requireField(m, 'spec.cluster.name', isString);
    requireField(m, 'spec.ensure', (v) => v === 'present');
    requireField(m, 'spec.databaseReclaimPolicy', (v) => v === 'retain');
  },
  'jetstream.nats.io/v1beta2/Stream': (m) => {
    requireField(m, 'spec.name', (v) => typeof v === 'string' && /^[A-Z0-9_]+$/.test(v));
    requireField(m, 'spec.subjects', (v) => Array.isArray(v) && v.length > 0 && v.every(isString));
    requireField(m, 'spec.storage', (v) => v === 'file' || v === 'memory');
    requireField(m, 'spec.replicas', (v) => isPositiveInteger(v) && Number(v) <= 5);
    requireField(m, 'spec.duplicateWindow', (v) => typeof v === 'string' && /^[0-9]+(ms|s|m|h)$/.test(v));
    requireField(m, 'spec.retention', (v) => v === 'limits');
  },
};

const validators: Record<string, (manifest: Manifest) => void> = {
  'v1/ConfigMap': modelValidator(ConfigMap.is, (v) => new ConfigMap(v)),
  'v1/Secret': modelValidator(Secret.is, (v) => new Secret(v)),
  'v1/Service': modelValidator(Service.is, (v) => new Service(v)),
  'v1/ServiceAccount': modelValidator(ServiceAccount.is, (v) => new ServiceAccount(v)),
  'apps/v1/Deployment': modelValidator(Deployment.is, (v) => new Deployment(v)),
  'batch/v1/Job': modelValidator(Job.is, (v) => new Job(v)),
  'autoscaling/v2/HorizontalPodAutoscaler': modelValidator(
    HorizontalPodAutoscaler.is,
    (v) => new HorizontalPodAutoscaler(v),
  ),
  'policy/v1/PodDisruptionBudget': modelValidator(PodDisruptionBudget.is, (v) => new PodDisruptionBudget(v)),
  'networking.k8s.io/v1/NetworkPolicy': modelValidator(NetworkPolicy.is, (v) => new NetworkPolicy(v)),
  'networking.k8s.io/v1/Ingress': modelValidator(Ingress.is, (v) => new Ingress(v)),
  ...customResourceValidators,
};

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * kubernetes-models checks the types of known fields but lets unknown ones through, so a template
 * indentation slip (a key landing in `metadata` instead of `data`) would pass; these are the only
 * top-level and metadata fields the chart writes.
 */
const topLevelFields = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'spec',
  'data',
  'type',
  'automountServiceAccountToken',
]);
const metadataFields = new Set(['name', 'labels', 'annotations']);

function checkKnownFields(manifest: Manifest): void {
  const where = `${manifest.kind} ${manifest.metadata.name}`;
  for (const key of Object.keys(manifest)) {
    if (!topLevelFields.has(key)) throw new Error(`${where}: unexpected top-level field ${key}`);
  }
  for (const key of Object.keys(manifest.metadata)) {
    if (!metadataFields.has(key)) throw new Error(`${where}: unexpected metadata field ${key}`);
  }
  for (const [key, value] of [
    ...Object.entries(manifest.metadata.labels ?? {}),
    ...Object.entries(manifest.metadata.annotations ?? {}),
  ]) {
    if (typeof value !== 'string') throw new Error(`${where}: label/annotation ${key} is not a string`);
  }
}

/** Validates one rendered object; throws for a kind nobody checks. */
export function validateManifest(manifest: Manifest): void {
  const key = `${manifest.apiVersion}/${manifest.kind}`;
  const validate = validators[key];
  if (!validate)
    throw new Error(
      `unexpected kind ${key} (${manifest.metadata.name}): add a validator or stop rendering it`,
    );
  if (manifest.metadata.name.length > 63 || !dnsLabel.test(manifest.metadata.name)) {
    throw new Error(`${key} name ${manifest.metadata.name} is not a DNS label of at most 63 characters`);
  }
  checkKnownFields(manifest);
  validate(manifest);
}

export function podSpecOf(workload: IDeployment | IJob): IPodSpec {
  const spec = workload.spec?.template.spec;
  if (!spec) throw new Error(`${workload.metadata?.name}: no pod spec`);
  return spec;
}

export function podLabelsOf(workload: IDeployment | IJob): Record<string, string> {
  return workload.spec?.template.metadata?.labels ?? {};
}

export function allContainers(spec: IPodSpec): IContainer[] {
  return [...(spec.initContainers ?? []), ...spec.containers];
}

export function configMapNamed(manifests: readonly Manifest[], name: string): IConfigMap {
  const found = ofKind(manifests, ConfigMap.is).find((c) => c.metadata?.name === name);
  if (!found) throw new Error(`no ConfigMap ${name}`);
  return found;
}

/** A container's environment as the kubelet assembles it: ConfigMap envFrom first, then env. */
export function effectiveEnv(manifests: readonly Manifest[], container: IContainer): Map<string, IEnvVar> {
  const env = new Map<string, IEnvVar>();
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    if (!name) throw new Error(`${container.name}: only configMapRef envFrom is expected`);
    for (const [key, value] of Object.entries(configMapNamed(manifests, name).data ?? {}))
      env.set(key, { name: key, value });
  }
  for (const variable of container.env ?? []) env.set(variable.name, variable);
  return env;
}

export function envValue(env: Map<string, IEnvVar>, name: string): string | undefined {
  return env.get(name)?.value;
}

export function secretRef(
  env: Map<string, IEnvVar>,
  name: string,
): { name: string; key: string } | undefined {
  const ref = env.get(name)?.valueFrom?.secretKeyRef;
  return ref ? { name: ref.name ?? '', key: ref.key } : undefined;
}

/** Whole MiB of a Kubernetes memory quantity (the units this chart accepts). */
export function quantityToMiB(quantity: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|K|M|G|T)?$/.exec(quantity);
  if (!match) throw new Error(`bad memory quantity ${quantity}`);
  const units: Record<string, number> = {
    '': 1,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
    k: 1e3,
    K: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
  };
  return Math.floor((Number(match[1]) * (units[match[2] ?? ''] ?? Number.NaN)) / 1024 ** 2);
}

export function hookAnnotations(manifest: { metadata?: { annotations?: Record<string, string> } }): {
  hooks: string[];
  weight: number;
  deletePolicy: string[];
} {
  const annotations = manifest.metadata?.annotations ?? {};
  const hooks = (annotations['helm.sh/hook'] ?? '').split(',').filter(Boolean);
  return {
    hooks,
    weight: Number(annotations['helm.sh/hook-weight'] ?? '0'),
    deletePolicy: (annotations['helm.sh/hook-delete-policy'] ?? '').split(',').filter(Boolean),
  };
}
