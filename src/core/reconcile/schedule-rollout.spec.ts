import fc from 'fast-check';
import type { LabelSelector, NetworkPolicy } from '../kube/network-policy.types.js';
import type { LiveNetworkPolicy } from './live-object.js';
import type { RolloutAction } from './plan-rollout.js';
import { scheduleRollout, selectorsMayOverlap, writeStep } from './schedule-rollout.js';

function np(name: string, podSelector: LabelSelector, namespace = 'ns'): NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace },
    spec: { podSelector, policyTypes: ['Ingress'] },
  };
}

const live = (o: NetworkPolicy): LiveNetworkPolicy => o;
const key = (o: NetworkPolicy) => `${o.metadata.namespace}/${o.metadata.name}`;
const net = (v: string): LabelSelector => ({ matchLabels: { net: v } });

const create = (o: NetworkPolicy): RolloutAction => ({ kind: 'create', key: key(o), desired: o });
const update = (o: NetworkPolicy, widening: boolean, before = o): RolloutAction => ({
  kind: 'update',
  key: key(o),
  desired: o,
  live: live(before),
  widening,
});
const remove = (o: NetworkPolicy): RolloutAction => ({
  kind: 'delete',
  key: key(o),
  live: live(o),
});
const unchanged = (o: NetworkPolicy): RolloutAction => ({
  kind: 'unchanged',
  key: key(o),
  desired: o,
  live: live(o),
});

describe('selectorsMayOverlap', () => {
  const cases: { name: string; input: [LabelSelector, LabelSelector]; expected: boolean }[] = [
    { name: 'different values of one key', input: [net('a'), net('b')], expected: false },
    { name: 'the same value', input: [net('a'), net('a')], expected: true },
    {
      name: 'different keys (a pod may carry both)',
      input: [net('a'), { matchLabels: { tier: 'a' } }],
      expected: true,
    },
    { name: 'every pod', input: [{}, net('a')], expected: true },
    {
      name: 'In sets without a common value',
      input: [
        { matchExpressions: [{ key: 'net', operator: 'In', values: ['a', 'b'] }] },
        { matchExpressions: [{ key: 'net', operator: 'In', values: ['c'] }] },
      ],
      expected: false,
    },
    {
      name: 'In sets sharing a value',
      input: [
        { matchExpressions: [{ key: 'net', operator: 'In', values: ['a', 'b'] }] },
        { matchExpressions: [{ key: 'net', operator: 'In', values: ['b'] }] },
      ],
      expected: true,
    },
    {
      name: 'a value excluded by NotIn',
      input: [net('a'), { matchExpressions: [{ key: 'net', operator: 'NotIn', values: ['a'] }] }],
      expected: false,
    },
    {
      name: 'NotIn another value',
      input: [net('a'), { matchExpressions: [{ key: 'net', operator: 'NotIn', values: ['b'] }] }],
      expected: true,
    },
    {
      name: 'a value against DoesNotExist',
      input: [net('a'), { matchExpressions: [{ key: 'net', operator: 'DoesNotExist' }] }],
      expected: false,
    },
    {
      name: 'Exists against DoesNotExist',
      input: [
        { matchExpressions: [{ key: 'net', operator: 'Exists' }] },
        { matchExpressions: [{ key: 'net', operator: 'DoesNotExist' }] },
      ],
      expected: false,
    },
    {
      name: 'a selector that matches nothing on its own',
      input: [
        {
          matchLabels: { net: 'a' },
          matchExpressions: [{ key: 'net', operator: 'NotIn', values: ['a'] }],
        },
        {},
      ],
      expected: false,
    },
  ];
  it.each(cases)('$name', ({ input, expected }) => {
    expect(selectorsMayOverlap(...input)).toBe(expected);
    expect(selectorsMayOverlap(input[1], input[0])).toBe(expected);
  });
});

