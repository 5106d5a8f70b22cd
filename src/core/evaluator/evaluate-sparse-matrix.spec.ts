import fc from 'fast-check';
import type {
  LabelSelector,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  PolicyType,
} from '../kube/network-policy.types.js';
import { describePortSet, isEmptyPortSet } from '../ports/port-set.js';
import { evaluateMatrix } from './evaluate-network-policies.js';
import { evaluateSparseMatrix } from './evaluate-sparse-matrix.js';
import { NAMESPACES, ext, pod, policy } from './evaluator.fixtures.js';
import type {
  EvalPod,
  EvalSource,
  MatrixDestination,
  MatrixEntry,
  MatrixSource,
} from './evaluator.types.js';

const NS_NAMES = ['prod', 'dev', 'kube-system', 'unknown'];
const KEYS = ['app', 'tier', 'env', 'kubernetes.io/metadata.name'];
const VALUES = ['web', 'db', 'cache', 'a', 'b', 'prod', 'dev', 'kube-system', ''];

// Selectors in every shape the evaluator reads, the unusual ones included (values that are
// not strings, duplicate or missing values, unknown operators): the sparse matrix must give
// the same answer for all of them, falling back to checking every end where it cannot look up.
const arbRequirement = fc.record(
  {
    key: fc.constantFrom(...KEYS),
    operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist', 'In', 'Bogus'),
    values: fc.oneof(
      fc.array(fc.constantFrom(...VALUES), { maxLength: 3 }),
      fc.constant(['web', 'web']),
      fc.constant([1, 'db'] as unknown as string[]),
    ),
  },
  { requiredKeys: ['key', 'operator'] },
) as fc.Arbitrary<NonNullable<LabelSelector['matchExpressions']>[number]>;

const arbSelector: fc.Arbitrary<LabelSelector> = fc.oneof(
  fc.constant({}),
  fc.record({
    matchLabels: fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), {
      maxKeys: 2,
    }),
  }),
  fc.record({ matchLabels: fc.constant({ app: 7 } as unknown as Record<string, string>) }),
  fc.record({ matchExpressions: fc.array(arbRequirement, { maxLength: 2 }) }),
  fc.record({
    matchLabels: fc.record({ app: fc.constantFrom('web', 'db') }),
    matchExpressions: fc.array(arbRequirement, { maxLength: 2 }),
  }),
);

const arbBlock = fc.record(
  {
    cidr: fc.constantFrom('10.0.0.0/8', '0.0.0.0/0', '2001:db8::/32', '10.1.0.0/16', 'bad', '::/0'),
    except: fc.constantFrom<string[]>(
      [],
      ['10.1.0.0/16'],
      ['10.1.2.0/24', '10.3.0.0/16'],
      ['nope'],
    ),
  },
  { requiredKeys: ['cidr'] },
);

const arbPeer: fc.Arbitrary<NetworkPolicyPeer> = fc.oneof(
  fc.record({ podSelector: arbSelector }),
  fc.record({ namespaceSelector: arbSelector }),
  fc.record({ podSelector: arbSelector, namespaceSelector: arbSelector }),
  fc.record({ ipBlock: arbBlock }),
  fc.record({ ipBlock: arbBlock, podSelector: arbSelector }),
  fc.constant({}),
  fc.constant(null as unknown as NetworkPolicyPeer),
);

const arbPort: fc.Arbitrary<NetworkPolicyPort> = fc.oneof(
  fc.record({ port: fc.integer({ min: 1, max: 8 }) }),
  fc.record({
    protocol: fc.constantFrom('TCP' as const, 'UDP' as const),
    port: fc.integer({ min: 1, max: 8 }),
  }),
  fc
    .integer({ min: 1, max: 8 })
    .chain((lo) => fc.record({ port: fc.constant(lo), endPort: fc.integer({ min: lo, max: 10 }) })),
  fc.record({ port: fc.constantFrom('http', 'dns') }),
  fc.record({ protocol: fc.constantFrom('SCTP' as const, 'UDP' as const) }),
);

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
        fc.array(
          fc.record({
            from: fc.option(fc.array(arbPeer, { maxLength: 3 }), { nil: undefined }),
            ports: fc.option(fc.array(arbPort, { maxLength: 3 }), { nil: undefined }),
          }),
          { maxLength: 3 },
        ),
        { nil: undefined },
      ),
      egress: fc.option(
        fc.array(
          fc.record({
            to: fc.option(fc.array(arbPeer, { maxLength: 3 }), { nil: undefined }),
            ports: fc.option(fc.array(arbPort, { maxLength: 3 }), { nil: undefined }),
          }),
          { maxLength: 2 },
        ),
        { nil: undefined },
      ),
    },
    { requiredKeys: ['ns', 'podSelector'] },
  )
  .map(({ ns, ...spec }) => policy(ns, 'p', spec));

