import type { NormalisedDocument, NormalisedExpose } from '../document/policy-document.types.js';
import {
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  NAMESPACE_NAME_LABEL,
  type LabelSelector,
  type NetworkPolicy,
  type NetworkPolicyPeer,
  type NetworkPolicyPort,
  type NetworkPolicySpec,
  type PolicyType,
} from '../kube/network-policy.types.js';
import {
  describePortSet,
  portSetFromPorts,
  portSetToPorts,
  unionPortSets,
  type PortSet,
} from '../ports/port-set.js';
import type { Problem } from '../problems/problem.js';
import { computeDocumentGrants, invertGrants, type Grant } from '../semantics/network-grants.js';
import {
  checkDocumentLimits,
  checkSpecLimits,
  resolveLimits,
  type CompileLimits,
} from './compile-limits.js';

export const NETWORK_LABEL = 'gbp-netpol.io/network';
export const POLICY_LABEL = 'gbp-netpol.io/policy';
export const INGRESS_SOURCES_ANNOTATION = 'gbp-netpol.io/ingress-sources';
export const EGRESS_SOURCES_ANNOTATION = 'gbp-netpol.io/egress-sources';
export const DNS_REASON = 'dns';

/** Egress to cluster DNS, always allowed under `egress: enforce` so that names resolve. */
const DNS_PEER: NetworkPolicyPeer = {
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
  namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: 'kube-system' } },
};
const DNS_PORTS: PortSet = portSetFromPorts([
  { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 53 },
]);

export interface CompileOptions {
  /** When set, every object is labelled `gbp-netpol.io/policy=<policyName>`. */
  policyName?: string;
  /**
   * Overrides of DEFAULT_COMPILE_LIMITS, for compileWithinLimits and compileDocument (the
   * service reads them from its configuration). compileNetworkPolicies ignores them.
   */
  limits?: Partial<CompileLimits>;
}

interface RuleDraft {
  peers: NetworkPolicyPeer[];
  ports: PortSet;
  reasons: string[];
  /** Sort key: selector rules before ipBlock rules, then by ports, then by peers. */
  key: string;
}

/** A pod selector for members of any of `networks` (sorted): matchLabels for one, `In` for many. */
function membersSelector(labelKey: string, networks: string[]): LabelSelector {
  return networks.length === 1
    ? { matchLabels: { [labelKey]: networks[0] } }
    : { matchExpressions: [{ key: labelKey, operator: 'In', values: networks }] };
}

/** `{}` (every namespace) or the document's namespaces, by their well-known name label. */
function peerNamespaceSelector(doc: NormalisedDocument): LabelSelector {
  if (doc.options.peerNamespaces === 'any') return {};
  return doc.namespaces.length === 1
    ? { matchLabels: { [NAMESPACE_NAME_LABEL]: doc.namespaces[0] } }
    : { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: doc.namespaces }] };
}

/**
 * Turns per-network grants into rules: networks that share exactly the same port set are
 * merged into one peer (`In` with sorted values), so each port set appears once.
 */
function networkRules(
  doc: NormalisedDocument,
  grants: Map<string, Grant> | undefined,
): RuleDraft[] {
  if (!grants) return [];
  const byPorts = new Map<string, { ports: PortSet; networks: string[]; reasons: Set<string> }>();
  for (const [network, g] of grants) {
    const key = describePortSet(g.ports);
    let group = byPorts.get(key);
    if (!group) byPorts.set(key, (group = { ports: g.ports, networks: [], reasons: new Set() }));
    group.networks.push(network);
    for (const r of g.reasons) group.reasons.add(r);
  }
  const nsSelector = peerNamespaceSelector(doc);
  return [...byPorts.entries()].map(([portsKey, group]) => {
    const networks = group.networks.sort();
    return {
      peers: [
        {
          podSelector: membersSelector(doc.options.labelKey, networks),
          namespaceSelector: nsSelector,
        },
      ],
      ports: group.ports,
      reasons: [...group.reasons].sort(),
      key: `0|${portsKey}|${networks.join(',')}`,
    };
  });
}

