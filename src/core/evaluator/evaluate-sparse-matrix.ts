/**
 * The reachability matrix without visiting every (source, destination) pair: for each rule,
 * the ends its peers can match are looked up in indexes of the ends (pods by namespace and
 * label, addresses by value), from the selector's positive requirements (`matchLabels`, `In`,
 * `Exists`) or the ipBlock's range, and each candidate is then checked with the evaluator's
 * own compiled matcher. Candidates are always a superset of the true matches, so the answer
 * is exactly evaluateMatrix's; a selector whose shape gives nothing to look up (only `NotIn`
 * or `DoesNotExist`, `{}`, or anything unusual) makes every end of the namespaces in
 * question a candidate, which costs time but never correctness.
 *
 * The cost is proportional to the candidates (about the selector values of the rules that
 * apply, plus what `{}` selectors match) and to the output, instead of sources × destinations
 * × rules.
 */
import type { NetworkPolicy } from '../kube/network-policy.types.js';
import { cidrBounds, parseCidr } from '../net/cidr.js';
import {
  ALL_PORTS,
  NO_PORTS,
  intersectPortSets,
  isAllPorts,
  isEmptyPortSet,
  unionPortSets,
  type PortSet,
} from '../ports/port-set.js';
import {
  buildEvaluator,
  ruleMatches,
  type CompiledPolicy,
  type CompiledRule,
  type EvaluatorCore,
  type ResolvedEnd,
} from './evaluate-network-policies.js';
import type {
  EvalNamespace,
  MatrixDestination,
  MatrixEntry,
  MatrixSource,
} from './evaluator.types.js';
import { compileLabelSelector } from './match-label-selector.js';

const EMPTY: readonly number[] = Object.freeze([]);

/** The pod ends of one namespace, by label. */
interface NamespaceIndex {
  all: number[];
  byLabel: Map<string, Map<string, number[]>>;
  byKey: Map<string, number[]>;
}

/** A set of resolved ends (sources or destinations), indexed for lookups. */
interface EndIndex {
  ends: readonly ResolvedEnd[];
  all: readonly number[];
  pods: Map<string, NamespaceIndex>;
  /** Ends that have an address, per family, sorted by it. */
  ips: Record<4 | 6, { value: bigint; end: number }[]>;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function buildIndex(ends: readonly ResolvedEnd[]): EndIndex {
  const index: EndIndex = {
    ends,
    all: ends.map((_, i) => i),
    pods: new Map(),
    ips: { 4: [], 6: [] },
  };
  ends.forEach((end, i) => {
    if (end.ip) index.ips[end.ip.family].push({ value: end.ip.value, end: i });
    if (end.kind !== 'pod') return;
    let ns = index.pods.get(end.pod.namespace);
    if (!ns)
      index.pods.set(end.pod.namespace, (ns = { all: [], byLabel: new Map(), byKey: new Map() }));
    ns.all.push(i);
    const labels: unknown = end.pod.labels;
    if (!isObject(labels)) return;
    // Own names, enumerable or not: the matcher reads any own string-valued property.
    for (const key of Object.getOwnPropertyNames(labels)) {
      const value = labels[key];
      if (typeof value !== 'string') continue;
      let byValue = ns.byLabel.get(key);
      if (!byValue) ns.byLabel.set(key, (byValue = new Map()));
      pushTo(byValue, value, i);
      pushTo(ns.byKey, key, i);
    }
  });
  for (const list of [index.ips[4], index.ips[6]])
    list.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : a.end - b.end));
  return index;
}

/**
 * A superset of the pods of one namespace that a label selector (as written) matches: the
 * smallest list a positive requirement gives, or every pod of the namespace.
 */
function podCandidates(selector: unknown, ns: NamespaceIndex): readonly number[] {
  let best: readonly number[] | undefined;
  const consider = (list: readonly number[]) => {
    if (!best || list.length < best.length) best = list;
  };
  if (isObject(selector)) {
    const matchLabels = selector.matchLabels;
    if (isObject(matchLabels) && !Array.isArray(matchLabels)) {
      for (const key of Object.keys(matchLabels)) {
        const value = matchLabels[key];
        // Only a string value narrows (anything else is matched by the matcher's own rules).
        if (typeof value === 'string') consider(ns.byLabel.get(key)?.get(value) ?? EMPTY);
      }
    }
    const expressions = selector.matchExpressions;
    if (Array.isArray(expressions)) {
      for (const req of expressions as unknown[]) {
        if (!isObject(req) || typeof req.key !== 'string') continue;
        if (req.operator === 'Exists') consider(ns.byKey.get(req.key) ?? EMPTY);
        if (req.operator !== 'In' || !Array.isArray(req.values)) continue;
        const byValue = ns.byLabel.get(req.key);
        const values = [...new Set(req.values as unknown[])].filter((v) => typeof v === 'string');
        if (values.length === 1) consider(byValue?.get(values[0] as string) ?? EMPTY);
        else consider(values.flatMap((v) => byValue?.get(v as string) ?? EMPTY));
      }
    }
  }
  return best ?? ns.all;
}