const arbPod: fc.Arbitrary<EvalPod> = fc.record(
  {
    namespace: fc.constantFrom(...NS_NAMES),
    labels: fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 3 }),
    ip: fc.constantFrom('10.1.2.3', '10.2.0.1', '2001:db8::7', '192.168.0.1', 'x'),
  },
  { requiredKeys: ['namespace', 'labels'] },
);

const arbSource: fc.Arbitrary<EvalSource> = fc.oneof(
  { weight: 4, arbitrary: arbPod.map((p): EvalSource => ({ kind: 'pod', pod: p })) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom('10.1.2.3', '10.0.0.1', '8.8.8.8', '2001:db8::1', '10.1.0.0/16', '::1')
      .map((ip): EvalSource => ({ kind: 'external', ip })),
  },
);

/** The reference: every pair through evaluateMatrix, empty cells dropped, destination-major. */
function reference(
  policies: NetworkPolicy[],
  sources: MatrixSource[],
  destinations: MatrixDestination[],
): string[] {
  const dense = evaluateMatrix(policies, NAMESPACES, sources, destinations);
  const byDestination = destinations.map(() => [] as MatrixEntry[]);
  dense.forEach((e, k) => {
    if (!isEmptyPortSet(e.ports)) byDestination[k % destinations.length].push(e);
  });
  return byDestination
    .flat()
    .map((e) => `${e.source}→${e.destination}:${describePortSet(e.ports)}`);
}

const show = (entries: MatrixEntry[]) =>
  entries.map((e) => `${e.source}→${e.destination}:${describePortSet(e.ports)}`);

describe('evaluateSparseMatrix', () => {
  it('gives exactly the non-empty cells of evaluateMatrix, destination-major, on random policies', () => {
    fc.assert(
      fc.property(
        fc.array(arbPolicy, { maxLength: 6 }),
        fc.array(arbSource, { minLength: 1, maxLength: 8 }),
        fc.array(arbPod, { minLength: 1, maxLength: 8 }),
        (policies, srcs, dsts) => {
          const sources = srcs.map((source, i) => ({ id: `s${i}`, source }));
          const destinations = dsts.map((p, i) => ({ id: `d${i}`, pod: p }));
          expect(show(evaluateSparseMatrix(policies, NAMESPACES, sources, destinations))).toEqual(
            reference(policies, sources, destinations),
          );
        },
      ),
      { numRuns: 1000 },
    );
  });

  it.each([
    {
      name: 'no policy: everything from everyone',
      policies: [],
      expected: ['web→db:all', 'ext→db:all', 'web→web2:all', 'ext→web2:all'],
    },
    {
      name: 'deny all ingress in prod, allow web by In',
      policies: [
        policy('prod', 'p', {
          podSelector: {},
          policyTypes: ['Ingress'],
          ingress: [
            {
              from: [
                {
                  podSelector: {
                    matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }],
                  },
                },
              ],
              ports: [{ port: 5432 }],
            },
          ],
        }),
      ],
      expected: ['web→db:TCP:5432', 'web→web2:TCP:5432'],
    },
    {
      name: 'ipBlock with except: the external address in the except is left out',
      policies: [
        policy('prod', 'p', {
          podSelector: { matchLabels: { app: 'db' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.9.0.0/16'] } }] }],
        }),
      ],
      expected: ['web→web2:all', 'ext→web2:all'],
    },
  ])('$name', ({ policies, expected }) => {
    const sources = [
      { id: 'web', source: pod('prod', { app: 'web' }) },
      { id: 'ext', source: ext('10.9.1.1') },
    ];
    const destinations = [
      { id: 'db', pod: { namespace: 'prod', labels: { app: 'db' } } },
      { id: 'web2', pod: { namespace: 'prod', labels: { app: 'web' } } },
    ];
    expect(show(evaluateSparseMatrix(policies, NAMESPACES, sources, destinations))).toEqual(
      expected,
    );
  });

  it('does not visit every pair: 3,000 × 3,000 members with a one-to-one policy each', () => {
    const n = 3000;
    const policies = Array.from({ length: n }, (_, i) =>
      policy('prod', `p${i}`, {
        podSelector: { matchLabels: { app: `a${i}` } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: `a${(i + 1) % n}` } } }] }],
      }),
    );
    const members = Array.from({ length: n }, (_, i) => ({
      id: `a${i}`,
      pod: { namespace: 'prod', labels: { app: `a${i}` } },
    }));
    const cells = evaluateSparseMatrix(
      policies,
      NAMESPACES,
      members.map((m) => ({ id: m.id, source: { kind: 'pod' as const, pod: m.pod } })),
      members,
    );
    // Its time is measured by `npm run bench:connectivity`, not asserted here.
    expect(cells).toHaveLength(n);
  });
});
