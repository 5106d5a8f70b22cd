import type { NetworkPolicy } from '../kube/network-policy.types.js';
import type { LiveNetworkPolicy } from './live-object.js';
import {
  HASH_ANNOTATION,
  decorateForRollout,
  describeOwner,
  isWidening,
  planRollout,
} from './plan-rollout.js';

function np(name: string, ports: number[], namespace = 'ns'): NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'gbp-netpol' } },
    spec: {
      podSelector: { matchLabels: { net: name } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ podSelector: { matchLabels: { net: 'client' } }, namespaceSelector: {} }],
          ports: ports.map((port) => ({ protocol: 'TCP' as const, port })),
        },
      ],
    },
  };
}

/** What the API server returns for an object we applied: ours plus server fields. */
function live(
  o: NetworkPolicy,
  extra: Partial<LiveNetworkPolicy['metadata']> = {},
): LiveNetworkPolicy {
  return {
    ...o,
    metadata: {
      ...o.metadata,
      resourceVersion: '7',
      uid: 'u',
      generation: 1,
      managedFields: [{ manager: 'gbp-netpol', operation: 'Apply' }],
      ...extra,
    },
  };
}

const shop = (objects: NetworkPolicy[], revision = 1) =>
  decorateForRollout(objects, 'shop', revision);

describe('planRollout', () => {
  it('creates what is absent, leaves equal content alone, and prunes what is no longer desired', () => {
    const [a, b] = shop([np('a', [80]), np('b', [443])]);
    const [old] = shop([np('old', [1])]);
    const plan = planRollout({
      policyName: 'shop',
      desired: [a, b],
      liveByKey: new Map([
        ['ns/a', null],
        ['ns/b', live(b)],
      ]),
      owned: [live(b), live(old)],
    });
    expect(plan.map((p) => `${p.kind} ${p.key}`)).toEqual([
      'unchanged ns/b',
      'create ns/a',
      'delete ns/old',
    ]);
  });

  it('unchanged needs equal content, not just an equal hash annotation (a hand edit is an update)', () => {
    const [a] = shop([np('a', [80])]);
    const edited = live(a);
    edited.spec = { ...a.spec, ingress: [] };
    const plan = planRollout({
      policyName: 'shop',
      desired: [a],
      liveByKey: new Map([['ns/a', edited]]),
      owned: [edited],
    });
    expect(plan.map((p) => p.kind)).toEqual(['update']);
  });

  it('reports an object we do not own as a conflict naming its owner, and never prunes it', () => {
    const [a] = shop([np('a', [80])]);
    const foreign = live(np('a', [22]), {
      labels: { team: 'x' },
      managedFields: [{ manager: 'kubectl-client-side-apply' }],
    });
    const otherPolicy = live(shop([np('z', [1])])[0], {
      labels: { 'app.kubernetes.io/managed-by': 'gbp-netpol', 'gbp-netpol.io/policy': 'other' },
    });
    const plan = planRollout({
      policyName: 'shop',
      desired: [a],
      liveByKey: new Map([['ns/a', foreign]]),
      owned: [otherPolicy],
    });
    expect(plan).toHaveLength(1);
    expect(plan[0]).toMatchObject({
      kind: 'conflict',
      owner: 'not managed by gbp-netpol; field managers: kubectl-client-side-apply',
    });
  });

  it('orders creates, widening updates, narrowing updates, then deletes', () => {
    const [wide, narrow, fresh] = shop([np('w', [80, 81]), np('n', [1]), np('f', [1])], 2);
    const [wideOld, narrowOld, gone] = shop([np('w', [80]), np('n', [1, 2]), np('g', [1])], 1);
    const plan = planRollout({
      policyName: 'shop',
      desired: [narrow, wide, fresh],
      liveByKey: new Map([
        ['ns/w', live(wideOld)],
        ['ns/n', live(narrowOld)],
        ['ns/f', null],
      ]),
      owned: [live(wideOld), live(narrowOld), live(gone)],
    });
    expect(
      plan.map(
        (p) =>
          `${p.kind} ${p.key}${p.kind === 'update' ? (p.widening ? ' widening' : ' narrowing') : ''}`,
      ),
    ).toEqual(['create ns/f', 'update ns/w widening', 'update ns/n narrowing', 'delete ns/g']);
  });

  it('decorates without mutating and hashes deterministically', () => {
    const o = np('a', [80]);
    const before = JSON.stringify(o);
    const [d1] = decorateForRollout([o], 'shop', 3);
    const [d2] = decorateForRollout([o], 'shop', 4);
    expect(JSON.stringify(o)).toBe(before);
    expect(d1.metadata.labels!['gbp-netpol.io/policy']).toBe('shop');
    expect(d1.metadata.annotations!['gbp-netpol.io/revision']).toBe('3');
    expect(d1.metadata.annotations![HASH_ANNOTATION]).toMatch(/^[0-9a-f]{64}$/);
    // The revision is not part of the content: the same objects at another revision need no write.
    expect(d2.metadata.annotations![HASH_ANNOTATION]).toBe(
      d1.metadata.annotations![HASH_ANNOTATION],
    );
  });
});

describe('isWidening', () => {
  it.each([
    { name: 'adding a port widens', before: [80], after: [80, 81], expected: true },
    { name: 'removing a port narrows', before: [80, 81], after: [80], expected: false },
    { name: 'same ports is widening (nothing lost)', before: [80], after: [80], expected: true },
  ])('$name', ({ before, after, expected }) => {
    expect(isWidening(np('a', before), np('a', after))).toBe(expected);
  });
  it('a different peer is narrowing', () => {
    const after = np('a', [80]);
    after.spec.ingress![0].from = [
      { podSelector: { matchLabels: { net: 'other' } }, namespaceSelector: {} },
    ];
    expect(isWidening(np('a', [80]), after)).toBe(false);
  });
  it('describes the owner of a gbp-netpol object of another policy', () => {
    expect(
      describeOwner(
        live(np('a', [1]), {
          labels: { 'app.kubernetes.io/managed-by': 'gbp-netpol', 'gbp-netpol.io/policy': 'other' },
        }),
      ),
    ).toBe('gbp-netpol policy other; field managers: gbp-netpol');
  });
});
