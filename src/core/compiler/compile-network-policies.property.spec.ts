import fc from 'fast-check';
import {
  documentCorpus,
  rawDocumentArbitrary,
  type RawDocument,
} from '../../../test/support/policy-document.arbitrary.js';
import { parsePolicyDocument } from '../document/parse-policy-document.js';
import type { NormalisedDocument } from '../document/policy-document.types.js';
import { createEvaluator } from '../evaluator/evaluate-network-policies.js';
import type { EvalPod, EvalSource } from '../evaluator/evaluator.types.js';
import type { NetworkPolicy } from '../kube/network-policy.types.js';
import { cidrContainsIp, parseCidr, parseIp } from '../net/cidr.js';
import {
  ALL_PORTS,
  NO_PORTS,
  describePortSet,
  intersectPortSets,
  portSetFromPorts,
  portSetFromSpecs,
  unionPortSets,
  type PortSet,
} from '../ports/port-set.js';
import { compileNetworkPolicies } from './compile-network-policies.js';
import { validateNetworkPolicy } from './validate-network-policy.js';

// The oracle below restates the truth table of src/core/README.md naively, independently of
// network-grants.ts, so that the differential test compares two implementations of the spec:
// this one, and compile → evaluate.

const OUTSIDE_NS = 'outside';
const DNS_PORTS = portSetFromPorts([
  { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 53 },
]);

function memberOf(doc: NormalisedDocument, pod: EvalPod): string | undefined {
  const value = pod.labels[doc.options.labelKey];
  if (value === undefined || !doc.networks.includes(value)) return undefined;
  if (doc.options.peerNamespaces === 'listed' && !doc.namespaces.includes(pod.namespace))
    return undefined;
  return value;
}

/** Rules 1–3: the ports members of `dst` accept from members of `src`. */
function networkGrant(doc: NormalisedDocument, src: string, dst: string): PortSet {
  if (src === dst && doc.options.intraNetwork === 'isolate') return NO_PORTS;
  let ports: PortSet = src === dst ? ALL_PORTS : NO_PORTS;
  for (const c of doc.contracts) {
    const provides = c.providers.includes(dst);
    const consumes = c.consumers.includes(dst);
    if (provides && (c.consumers.includes(src) || (consumes && c.providers.includes(src)))) {
      ports = unionPortSets(ports, portSetFromSpecs(c.ports));
    }
    if (consumes && !provides && c.providerAccess === 'full' && c.providers.includes(src))
      ports = ALL_PORTS;
  }
  return ports;
}

function expectedIngress(doc: NormalisedDocument, src: EvalSource, dst: EvalPod): PortSet {
  const dstNet = dst.labels[doc.options.labelKey];
  if (
    !doc.namespaces.includes(dst.namespace) ||
    dstNet === undefined ||
    !doc.networks.includes(dstNet)
  )
    return ALL_PORTS;
  if (src.kind === 'pod') {
    const srcNet = memberOf(doc, src.pod);
    return srcNet === undefined ? NO_PORTS : networkGrant(doc, srcNet, dstNet);
  }
  const ip = parseIp(src.ip)!;
  let ports: PortSet = NO_PORTS;
  for (const e of doc.expose) {
    if (e.network !== dstNet) continue;
    const inside = cidrContainsIp(parseCidr(e.cidr)!, ip);
    const excluded = e.except.some((x) => cidrContainsIp(parseCidr(x)!, ip));
    if (inside && !excluded) ports = unionPortSets(ports, portSetFromSpecs(e.ports));
  }
  return ports;
}

function expectedEgress(doc: NormalisedDocument, src: EvalPod, dst: EvalSource): PortSet {
  const srcNet = src.labels[doc.options.labelKey];
  const isolated =
    doc.options.egress === 'enforce' &&
    doc.namespaces.includes(src.namespace) &&
    srcNet !== undefined &&
    doc.networks.includes(srcNet);
  if (!isolated) return ALL_PORTS;
  if (dst.kind === 'external') return NO_PORTS;
  const dstNet = memberOf(doc, dst.pod);
  let ports = dstNet === undefined ? NO_PORTS : networkGrant(doc, srcNet, dstNet);
  if (dst.pod.namespace === 'kube-system' && dst.pod.labels['k8s-app'] === 'kube-dns')
    ports = unionPortSets(ports, DNS_PORTS);
  return ports;
}

