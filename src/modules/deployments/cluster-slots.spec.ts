import { loadConfig } from '../../config/app-config.js';
import { ClusterSlots } from './cluster-slots.js';

describe('ClusterSlots', () => {
  const slots = () =>
    new ClusterSlots(
      loadConfig({
        WORKER_CONCURRENCY: '4',
        CLUSTER_JOB_LIMIT: '2',
        ENCRYPTION_KEY: Buffer.alloc(32).toString('base64'),
      }),
    );

  it('gives one cluster at most CLUSTER_JOB_LIMIT jobs at once', () => {
    const s = slots();
    const a = s.acquire('a', false);
    const b = s.acquire('a', false);
    expect([a.granted, b.granted]).toEqual([true, true]);
    expect(s.acquire('a', false)).toEqual({ granted: false, reason: 'cluster' });
    expect(s.acquire('b', false).granted).toBe(true);
    if (a.granted) a.release();
    expect(s.acquire('a', false).granted).toBe(true);
  });

  it('lets unreachable clusters hold half of the worker slots, so 4 dead clusters leave 2 free', () => {
    const s = slots();
    const dead = ['d1', 'd2', 'd3', 'd4'].map((c) => s.acquire(c, true));
    expect(dead.map((d) => d.granted)).toEqual([true, true, false, false]);
    expect(dead[2]).toEqual({ granted: false, reason: 'unreachable' });
    expect(s.acquire('healthy', false).granted).toBe(true);
    const first = dead[0];
    if (first.granted) {
      first.release();
      first.release(); // twice is harmless
    }
    expect(s.acquire('d3', true).granted).toBe(true);
    expect(s.acquire('d4', true).granted).toBe(false);
  });
});
