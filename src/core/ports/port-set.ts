import { PROTOCOLS, type NetworkPolicyPort, type Protocol } from '../kube/network-policy.types.js';

/** The ports of one protocol: every port, or merged numeric ranges plus named ports. */
export type ProtocolPorts =
  | { readonly all: true }
  | {
      readonly all: false;
      readonly ranges: readonly (readonly [number, number])[];
      readonly named: readonly string[];
    };

/**
 * A canonical set of (protocol, port) pairs. A protocol that is absent has no ports.
 * Named ports are opaque atoms: they resolve to numbers only on a concrete pod, so a
 * numeric range contains a named port only when it covers every port (1-65535).
 */
export type PortSet = Readonly<Partial<Record<Protocol, ProtocolPorts>>>;

/** A port as it appears in a normalised document: protocol always set, port optional. */
export interface PortSpec {
  protocol: Protocol;
  /** A number, or a named port; absent means every port of the protocol. */
  port?: number | string;
  /** Inclusive end of a numeric range; only with a numeric port. */
  endPort?: number;
}

export const MIN_PORT = 1;
export const MAX_PORT = 65535;

const ALL: ProtocolPorts = Object.freeze({ all: true });

/** The empty set: nothing allowed. */
export const NO_PORTS: PortSet = Object.freeze({});

/** Every port of every protocol NetworkPolicy knows (a rule without `ports`). */
export const ALL_PORTS: PortSet = Object.freeze({ SCTP: ALL, TCP: ALL, UDP: ALL });

