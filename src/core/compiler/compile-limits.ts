import type { NormalisedDocument } from '../document/policy-document.types.js';
import type {
  LabelSelector,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicySpec,
} from '../kube/network-policy.types.js';
import { problem, type Problem } from '../problems/problem.js';

/**
 * Caps on the size of a compiled document, so that no request makes the service build,
 * store, diff or apply an unbounded amount of objects (see src/core/README.md, Limits).
 * Every count is a total over all compiled objects (all namespaces).
 */
export interface CompileLimits {
  /** NetworkPolicies: networks × namespaces. */
  objects: number;
  /** Ingress and egress rules. */
  rules: number;
  /** Peers (`from` and `to` entries). */
  peers: number;
  /**
   * Every value a peer matches on: the label values of its selectors (`matchLabels` values and
   * `In`/`NotIn` values) and the `cidr` and `except` entries of its ipBlock.
   */
  selectorValues: number;
  /**
   * The (source, destination) network pairs the contracts list, counted per contract before
   * merging (a 400 × 400 contract lists 320,000). This is the compiler's work; it is checked
   * first, from the document alone, so an oversized document is refused before any grant
   * is computed.
   */
  grantPairs: number;
}

/**
 * The defaults. `bench/synthetic-document.ts` with 20,000 networks (3 namespaces) compiles to
 * 60,000 objects, 126,000 rules, 126,000 peers and 311,988 selector values from 179,992 grant
 * pairs: every default is at least twice that (compile-limits.spec.ts checks it). One contract of 400 × 400 networks in one
 * namespace (320,800 selector values) passes; in three namespaces, or at 2,000 × 2,000 (8
 * million grant pairs), it is refused.
 */
export const DEFAULT_COMPILE_LIMITS: Readonly<CompileLimits> = Object.freeze({
  objects: 150_000,
  rules: 300_000,
  peers: 300_000,
  selectorValues: 750_000,
  grantPairs: 1_000_000,
});

/** The size of a set of compiled objects, in the units of CompileLimits. */
export type CompiledSize = CompileLimits;

/** What each limit counts, for messages. */
const WHAT: Record<keyof CompileLimits, string> = {
  objects: 'NetworkPolicies',
  rules: 'rules',
  peers: 'peers',
  selectorValues: 'selector values',
  grantPairs: 'network pairs listed by contracts',
};

/** `1234567` → `1,234,567`, the same on every machine (no locale). */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The limits in force: the defaults with each valid override (a non-negative integer) applied. */
export function resolveLimits(overrides: Partial<CompileLimits> = {}): CompileLimits {
  const out = { ...DEFAULT_COMPILE_LIMITS };
  for (const key of Object.keys(out) as (keyof CompileLimits)[]) {
    const v = overrides?.[key];
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) out[key] = v;
  }
  return out;
}

function limitProblem(
  limit: keyof CompileLimits,
  count: number,
  max: number,
  contributors: string[],
): Problem {
  return problem('', 'COMPILE_LIMIT_EXCEEDED', {
    count: formatCount(count),
    what: WHAT[limit],
    limit,
    max: formatCount(max),
    contributors: contributors.join('; '),
  });
}

/** The `n` largest entries by `size`, then by name (a stable order for equal sizes). */
function largest<T extends { name: string; size: number }>(items: T[], n = 3): T[] {
  return [...items]
    .sort((a, b) => b.size - a.size || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, n);
}

/**
 * Checks what the document alone tells, in time linear in its size and before any grant is
 * computed: the number of objects (networks × namespaces) and the grant pairs its contracts
 * list (see CompileLimits.grantPairs). Returns COMPILE_LIMIT_EXCEEDED problems naming the
 * largest contributors (the contracts with the most pairs), or none.
 */
