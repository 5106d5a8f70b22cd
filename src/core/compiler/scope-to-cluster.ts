import { sortProblems } from '../document/ordering.js';
import type {
  IPBlock,
  NetworkPolicy,
  NetworkPolicyEgressRule,
  NetworkPolicyIngressRule,
  NetworkPolicyPeer,
} from '../kube/network-policy.types.js';
import { parseCidr, type Cidr } from '../net/cidr.js';
import { cidrCovers, cidrsCover, cidrsOverlap, minimalCidrs } from '../net/cidr-set.js';
import { pointer, problem, type Problem } from '../problems/problem.js';
import {
  EGRESS_SOURCES_ANNOTATION,
  INGRESS_SOURCES_ANNOTATION,
} from './compile-network-policies.js';

/** The networks of one cluster: where its pods and its Services take their addresses. */
export interface ClusterNetworks {
  /** The pod networks (nodes' `spec.podCIDRs`), IPv4 and IPv6. */
  podCIDRs: readonly string[];
  /** The Service networks (`ServiceCIDR` objects, or the apiserver's flag), IPv4 and IPv6. */
  serviceCIDRs: readonly string[];
}

export interface ScopedObjects {
  objects: NetworkPolicy[];
  /** IPBLOCK_INSIDE_CLUSTER for each ipBlock left out; INVALID_CIDR for an unusable cluster CIDR. */
  warnings: Problem[];
}

interface ClusterCidr {
  cidr: Cidr;
  kind: 'pod' | 'service';
}

/** What became of one ipBlock peer. */
type PeerOutcome =
  | { kind: 'same' }
  | { kind: 'narrowed'; peer: NetworkPolicyPeer }
  | { kind: 'dropped'; why: string };

/** Reads the cluster's CIDRs; one that cannot be read is reported and left out. */
function readClusterCidrs(networks: ClusterNetworks, warnings: Problem[]): ClusterCidr[] {
  const out: ClusterCidr[] = [];
  const read = (list: readonly string[] | undefined, field: string, kind: ClusterCidr['kind']) => {
    (Array.isArray(list) ? list : []).forEach((text, i) => {
      const cidr = typeof text === 'string' ? parseCidr(text) : undefined;
      if (!cidr || cidr.ipv4Mapped) {
        warnings.push(problem(pointer(field, i), 'INVALID_CIDR', { value: JSON.stringify(text) }));
        return;
      }
      out.push({ cidr, kind });
    });
  };
  read(networks?.podCIDRs, 'podCIDRs', 'pod');
  read(networks?.serviceCIDRs, 'serviceCIDRs', 'service');
  return out;
}

function describeCluster(list: readonly ClusterCidr[]): string {
  return list.map((k) => `${k.kind} network ${k.cidr.text}`).join(', ');
}

/**
 * Removes the cluster's own networks from one ipBlock peer. A peer that is not a plain,
 * readable ipBlock is left as it is: the API server would refuse it, and the evaluator reads
 * it as matching nothing.
 */
function scopePeer(peer: NetworkPolicyPeer, cluster: readonly ClusterCidr[]): PeerOutcome {
  if (!peer || typeof peer !== 'object' || !peer.ipBlock) return { kind: 'same' };
  if (peer.podSelector || peer.namespaceSelector) return { kind: 'same' };
  const block: IPBlock = peer.ipBlock;
  const cidr = typeof block.cidr === 'string' ? parseCidr(block.cidr) : undefined;
  if (!cidr) return { kind: 'same' };
  const except: Cidr[] = [];
  for (const e of Array.isArray(block.except) ? block.except : []) {
    const c = typeof e === 'string' ? parseCidr(e) : undefined;
    if (!c) return { kind: 'same' };
    except.push(c);
  }
  const overlapping = cluster.filter((k) => cidrsOverlap(k.cidr, cidr));
  // A cluster network that holds the whole block: every address it allows is in the cluster.
  const holder = overlapping.find((k) => cidrCovers(k.cidr, cidr));
  if (holder)
    return { kind: 'dropped', why: `lies inside the cluster's ${describeCluster([holder])}` };
  // The others lie strictly inside it: each becomes an except, unless excepts cover it already.
  const added = overlapping.filter((k) => !cidrsCover(except, k.cidr));
  if (added.length === 0) return { kind: 'same' };
  const merged = minimalCidrs([...except, ...added.map((k) => k.cidr)]);
  if (cidrsCover(merged, cidr))
    return {
      kind: 'dropped',
      why: `is covered by its excepts and the cluster's ${describeCluster(added)}`,
    };
  return {
    kind: 'narrowed',
    peer: { ...peer, ipBlock: { ...block, except: merged.map((c) => c.text) } },
  };
}

