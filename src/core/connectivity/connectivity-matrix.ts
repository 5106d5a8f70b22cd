import type { NormalisedDocument } from '../document/policy-document.types.js';
import { createSparseMatrixEvaluator } from '../evaluator/evaluate-sparse-matrix.js';
import type { MatrixSource } from '../evaluator/evaluator.types.js';
import { formatCount } from '../compiler/compile-limits.js';
import type { NetworkPolicy } from '../kube/network-policy.types.js';
import { problem, type Problem } from '../problems/problem.js';
import { formatIp, parseCidr } from '../net/cidr.js';
import { firstAddressOutside } from '../net/cidr-set.js';
import { portSetToJson, type PortSet } from '../ports/port-set.js';

export type ConnectivitySourceKind = 'network' | 'untagged' | 'cidr';

export interface ConnectivitySource {
  id: string;
  kind: ConnectivitySourceKind;
  network?: string;
  cidr?: string;
  /** For a cidr source: the address inside it (and outside its excepts) that was evaluated. */
  sampleAddress?: string;
}

export interface ConnectivityCell {
  namespace: string;
  source: string;
  destination: string;
  allowed: ReturnType<typeof portSetToJson>;
}

/** Who may reach each network, computed by the evaluator from compiled objects. */
export interface ConnectivityMatrix {
  namespaces: string[];
  sources: ConnectivitySource[];
  destinations: string[];
  /** Only the pairs that allow something; a missing pair is denied. */
  cells: ConnectivityCell[];
}

/**
 * The first address of an expose rule's cidr that none of its excepts contains, or
 * undefined when the excepts cover it all (EXCEPT_COVERS_CIDR refuses such a document now,
 * but a revision stored before may hold one). O(n log n) in the excepts.
 */
export function sampleAddress(cidrText: string, except: string[]): string | undefined {
  const cidr = parseCidr(cidrText);
  if (!cidr) return undefined;
  const excepts = except.map(parseCidr).filter((c) => c !== undefined);
  const first = firstAddressOutside(cidr, excepts);
  return first === undefined ? undefined : formatIp(cidr.family, first);
}

/** portSetToJson, once per distinct port set object (cells share the rule's own set). */
function jsonOfPorts(): (ports: PortSet) => ConnectivityCell['allowed'] {
  const cache = new Map<PortSet, ConnectivityCell['allowed']>();
  return (ports) => {
    let json = cache.get(ports);
    if (json === undefined) cache.set(ports, (json = portSetToJson(ports)));
    return json;
  };
}

/**
 * The rows of a connectivity view: every network, the untagged pod, then each distinct exposed
 * CIDR (with its except list) and the address that stands for it.
 */
export function connectivitySources(doc: NormalisedDocument): ConnectivitySource[] {
  const sources: ConnectivitySource[] = [
    ...doc.networks.map((n) => ({ id: `network:${n}`, kind: 'network' as const, network: n })),
    { id: 'untagged', kind: 'untagged' },
  ];
  const seenCidrs = new Set<string>();
  for (const e of doc.expose) {
    const id = `cidr:${e.cidr}${e.except.length ? ` except ${e.except.join(',')}` : ''}`;
    if (seenCidrs.has(id)) continue;
    seenCidrs.add(id);
    sources.push({
      id,
      kind: 'cidr',
      cidr: e.cidr,
      sampleAddress: sampleAddress(e.cidr, e.except),
    });
  }
  return sources;
}

/**
 * Evaluates `objects` (normally the compiled output of `doc`) for every document namespace:
 * each network's members, untagged pods and each exposed cidr, as sources, against each
 * network's members as destinations, in the same namespace. It reads nothing but the
 * objects' own semantics, so it checks what the compiler emitted, not what it meant.
 *
 * Each source and destination is an equivalence class (all members of a network in a
 * namespace behave alike, as do untagged pods, and the addresses an expose rule admits are
 * represented by one sample address). The cells come from evaluate-sparse-matrix.ts, whose
 * cost is proportional to the selector values of the rules that apply and to the cells
 * returned, not to sources × destinations × rules; the answer is exactly the evaluator's
 * for every pair (a property test keeps the pair-by-pair computation as the reference).
 * Cells are listed by namespace, then destination network, then source in `sources` order.
 */
export function buildConnectivityMatrix(
  doc: NormalisedDocument,
  objects: NetworkPolicy[],
): ConnectivityMatrix {
  const matrix = createSparseMatrixEvaluator(
    objects,
    doc.namespaces.map((name) => ({ name, labels: {} })),
  );
  const key = doc.options.labelKey;
  const sources = connectivitySources(doc);

  const json = jsonOfPorts();
  const cells: ConnectivityCell[] = [];
  for (const namespace of doc.namespaces) {
    const evalSources: MatrixSource[] = [];
    for (const s of sources) {
      if (s.kind === 'network')
        evalSources.push({
          id: s.id,
          source: { kind: 'pod', pod: { namespace, labels: { [key]: s.network! } } },
        });
      else if (s.kind === 'untagged')
        evalSources.push({ id: s.id, source: { kind: 'pod', pod: { namespace, labels: {} } } });
      else if (s.sampleAddress)
        evalSources.push({ id: s.id, source: { kind: 'external', ip: s.sampleAddress } });
    }
    const destinations = doc.networks.map((n) => ({
      id: n,
      pod: { namespace, labels: { [key]: n } },
    }));
    for (const e of matrix(evalSources, destinations))
      cells.push({
        namespace,
        source: e.source,
        destination: e.destination,
        allowed: json(e.ports),
      });
  }
  return { namespaces: doc.namespaces, sources, destinations: doc.networks, cells };
}

/** The most cells a connectivity view lists unless configured otherwise (about 20 MB of JSON). */
export const DEFAULT_MAX_CONNECTIVITY_CELLS = 200_000;

/** A connectivity view, or why it is not given (too many cells to answer with). */
export type BoundedConnectivity =
  { ok: true; matrix: ConnectivityMatrix } | { ok: false; errors: Problem[] };

/**
 * buildConnectivityMatrix, refused (CONNECTIVITY_TOO_LARGE) when it lists more than
 * `maxCells` cells: the view is then too large to answer with, though the objects are fine.
 */
export function boundedConnectivityMatrix(
  doc: NormalisedDocument,
  objects: NetworkPolicy[],
  maxCells: number = DEFAULT_MAX_CONNECTIVITY_CELLS,
): BoundedConnectivity {
  const matrix = buildConnectivityMatrix(doc, objects);
  if (matrix.cells.length <= maxCells) return { ok: true, matrix };
  return {
    ok: false,
    errors: [
      problem('', 'CONNECTIVITY_TOO_LARGE', {
        count: formatCount(matrix.cells.length),
        max: formatCount(maxCells),
      }),
    ],
  };
}
