import {
  buildConnectivityMatrix,
  type ConnectivityCell,
} from '../connectivity/connectivity-matrix.js';
import type { NormalisedDocument, NormalisedExpose } from '../document/policy-document.types.js';
import {
  PROTOCOLS,
  type NetworkPolicy,
  type NetworkPolicyPort,
} from '../kube/network-policy.types.js';
import {
  ALL_PORTS,
  MAX_PORT,
  MIN_PORT,
  NO_PORTS,
  describePortSet,
  intersectPortSets,
  isEmptyPortSet,
  portSetFromPorts,
  portSetToJson,
  portSetsEqual,
  type PortSet,
} from '../ports/port-set.js';

/** A compiled document: the normalised document and the objects compiled from it. */
export interface ConnectivitySide {
  document: NormalisedDocument;
  objects: NetworkPolicy[];
}

/** One (namespace, source, destination) pair whose allowed ports changed. */
export interface ConnectivityDelta {
  namespace: string;
  /** A source id of the connectivity matrix: `network:<name>`, `untagged` or `cidr:<cidr>[ except ...]`. */
  source: string;
  /** The destination network. */
  destination: string;
  /** The ports gained (or lost), as describePortSet renders them, e.g. `TCP:23,3306`. */
  ports: string;
  /** The same ports in the matrix's JSON form (`"all"` or per protocol). */
  allowed: ReturnType<typeof portSetToJson>;
}

export interface ConnectivityChange {
  /** Pairs allowed more after than before (only the added ports). */
  gained: ConnectivityDelta[];
  /** Pairs allowed less after than before (only the removed ports). */
  lost: ConnectivityDelta[];
}

/** The set a matrix cell's `allowed` denotes (portSetToJson read back; exact). */
export function portSetFromJson(allowed: ConnectivityCell['allowed']): PortSet {
  if (allowed === 'all') return ALL_PORTS;
  const ports: NetworkPolicyPort[] = [];
  for (const { protocol, ports: list } of allowed) {
    if (list === 'all') {
      ports.push({ protocol });
      continue;
    }
    for (const p of list) {
      const range = /^(\d+)-(\d+)$/.exec(p);
      if (range) ports.push({ protocol, port: Number(range[1]), endPort: Number(range[2]) });
      else if (/^\d+$/.test(p)) ports.push({ protocol, port: Number(p) });
      else ports.push({ protocol, port: p });
    }
  }
  return ports.length === 0 ? NO_PORTS : portSetFromPorts(ports);
}

/** `lo..hi` ranges of `from` not covered by `minus` (both sorted, merged, within 1-65535). */
function subtractRanges(
  from: readonly (readonly [number, number])[],
  minus: readonly (readonly [number, number])[],
): [number, number][] {
  const out: [number, number][] = [];
  for (const [lo, hi] of from) {
    let start = lo;
    for (const [mlo, mhi] of minus) {
      if (mhi < start || mlo > hi) continue;
      if (mlo > start) out.push([start, mlo - 1]);
      start = Math.max(start, mhi + 1);
      if (start > hi) break;
    }
    if (start <= hi) out.push([start, hi]);
  }
  return out;
}

/**
 * The ports in `a` and not in `b`. Named ports are opaque atoms (see port-set.ts), which
 * makes one case inexact: removing named ports from a whole protocol keeps the whole protocol
 * (the complement of a name is not expressible); removing numbers from a whole protocol keeps
 * the remaining numeric ranges (names that would resolve into them are not tracked).
 */
export function subtractPortSets(a: PortSet, b: PortSet): PortSet {
  const ports: NetworkPolicyPort[] = [];
  for (const protocol of PROTOCOLS) {
    const x = a[protocol];
    const y = b[protocol];
    if (!x) continue;
    if (!y) {
      ports.push(
        ...portsOf(protocol, x.all ? [[MIN_PORT, MAX_PORT]] : x.ranges, x.all ? [] : x.named),
      );
      continue;
    }
    if (y.all) continue;
    if (x.all) {
      ports.push(...portsOf(protocol, subtractRanges([[MIN_PORT, MAX_PORT]], y.ranges), []));
      continue;
    }
    const names = new Set(y.named);
    ports.push(
      ...portsOf(
        protocol,
        subtractRanges(x.ranges, y.ranges),
        x.named.filter((n) => !names.has(n)),
      ),
    );
  }
  return ports.length === 0 ? NO_PORTS : portSetFromPorts(ports);
}

