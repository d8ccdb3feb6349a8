import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { type IJob, Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { type INetworkPolicy, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { documentedKeys, expectedReadme } from './generate-readme.js';
import {
  type CiValuesFile,
  chartSource,
  ciValues,
  ciValuesFiles,
  defaultNamespace,
  defaultRelease,
  ensureHelm,
  type Manifest,
  prepareChart,
  type RenderOptions,
  render,
  runHelm,
  templateArgs,
} from './helm.js';
import {
  allContainers,
  configMapNamed,
  effectiveEnv,
  envValue,
  hookAnnotations,
  ofKind,
  podLabelsOf,
  podSpecOf,
  quantityToMiB,
  secretRef,
  validateManifest,
} from './manifests.js';
import { allowedEdges, type Endpoint, edgeName, type PortProbe, selectorMatches } from './netpol.js';

let chartDir = '';
let cleanup: () => void = () => {};
const renders = new Map<string, Manifest[]>();

beforeAll(() => {
  ensureHelm();
  ({ chartDir, cleanup } = prepareChart());
});
afterAll(() => cleanup());

function renderCached(options: RenderOptions = {}): Manifest[] {
  const key = JSON.stringify(options);
  let manifests = renders.get(key);
  if (!manifests) {
    manifests = render(chartDir, options);
    renders.set(key, manifests);
  }
  return manifests;
}

function renderCi(file: CiValuesFile, extra: Omit<RenderOptions, 'valuesFiles'> = {}): Manifest[] {
  return renderCached({ ...extra, valuesFiles: [ciValues(chartDir, file)] });
}

const prefix = defaultRelease;
const services = ['land-contract', 'property-mortgage'];
const components = ['gateway', ...services];

function componentOf(workload: IDeployment | IJob): string {
  const component = podLabelsOf(workload)['app.kubernetes.io/component'];
  if (!component) throw new Error(`${workload.metadata?.name}: pod has no component label`);
  return component;
}

function mainContainer(workload: IDeployment): IContainer {
  const container = podSpecOf(workload).containers[0];
  if (!container) throw new Error(`${workload.metadata?.name}: no container`);
  return container;
}

function expectHardened(spec: IPodSpec, container: IContainer, where: string): void {
  const pod = spec.securityContext ?? {};
  const ctx = container.securityContext ?? {};
  expect(pod.runAsNonRoot ?? ctx.runAsNonRoot, `${where}: runAsNonRoot`).toBe(true);
  expect(ctx.runAsUser ?? pod.runAsUser, `${where}: runAsUser`).toBe(10001);
  expect(ctx.readOnlyRootFilesystem, `${where}: readOnlyRootFilesystem`).toBe(true);
  expect(ctx.allowPrivilegeEscalation, `${where}: allowPrivilegeEscalation`).toBe(false);
  expect(ctx.privileged ?? false, `${where}: privileged`).toBe(false);
  expect(ctx.capabilities?.drop ?? [], `${where}: capabilities.drop`).toContain('ALL');
  expect(ctx.capabilities?.add ?? [], `${where}: capabilities.add`).toEqual([]);
  expect((ctx.seccompProfile ?? pod.seccompProfile)?.type, `${where}: seccompProfile`).toBe('RuntimeDefault');
  expect(spec.automountServiceAccountToken, `${where}: automountServiceAccountToken`).toBe(false);
  const tmp = (container.volumeMounts ?? []).find((m) => m.mountPath === '/tmp');
  expect(tmp, `${where}: /tmp mount`).toBeDefined();
  const volume = (spec.volumes ?? []).find((v) => v.name === tmp?.name);
  expect(volume?.emptyDir, `${where}: /tmp is an emptyDir`).toBeDefined();
}

function expectResources(container: IContainer, where: string): void {
  const { requests, limits } = container.resources ?? {};
  for (const [name, value] of [
    ['requests.cpu', requests?.['cpu']],
    ['requests.memory', requests?.['memory']],
    ['limits.cpu', limits?.['cpu']],
    ['limits.memory', limits?.['memory']],
  ] as const) {
    expect(value, `${where}: resources.${name}`).toBeDefined();
  }
}

function heapFor(container: IContainer): number {
  const limit = container.resources?.limits?.['memory'];
  if (limit === undefined) throw new Error(`${container.name}: no memory limit`);
  return Math.floor((quantityToMiB(String(limit)) * 75) / 100);
}

/* ------------------------------------------------------------------------------------------------
 * The documented network paths (README "Network paths"), per example values file, as groups of
 * endpoints; the test expands them to edges and compares with what the rendered policies allow.
 * --------------------------------------------------------------------------------------------- */

const tcp = (port: number): PortProbe => ({ port, protocol: 'TCP' });
const dns: PortProbe[] = [
  { port: 53, protocol: 'UDP' },
  { port: 53, protocol: 'TCP' },
];
const probes: PortProbe[] = [...dns, ...[443, 4080, 4222, 4317, 4318, 5432, 8080, 8443, 50051].map(tcp)];

function pod(name: string, namespace: string, labels: Record<string, string>): Endpoint {
  return {
    kind: 'pod',
    name,
    namespace,
    namespaceLabels: { 'kubernetes.io/metadata.name': namespace },
    labels,
  };
}

/** Endpoints that are not the release's: the cast the policies are tested against. */
const others: Endpoint[] = [
  pod('intruder', defaultNamespace, { app: 'intruder' }),
  pod('tenant-pod', 'tenant-b', { app: 'other' }),
  pod('ingress-controller', 'ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' }),
  pod('kube-dns', 'kube-system', { 'k8s-app': 'kube-dns' }),
  pod('nats-in-release', defaultNamespace, {
    'app.kubernetes.io/name': 'nats',
    'app.kubernetes.io/instance': defaultRelease,
    'app.kubernetes.io/component': 'nats',
  }),
  pod('nats-shared', 'nats', { 'app.kubernetes.io/name': 'nats' }),
  pod('cnpg-in-release', defaultNamespace, { 'cnpg.io/cluster': `${prefix}-postgresql` }),
  pod('postgres-shared', 'databases', { 'cnpg.io/cluster': 'pingquan' }),
  pod('otel-collector', 'observability', { 'app.kubernetes.io/name': 'opentelemetry-collector' }),
  pod('keycloak', 'identity', { 'app.kubernetes.io/name': 'keycloak' }),
  { kind: 'external', name: 'db-subnet-host', ip: '10.20.0.10' },
  { kind: 'external', name: 'idp-subnet-host', ip: '203.0.113.5' },
  { kind: 'external', name: 'internet', ip: '198.51.100.7' },
];
const otherNames = others.map((e) => e.name);

/** The release's own pods: one endpoint per Deployment and per hook Job. */
function releaseEndpoints(manifests: readonly Manifest[]): Endpoint[] {
  const deployments = ofKind(manifests, Deployment.is).map((d) =>
    pod(componentOf(d), defaultNamespace, podLabelsOf(d)),
  );
  const jobs = ofKind(manifests, Job.is).map((j) =>
    pod(`${componentOf(j)}-migrate`, defaultNamespace, podLabelsOf(j)),
  );
  return [...deployments, ...jobs];
}

interface Path {
  from: readonly string[];
  to: readonly string[];
  ports: readonly PortProbe[];
}

function expand(paths: readonly Path[], endpoints: readonly Endpoint[]): Set<string> {
  const byName = new Map(endpoints.map((e) => [e.name, e]));
  const edges = new Set<string>();
  for (const path of paths) {
    for (const fromName of path.from) {
      for (const toName of path.to) {
        const from = byName.get(fromName);
        const to = byName.get(toName);
        if (!from || !to) throw new Error(`unknown endpoint in documented path: ${fromName} -> ${toName}`);
        for (const port of path.ports) edges.add(edgeName(from, to, port));
      }
    }
  }
  return edges;
}

function documentedPaths(file: CiValuesFile, servicesRendered: readonly string[]): Path[] {
  const jobs = servicesRendered.map((s) => `${s}-migrate`);
  const servers = ['gateway', ...servicesRendered];
  const ours = [...servers, ...jobs];
  const grpc: Path = { from: servers, to: servicesRendered, ports: [tcp(50051)] };
  switch (file) {
    case 'trial-values.yaml':
      return [
        { from: otherNames, to: ['gateway'], ports: [tcp(4080)] },
        grpc,
        { from: [...servicesRendered, ...jobs], to: ['cnpg-in-release'], ports: [tcp(5432)] },
        { from: ours, to: ['nats-in-release'], ports: [tcp(4222)] },
        { from: ours, to: otherNames, ports: dns },
        { from: ['gateway'], to: otherNames, ports: [tcp(443)] },
      ];
    case 'production-values.yaml':
      return [
        { from: ['ingress-controller'], to: ['gateway'], ports: [tcp(4080)] },
        grpc,
        { from: [...servicesRendered, ...jobs], to: ['db-subnet-host'], ports: [tcp(5432)] },
        { from: ours, to: ['nats-shared'], ports: [tcp(4222)] },
        { from: ours, to: ['kube-dns'], ports: dns },
        { from: ours, to: ['otel-collector'], ports: [tcp(4317), tcp(4318)] },
        { from: ['gateway'], to: ['idp-subnet-host'], ports: [tcp(443)] },
      ];
    case 'airgapped-values.yaml':
      return [
        { from: ['ingress-controller'], to: ['gateway'], ports: [tcp(4080)] },
        grpc,
        { from: [...servicesRendered, ...jobs], to: ['postgres-shared'], ports: [tcp(5432)] },
        { from: ours, to: ['nats-shared'], ports: [tcp(4222)] },
        { from: ours, to: ['kube-dns'], ports: dns },
        { from: ours, to: ['otel-collector'], ports: [tcp(4317)] },
        { from: ['gateway'], to: ['keycloak'], ports: [tcp(443), tcp(8443)] },
      ];
  }
}

function networkEdges(manifests: readonly Manifest[]): { actual: Set<string>; endpoints: Endpoint[] } {
  const policies: INetworkPolicy[] = ofKind(manifests, NetworkPolicy.is);
  const ours = releaseEndpoints(manifests);
  const endpoints = [...ours, ...others];
  const governed = new Set(ours.map((e) => e.name));
  return { actual: allowedEdges(policies, endpoints, governed, probes), endpoints };
}

function sorted(set: ReadonlySet<string>): string[] {
  return [...set].sort();
}

/* ------------------------------------------------------------------------------------------------ */

describe.each(ciValuesFiles)('ci/%s', (file) => {
  it('passes helm lint --strict', () => {
    const result = runHelm(['lint', '--strict', chartDir, '--values', ciValues(chartDir, file)]);
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain('0 chart(s) failed');
  });

  it('renders only manifests that validate against the Kubernetes schemas', () => {
    const manifests = renderCi(file);
    expect(manifests.length).toBeGreaterThan(10);
    for (const manifest of manifests) validateManifest(manifest);
    const names = manifests.map((m) => `${m.kind}/${m.metadata.name}`);
    expect(new Set(names).size, 'no two objects of one kind share a name').toBe(names.length);
  });

  it('runs one Deployment per enabled component, started with node /app/dist/main.js', () => {
    const deployments = ofKind(renderCi(file), Deployment.is);
    expect(deployments.map(componentOf).sort()).toEqual([...components].sort());
    for (const deployment of deployments) {
      expect(deployment.metadata?.name).toBe(`${prefix}-${componentOf(deployment)}`);
      expect(mainContainer(deployment).command).toEqual(['node', '/app/dist/main.js']);
    }
  });

  it('gives every workload probes, requests, limits, a sized heap and the hardened context', () => {
    const manifests = renderCi(file);
    for (const deployment of ofKind(manifests, Deployment.is)) {
      const name = componentOf(deployment);
      const spec = podSpecOf(deployment);
      expect(spec.containers, name).toHaveLength(1);
      const container = mainContainer(deployment);
      expectHardened(spec, container, name);
      expectResources(container, name);
      expect(container.livenessProbe, `${name}: liveness`).toBeDefined();
      expect(container.readinessProbe, `${name}: readiness`).toBeDefined();
      if (name === 'gateway') {
        expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
        expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
        expect(container.ports?.map((p) => p.containerPort)).toEqual([4080]);
      } else {
        expect(container.livenessProbe?.grpc?.port, `${name}: native gRPC liveness`).toBe(50051);
        expect(container.readinessProbe?.grpc?.port, `${name}: native gRPC readiness`).toBe(50051);
        expect(container.readinessProbe?.grpc?.service).toBe('readiness');
        expect(container.ports?.map((p) => p.containerPort)).toEqual([50051]);
      }
      const env = effectiveEnv(manifests, container);
      expect(envValue(env, 'NODE_OPTIONS')).toBe(
        `--max-old-space-size=${heapFor(container)} --max-semi-space-size=4`,
      );
    }
    for (const job of ofKind(manifests, Job.is)) {
      const spec = podSpecOf(job);
      for (const container of allContainers(spec)) {
        const where = `${job.metadata?.name}/${container.name}`;
        expectHardened(spec, container, where);
        expectResources(container, where);
        expect(envValue(effectiveEnv(manifests, container), 'NODE_OPTIONS')).toBe(
          `--max-old-space-size=${heapFor(container)} --max-semi-space-size=4`,
        );
      }
    }
  });

  it('has a PodDisruptionBudget exactly for the components that run more than one pod', () => {
    const manifests = renderCi(file);
    const hpas = ofKind(manifests, HorizontalPodAutoscaler.is);
    const pdbs = ofKind(manifests, PodDisruptionBudget.is);
    const jobs = ofKind(manifests, Job.is);
    for (const deployment of ofKind(manifests, Deployment.is)) {
      const hpa = hpas.find((h) => h.spec?.scaleTargetRef.name === deployment.metadata?.name);
      expect(
        deployment.spec?.replicas === undefined,
        'replicas are left to the HPA exactly when one exists',
      ).toBe(hpa !== undefined);
      const minPods = hpa ? (hpa.spec?.minReplicas ?? 1) : (deployment.spec?.replicas ?? 1);
      const labels = podLabelsOf(deployment);
      const covering = pdbs.filter((p) => selectorMatches(p.spec?.selector, labels));
      expect(covering.length, `${componentOf(deployment)} runs ${minPods} pod(s)`).toBe(minPods > 1 ? 1 : 0);
      for (const pdb of covering) {
        for (const job of jobs) expect(selectorMatches(pdb.spec?.selector, podLabelsOf(job))).toBe(false);
      }
    }
    for (const pdb of pdbs) {
      const covered = ofKind(manifests, Deployment.is).filter((d) =>
        selectorMatches(pdb.spec?.selector, podLabelsOf(d)),
      );
      expect(covered, `${pdb.metadata?.name} covers one Deployment`).toHaveLength(1);
    }
  });

  it('routes each Service to its own Deployment only (never to hook Job pods)', () => {
    const manifests = renderCi(file);
    const deployments = ofKind(manifests, Deployment.is);
    const jobs = ofKind(manifests, Job.is);
    for (const service of ofKind(manifests, Service.is)) {
      const selector = { matchLabels: service.spec?.selector ?? {} };
      const targets = deployments.filter((d) => selectorMatches(selector, podLabelsOf(d)));
      expect(targets.map((d) => d.metadata?.name)).toEqual([service.metadata?.name]);
      for (const job of jobs) expect(selectorMatches(selector, podLabelsOf(job))).toBe(false);
      const grpc = service.metadata?.name !== `${prefix}-gateway`;
      expect(service.spec?.clusterIP, 'gRPC services are headless for dns:/// round-robin').toBe(
        grpc ? 'None' : undefined,
      );
      expect(service.spec?.ports?.map((p) => p.port)).toEqual([grpc ? 50051 : 4080]);
    }
  });

  it('allows exactly the documented network paths', () => {
    const manifests = renderCi(file);
    const { actual, endpoints } = networkEdges(manifests);
    const expected = expand(documentedPaths(file, services), endpoints);
    expect(sorted(actual)).toEqual(sorted(expected));
  });
});

describe('network policy edge cases', () => {
  it('air-gapped values allow nothing beyond named in-cluster peers', () => {
    const policies = ofKind(renderCi('airgapped-values.yaml'), NetworkPolicy.is);
    for (const policy of policies) {
      for (const rule of policy.spec?.egress ?? []) {
        expect(
          rule.to?.length ?? 0,
          `${policy.metadata?.name}: an egress rule without peers allows anywhere`,
        ).toBeGreaterThan(0);
        for (const peer of rule.to ?? [])
          expect(peer.ipBlock, `${policy.metadata?.name}: ipBlock`).toBeUndefined();
      }
    }
    const { actual } = networkEdges(renderCi('airgapped-values.yaml'));
    expect(sorted(actual).filter((e) => /-> (internet|db-subnet-host|idp-subnet-host):/.test(e))).toEqual([]);
  });

  it('turning the policies off renders none', () => {
    const manifests = renderCi('production-values.yaml', { set: ['networkPolicy.enabled=false'] });
    expect(ofKind(manifests, NetworkPolicy.is)).toEqual([]);
  });
});

describe('values schema', () => {
  const cases: [string, string, RegExp][] = [
    [
      'a wrong type on a component',
      'components.land-contract.replicaCount=three',
      /replicaCount.*(integer|string)/s,
    ],
    ['a wrong type in the defaults', 'componentDefaults.autoscaling.maxReplicas=many', /maxReplicas/],
    ['an unknown component key', 'components.land-contract.replicas=3', /additional propert.*replicas/s],
    ['an unknown top-level key', 'replicaCount=3', /additional propert.*replicaCount/s],
    ['an unknown nested key', 'jetstream.sync_interval=always', /additional propert.*sync_interval/s],
    ['a value outside an enum', 'jetstream.mode=kafka', /mode/],
    ['an unreadable memory quantity', 'componentDefaults.resources.limits.memory=lots', /memory/],
    ['a component name that is not a DNS label', 'components.Land_Contract.enabled=true', /Land_Contract/],
    ['a component entry of the wrong shape', 'components.homestead.database=none', /database/],
  ];

  it.each(cases)('rejects %s', (_label, assignment, message) => {
    const args = templateArgs(chartDir, {
      valuesFiles: [ciValues(chartDir, 'trial-values.yaml')],
      set: [assignment],
    });
    const result = runHelm(args);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/schema/);
    expect(result.stderr).toMatch(message);
  });

  it('makes helm lint fail on a wrong type too', () => {
    const result = runHelm([
      'lint',
      '--strict',
      chartDir,
      '--values',
      ciValues(chartDir, 'trial-values.yaml'),
      '--set',
      'components.gateway.replicaCount=three',
    ]);
    expect(result.status).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toMatch(/replicaCount/);
  });

  it('requires the gateway token settings', () => {
    const result = runHelm(
      templateArgs(chartDir, {
        valuesFiles: [ciValues(chartDir, 'production-values.yaml')],
        set: ['components.gateway.jwt.jwksUrl='],
      }),
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('components.gateway.jwt.jwksUrl is required');
  });
});

describe('upgrade ordering', () => {
  it('runs each service migration in a pre-upgrade hook Job before any Deployment changes', () => {
    const manifests = renderCi('trial-values.yaml', { isUpgrade: true });
    const jobs = ofKind(manifests, Job.is);
    expect(jobs.map(componentOf).sort()).toEqual(services);
    const hookSA = ofKind(manifests, ServiceAccount.is).find((sa) => sa.metadata?.name === `${prefix}-hooks`);
    expect(hookSA).toBeDefined();
    const saHook = hookAnnotations(hookSA ?? {});
    const databases = manifests.filter((m) => m.kind === 'Database');
    expect(databases).toHaveLength(services.length);

    for (const job of jobs) {
      const hook = hookAnnotations(job);
      expect(hook.hooks).toEqual(expect.arrayContaining(['pre-upgrade', 'post-install']));
      expect(hook.deletePolicy).toEqual(expect.arrayContaining(['before-hook-creation', 'hook-succeeded']));
      // Helm runs pre-upgrade hooks in ascending weight, each to completion, then applies the rest.
      expect(saHook.hooks).toEqual(expect.arrayContaining(['pre-upgrade', 'post-install']));
      expect(saHook.weight).toBeLessThan(hook.weight);
      for (const database of databases) {
        expect(hookAnnotations(database).hooks).toContain('pre-upgrade');
        expect(hookAnnotations(database).weight).toBeLessThan(hook.weight);
      }
      const spec = podSpecOf(job);
      expect(spec.serviceAccountName).toBe(`${prefix}-hooks`);
      expect(spec.restartPolicy).toBe('Never');
      const [migrate, ...moreInit] = spec.initContainers ?? [];
      expect(moreInit).toEqual([]);
      expect(migrate?.command).toEqual(['node', '/app/dist/migrate.js']);
      expect(spec.containers.map((c) => c.command)).toEqual([['node', '/app/dist/streams.js']]);
      for (const container of allContainers(spec)) {
        // A service added by this upgrade has no ConfigMap yet when its pre-upgrade Job runs.
        expect(container.envFrom ?? []).toEqual([]);
        for (const variable of container.env ?? [])
          expect(variable.valueFrom?.configMapKeyRef).toBeUndefined();
      }
      const migrateEnv = new Map((migrate?.env ?? []).map((v) => [v.name, v]));
      expect(envValue(migrateEnv, 'DATABASE_URL')).toBe(
        `postgresql://$(PQ_DATABASE_USER):$(PQ_DATABASE_PASSWORD)@${prefix}-postgresql-rw:5432/${componentOf(job).replaceAll('-', '_')}`,
      );
    }
    for (const manifest of manifests) {
      if (['Job', 'Database'].includes(manifest.kind) || manifest.metadata.name === `${prefix}-hooks`)
        continue;
      expect(
        hookAnnotations(manifest).hooks,
        `${manifest.kind}/${manifest.metadata.name} is applied after the hooks`,
      ).toEqual([]);
    }
  });
});

describe('components map', () => {
  it('adds a service with one entry: workload, Service, Job, gateway URL, stream, network paths', () => {
    const manifests = renderCi('production-values.yaml', {
      set: ['components.homestead.enabled=true'],
    });
    for (const kind of [
      'Deployment',
      'Service',
      'ServiceAccount',
      'ConfigMap',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
    ]) {
      expect(
        manifests.some((m) => m.kind === kind && m.metadata.name === `${prefix}-homestead`),
        kind,
      ).toBe(true);
    }
    for (const manifest of manifests) validateManifest(manifest);
    const job = ofKind(manifests, Job.is).find((j) => j.metadata?.name === `${prefix}-homestead-migrate`);
    expect(job).toBeDefined();
    const homestead = ofKind(manifests, Deployment.is).find((d) => componentOf(d) === 'homestead');
    if (!homestead) throw new Error('no homestead Deployment');
    const env = effectiveEnv(manifests, mainContainer(homestead));
    expect(secretRef(env, 'DATABASE_URL')).toEqual({ name: `${prefix}-homestead-database`, key: 'url' });
    expect(configMapNamed(manifests, `${prefix}-gateway`).data?.['HOMESTEAD_GRPC_URL']).toBe(
      `dns:///${prefix}-homestead:50051`,
    );
    const { actual, endpoints } = networkEdges(manifests);
    expect(sorted(actual)).toEqual(
      sorted(expand(documentedPaths('production-values.yaml', ['homestead', ...services]), endpoints)),
    );
  });

  it('declares one NACK Stream per service plus the dead-letter stream in nack mode', () => {
    const manifests = renderCi('airgapped-values.yaml', { set: ['components.homestead.enabled=true'] });
    const streams = manifests.filter((m) => m.kind === 'Stream');
    const specs = streams.map((s) => s['spec']);
    expect(specs).toEqual(
      expect.arrayContaining(
        [
          ['PQ_LAND_CONTRACT', 'pq.land-contract.v1.>'],
          ['PQ_PROPERTY_MORTGAGE', 'pq.property-mortgage.v1.>'],
          ['PQ_HOMESTEAD', 'pq.homestead.v1.>'],
          ['PQ_DLQ', 'pq.dlq.>'],
        ].map(([name, subject]) =>
          expect.objectContaining({
            name,
            subjects: [subject],
            storage: 'file',
            replicas: 3,
            duplicateWindow: '10m',
            account: 'pingquan',
            preventDelete: true,
          }),
        ),
      ),
    );
    expect(streams).toHaveLength(4);
    for (const job of ofKind(manifests, Job.is)) {
      const streamsContainer = podSpecOf(job).containers[0];
      if (!streamsContainer) throw new Error('no streams container');
      expect(envValue(effectiveEnv(manifests, streamsContainer), 'PQ_JETSTREAM_MANAGE')).toBe('consumers');
    }
  });

  it('leaves streams to the hook Jobs in job mode', () => {
    const manifests = renderCi('production-values.yaml');
    expect(manifests.filter((m) => m.kind === 'Stream')).toEqual([]);
    for (const job of ofKind(manifests, Job.is)) {
      const streamsContainer = podSpecOf(job).containers[0];
      if (!streamsContainer) throw new Error('no streams container');
      const env = effectiveEnv(manifests, streamsContainer);
      expect(envValue(env, 'PQ_JETSTREAM_MANAGE')).toBe('streams-and-consumers');
      expect(envValue(env, 'PQ_JETSTREAM_REPLICAS')).toBe('3');
      expect(envValue(env, 'PQ_JETSTREAM_STORAGE')).toBe('file');
      expect(envValue(env, 'PQ_JETSTREAM_DUPLICATE_WINDOW')).toBe('10m');
      expect(secretRef(env, 'NATS_URL')).toEqual({ name: 'pingquan-nats', key: 'url' });
    }
  });

  it('lets an entry switch off what the defaults switch on (false overrides true)', () => {
    const manifests = renderCi('production-values.yaml', {
      set: ['components.land-contract.autoscaling.enabled=false', 'components.land-contract.replicaCount=1'],
    });
    const hpaTargets = ofKind(manifests, HorizontalPodAutoscaler.is).map((h) => h.spec?.scaleTargetRef.name);
    expect(hpaTargets.sort()).toEqual([`${prefix}-gateway`, `${prefix}-property-mortgage`]);
    const landContract = ofKind(manifests, Deployment.is).find((d) => componentOf(d) === 'land-contract');
    expect(landContract?.spec?.replicas).toBe(1);
    expect(ofKind(manifests, PodDisruptionBudget.is).map((p) => p.metadata?.name)).not.toContain(
      `${prefix}-land-contract`,
    );
  });

  it.each([
    ['1.27.0', false],
    ['1.29.9', false],
    ['1.30.0', true],
  ])('renders valid manifests for Kubernetes %s (preStop sleep: %s)', (kubeVersion, sleeps) => {
    const manifests = renderCi('production-values.yaml', { kubeVersion });
    for (const manifest of manifests) validateManifest(manifest);
    for (const deployment of ofKind(manifests, Deployment.is)) {
      expect(mainContainer(deployment).lifecycle?.preStop?.sleep?.seconds, componentOf(deployment)).toBe(
        sleeps ? 5 : undefined,
      );
    }
  });

  it.each([
    ['1Gi', 768],
    ['1536Mi', 1152],
    ['2G', 1430],
  ])('sizes Node heap from a %s memory limit', (limit, heap) => {
    const manifests = renderCi('production-values.yaml', {
      set: [`componentDefaults.resources.limits.memory=${limit}`],
    });
    for (const deployment of ofKind(manifests, Deployment.is)) {
      const env = effectiveEnv(manifests, mainContainer(deployment));
      expect(envValue(env, 'NODE_OPTIONS')).toBe(`--max-old-space-size=${heap} --max-semi-space-size=4`);
    }
  });
});

describe('environment contract', () => {
  it('gives each component the variables the code reads', () => {
    const manifests = renderCi('production-values.yaml');
    const otel = 'http://otel-collector.observability.svc.cluster.local:4318';
    for (const deployment of ofKind(manifests, Deployment.is)) {
      const name = componentOf(deployment);
      const env = effectiveEnv(manifests, mainContainer(deployment));
      expect(envValue(env, 'OTEL_SERVICE_NAME')).toBe(name);
      expect(envValue(env, 'OTEL_EXPORTER_OTLP_ENDPOINT')).toBe(otel);
      expect(envValue(env, 'LOG_LEVEL')).toBe('info');
      expect(envValue(env, 'NODE_ENV')).toBe('production');
      expect(envValue(env, 'MIGRATE_ON_START')).toBe('false');
      expect(secretRef(env, 'PQ_INTERNAL_SIGNING_KEY')).toEqual({
        name: 'pingquan-internal-signing-key',
        key: 'key',
      });
      expect(secretRef(env, 'NATS_URL')).toEqual({ name: 'pingquan-nats', key: 'url' });
      if (name === 'gateway') {
        expect(env.has('DATABASE_URL'), 'the gateway holds no state').toBe(false);
        expect(envValue(env, 'GATEWAY_PORT')).toBe('4080');
        expect(envValue(env, 'GATEWAY_MODE')).toBe('production');
        expect(envValue(env, 'JWT_ISSUER')).toBe('https://id.pingquan.example/realms/pingquan');
        expect(envValue(env, 'JWT_AUDIENCE')).toBe('pingquan-gateway');
        expect(envValue(env, 'JWT_JWKS_URL')).toMatch(/^https:\/\/id\.pingquan\.example\/.*\/certs$/);
        expect(envValue(env, 'LAND_CONTRACT_GRPC_URL')).toBe(`dns:///${prefix}-land-contract:50051`);
        expect(envValue(env, 'PROPERTY_MORTGAGE_GRPC_URL')).toBe(`dns:///${prefix}-property-mortgage:50051`);
        expect([...env.keys()].filter((k) => k.endsWith('_GRPC_URL'))).toHaveLength(services.length);
      } else {
        expect(envValue(env, 'GRPC_PORT')).toBe('50051');
        expect(secretRef(env, 'DATABASE_URL')).toEqual({ name: `pingquan-${name}-database`, key: 'url' });
        // Services call each other (property-mortgage checks collateral in land-contract).
        expect(envValue(env, 'LAND_CONTRACT_GRPC_URL')).toBe(`dns:///${prefix}-land-contract:50051`);
      }
    }
    for (const job of ofKind(manifests, Job.is)) {
      for (const container of allContainers(podSpecOf(job))) {
        expect(envValue(effectiveEnv(manifests, container), 'OTEL_EXPORTER_OTLP_ENDPOINT')).toBe(otel);
      }
    }
  });

  it('keeps credentials out of values: only the trial generates a Secret', () => {
    expect(ofKind(renderCi('production-values.yaml'), Secret.is)).toEqual([]);
    expect(ofKind(renderCi('airgapped-values.yaml'), Secret.is)).toEqual([]);
    const trialSecrets = ofKind(renderCi('trial-values.yaml'), Secret.is);
    expect(trialSecrets.map((s) => s.metadata?.name)).toEqual([`${prefix}-internal-signing-key`]);
    expect(trialSecrets[0]?.metadata?.annotations?.['helm.sh/resource-policy']).toBe('keep');
  });

  it('exposes the gateway through an Ingress only on /graphql', () => {
    const [ingress, ...rest] = ofKind(renderCi('production-values.yaml'), Ingress.is);
    expect(rest).toEqual([]);
    const rule = ingress?.spec?.rules?.[0];
    expect(rule?.host).toBe('api.pingquan.example');
    expect(
      rule?.http?.paths.map((p) => [p.path, p.backend.service?.name, p.backend.service?.port?.name]),
    ).toEqual([['/graphql', `${prefix}-gateway`, 'http']]);
    expect(ingress?.spec?.tls?.[0]?.secretName).toBe('api-pingquan-example-tls');
  });

  it('builds the trial PostgreSQL: one CloudNativePG Cluster, one Database per service', () => {
    const manifests = renderCi('trial-values.yaml');
    const clusters = manifests.filter((m) => m.kind === 'Cluster');
    expect(clusters.map((c) => c.metadata.name)).toEqual([`${prefix}-postgresql`]);
    const databases = manifests.filter((m) => m.kind === 'Database').map((d) => d['spec']);
    expect(databases).toEqual(
      services.map((s) =>
        expect.objectContaining({
          name: s.replaceAll('-', '_'),
          owner: 'app',
          cluster: { name: `${prefix}-postgresql` },
        }),
      ),
    );
    for (const deployment of ofKind(manifests, Deployment.is)) {
      if (componentOf(deployment) === 'gateway') continue;
      const names = (mainContainer(deployment).env ?? []).map((v) => v.name);
      // $(VAR) expansion only sees variables defined earlier in the list.
      expect(names.indexOf('PQ_DATABASE_USER')).toBeLessThan(names.indexOf('DATABASE_URL'));
      expect(names.indexOf('PQ_DATABASE_PASSWORD')).toBeLessThan(names.indexOf('DATABASE_URL'));
    }
  });

  it('prints NOTES with how to reach the gateway and check health', () => {
    const result = runHelm([
      'install',
      defaultRelease,
      chartDir,
      '--namespace',
      defaultNamespace,
      '--dry-run=client',
      '--values',
      ciValues(chartDir, 'trial-values.yaml'),
    ]);
    expect(result.status, result.stderr).toBe(0);
    const notes = result.stdout.slice(result.stdout.indexOf('NOTES:'));
    expect(notes).toContain(`port-forward svc/${prefix}-gateway 4080:4080`);
    expect(notes).toContain('GraphiQL is off because GATEWAY_MODE=production');
    expect(notes).toContain('/healthz');
    expect(notes).toContain('/readyz');
  });
});

describe('chart README', () => {
  it('is generated from the current values.yaml', () => {
    const { current, expected } = expectedReadme(chartSource);
    expect(current, 'run: pnpm exec tsx test/chart/generate-readme.ts').toBe(expected);
  });

  it('documents every value (a # -- comment on the key or on an enclosing key)', () => {
    const valuesText = readFileSync(join(chartSource, 'values.yaml'), 'utf8');
    const documented = new Set(documentedKeys(valuesText).map((k) => k.path.join('.')));
    const undocumented: string[] = [];
    const walk = (value: unknown, path: string[]): void => {
      if (path.length > 0 && path.some((_, i) => documented.has(path.slice(0, i + 1).join('.')))) return;
      if (
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        Object.keys(value).length > 0
      ) {
        for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
        return;
      }
      undocumented.push(path.join('.'));
    };
    walk(parse(valuesText), []);
    expect(undocumented).toEqual([]);
  });
});