/** Expose rules become ipBlock peers; blocks that share a port set share one rule. */
function exposeRules(
  exposes: { expose: NormalisedExpose; ports: PortSet; reason: string }[],
): RuleDraft[] {
  const byPorts = new Map<
    string,
    { ports: PortSet; blocks: Map<string, NetworkPolicyPeer>; reasons: Set<string> }
  >();
  for (const e of exposes) {
    const key = describePortSet(e.ports);
    let group = byPorts.get(key);
    if (!group)
      byPorts.set(key, (group = { ports: e.ports, blocks: new Map(), reasons: new Set() }));
    const blockKey = `${e.expose.cidr} ${e.expose.except.join(' ')}`;
    // ipBlock peers are never mixed with selectors: their meaning differs between CNIs.
    group.blocks.set(blockKey, {
      ipBlock:
        e.expose.except.length > 0
          ? { cidr: e.expose.cidr, except: e.expose.except }
          : { cidr: e.expose.cidr },
    });
    group.reasons.add(e.reason);
  }
  // Two expose rules with the same block but different ports: merge their ports per block first.
  return [...byPorts.entries()].map(([portsKey, group]) => {
    const keys = [...group.blocks.keys()].sort();
    return {
      peers: keys.map((k) => group.blocks.get(k)!),
      ports: group.ports,
      reasons: [...group.reasons].sort(),
      key: `1|${portsKey}|${keys.join(',')}`,
    };
  });
}

/** Unions the ports of expose rules that name the same block, so each block has one port set. */
function mergeExposeByBlock(
  exposes: { expose: NormalisedExpose; ports: PortSet; reason: string }[],
): { expose: NormalisedExpose; ports: PortSet; reason: string }[] {
  const byBlock = new Map<
    string,
    { expose: NormalisedExpose; ports: PortSet; reasons: string[] }
  >();
  for (const e of exposes) {
    const key = `${e.expose.cidr} ${e.expose.except.join(' ')}`;
    const prev = byBlock.get(key);
    if (prev) {
      prev.ports = unionPortSets(prev.ports, e.ports);
      prev.reasons.push(e.reason);
    } else byBlock.set(key, { expose: e.expose, ports: e.ports, reasons: [e.reason] });
  }
  return [...byBlock.values()].flatMap((b) =>
    b.reasons.map((reason) => ({ expose: b.expose, ports: b.ports, reason })),
  );
}

function sortRules(rules: RuleDraft[]): RuleDraft[] {
  return rules.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function emitPorts(ports: PortSet): { ports?: NetworkPolicyPort[] } {
  const list = portSetToPorts(ports);
  return list ? { ports: list } : {};
}

/** One network's policy body, the same in every namespace. */
interface NetworkSpec {
  spec: NetworkPolicySpec;
  annotations: Record<string, string>;
}

/** Builds each network's spec and annotations once, from the document's grants. */
function buildSpecs(doc: NormalisedDocument): Map<string, NetworkSpec> {
  const grants = computeDocumentGrants(doc);
  const egressGrants = doc.options.egress === 'enforce' ? invertGrants(grants) : undefined;
  const labelKey = doc.options.labelKey;

  const specs = new Map<string, NetworkSpec>();
  for (const n of doc.networks) {
    const ingress = sortRules([
      ...networkRules(doc, grants.ingress.get(n)),
      ...exposeRules(mergeExposeByBlock(grants.expose.get(n) ?? [])),
    ]);
    const policyTypes: PolicyType[] = egressGrants ? ['Ingress', 'Egress'] : ['Ingress'];
    const spec: NetworkPolicySpec = {
      podSelector: { matchLabels: { [labelKey]: n } },
      policyTypes,
    };
    const annotations: Record<string, string> = {};
    if (ingress.length > 0) {
      spec.ingress = ingress.map((r) => ({ from: r.peers, ...emitPorts(r.ports) }));
      annotations[INGRESS_SOURCES_ANNOTATION] = JSON.stringify(ingress.map((r) => r.reasons));
    }
    if (egressGrants) {
      const egress = sortRules(withDns(networkRules(doc, egressGrants.get(n))));
      spec.egress = egress.map((r) => ({ to: r.peers, ...emitPorts(r.ports) }));
      annotations[EGRESS_SOURCES_ANNOTATION] = JSON.stringify(egress.map((r) => r.reasons));
    }
    specs.set(n, { spec, annotations });
  }
  return specs;
}

/** One object per namespace and network, sorted by namespace then name; specs are shared. */
function stampObjects(
  doc: NormalisedDocument,
  specs: ReadonlyMap<string, NetworkSpec>,
  options: CompileOptions,
): NetworkPolicy[] {
  const labelsFor = (n: string): Record<string, string> => ({
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    [NETWORK_LABEL]: n,
    ...(options.policyName ? { [POLICY_LABEL]: options.policyName } : {}),
  });
  const objects: NetworkPolicy[] = [];
  for (const namespace of doc.namespaces) {
    for (const n of doc.networks) {
      const { spec, annotations } = specs.get(n)!;
      objects.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: {
          name: n,
          namespace,
          labels: labelsFor(n),
          ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
        },
        spec,
      });
    }
  }
  return objects;
}