function portsOf(
  protocol: NetworkPolicyPort['protocol'],
  ranges: readonly (readonly [number, number])[],
  named: readonly string[],
): NetworkPolicyPort[] {
  return [
    ...ranges.map(([lo, hi]) =>
      lo === hi ? { protocol, port: lo } : { protocol, port: lo, endPort: hi },
    ),
    ...named.map((port) => ({ protocol, port })),
  ];
}

/** `cidr` and `except` identify a cidr source of the matrix; the rest of an expose rule is irrelevant to it. */
function exposeSources(docs: (NormalisedDocument | undefined)[]): NormalisedExpose[] {
  const seen = new Set<string>();
  const out: NormalisedExpose[] = [];
  for (const d of docs) {
    for (const e of d?.expose ?? []) {
      const id = `${e.cidr} ${e.except.join(',')}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({ ...e, index: out.length });
    }
  }
  return out;
}

const union = (...lists: (readonly string[] | undefined)[]) =>
  [...new Set(lists.flatMap((l) => l ?? []))].sort();

function cellMap(doc: NormalisedDocument, objects: NetworkPolicy[]): Map<string, PortSet> {
  const m = buildConnectivityMatrix(doc, objects);
  return new Map(
    m.cells.map((c) => [
      `${c.namespace}\u0000${c.source}\u0000${c.destination}`,
      portSetFromJson(c.allowed),
    ]),
  );
}

/**
 * What changes in who may reach whom when `before` is replaced by `after` (either may be null:
 * no policy at all). Both are evaluated by buildConnectivityMatrix over ONE world: the union of
 * both documents' namespaces, networks and exposed cidrs (each side keeps its own label key and
 * options), so that a network or namespace that only one side names is evaluated on both (on
 * the side that does not name it, its pods are selected by no policy and are unrestricted; and
 * with no policy at all, everything is allowed). For each (namespace, source, destination) the
 * ports gained are `after \ before` and those lost `before \ after`, computed with port-set
 * algebra (a pair is reported only when one set is not contained in the other, checked with
 * intersectPortSets). Sorted by namespace, destination, source. Pure.
 */
export function connectivityChange(
  before: ConnectivitySide | null,
  after: ConnectivitySide | null,
): ConnectivityChange {
  const base = after?.document ?? before?.document;
  if (!base) return { gained: [], lost: [] };
  const world = {
    namespaces: union(before?.document.namespaces, after?.document.namespaces),
    networks: union(before?.document.networks, after?.document.networks),
    contracts: [],
    expose: exposeSources([before?.document, after?.document]),
  };
  const a = cellMap(
    { ...world, options: (before?.document ?? base).options },
    before?.objects ?? [],
  );
  const b = cellMap({ ...world, options: (after?.document ?? base).options }, after?.objects ?? []);
  const gained: ConnectivityDelta[] = [];
  const lost: ConnectivityDelta[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const was = a.get(key) ?? NO_PORTS;
    const now = b.get(key) ?? NO_PORTS;
    const common = intersectPortSets(was, now);
    const [namespace, source, destination] = key.split('\u0000');
    const delta = (ports: PortSet): ConnectivityDelta => ({
      namespace,
      source,
      destination,
      ports: describePortSet(ports),
      allowed: portSetToJson(ports),
    });
    if (!portSetsEqual(common, now)) {
      const more = subtractPortSets(now, was);
      if (!isEmptyPortSet(more)) gained.push(delta(more));
    }
    if (!portSetsEqual(common, was)) {
      const less = subtractPortSets(was, now);
      if (!isEmptyPortSet(less)) lost.push(delta(less));
    }
  }
  const order = (x: ConnectivityDelta, y: ConnectivityDelta) =>
    cmp(x.namespace, y.namespace) || cmp(x.destination, y.destination) || cmp(x.source, y.source);
  return { gained: gained.sort(order), lost: lost.sort(order) };
}

function cmp(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