describe('scheduleRollout', () => {
  const waits = (actions: RolloutAction[]) =>
    scheduleRollout(actions).map((s) => s.waitsFor.map((i) => actions[i].key));

  const cases: { name: string; input: RolloutAction[]; expected: string[][] }[] = [
    {
      name: 'a narrowing waits for the create that selects the same pods',
      input: [create(np('a2', net('a'))), update(np('a', net('a')), false)],
      expected: [[], ['ns/a2']],
    },
    {
      name: 'a narrowing of other pods does not wait',
      input: [create(np('b', net('b'))), update(np('a', net('a')), false)],
      expected: [[], []],
    },
    {
      name: 'nothing waits across namespaces',
      input: [create(np('a', net('a'), 'one')), remove(np('a', net('a'), 'two'))],
      expected: [[], []],
    },
    {
      name: 'a prune waits for opening and narrowing writes on its pods, never the reverse',
      input: [
        remove(np('old', {})),
        update(np('a', net('a')), false),
        update(np('b', net('b')), true),
        create(np('c', net('c'))),
      ],
      expected: [['ns/a', 'ns/b', 'ns/c'], [], [], []],
    },
    {
      name: 'creates and widenings never wait, and unchanged objects take no part',
      input: [
        create(np('a', {})),
        update(np('b', {}), true),
        unchanged(np('c', {})),
        update(np('d', {}), false),
      ],
      expected: [[], [], [], ['ns/a', 'ns/b']],
    },
    {
      name: 'an update that moves its selector waits for writes on the old pods too',
      input: [create(np('x', net('a'))), update(np('m', net('b')), false, np('m', net('a')))],
      expected: [[], ['ns/x']],
    },
  ];
  it.each(cases)('$name', ({ input, expected }) => {
    expect(waits(input)).toEqual(expected);
  });

  it('keeps the safe order for every pair of actions that may touch one pod (property)', () => {
    const selector = fc.oneof(
      fc.constant<LabelSelector>({}),
      fc.constantFrom('a', 'b', 'c').map(net),
      fc.constantFrom('x', 'y').map((v): LabelSelector => ({ matchLabels: { tier: v } })),
    );
    const action = fc.record({
      kind: fc.constantFrom('create', 'widen', 'narrow', 'delete', 'unchanged'),
      ns: fc.constantFrom('n1', 'n2'),
      sel: selector,
      before: selector,
    });
    fc.assert(
      fc.property(fc.array(action, { maxLength: 12 }), (specs) => {
        const actions = specs.map((s, i) => {
          const o = np(`o${i}`, s.sel, s.ns);
          if (s.kind === 'create') return create(o);
          if (s.kind === 'widen') return update(o, true, np(`o${i}`, s.before, s.ns));
          if (s.kind === 'narrow') return update(o, false, np(`o${i}`, s.before, s.ns));
          if (s.kind === 'delete') return remove(o);
          return unchanged(o);
        });
        const schedule = scheduleRollout(actions);
        const rank = { open: 0, narrow: 1, prune: 2 } as const;
        for (const [b, s] of schedule.entries()) {
          for (const a of s.waitsFor) {
            // Only earlier steps of the same namespace.
            expect(rank[schedule[a].step!]).toBeLessThan(rank[s.step!]);
            expect(actions[a].key.split('/')[0]).toBe(actions[b].key.split('/')[0]);
          }
          for (const [a, other] of schedule.entries()) {
            if (!other.step || !s.step || rank[other.step] >= rank[s.step]) continue;
            if (actions[a].key.split('/')[0] !== actions[b].key.split('/')[0]) continue;
            // Same namespace, earlier step, and the same pods (equal selectors): must wait.
            const sa = specs[a];
            const sb = specs[b];
            if (JSON.stringify(sa.sel) === JSON.stringify(sb.sel)) expect(s.waitsFor).toContain(a);
          }
        }
        expect(schedule.map((s) => s.step)).toEqual(actions.map(writeStep));
      }),
    );
  });
});