/** The provenance list of a compiled object's rules, when it is there and fits `count` rules. */
function readSources(annotation: string | undefined, count: number): string[][] | undefined {
  if (typeof annotation !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(annotation);
    if (
      Array.isArray(parsed) &&
      parsed.length === count &&
      parsed.every((r) => Array.isArray(r) && r.every((x) => typeof x === 'string'))
    )
      return parsed as string[][];
  } catch {
    // Not ours, or edited by hand: the warnings then name the object instead.
  }
  return undefined;
}

type Rule = NetworkPolicyIngressRule | NetworkPolicyEgressRule;

/**
 * Scopes the rules of one direction. Returns undefined when nothing changed, else the new
 * rules and sources list (undefined when there was none to keep in step).
 */
function scopeRules<R extends Rule>(
  rules: readonly R[] | undefined,
  peersOf: (r: R) => NetworkPolicyPeer[] | undefined,
  withPeers: (r: R, peers: NetworkPolicyPeer[]) => R,
  sources: string[][] | undefined,
  cluster: readonly ClusterCidr[],
  report: (ruleIndex: number, why: string, cidr: string) => void,
): { rules: R[]; sources: string[][] | undefined } | undefined {
  if (!Array.isArray(rules)) return undefined;
  let changed = false;
  const outRules: R[] = [];
  const outSources: string[][] = [];
  rules.forEach((rule, i) => {
    const peers = rule ? peersOf(rule) : undefined;
    // A rule without peers matches everyone and holds no ipBlock: nothing to scope.
    if (!Array.isArray(peers) || peers.length === 0) {
      outRules.push(rule);
      if (sources) outSources.push(sources[i]);
      return;
    }
    let ruleChanged = false;
    const kept: NetworkPolicyPeer[] = [];
    for (const peer of peers) {
      const outcome = scopePeer(peer, cluster);
      if (outcome.kind === 'same') kept.push(peer);
      else {
        ruleChanged = true;
        if (outcome.kind === 'narrowed') kept.push(outcome.peer);
        else report(i, outcome.why, String(peer.ipBlock!.cidr));
      }
    }
    if (!ruleChanged) {
      outRules.push(rule);
      if (sources) outSources.push(sources[i]);
      return;
    }
    changed = true;
    // A rule whose peers are all gone is dropped: with an empty `from` it would allow everyone.
    if (kept.length === 0) return;
    outRules.push(withPeers(rule, kept));
    if (sources) outSources.push(sources[i]);
  });
  return changed ? { rules: outRules, sources: sources ? outSources : undefined } : undefined;
}

/**
 * Compiles objects "for a cluster": takes out of every `ipBlock` peer (ingress `from` and
 * egress `to`) the cluster's pod and Service networks, because the Kubernetes conformance
 * tests and Calico, Antrea and kube-router match ipBlocks against pod IPs too, so an expose
 * rule for `0.0.0.0/0` would otherwise let every pod of the cluster in.
 *
 * For each ipBlock `cidr` and each cluster CIDR of the same family:
 * - a cluster CIDR that covers the whole `cidr` drops the peer (IPBLOCK_INSIDE_CLUSTER,
 *   at the `/expose/<i>` paths the `gbp-netpol.io/*-sources` annotation names for the rule);
 * - a cluster CIDR inside `cidr` becomes an `except`, unless existing excepts cover it; the
 *   excepts are then made minimal (one covered by another is dropped), disjoint and sorted;
 *   if they then cover the whole `cidr`, the peer is dropped too (same warning);
 * - a rule that loses all its peers is dropped (an empty `from` would allow everyone), with
 *   its entry in the sources annotation; an annotation left empty is removed.
 *
 * The output stays valid for the API server (every except a strict subset of its cidr, same
 * family). Objects without an affected ipBlock are returned as they are (the same object, so
 * the same content hash); the others are new objects: the input is never changed. Pure,
 * deterministic; warnings are sorted and de-duplicated (the same rule in every namespace
 * is reported once). Cluster CIDRs that cannot be read are reported (INVALID_CIDR at
 * `/podCIDRs/<i>` or `/serviceCIDRs/<i>`) and ignored.
 */
