import {
  countOutcomes,
  settleTarget,
  type ResourceOutcome,
  type TargetSettlement,
} from './settle-target.js';

const r = (name: string, action: string, message?: string): ResourceOutcome => ({
  namespace: 'ns',
  name,
  action,
  ...(message ? { message } : {}),
});

describe('settleTarget', () => {
  const cases: {
    name: string;
    input: [ResourceOutcome[], boolean, { dryRunRefused?: boolean }?];
    expected: Partial<TargetSettlement>;
  }[] = [
    {
      name: 'every object applied: Succeeded and Synced',
      input: [[r('a', 'created'), r('b', 'unchanged')], false],
      expected: {
        phase: 'Succeeded',
        error: null,
        state: { kind: 'applied', sync: 'Synced', syncReason: null },
      },
    },
    {
      name: 'a conflict: Failed, OutOfSync Conflict',
      input: [[r('a', 'created'), r('b', 'conflict', 'theirs')], false],
      expected: {
        phase: 'Failed',
        error: '1 of 2 resources not applied: ns/b conflict (theirs)',
        state: { kind: 'applied', sync: 'OutOfSync', syncReason: 'Conflict' },
      },
    },
    {
      name: 'a prune that removed everything: the policy forgets the cluster',
      input: [[r('a', 'deleted')], true],
      expected: { phase: 'Succeeded', state: { kind: 'forget' } },
    },
    {
      name: 'a first rollout refused in a dry run: nothing applied, no revision recorded',
      input: [
        [r('a', 'failed', 'refused in a dry run: denied'), r('b', 'skipped')],
        false,
        { dryRunRefused: true },
      ],
      expected: {
        phase: 'Failed',
        error:
          "first rollout to this cluster refused by the API server's dry run, so nothing was written: 1 of 2 resources refused: ns/a (refused in a dry run: denied)",
        state: { kind: 'refused', sync: 'OutOfSync', syncReason: 'DryRunRefused' },
      },
    },
  ];
  it.each(cases)('$name', ({ input, expected }) => {
    expect(settleTarget(...input)).toMatchObject(expected);
  });
});

describe('countOutcomes', () => {
  it('counts the outcomes per action', () => {
    expect(
      countOutcomes([r('a', 'created'), r('b', 'created'), r('c', 'failed'), r('d', 'unchanged')]),
    ).toEqual({ created: 2, failed: 1, unchanged: 1 });
    expect(countOutcomes([])).toEqual({});
  });
});
