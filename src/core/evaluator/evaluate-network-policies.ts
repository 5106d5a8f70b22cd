/**
 * A reference evaluator of standard Kubernetes NetworkPolicy semantics (networking.k8s.io/v1),
 * used to prove what a set of emitted policies actually allows.
 *
 * Deliberate abstractions (documented, tested):
 * - Pods are label sets in a namespace, with an optional IP address. An `ipBlock` peer matches
 *   an external address in its `cidr` and in no `except`, and a pod whose `ip` is (the
 *   conformance tests' reading, which Calico, Antrea and kube-router follow); a pod without
 *   an `ip` is matched by selectors only, so ipBlocks then describe traffic from outside
 *   the cluster alone (see src/core/README.md, The evaluator).
 * - Node-local traffic, host-network pods, loopback and Services are not modelled.
 * - Named ports are opaque atoms (see port-set.ts): they never equal a numeric port.
 * - Shapes the API server would reject are given a conservative meaning instead of
 *   throwing: a peer with no field set, or with `ipBlock` together with a selector, matches
 *   nothing; an `ipBlock` whose cidr or any except is not a CIDR matches nothing; a selector
 *   with an unknown operator selects nothing.
 */
import {
  NAMESPACE_NAME_LABEL,
  type IPBlock,
  type LabelSelector,
  type NetworkPolicy,
  type NetworkPolicyPeer,
  type NetworkPolicyPort,
} from '../kube/network-policy.types.js';
import { cidrContainsIp, parseCidr, parseIp, type Cidr } from '../net/cidr.js';
import {
  ALL_PORTS,
  NO_PORTS,
  intersectPortSets,
  isAllPorts,
  isEmptyPortSet,
  portSetFromPorts,
  unionPortSets,
  type PortSet,
} from '../ports/port-set.js';
import type {
  EvalNamespace,
  EvalPod,
  EvalSource,
  MatrixDestination,
  MatrixEntry,
  MatrixSource,
  NetworkPolicyEvaluator,
} from './evaluator.types.js';
import { compileLabelSelector, type LabelMatcher } from './match-label-selector.js';

type ParsedIp = { family: 4 | 6; value: bigint };

/** A connection end resolved once per query: namespace labels looked up, IP parsed. */
export type ResolvedEnd =
  | {
      kind: 'pod';
      pod: EvalPod;
      namespaceLabels: Readonly<Record<string, string>>;
      /** The pod's IP, when it has one: ipBlocks match it. */
      ip: ParsedIp | undefined;
    }
  | { kind: 'external'; ip: ParsedIp | undefined };

type PeerMatcher = (end: ResolvedEnd) => boolean;

export interface CompiledRule {
  /** True when the rule has no (or an empty) peer list: it matches every end. */
  matchesEveryone: boolean;
  peers: PeerMatcher[];
  /** The peers as written (same order as `peers`), for the sparse matrix's index lookups. */
  peerSpecs: readonly unknown[];
  ports: PortSet;
  allPorts: boolean;
}

export interface CompiledPolicy {
  selects: LabelMatcher;
  /** `spec.podSelector` as written, for the sparse matrix's index lookups. */
  podSelector: unknown;
  ingress: CompiledRule[] | undefined;
  egress: CompiledRule[] | undefined;
}

/** The policies of one direction that select a pod: isolation plus their rules. */
export interface Selection {
  isolated: boolean;
  rules: CompiledRule[];
}

const NOT_ISOLATED: Selection = Object.freeze({ isolated: false, rules: [] });
const MATCH_NOTHING: PeerMatcher = () => false;

/**
 * The policy types the API server stores for a spec: `policyTypes` as given when it is a
 * non-empty list; otherwise (absent or `[]`) Ingress, plus Egress when `egress` is non-empty.
 */
export function effectivePolicyTypes(policy: NetworkPolicy): { ingress: boolean; egress: boolean } {
  const spec = policy.spec;
  const types = spec.policyTypes;
  if (!Array.isArray(types) || types.length === 0) {
    return { ingress: true, egress: Array.isArray(spec.egress) && spec.egress.length > 0 };
  }
  return { ingress: types.includes('Ingress'), egress: types.includes('Egress') };
}

