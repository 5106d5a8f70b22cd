import fc from 'fast-check';
import type {
  LabelSelector,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  PolicyType,
} from '../kube/network-policy.types.js';
import { describePortSet, intersectPortSets, portSetsEqual } from '../ports/port-set.js';
import { createEvaluator, evaluateMatrix } from './evaluate-network-policies.js';
import { NAMESPACES, policy } from './evaluator.fixtures.js';
import type { EvalPod, EvalSource } from './evaluator.types.js';

const NS_NAMES = ['prod', 'dev', 'kube-system', 'unknown'];
const APPS = ['web', 'db', 'cache'];

const arbLabels: fc.Arbitrary<Record<string, string>> = fc.record(
  { app: fc.constantFrom(...APPS), tier: fc.constantFrom('a', 'b') },
  { requiredKeys: [] },
);

const arbSelector: fc.Arbitrary<LabelSelector> = fc.oneof(
  fc.constant({}),
  fc.record({ matchLabels: fc.record({ app: fc.constantFrom(...APPS) }) }),
  fc.record({
    matchExpressions: fc.array(
      fc.record({
        key: fc.constantFrom('app', 'tier', 'env', 'kubernetes.io/metadata.name'),
        operator: fc.constantFrom(
          'In' as const,
          'NotIn' as const,
          'Exists' as const,
          'DoesNotExist' as const,
        ),
        values: fc.subarray([...APPS, 'a', 'prod', 'dev', 'kube-system']),
      }),
      { maxLength: 2 },
    ),
  }),
);

const arbPeer: fc.Arbitrary<NetworkPolicyPeer> = fc.oneof(
  fc.record({ podSelector: arbSelector }),
  fc.record({ namespaceSelector: arbSelector }),
  fc.record({ podSelector: arbSelector, namespaceSelector: arbSelector }),
  fc.record({
    ipBlock: fc.record(
      {
        cidr: fc.constantFrom('10.0.0.0/8', '0.0.0.0/0', '2001:db8::/32'),
        except: fc.constantFrom<string[]>(['10.1.0.0/16'], []),
      },
      { requiredKeys: ['cidr'] },
    ),
  }),
);

const arbPort: fc.Arbitrary<NetworkPolicyPort> = fc.oneof(
  fc.record({ port: fc.integer({ min: 1, max: 20 }) }),
  fc.record({
    protocol: fc.constantFrom('TCP' as const, 'UDP' as const, 'SCTP' as const),
    port: fc.integer({ min: 1, max: 20 }),
  }),
  fc
    .integer({ min: 1, max: 20 })
    .chain((lo) => fc.record({ port: fc.constant(lo), endPort: fc.integer({ min: lo, max: 25 }) })),
  fc.record({ port: fc.constantFrom('http', 'dns') }),
  fc.record({ protocol: fc.constantFrom('TCP' as const, 'UDP' as const) }),
);

const arbPorts = fc.option(fc.array(arbPort, { maxLength: 3 }), { nil: undefined });
const arbPeers = fc.option(fc.array(arbPeer, { maxLength: 2 }), { nil: undefined });

const arbPolicy: fc.Arbitrary<NetworkPolicy> = fc
  .record(
    {
      ns: fc.constantFrom(...NS_NAMES),
      podSelector: arbSelector,
      policyTypes: fc.option(
        fc.constantFrom<PolicyType[]>(['Ingress'], ['Egress'], ['Ingress', 'Egress'], []),
        { nil: undefined },
      ),
      ingress: fc.option(
        fc.array(fc.record({ from: arbPeers, ports: arbPorts }), { maxLength: 2 }),
        { nil: undefined },
      ),
      egress: fc.option(fc.array(fc.record({ to: arbPeers, ports: arbPorts }), { maxLength: 2 }), {
        nil: undefined,
      }),
    },
    { requiredKeys: ['ns', 'podSelector'] },
  )
  .map(({ ns, ...spec }) => policy(ns, 'p', spec));

const arbPod: fc.Arbitrary<EvalPod> = fc.record(
  {
    namespace: fc.constantFrom(...NS_NAMES),
    labels: arbLabels,
    ip: fc.constantFrom('10.2.3.4', '10.1.0.1', '2001:db8::1'),
  },
  { requiredKeys: ['namespace', 'labels'] },
);
const arbSource: fc.Arbitrary<EvalSource> = fc.oneof(
  { weight: 4, arbitrary: arbPod.map((p): EvalSource => ({ kind: 'pod', pod: p })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('10.2.3.4', '10.1.0.1', '8.8.8.8', '2001:db8::1')
      .map((ip): EvalSource => ({ kind: 'external', ip })),
  },
);

const arbWorld = fc.record({
  policies: fc.array(arbPolicy, { maxLength: 6 }),
  sources: fc.array(arbSource, { minLength: 1, maxLength: 5 }),
  destinations: fc.array(arbPod, { minLength: 1, maxLength: 5 }),
});

function matrix(
  policies: NetworkPolicy[],
  sources: EvalSource[],
  destinations: EvalPod[],
): string[] {
  const ev = createEvaluator(policies, NAMESPACES);
  return sources.flatMap((s) => destinations.map((d) => describePortSet(ev.allowedPorts(s, d))));
}

describe('evaluator properties', () => {
  it('allowedPorts = egressAllowed ∩ ingressAllowed, and evaluateMatrix agrees', () => {
    fc.assert(
      fc.property(arbWorld, ({ policies, sources, destinations }) => {
        const ev = createEvaluator(policies, NAMESPACES);
        const m = evaluateMatrix(
          policies,
          NAMESPACES,
          sources.map((source, i) => ({ id: `s${i}`, source })),
          destinations.map((pod, i) => ({ id: `d${i}`, pod })),
        );
        let k = 0;
        for (const s of sources) {
          for (const d of destinations) {
            const ingress = ev.ingressAllowed(s, d);
            const expected =
              s.kind === 'pod'
                ? intersectPortSets(ev.egressAllowed(s.pod, { kind: 'pod', pod: d }), ingress)
                : ingress;
            const actual = ev.allowedPorts(s, d);
            expect(portSetsEqual(actual, expected)).toBe(true);
            expect(describePortSet(m[k++].ports)).toBe(describePortSet(actual));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('duplicating every policy changes nothing', () => {
    fc.assert(
      fc.property(arbWorld, ({ policies, sources, destinations }) => {
        const doubled = [...policies, ...policies.map((p) => structuredClone(p))];
        expect(matrix(doubled, sources, destinations)).toEqual(
          matrix(policies, sources, destinations),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('adding an allow-all ingress policy for a namespace never removes access', () => {
    fc.assert(
      fc.property(
        arbWorld,
        fc.constantFrom(...NS_NAMES),
        ({ policies, sources, destinations }, ns) => {
          const before = createEvaluator(policies, NAMESPACES);
          const after = createEvaluator(
            [...policies, policy(ns, 'allow-all', { podSelector: {}, ingress: [{}] })],
            NAMESPACES,
          );
          for (const s of sources) {
            for (const d of destinations) {
              const old = before.allowedPorts(s, d);
              const now = after.allowedPorts(s, d);
              expect(portSetsEqual(intersectPortSets(old, now), old)).toBe(true);
              if (d.namespace === ns)
                expect(describePortSet(after.ingressAllowed(s, d))).toBe('all');
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