export function scopeToCluster(
  objects: readonly NetworkPolicy[],
  networks: ClusterNetworks,
): ScopedObjects {
  const warnings: Problem[] = [];
  const cluster = readClusterCidrs(networks, warnings);
  const seen = new Set<string>();
  const warn = (path: string, params: Record<string, string>) => {
    const p = problem(path, 'IPBLOCK_INSIDE_CLUSTER', params);
    const key = `${p.path}\n${p.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      warnings.push(p);
    }
  };
  const out = objects.map((o) => {
    if (cluster.length === 0 || !o?.spec) return o;
    const annotations = o.metadata?.annotations ?? {};
    const scopeDirection = <R extends Rule>(
      rules: R[] | undefined,
      annotationKey: string,
      peersOf: (r: R) => NetworkPolicyPeer[] | undefined,
      withPeers: (r: R, peers: NetworkPolicyPeer[]) => R,
      direction: 'ingress' | 'egress',
    ) => {
      const sources = readSources(
        annotations[annotationKey],
        Array.isArray(rules) ? rules.length : -1,
      );
      return scopeRules(rules, peersOf, withPeers, sources, cluster, (i, why, cidr) => {
        const exposes = (sources?.[i] ?? []).filter((r) => r.startsWith('/expose/'));
        const where = `${o.metadata.namespace}/${o.metadata.name} ${direction} rule ${i}`;
        if (exposes.length === 0) warn('', { cidr, why, source: where });
        // Expose rules with the same ports share one compiled rule, and the annotation names
        // the rule's sources, not each peer's: then every one of them is named.
        const source =
          exposes.length === 1
            ? `expose rule ${exposes[0]}`
            : `the rule shared by expose rules ${exposes.join(', ')}`;
        for (const e of exposes) warn(e, { cidr, why, source });
      });
    };
    const ingress = scopeDirection(
      o.spec.ingress,
      INGRESS_SOURCES_ANNOTATION,
      (r) => r.from,
      (r, from) => ({ ...r, from }),
      'ingress',
    );
    const egress = scopeDirection(
      o.spec.egress,
      EGRESS_SOURCES_ANNOTATION,
      (r) => r.to,
      (r, to) => ({ ...r, to }),
      'egress',
    );
    if (!ingress && !egress) return o;

    const spec = { ...o.spec };
    const nextAnnotations: Record<string, string> = { ...annotations };
    const apply = (
      result: { rules: Rule[]; sources: string[][] | undefined } | undefined,
      field: 'ingress' | 'egress',
      annotationKey: string,
    ) => {
      if (!result) return;
      // Empty fields are omitted, as the compiler omits them.
      if (result.rules.length > 0) (spec as Record<string, unknown>)[field] = result.rules;
      else delete spec[field];
      if (result.sources === undefined) return;
      if (result.sources.length > 0)
        nextAnnotations[annotationKey] = JSON.stringify(result.sources);
      else delete nextAnnotations[annotationKey];
    };
    apply(ingress, 'ingress', INGRESS_SOURCES_ANNOTATION);
    apply(egress, 'egress', EGRESS_SOURCES_ANNOTATION);
    const { annotations: _dropped, ...metadata } = o.metadata;
    return {
      ...o,
      metadata:
        Object.keys(nextAnnotations).length > 0
          ? { ...metadata, annotations: nextAnnotations }
          : metadata,
      spec,
    };
  });
  return { objects: out, warnings: sortProblems(warnings) };
}
