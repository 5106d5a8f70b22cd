import type { NormalisedDocument } from '../document/policy-document.types.js';
import { createEvaluator } from '../evaluator/evaluate-network-policies.js';
import type { EvalSource } from '../evaluator/evaluator.types.js';
import type { NetworkPolicy } from '../kube/network-policy.types.js';
import { cidrBounds, cidrContainsIp, formatIp, parseCidr } from '../net/cidr.js';
import { isEmptyPortSet, portSetToJson, type PortSet } from '../ports/port-set.js';

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
 * undefined when the excepts cover it all (they cannot, being strict subsets, but the
 * search is bounded anyway).
 */
export function sampleAddress(cidrText: string, except: string[]): string | undefined {
  const cidr = parseCidr(cidrText);
  if (!cidr) return undefined;
  const excepts = except.map(parseCidr).filter((c) => c !== undefined);
  const { last } = cidrBounds(cidr);
  let candidate = cidr.network;
  for (let i = 0; i <= excepts.length && candidate <= last; i++) {
    const hit = excepts.find((e) => cidrContainsIp(e, { family: cidr.family, value: candidate }));
    if (!hit) return formatIp(cidr.family, candidate);
    candidate = cidrBounds(hit).last + 1n;
  }
  return undefined;
}

/**
 * Evaluates `objects` (normally the compiled output of `doc`) for every document namespace:
 * each network's members, untagged pods and each exposed cidr, as sources, against each
 * network's members as destinations, in the same namespace. It reads nothing but the
 * objects' own semantics, so it checks what the compiler emitted, not what it meant.
 */
export function buildConnectivityMatrix(
  doc: NormalisedDocument,
  objects: NetworkPolicy[],
): ConnectivityMatrix {
  const evaluator = createEvaluator(
    objects,
    doc.namespaces.map((name) => ({ name, labels: {} })),
  );
  const key = doc.options.labelKey;
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

  const cells: ConnectivityCell[] = [];
  for (const namespace of doc.namespaces) {
    const evalSources: { id: string; source: EvalSource | undefined }[] = sources.map((s) => ({
      id: s.id,
      source:
        s.kind === 'network'
          ? { kind: 'pod', pod: { namespace, labels: { [key]: s.network! } } }
          : s.kind === 'untagged'
            ? { kind: 'pod', pod: { namespace, labels: {} } }
            : s.sampleAddress
              ? { kind: 'external', ip: s.sampleAddress }
              : undefined,
    }));
    for (const destination of doc.networks) {
      const dst = { namespace, labels: { [key]: destination } };
      for (const s of evalSources) {
        if (!s.source) continue;
        const ports: PortSet = evaluator.allowedPorts(s.source, dst);
        if (!isEmptyPortSet(ports))
          cells.push({ namespace, source: s.id, destination, allowed: portSetToJson(ports) });
      }
    }
  }
  return { namespaces: doc.namespaces, sources, destinations: doc.networks, cells };
}