/** A superset of the ends an ipBlock (as written) matches: those whose address is in its cidr. */
function ipCandidates(block: unknown, index: EndIndex): readonly number[] {
  const text = isObject(block) ? block.cidr : undefined;
  const cidr = typeof text === 'string' ? parseCidr(text) : undefined;
  if (!cidr) return EMPTY;
  const list = index.ips[cidr.family];
  const { first, last } = cidrBounds(cidr);
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].value < first) lo = mid + 1;
    else hi = mid;
  }
  const out: number[] = [];
  for (let i = lo; i < list.length && list[i].value <= last; i++) out.push(list[i].end);
  return out;
}

/** Matching of rules against the ends of one index, each rule computed once. */
class RuleMatches {
  private readonly cache = new Map<CompiledRule, readonly number[]>();
  private readonly stamp: Int32Array;
  private stampId = 0;

  constructor(
    private readonly core: EvaluatorCore,
    private readonly index: EndIndex,
  ) {
    this.stamp = new Int32Array(index.ends.length);
  }

  /** The ends the rule matches (exactly), in no particular order; `policyNamespace` is the rule's. */
  matched(rule: CompiledRule, policyNamespace: string): readonly number[] {
    let out = this.cache.get(rule);
    if (out) return out;
    if (rule.matchesEveryone) out = this.index.all;
    else {
      const found: number[] = [];
      const id = ++this.stampId;
      for (const spec of rule.peerSpecs) {
        for (const c of this.candidates(spec, policyNamespace)) {
          if (this.stamp[c] === id) continue;
          this.stamp[c] = id;
          if (ruleMatches(rule, this.index.ends[c])) found.push(c);
        }
      }
      out = found;
    }
    this.cache.set(rule, out);
    return out;
  }

  /** A superset of the ends one peer (as written) matches; see compilePeer for the shapes. */
  private candidates(peer: unknown, policyNamespace: string): readonly number[] {
    if (!isObject(peer)) return EMPTY;
    const hasPods = peer.podSelector !== undefined && peer.podSelector !== null;
    const hasNamespaces = peer.namespaceSelector !== undefined && peer.namespaceSelector !== null;
    if (peer.ipBlock !== undefined && peer.ipBlock !== null)
      return hasPods || hasNamespaces ? EMPTY : ipCandidates(peer.ipBlock, this.index);
    if (!hasPods && !hasNamespaces) return EMPTY;
    let namespaces: string[];
    if (!hasNamespaces) namespaces = [policyNamespace];
    else {
      const nsMatches = compileLabelSelector(peer.namespaceSelector as never);
      namespaces = [...this.index.pods.keys()].filter((ns) =>
        nsMatches(this.core.labelsOfNamespace(ns)),
      );
    }
    const out: number[] = [];
    for (const name of namespaces) {
      const ns = this.index.pods.get(name);
      if (!ns) continue;
      const list = hasPods ? podCandidates(peer.podSelector, ns) : ns.all;
      for (const i of list) out.push(i);
    }
    return out;
  }
}

/** The rules that apply to each pod end of `index` in one direction; undefined: not isolated. */
function selections(
  index: EndIndex,
  policiesOf: (namespace: string) => readonly CompiledPolicy[],
  direction: 'ingress' | 'egress',
): ({ rules: CompiledRule[]; namespace: string } | undefined)[] {
  const out: ({ rules: CompiledRule[]; namespace: string } | undefined)[] = index.ends.map(
    () => undefined,
  );
  for (const [namespace, ns] of index.pods) {
    for (const policy of policiesOf(namespace)) {
      for (const i of podCandidates(policy.podSelector, ns)) {
        const end = index.ends[i];
        if (end.kind !== 'pod' || !policy.selects(end.pod.labels)) continue;
        const sel = (out[i] ??= { rules: [], namespace });
        for (const r of policy[direction] ?? []) sel.rules.push(r);
      }
    }
  }
  return out;
}