/**
 * Compiles a normalised document into NetworkPolicies: one per network and namespace, named
 * after the network and selecting its members, enforcing exactly the truth table of
 * `src/core/README.md`. The output is canonical and sorted by namespace then name: the same
 * document always gives byte-identical JSON, whatever the order it was written in. It knows
 * no limits: use compileWithinLimits for documents from users.
 */
export function compileNetworkPolicies(
  doc: NormalisedDocument,
  options: CompileOptions = {},
): NetworkPolicy[] {
  return stampObjects(doc, buildSpecs(doc), options);
}

export type LimitedCompileResult =
  { ok: true; objects: NetworkPolicy[] } | { ok: false; errors: Problem[] };

/**
 * compileNetworkPolicies within limits (DEFAULT_COMPILE_LIMITS with `options.limits` applied;
 * see CompileLimits): the same objects, or COMPILE_LIMIT_EXCEEDED problems (path `''`) that
 * name the limit, the count and the largest contributors. The counts are exact and known
 * before anything is stamped out per namespace: objects and grant pairs come from the
 * document alone in linear time, so a 2,000 × 2,000 contract is refused in milliseconds;
 * rules, peers and selector values from each network's spec, built once (work bounded by
 * the grant-pairs limit) and shared by all namespaces. Pure; never throws.
 */
export function compileWithinLimits(
  doc: NormalisedDocument,
  options: CompileOptions = {},
): LimitedCompileResult {
  const limits = resolveLimits(options.limits);
  const early = checkDocumentLimits(doc, limits);
  if (early.length > 0) return { ok: false, errors: early };
  const specs = buildSpecs(doc);
  const late = checkSpecLimits(
    doc.namespaces.length,
    new Map([...specs].map(([n, s]) => [n, s.spec])),
    limits,
  );
  if (late.length > 0) return { ok: false, errors: late };
  return { ok: true, objects: stampObjects(doc, specs, options) };
}

/** Adds the DNS peer: into a rule with exactly DNS's ports when one exists, else as its own rule. */
function withDns(rules: RuleDraft[]): RuleDraft[] {
  const dnsKey = describePortSet(DNS_PORTS);
  const same = rules.find((r) => describePortSet(r.ports) === dnsKey);
  if (same) {
    same.peers = [...same.peers, DNS_PEER];
    same.reasons = [...same.reasons, DNS_REASON].sort();
    return rules;
  }
  return [
    ...rules,
    { peers: [DNS_PEER], ports: DNS_PORTS, reasons: [DNS_REASON], key: `2|${dnsKey}|dns` },
  ];
}