export function checkDocumentLimits(doc: NormalisedDocument, limits: CompileLimits): Problem[] {
  const problems: Problem[] = [];
  const objects = doc.networks.length * doc.namespaces.length;
  if (objects > limits.objects)
    problems.push(
      limitProblem('objects', objects, limits.objects, [
        `${formatCount(doc.networks.length)} networks × ${formatCount(doc.namespaces.length)} namespaces`,
      ]),
    );
  const contracts: { name: string; size: number; providers: number; consumers: number }[] = [];
  let pairs = doc.options.intraNetwork === 'isolate' ? 0 : doc.networks.length;
  for (const c of doc.contracts) {
    const providers = new Set(c.providers);
    let both = 0;
    for (const n of c.consumers) if (providers.has(n)) both++;
    // As computeDocumentGrants iterates: rule 2 for every provider, the providers again for
    // one that also consumes, and rule 3 for every consumer that does not provide.
    const p = c.providers.length;
    const size =
      p * c.consumers.length +
      both * p +
      (c.providerAccess === 'full' ? (c.consumers.length - both) * p : 0);
    pairs += size;
    contracts.push({ name: c.name, size, providers: p, consumers: c.consumers.length });
  }
  if (pairs > limits.grantPairs)
    problems.push(
      limitProblem(
        'grantPairs',
        pairs,
        limits.grantPairs,
        largest(contracts).map(
          (c) =>
            `contract ${JSON.stringify(c.name)} (${formatCount(c.providers)} providers × ${formatCount(c.consumers)} consumers: ${formatCount(c.size)} pairs)`,
        ),
      ),
    );
  return problems;
}

function selectorValues(s: LabelSelector | undefined): number {
  if (!s) return 0;
  let n = Object.keys(s.matchLabels ?? {}).length;
  for (const e of s.matchExpressions ?? []) n += e.values?.length ?? 0;
  return n;
}

function peerValues(p: NetworkPolicyPeer): number {
  return (
    selectorValues(p.podSelector) +
    selectorValues(p.namespaceSelector) +
    (p.ipBlock ? 1 + (p.ipBlock.except?.length ?? 0) : 0)
  );
}

/** The rules, peers and selector values of one spec (see CompileLimits). */
export function measureSpec(spec: NetworkPolicySpec): Omit<CompiledSize, 'objects' | 'grantPairs'> {
  let rules = 0;
  let peers = 0;
  let values = 0;
  const count = (list: NetworkPolicyPeer[] | undefined) => {
    rules++;
    for (const p of list ?? []) {
      peers++;
      values += peerValues(p);
    }
  };
  for (const r of spec.ingress ?? []) count(r.from);
  for (const r of spec.egress ?? []) count(r.to);
  return { rules, peers, selectorValues: values };
}

/** The size of compiled objects (grantPairs is not a property of objects: 0). */
export function measureObjects(objects: readonly NetworkPolicy[]): CompiledSize {
  const size: CompiledSize = {
    objects: objects.length,
    rules: 0,
    peers: 0,
    selectorValues: 0,
    grantPairs: 0,
  };
  for (const o of objects) {
    const m = measureSpec(o.spec);
    size.rules += m.rules;
    size.peers += m.peers;
    size.selectorValues += m.selectorValues;
  }
  return size;
}

/**
 * Checks rules, peers and selector values, given each network's spec as it will be emitted
 * in every namespace (the totals are the per-network counts × namespaces; nothing is stamped
 * out yet). Returns COMPILE_LIMIT_EXCEEDED problems naming the networks with the most, or none.
 */
export function checkSpecLimits(
  namespaces: number,
  specs: ReadonlyMap<string, NetworkPolicySpec>,
  limits: CompileLimits,
): Problem[] {
  const perNetwork = [...specs].map(([name, spec]) => ({ name, ...measureSpec(spec) }));
  const problems: Problem[] = [];
  for (const key of ['rules', 'peers', 'selectorValues'] as const) {
    let total = 0;
    for (const n of perNetwork) total += n[key];
    total *= namespaces;
    if (total <= limits[key]) continue;
    problems.push(
      limitProblem(
        key,
        total,
        limits[key],
        largest(perNetwork.map((n) => ({ name: n.name, size: n[key] }))).map(
          (n) =>
            `network ${n.name} (${formatCount(n.size)} ${WHAT[key]} in each of ${formatCount(namespaces)} namespace${namespaces === 1 ? '' : 's'})`,
        ),
      ),
    );
  }
  return problems;
}
