import fc from 'fast-check';
import { rawDocumentArbitrary } from '../../../test/support/policy-document.arbitrary.js';
import { compileNetworkPolicies } from '../compiler/compile-network-policies.js';
import { parsePolicyDocument } from '../document/parse-policy-document.js';
import type { NormalisedDocument } from '../document/policy-document.types.js';
import { createEvaluator } from '../evaluator/evaluate-network-policies.js';
import type { EvalSource } from '../evaluator/evaluator.types.js';
import {
  NAMESPACE_NAME_LABEL,
  type LabelSelector,
  type NetworkPolicy,
  type NetworkPolicyPeer,
  type NetworkPolicyPort,
  type PolicyType,
} from '../kube/network-policy.types.js';
import { isEmptyPortSet, portSetToJson, type PortSet } from '../ports/port-set.js';
import {
  buildConnectivityMatrix,
  connectivitySources,
  sampleAddress,
  type ConnectivityCell,
  type ConnectivityMatrix,
} from './connectivity-matrix.js';

// The reference: the pair-by-pair implementation buildConnectivityMatrix had before it was
// computed over equivalence classes (one evaluator call per source, destination and
// namespace), kept unchanged so that the property below compares the two.
function referenceMatrix(doc: NormalisedDocument, objects: NetworkPolicy[]): ConnectivityMatrix {
  const evaluator = createEvaluator(
    objects,
    doc.namespaces.map((name) => ({ name, labels: {} })),
  );
  const key = doc.options.labelKey;
  const sources = connectivitySources(doc);

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

function parseOk(raw: unknown): NormalisedDocument {
  const r = parsePolicyDocument(raw);
  if (!r.ok) throw new Error(`invalid document: ${JSON.stringify(r.errors)}`);
  return r.document;
}

/**
 * Policies the compiler never emits, over the document's own label key, networks and
 * namespaces: NotIn, Exists, DoesNotExist, selectors on other keys, namespaces by name,
 * egress, ipBlocks over the expose samples, empty rules. They must be evaluated exactly too.
 */
function genericPolicies(doc: NormalisedDocument): fc.Arbitrary<NetworkPolicy[]> {
  const key = doc.options.labelKey;
  const networks = [...doc.networks, 'stranger'];
  const selector: fc.Arbitrary<LabelSelector> = fc.oneof(
    fc.constant({}),
    fc.constantFrom(...networks).map((n) => ({ matchLabels: { [key]: n } })),
    fc.record({
      matchExpressions: fc.array(
        fc.record({
          key: fc.constantFrom(key, 'other'),
          operator: fc.constantFrom(
            'In' as const,
            'NotIn' as const,
            'Exists' as const,
            'DoesNotExist' as const,
          ),
          values: fc.subarray(networks, { minLength: 1 }),
        }),
        { minLength: 1, maxLength: 2 },
      ),
    }),
  );
  const namespaceSelector: fc.Arbitrary<LabelSelector> = fc.oneof(
    fc.constant({}),
    fc
      .constantFrom(...doc.namespaces, 'elsewhere')
      .map((n) => ({ matchLabels: { [NAMESPACE_NAME_LABEL]: n } })),
  );
  const peer: fc.Arbitrary<NetworkPolicyPeer> = fc.oneof(
    fc.record({ podSelector: selector }),
    fc.record({ podSelector: selector, namespaceSelector }),
    fc.record({ namespaceSelector }),
    fc.record({
      ipBlock: fc.record(
        {
          cidr: fc.constantFrom('0.0.0.0/0', '10.0.0.0/8', '2001:db8::/32'),
          except: fc.constantFrom<string[]>([], ['10.0.0.0/16']),
        },
        { requiredKeys: ['cidr'] },
      ),
    }),
  );
  const rule = fc.record(
    {
      peers: fc.array(peer, { maxLength: 3 }),
      ports: fc.constantFrom<NetworkPolicyPort[] | undefined>(
        undefined,
        [{ port: 443 }],
        [{ protocol: 'UDP' }],
      ),
    },
    { requiredKeys: ['peers'] },
  );
  return fc.array(
    fc
      .record({
        namespace: fc.constantFrom(...doc.namespaces),
        podSelector: selector,
        policyTypes: fc.constantFrom<PolicyType[] | undefined>(
          ['Ingress'],
          ['Egress'],
          ['Ingress', 'Egress'],
          undefined,
        ),
        ingress: fc.array(rule, { maxLength: 2 }),
        egress: fc.array(rule, { maxLength: 2 }),
      })
      .map(({ namespace, podSelector, policyTypes, ingress, egress }) => ({
        apiVersion: 'networking.k8s.io/v1' as const,
        kind: 'NetworkPolicy' as const,
        metadata: { name: 'generic', namespace },
        spec: {
          podSelector,
          ...(policyTypes ? { policyTypes } : {}),
          ingress: ingress.map((r) => ({ from: r.peers, ...(r.ports ? { ports: r.ports } : {}) })),
          egress: egress.map((r) => ({ to: r.peers, ...(r.ports ? { ports: r.ports } : {}) })),
        },
      })),
    { maxLength: 3 },
  );
}

const worldArbitrary = rawDocumentArbitrary.chain((raw) => {
  const doc = parseOk(raw);
  return fc.record({
    doc: fc.constant(doc),
    generic: genericPolicies(doc),
    dropRules: fc.boolean(),
  });
});

describe('buildConnectivityMatrix', () => {
  it('equals the pair-by-pair reference on compiled objects, with generic policies mixed in', () => {
    fc.assert(
      fc.property(worldArbitrary, ({ doc, generic, dropRules }) => {
        let objects = compileNetworkPolicies(doc);
        // Objects as a cluster may hold them: hand-edited (a rule removed), others added.
        if (dropRules)
          objects = objects.map((o) => ({
            ...o,
            spec: { ...o.spec, ingress: o.spec.ingress?.slice(1) },
          }));
        objects = [...objects, ...generic];
        expect(buildConnectivityMatrix(doc, objects)).toEqual(referenceMatrix(doc, objects));
      }),
      { numRuns: 300 },
    );
  });

  it('answers a 400 × 400 contract: 320,800 cells (time: npm run bench:connectivity)', () => {
    const names = (p: string) => Array.from({ length: 400 }, (_, i) => `${p}${i}`);
    const doc = parseOk({
      namespaces: ['mms'],
      contracts: {
        c1: { provide_networks: names('p'), consume_networks: names('c'), ports: [{ port: 443 }] },
      },
    });
    const objects = compileNetworkPolicies(doc);
    const m = buildConnectivityMatrix(doc, objects);
    // Providers accept consumers on 443 and each other (intra); consumers accept providers on all.
    expect(m.cells).toHaveLength(400 * 400 * 2 + 800);
  });

  it('samples an expose cidr outside its excepts, and none when they cover it all', () => {
    expect(sampleAddress('10.0.0.0/8', ['10.0.0.0/16', '10.1.0.0/16'])).toBe('10.2.0.0');
    expect(sampleAddress('10.0.0.0/24', ['10.0.0.0/25', '10.0.0.128/25'])).toBeUndefined();
    expect(sampleAddress('2001:db8::/32', [])).toBe('2001:db8::');
  });
});