function compileIpBlock(block: IPBlock): PeerMatcher {
  const cidr = typeof block.cidr === 'string' ? parseCidr(block.cidr) : undefined;
  if (!cidr) return MATCH_NOTHING;
  const except: Cidr[] = [];
  for (const e of block.except ?? []) {
    const c = typeof e === 'string' ? parseCidr(e) : undefined;
    if (!c) return MATCH_NOTHING;
    except.push(c);
  }
  // Pods match too, by their IP when they have one (see the module comment).
  return (end) =>
    end.ip !== undefined &&
    cidrContainsIp(cidr, end.ip) &&
    !except.some((c) => cidrContainsIp(c, end.ip!));
}

function compilePeer(peer: NetworkPolicyPeer, policyNamespace: string): PeerMatcher {
  if (peer === null || typeof peer !== 'object') return MATCH_NOTHING;
  const hasPods = peer.podSelector !== undefined && peer.podSelector !== null;
  const hasNamespaces = peer.namespaceSelector !== undefined && peer.namespaceSelector !== null;
  const hasIpBlock = peer.ipBlock !== undefined && peer.ipBlock !== null;
  if (hasIpBlock)
    return hasPods || hasNamespaces ? MATCH_NOTHING : compileIpBlock(peer.ipBlock as IPBlock);
  if (!hasPods && !hasNamespaces) return MATCH_NOTHING;
  const podMatches: LabelMatcher = hasPods
    ? compileLabelSelector(peer.podSelector as LabelSelector)
    : () => true;
  if (!hasNamespaces) {
    return (end) =>
      end.kind === 'pod' && end.pod.namespace === policyNamespace && podMatches(end.pod.labels);
  }
  const nsMatches = compileLabelSelector(peer.namespaceSelector as LabelSelector);
  // Namespace labels are fixed for the evaluator's lifetime, so the answer per name is too.
  const memo = new Map<string, boolean>();
  return (end) => {
    if (end.kind !== 'pod') return false;
    let nsOk = memo.get(end.pod.namespace);
    if (nsOk === undefined) {
      nsOk = nsMatches(end.namespaceLabels);
      memo.set(end.pod.namespace, nsOk);
    }
    return nsOk && podMatches(end.pod.labels);
  };
}

function compileRule(
  peers: readonly NetworkPolicyPeer[] | undefined,
  ports: readonly NetworkPolicyPort[] | undefined,
  policyNamespace: string,
): CompiledRule {
  const portSet = Object.freeze(portSetFromPorts(Array.isArray(ports) ? ports : undefined));
  const peerList = Array.isArray(peers) ? peers : [];
  return {
    matchesEveryone: peerList.length === 0,
    peers: peerList.map((p) => compilePeer(p, policyNamespace)),
    peerSpecs: peerList,
    ports: portSet,
    allPorts: isAllPorts(portSet),
  };
}

function compilePolicy(policy: NetworkPolicy): CompiledPolicy {
  const ns = policy.metadata.namespace;
  const spec = policy.spec;
  const types = effectivePolicyTypes(policy);
  return {
    selects: compileLabelSelector(spec.podSelector),
    podSelector: spec.podSelector,
    ingress: types.ingress
      ? (Array.isArray(spec.ingress) ? spec.ingress : []).map((r) =>
          compileRule(r?.from, r?.ports, ns),
        )
      : undefined,
    egress: types.egress
      ? (Array.isArray(spec.egress) ? spec.egress : []).map((r) => compileRule(r?.to, r?.ports, ns))
      : undefined,
  };
}

/** True when the rule's peers (or the absence of peers) match the end. */
export function ruleMatches(rule: CompiledRule, end: ResolvedEnd): boolean {
  return rule.matchesEveryone || rule.peers.some((p) => p(end));
}

/** The ports a selection allows towards/from `end`: ALL when not isolated, else the union. */
export function allowedBy(selection: Selection, end: ResolvedEnd): PortSet {
  if (!selection.isolated) return ALL_PORTS;
  const parts: PortSet[] = [];
  for (const rule of selection.rules) {
    if (!ruleMatches(rule, end)) continue;
    if (rule.allPorts) return ALL_PORTS;
    parts.push(rule.ports);
  }
  if (parts.length === 0) return NO_PORTS;
  if (parts.length === 1) return parts[0];
  return unionPortSets(...parts);
}