/** Canonicalises one protocol's ranges and names: sorted, merged when overlapping or adjacent. */
function canonicalProtocol(
  ranges: (readonly [number, number])[],
  named: Iterable<string>,
): ProtocolPorts | undefined {
  // Ranges the API server would reject (reversed, fractional, out of 1-65535) contain no port.
  const sorted = ranges
    .filter(
      ([lo, hi]) =>
        Number.isInteger(lo) &&
        Number.isInteger(hi) &&
        lo <= hi &&
        hi >= MIN_PORT &&
        lo <= MAX_PORT,
    )
    .map(([lo, hi]) => [Math.max(lo, MIN_PORT), Math.min(hi, MAX_PORT)] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = merged[merged.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else merged.push([lo, hi]);
  }
  if (merged.length === 1 && merged[0][0] <= MIN_PORT && merged[0][1] >= MAX_PORT) return ALL;
  // A port name always holds a letter, so a name can never be confused with a number.
  const names = [...new Set(named)].filter((n) => /[a-z]/.test(n)).sort();
  if (merged.length === 0 && names.length === 0) return undefined;
  return { all: false, ranges: merged, named: names };
}

function build(entries: Partial<Record<Protocol, ProtocolPorts | undefined>>): PortSet {
  const out: Partial<Record<Protocol, ProtocolPorts>> = {};
  for (const p of PROTOCOLS) {
    const v = entries[p];
    if (v) out[p] = v;
  }
  return out;
}

/**
 * Builds the set a list of NetworkPolicy-style ports denotes. `undefined` or an empty list
 * means every port of every protocol, as a NetworkPolicy rule without `ports` does; a port
 * without `protocol` is TCP, as the API server defaults it.
 */
export function portSetFromPorts(ports: readonly NetworkPolicyPort[] | undefined): PortSet {
  if (!ports || ports.length === 0) return ALL_PORTS;
  const ranges: Partial<Record<Protocol, [number, number][]>> = {};
  const named: Partial<Record<Protocol, string[]>> = {};
  const all = new Set<Protocol>();
  for (const p of ports) {
    const protocol = p.protocol ?? 'TCP';
    if (p.port === undefined) all.add(protocol);
    else if (typeof p.port === 'string') (named[protocol] ??= []).push(p.port);
    else (ranges[protocol] ??= []).push([p.port, p.endPort ?? p.port]);
  }
  const entries: Partial<Record<Protocol, ProtocolPorts | undefined>> = {};
  for (const p of PROTOCOLS) {
    entries[p] = all.has(p) ? ALL : canonicalProtocol(ranges[p] ?? [], named[p] ?? []);
  }
  return build(entries);
}

/** The union of any number of port sets. */
export function unionPortSets(...sets: PortSet[]): PortSet {
  const entries: Partial<Record<Protocol, ProtocolPorts | undefined>> = {};
  for (const p of PROTOCOLS) {
    const parts = sets.map((s) => s[p]).filter((x): x is ProtocolPorts => x !== undefined);
    if (parts.some((x) => x.all)) entries[p] = ALL;
    else {
      const ranges: [number, number][] = [];
      const names: string[] = [];
      for (const x of parts) {
        if (x.all) continue;
        for (const r of x.ranges) ranges.push([r[0], r[1]]);
        names.push(...x.named);
      }
      entries[p] = canonicalProtocol(ranges, names);
    }
  }
  return build(entries);
}

function intersectProtocol(a: ProtocolPorts, b: ProtocolPorts): ProtocolPorts | undefined {
  if (a.all) return b;
  if (b.all) return a;
  const ranges: [number, number][] = [];
  for (const [alo, ahi] of a.ranges) {
    for (const [blo, bhi] of b.ranges) {
      const lo = Math.max(alo, blo);
      const hi = Math.min(ahi, bhi);
      if (lo <= hi) ranges.push([lo, hi]);
    }
  }
  const bNames = new Set(b.named);
  return canonicalProtocol(
    ranges,
    a.named.filter((n) => bNames.has(n)),
  );
}

/** The intersection of two port sets (a connection must pass both ingress and egress). */
export function intersectPortSets(a: PortSet, b: PortSet): PortSet {
  const entries: Partial<Record<Protocol, ProtocolPorts | undefined>> = {};
  for (const p of PROTOCOLS) {
    const x = a[p];
    const y = b[p];
    entries[p] = x && y ? intersectProtocol(x, y) : undefined;
  }
  return build(entries);
}

/** True when the set contains no port at all. */
export function isEmptyPortSet(s: PortSet): boolean {
  return PROTOCOLS.every((p) => s[p] === undefined);
}

/** True when the set is every port of every protocol. */
export function isAllPorts(s: PortSet): boolean {
  return PROTOCOLS.every((p) => s[p]?.all === true);
}

/** True when `port` (a number or a named port) of `protocol` is in the set. */
export function portSetContains(s: PortSet, protocol: Protocol, port: number | string): boolean {
  const x = s[protocol];
  if (!x) return false;
  if (x.all) return true;
  if (typeof port === 'string') return x.named.includes(port);
  return x.ranges.some(([lo, hi]) => port >= lo && port <= hi);
}

/**
 * A canonical, human-readable rendering, also usable as an equality key:
 * `all`, `none`, or `TCP:23,8000-8100,http;UDP:all`.
 */
export function describePortSet(s: PortSet): string {
  if (isAllPorts(s)) return 'all';
  if (isEmptyPortSet(s)) return 'none';
  return PROTOCOLS.filter((p) => s[p])
    .map((p) => `${p}:${describeProtocol(s[p] as ProtocolPorts)}`)
    .join(';');
}

function describeProtocol(x: ProtocolPorts): string {
  if (x.all) return 'all';
  const parts = x.ranges.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`));
  return [...parts, ...x.named].join(',');
}

/** Structural equality of two port sets (both are canonical). */
export function portSetsEqual(a: PortSet, b: PortSet): boolean {
  return describePortSet(a) === describePortSet(b);
}

/**
 * The NetworkPolicy `ports` list that denotes the set, sorted by protocol then port.
 * Returns `undefined` for every port of every protocol (the rule then has no `ports`),
 * and `[]` for the empty set (callers emit no rule at all for it).
 */
export function portSetToPorts(s: PortSet): NetworkPolicyPort[] | undefined {
  if (isAllPorts(s)) return undefined;
  const out: NetworkPolicyPort[] = [];
  for (const protocol of PROTOCOLS) {
    const x = s[protocol];
    if (!x) continue;
    if (x.all) {
      out.push({ protocol });
      continue;
    }
    for (const [lo, hi] of x.ranges) {
      out.push(lo === hi ? { protocol, port: lo } : { protocol, port: lo, endPort: hi });
    }
    for (const name of x.named) out.push({ protocol, port: name });
  }
  return out;
}

/** The set denoted by a document's port list; an empty list means every port. */
export function portSetFromSpecs(specs: readonly PortSpec[]): PortSet {
  return portSetFromPorts(specs);
}

/** A JSON-friendly rendering for API answers: `"all"` or `[{ protocol, ports: [...] }]`. */
export function portSetToJson(
  s: PortSet,
): 'all' | { protocol: Protocol; ports: 'all' | string[] }[] {
  if (isAllPorts(s)) return 'all';
  return PROTOCOLS.filter((p) => s[p]).map((protocol) => {
    const x = s[protocol] as ProtocolPorts;
    return { protocol, ports: x.all ? 'all' : describeProtocol(x).split(',') };
  });
}