/** Port sets gathered for one end: those that apply to every counterpart, and per counterpart. */
interface Gathered {
  everyone: PortSet[];
  byEnd: Map<number, PortSet[]>;
}

function gather(sel: { rules: CompiledRule[]; namespace: string }, matches: RuleMatches): Gathered {
  const g: Gathered = { everyone: [], byEnd: new Map() };
  for (const rule of sel.rules) {
    if (rule.matchesEveryone) {
      g.everyone.push(rule.ports);
      continue;
    }
    for (const e of matches.matched(rule, sel.namespace)) pushTo(g.byEnd, e, rule.ports);
  }
  return g;
}

/** The union, with the evaluator's shortcuts (the same set as unionPortSets). */
function union(a: readonly PortSet[], b: readonly PortSet[] | undefined): PortSet {
  const parts = b ? [...a, ...b] : a;
  if (parts.length === 0) return NO_PORTS;
  if (parts.some(isAllPorts)) return ALL_PORTS;
  return parts.length === 1 ? parts[0] : unionPortSets(...parts);
}

/** The intersection, with the evaluator's shortcuts (the same set as intersectPortSets). */
function intersect(a: PortSet, b: PortSet): PortSet {
  if (isEmptyPortSet(a) || isAllPorts(b)) return a;
  if (isEmptyPortSet(b) || isAllPorts(a)) return b;
  return intersectPortSets(a, b);
}

function sparseMatrix(
  core: EvaluatorCore,
  sources: readonly MatrixSource[],
  destinations: readonly MatrixDestination[],
): MatrixEntry[] {
  const srcIndex = buildIndex(sources.map((s) => core.resolve(s.source)));
  const dstIndex = buildIndex(destinations.map((d) => core.resolvePod(d.pod)));
  const srcMatches = new RuleMatches(core, srcIndex);
  const dstMatches = new RuleMatches(core, dstIndex);
  const ingress = selections(dstIndex, core.ingressPolicies, 'ingress');
  // An external source has no egress policies; only pod sources are looked up.
  const egressSel = selections(srcIndex, core.egressPolicies, 'egress');
  const egress = egressSel.map((sel) => (sel ? gather(sel, dstMatches) : undefined));

  const egressTo = (s: number, d: number): PortSet => {
    const e = egress[s];
    return e ? union(e.everyone, e.byEnd.get(d)) : ALL_PORTS;
  };
  const out: MatrixEntry[] = [];
  const emit = (s: number, d: number, ingressPorts: PortSet) => {
    const e = egressTo(s, d);
    if (isEmptyPortSet(e)) return;
    const ports = intersect(e, ingressPorts);
    if (!isEmptyPortSet(ports))
      out.push({ source: sources[s].id, destination: destinations[d].id, ports });
  };
  for (let d = 0; d < destinations.length; d++) {
    const sel = ingress[d];
    if (!sel) {
      for (let s = 0; s < sources.length; s++) emit(s, d, ALL_PORTS);
      continue;
    }
    const g = gather(sel, srcMatches);
    if (g.everyone.length > 0) {
      for (let s = 0; s < sources.length; s++) emit(s, d, union(g.everyone, g.byEnd.get(s)));
      continue;
    }
    const matched = [...g.byEnd.keys()].sort((a, b) => a - b);
    for (const s of matched) emit(s, d, union(g.byEnd.get(s)!, undefined));
  }
  return out;
}

/**
 * Compiles `policies` once (as createEvaluator does) and returns a function that answers the
 * non-empty cells of `evaluateMatrix(policies, namespaces, sources, destinations)`: the same
 * ports for every pair that allows something, ordered destination-major (for each
 * destination in the given order, its sources in the given order); a missing pair allows
 * nothing. See the module comment for how it avoids visiting every pair. Pure; never throws
 * where createEvaluator does not.
 */
export function createSparseMatrixEvaluator(
  policies: readonly NetworkPolicy[],
  namespaces: readonly EvalNamespace[],
): (sources: readonly MatrixSource[], destinations: readonly MatrixDestination[]) => MatrixEntry[] {
  const core = buildEvaluator(policies, namespaces);
  return (sources, destinations) => sparseMatrix(core, sources, destinations);
}

/** createSparseMatrixEvaluator for one question. */
export function evaluateSparseMatrix(
  policies: readonly NetworkPolicy[],
  namespaces: readonly EvalNamespace[],
  sources: readonly MatrixSource[],
  destinations: readonly MatrixDestination[],
): MatrixEntry[] {
  return createSparseMatrixEvaluator(policies, namespaces)(sources, destinations);
}