/** Intersection with shortcuts for the common all/none cases (same result as intersectPortSets). */
function intersect(a: PortSet, b: PortSet): PortSet {
  if (isEmptyPortSet(a) || isAllPorts(b)) return a;
  if (isEmptyPortSet(b) || isAllPorts(a)) return b;
  return intersectPortSets(a, b);
}

/**
 * The compiled form behind an evaluator, shared with the sparse matrix
 * (evaluate-sparse-matrix.ts) so that both answer with the very same matchers.
 */
export interface EvaluatorCore {
  api: NetworkPolicyEvaluator;
  resolvePod(pod: EvalPod): ResolvedEnd;
  resolve(end: EvalSource): ResolvedEnd;
  ingressSelection(pod: EvalPod): Selection;
  egressSelection(pod: EvalPod): Selection;
  /** A namespace's labels as the evaluator sees them (the name label always set). */
  labelsOfNamespace(name: string): Readonly<Record<string, string>>;
  /** The compiled policies of a namespace that have Ingress (resp. Egress) in their types. */
  ingressPolicies(namespace: string): readonly CompiledPolicy[];
  egressPolicies(namespace: string): readonly CompiledPolicy[];
}

/** Compiles policies and namespaces once (see createEvaluator for the semantics). */
export function buildEvaluator(
  policies: readonly NetworkPolicy[],
  namespaces: readonly EvalNamespace[],
): EvaluatorCore {
  const namespaceLabels = new Map<string, Readonly<Record<string, string>>>();
  for (const ns of Array.isArray(namespaces) ? namespaces : []) {
    if (!ns || typeof ns.name !== 'string') continue;
    // The API server sets this label to the name on every namespace, overriding any value.
    namespaceLabels.set(ns.name, Object.freeze({ ...ns.labels, [NAMESPACE_NAME_LABEL]: ns.name }));
  }
  const labelsOfNamespace = (name: string): Readonly<Record<string, string>> =>
    namespaceLabels.get(name) ?? { [NAMESPACE_NAME_LABEL]: name };

  const ingressByNamespace = new Map<string, CompiledPolicy[]>();
  const egressByNamespace = new Map<string, CompiledPolicy[]>();
  for (const policy of Array.isArray(policies) ? policies : []) {
    if (!policy?.metadata || !policy.spec) continue;
    const compiled = compilePolicy(policy);
    const ns = policy.metadata.namespace;
    if (compiled.ingress) pushTo(ingressByNamespace, ns, compiled);
    if (compiled.egress) pushTo(egressByNamespace, ns, compiled);
  }

  const select = (
    index: Map<string, CompiledPolicy[]>,
    direction: 'ingress' | 'egress',
    pod: EvalPod,
  ): Selection => {
    const candidates = index.get(pod.namespace);
    if (!candidates) return NOT_ISOLATED;
    let isolated = false;
    const rules: CompiledRule[] = [];
    for (const p of candidates) {
      if (!p.selects(pod.labels)) continue;
      isolated = true;
      for (const r of p[direction] ?? []) rules.push(r);
    }
    return isolated ? { isolated, rules } : NOT_ISOLATED;
  };
  const ingressSelection = (pod: EvalPod): Selection => select(ingressByNamespace, 'ingress', pod);
  const egressSelection = (pod: EvalPod): Selection => select(egressByNamespace, 'egress', pod);

  const resolvePod = (pod: EvalPod): ResolvedEnd => ({
    kind: 'pod',
    pod,
    namespaceLabels: labelsOfNamespace(pod.namespace),
    ip: typeof pod.ip === 'string' ? parseIp(pod.ip) : undefined,
  });
  const resolveIp = (ip: string): ResolvedEnd => ({
    kind: 'external',
    ip: typeof ip === 'string' ? parseIp(ip) : undefined,
  });
  const resolve = (end: EvalSource): ResolvedEnd =>
    end.kind === 'pod' ? resolvePod(end.pod) : resolveIp(end.kind === 'external' ? end.ip : '');

  const ingressAllowed = (src: EvalSource, dst: EvalPod): PortSet =>
    allowedBy(ingressSelection(dst), resolve(src));
  const egressAllowed = (src: EvalPod, dst: EvalSource): PortSet =>
    allowedBy(egressSelection(src), resolve(dst));

  const api: NetworkPolicyEvaluator = {
    ingressAllowed,
    egressAllowed,
    allowedPorts(src, dst) {
      const egress =
        src.kind === 'pod' ? egressAllowed(src.pod, { kind: 'pod', pod: dst }) : ALL_PORTS;
      if (isEmptyPortSet(egress)) return NO_PORTS;
      return intersect(egress, ingressAllowed(src, dst));
    },
    allowedPortsToExternal(src, ip) {
      return allowedBy(egressSelection(src), resolveIp(ip));
    },
    isIngressIsolated: (pod) => ingressSelection(pod).isolated,
    isEgressIsolated: (pod) => egressSelection(pod).isolated,
  };
  return {
    api,
    resolvePod,
    resolve,
    ingressSelection,
    egressSelection,
    labelsOfNamespace,
    ingressPolicies: (ns) => ingressByNamespace.get(ns) ?? [],
    egressPolicies: (ns) => egressByNamespace.get(ns) ?? [],
  };
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Builds an evaluator of standard NetworkPolicy semantics over `policies` and the known
 * `namespaces` (a namespace not listed has only its `kubernetes.io/metadata.name` label).
 *
 * - A policy selects pods of its own namespace (`metadata.namespace`) by `podSelector`.
 * - policyTypes default as the API server does when absent or empty: Ingress, plus Egress
 *   when the policy has egress rules. A policy only isolates, and only contributes rules
 *   for, the directions in its (defaulted) policyTypes.
 * - Allows are additive: a pod isolated in a direction allows the union of the ports of
 *   every matching rule of every selecting policy; a rule without ports allows every port;
 *   a rule without peers matches every pod and every external address.
 * - Peers: `podSelector` alone = pods of the policy's namespace; `namespaceSelector` alone =
 *   every pod of matching namespaces; both = matching pods in matching namespaces (AND);
 *   `ipBlock` = addresses in `cidr` and in no `except`: external ones, and pods that carry
 *   such an `ip` (a pod without `ip` never; see the module comment).
 *
 * Policies are compiled and indexed by namespace once; every query is then proportional to
 * the policies of the namespaces involved. Pure and deterministic; never throws.
 */
export function createEvaluator(
  policies: readonly NetworkPolicy[],
  namespaces: readonly EvalNamespace[],
): NetworkPolicyEvaluator {
  return buildEvaluator(policies, namespaces).api;
}

/**
 * The allowed ports of every (source, destination) pair, exactly as
 * `createEvaluator(policies, namespaces).allowedPorts` answers them, listed sources-major in
 * the given orders (for each source, every destination), empty sets included. Selections
 * are computed once per source and destination, so the cost per pair is only the matching
 * of the rules that actually apply.
 */
export function evaluateMatrix(
  policies: readonly NetworkPolicy[],
  namespaces: readonly EvalNamespace[],
  sources: readonly MatrixSource[],
  destinations: readonly MatrixDestination[],
): MatrixEntry[] {
  const core = buildEvaluator(policies, namespaces);
  const dsts = destinations.map((d) => ({
    id: d.id,
    end: core.resolvePod(d.pod),
    ingress: core.ingressSelection(d.pod),
  }));
  const out: MatrixEntry[] = [];
  for (const s of sources) {
    const srcEnd = core.resolve(s.source);
    const egress: Selection =
      s.source.kind === 'pod' ? core.egressSelection(s.source.pod) : NOT_ISOLATED;
    for (const d of dsts) {
      const e = allowedBy(egress, d.end);
      const ports = isEmptyPortSet(e) ? NO_PORTS : intersect(e, allowedBy(d.ingress, srcEnd));
      out.push({ source: s.id, destination: d.id, ports });
    }
  }
  return out;
}
