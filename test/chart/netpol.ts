import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';

/**
 * A small evaluator of Kubernetes NetworkPolicy semantics, enough to turn the rendered policies
 * into the set of allowed (from, to, port) edges between a fixed cast of endpoints.
 *
 * Rules followed (networking.k8s.io/v1): a pod selected by any policy with a policy type is
 * isolated in that direction and then only the union of those policies' rules lets traffic
 * through; traffic between two pods needs the sender's egress and the receiver's ingress; an empty
 * `to`/`from` matches every peer and an empty `ports` every port; a peer with only a podSelector
 * means pods of the policy's own namespace. Pods are modelled without addresses, so ipBlock peers
 * match only the external endpoints.
 */

export interface PodEndpoint {
  kind: 'pod';
  name: string;
  namespace: string;
  namespaceLabels: Record<string, string>;
  labels: Record<string, string>;
}

export interface ExternalEndpoint {
  kind: 'external';
  name: string;
  ip: string;
}

export type Endpoint = PodEndpoint | ExternalEndpoint;

export interface PortProbe {
  port: number;
  protocol: 'TCP' | 'UDP';
}

type LabelSelector = NonNullable<NonNullable<INetworkPolicy['spec']>['podSelector']>;
type Rule = NonNullable<NonNullable<INetworkPolicy['spec']>['egress']>[number];
type Peer = NonNullable<Rule['to']>[number];
type RulePort = NonNullable<Rule['ports']>[number];

export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const expression of selector.matchExpressions ?? []) {
    const present = Object.hasOwn(labels, expression.key);
    const value = labels[expression.key];
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        if (!present || value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (present && value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        throw new Error(`unknown selector operator ${expression.operator}`);
    }
  }
  return true;
}

function ipToNumber(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`only IPv4 addresses are modelled, got ${ip}`);
  }
  return parts.reduce((acc, part) => acc * 256 + part, 0);
}

export function cidrContains(cidr: string, ip: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (base === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32)
    throw new Error(`bad CIDR ${cidr}`);
  const size = 2 ** (32 - bits);
  const start = Math.floor(ipToNumber(base) / size) * size;
  const value = ipToNumber(ip);
  return value >= start && value < start + size;
}

function peerMatches(peer: Peer, policyNamespace: string, endpoint: Endpoint): boolean {
  if (peer.ipBlock) {
    if (endpoint.kind !== 'external') return false;
    if (!cidrContains(peer.ipBlock.cidr, endpoint.ip)) return false;
    return !(peer.ipBlock.except ?? []).some((except) => cidrContains(except, endpoint.ip));
  }
  if (endpoint.kind !== 'pod') return false;
  if (peer.namespaceSelector) {
    if (!selectorMatches(peer.namespaceSelector, endpoint.namespaceLabels)) return false;
  } else if (endpoint.namespace !== policyNamespace) {
    return false;
  }
  return selectorMatches(peer.podSelector, endpoint.labels);
}

function portMatches(ports: readonly RulePort[] | undefined, probe: PortProbe): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== probe.protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') throw new Error(`named port ${p.port} is not modelled; use numbers`);
    const end = p.endPort ?? p.port;
    return probe.port >= p.port && probe.port <= end;
  });
}

function selecting(
  policies: readonly INetworkPolicy[],
  pod: PodEndpoint,
  type: 'Ingress' | 'Egress',
): INetworkPolicy[] {
  return policies.filter((policy) => {
    const spec = policy.spec;
    if (!spec) return false;
    if ((policy.metadata?.namespace ?? pod.namespace) !== pod.namespace) return false;
    const types = spec.policyTypes ?? (spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
    return types.includes(type) && selectorMatches(spec.podSelector, pod.labels);
  });
}

function egressAllowed(
  policies: readonly INetworkPolicy[],
  from: PodEndpoint,
  to: Endpoint,
  probe: PortProbe,
): boolean {
  const applicable = selecting(policies, from, 'Egress');
  if (applicable.length === 0) return true;
  return applicable.some((policy) =>
    (policy.spec?.egress ?? []).some(
      (rule) =>
        portMatches(rule.ports, probe) &&
        (!rule.to || rule.to.length === 0 || rule.to.some((peer) => peerMatches(peer, from.namespace, to))),
    ),
  );
}

function ingressAllowed(
  policies: readonly INetworkPolicy[],
  from: Endpoint,
  to: PodEndpoint,
  probe: PortProbe,
): boolean {
  const applicable = selecting(policies, to, 'Ingress');
  if (applicable.length === 0) return true;
  return applicable.some((policy) =>
    (policy.spec?.ingress ?? []).some(
      (rule) =>
        portMatches(rule.ports, probe) &&
        (!rule.from ||
          rule.from.length === 0 ||
          rule.from.some((peer) => peerMatches(peer, to.namespace, from))),
    ),
  );
}

export function isAllowed(
  policies: readonly INetworkPolicy[],
  from: Endpoint,
  to: Endpoint,
  probe: PortProbe,
): boolean {
  if (from.kind === 'pod' && !egressAllowed(policies, from, to, probe)) return false;
  if (to.kind === 'pod' && !ingressAllowed(policies, from, to, probe)) return false;
  return true;
}

export function edgeName(from: Endpoint, to: Endpoint, probe: PortProbe): string {
  return `${from.name} -> ${to.name}:${probe.port}/${probe.protocol}`;
}

/**
 * Every allowed edge that has at least one of `governed` at either end (traffic between two
 * endpoints this chart does not select is none of its business). An endpoint stands for all
 * replicas of a workload, so `x -> x` is one replica calling another.
 */
export function allowedEdges(
  policies: readonly INetworkPolicy[],
  endpoints: readonly Endpoint[],
  governed: ReadonlySet<string>,
  probes: readonly PortProbe[],
): Set<string> {
  const edges = new Set<string>();
  for (const from of endpoints) {
    for (const to of endpoints) {
      if (!governed.has(from.name) && !governed.has(to.name)) continue;
      for (const probe of probes) {
        if (isAllowed(policies, from, to, probe)) edges.add(edgeName(from, to, probe));
      }
    }
  }
  return edges;
}