function expected(doc: NormalisedDocument, src: EvalSource, dst: EvalPod): PortSet {
  const ingress = expectedIngress(doc, src, dst);
  return src.kind === 'pod'
    ? intersectPortSets(ingress, expectedEgress(doc, src.pod, { kind: 'pod', pod: dst }))
    : ingress;
}

/** Every kind of pod the truth table distinguishes, in listed, unlisted and system namespaces. */
function worldPods(doc: NormalisedDocument): EvalPod[] {
  const key = doc.options.labelKey;
  const pods: EvalPod[] = [{ namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }];
  for (const namespace of [...doc.namespaces, OUTSIDE_NS]) {
    for (const n of doc.networks) pods.push({ namespace, labels: { [key]: n } });
    pods.push(
      { namespace, labels: {} },
      { namespace, labels: { [key]: 'stranger' } },
      { namespace, labels: { other: 'x' } },
    );
  }
  return pods;
}

/** Addresses inside and outside every cidr and except of the document, plus fixed ones. */
function worldAddresses(doc: NormalisedDocument): string[] {
  const ips = new Set(['8.8.8.8', '10.9.9.9', '2001:db8:ffff::1', '::1']);
  for (const e of doc.expose) {
    for (const c of [e.cidr, ...e.except]) {
      const ip = c.split('/')[0];
      ips.add(ip);
      if (!ip.includes(':')) ips.add(ip.replace(/\.0$/, '.9'));
    }
  }
  return [...ips].sort();
}

function checkDifferential(doc: NormalisedDocument, objects: NetworkPolicy[]): void {
  const evaluator = createEvaluator(
    objects,
    [...doc.namespaces, OUTSIDE_NS, 'kube-system'].map((name) => ({ name, labels: {} })),
  );
  const pods = worldPods(doc);
  const sources: EvalSource[] = [
    ...pods.map((pod) => ({ kind: 'pod' as const, pod })),
    ...worldAddresses(doc).map((ip) => ({ kind: 'external' as const, ip })),
  ];
  for (const src of sources) {
    for (const dst of pods) {
      const got = describePortSet(evaluator.allowedPorts(src, dst));
      const want = describePortSet(expected(doc, src, dst));
      if (got !== want) {
        throw new Error(
          `${JSON.stringify(src)} → ${JSON.stringify(dst)}: evaluator says ${got}, truth table says ${want}`,
        );
      }
    }
  }
}

function parseOk(raw: unknown): NormalisedDocument {
  const r = parsePolicyDocument(raw);
  if (!r.ok) throw new Error(`generator produced an invalid document: ${JSON.stringify(r.errors)}`);
  return r.document;
}

/** The same document with contract keys, and the lists inside, in another order. */
function shuffled(raw: RawDocument, seed: number): RawDocument {
  let state = seed || 1;
  const rnd = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const shuffle = <T>(xs: T[]): T[] =>
    xs
      .map((x) => [rnd(), x] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, x]) => x);
  const contracts: Record<string, unknown> = {};
  for (const [k, v] of shuffle(Object.entries(raw.contracts))) {
    const c = v as Record<string, unknown>;
    contracts[k] = {
      ...c,
      provide_networks: shuffle([...(c.provide_networks as string[])]),
      consume_networks: shuffle([...(c.consume_networks as string[])]),
      ...(Array.isArray(c.ports) ? { ports: shuffle([...c.ports]) } : {}),
    };
  }
  return { ...raw, namespaces: shuffle([...raw.namespaces]), contracts };
}

describe('compiler properties', () => {
  it('the evaluator applied to the compiled objects equals the truth table, cell by cell', () => {
    fc.assert(
      fc.property(rawDocumentArbitrary, (raw) => {
        const doc = parseOk(raw);
        checkDifferential(doc, compileNetworkPolicies(doc));
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic and invariant to the order of contracts, networks, namespaces and ports', () => {
    fc.assert(
      fc.property(rawDocumentArbitrary, fc.integer({ min: 1, max: 1e9 }), (raw, seed) => {
        const a = JSON.stringify(compileNetworkPolicies(parseOk(raw)));
        expect(JSON.stringify(compileNetworkPolicies(parseOk(raw)))).toBe(a);
        expect(JSON.stringify(compileNetworkPolicies(parseOk(shuffled(raw, seed))))).toBe(a);
      }),
      { numRuns: 200 },
    );
  });

  it('every object is structurally valid for the API server', () => {
    for (const raw of documentCorpus(300)) {
      for (const o of compileNetworkPolicies(parseOk(raw), { policyName: 'prop' })) {
        expect(validateNetworkPolicy(o)).toEqual([]);
      }
    }
  });
});
