import type { LabelSelector, NetworkPolicy } from '../../core/kube/network-policy.types.js';
import type { RolloutAction } from '../../core/reconcile/plan-rollout.js';
import { scheduleRollout } from '../../core/reconcile/schedule-rollout.js';
import type { ResourceOutcome } from '../../core/reconcile/settle-target.js';
import { runSchedule } from './run-schedule.js';

const np = (name: string, podSelector: LabelSelector): NetworkPolicy => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: 'ns' },
  spec: { podSelector },
});
const create = (name: string, sel: LabelSelector): RolloutAction => ({
  kind: 'create',
  key: `ns/${name}`,
  desired: np(name, sel),
});
const narrow = (name: string, sel: LabelSelector): RolloutAction => ({
  kind: 'update',
  key: `ns/${name}`,
  desired: np(name, sel),
  live: np(name, sel),
  widening: false,
});
const outcome = (a: RolloutAction, action: string): ResourceOutcome => ({
  namespace: 'ns',
  name: a.key.split('/')[1],
  action,
});
const heldBack = (a: RolloutAction, b: RolloutAction) => outcome(a, `held by ${b.key}`);

describe('runSchedule', () => {
  it('sends an object as soon as what it depends on is applied, not when its stage ends', async () => {
    const slow = create('slow', { matchLabels: { net: 'a' } });
    const fast = create('fast', { matchLabels: { net: 'b' } });
    const dependsOnFast = narrow('b', { matchLabels: { net: 'b' } });
    let releaseSlow!: () => void;
    const events: string[] = [];
    const run = runSchedule(scheduleRollout([slow, fast, dependsOnFast]), {
      heldBack,
      send: async (a) => {
        events.push(`send ${a.key}`);
        if (a === slow) await new Promise<void>((r) => (releaseSlow = r));
        events.push(`done ${a.key}`);
        return outcome(a, a.kind === 'create' ? 'created' : 'updated');
      },
    });
    await new Promise((r) => setTimeout(r, 5));
    // The narrowing of net=b went out while the create of net=a was still in flight.
    expect(events).toEqual([
      'send ns/slow',
      'send ns/fast',
      'done ns/fast',
      'send ns/b',
      'done ns/b',
    ]);
    releaseSlow();
    expect((await run).map((o) => o.action)).toEqual(['created', 'created', 'updated']);
  });

  it('holds back what depends on an object that was not applied', async () => {
    const refused = create('wide', {});
    const narrowing = narrow('a', { matchLabels: { net: 'a' } });
    const outcomes = await runSchedule(scheduleRollout([refused, narrowing]), {
      heldBack,
      send: async (a) => outcome(a, a === refused ? 'failed' : 'updated'),
    });
    expect(outcomes.map((o) => o.action)).toEqual(['failed', 'held by ns/wide']);
  });

  it('stops at the first error about the cluster: nothing new is sent, and the error comes back', async () => {
    const gone = new Error('cluster unreachable');
    const first = create('first', { matchLabels: { net: 'a' } });
    const later = narrow('a', { matchLabels: { net: 'a' } });
    const sent: string[] = [];
    await expect(
      runSchedule(scheduleRollout([first, later]), {
        heldBack,
        send: async (a) => {
          sent.push(a.key);
          throw gone;
        },
      }),
    ).rejects.toBe(gone);
    expect(sent).toEqual(['ns/first']);
  });
});
