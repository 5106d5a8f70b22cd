import { WRITE_WINDOW_DEFAULTS } from '../../core/reconcile/write-window.js';
import { KubeApiError } from '../../infra/kube/index.js';
import { WritePacer } from './write-pacer.js';

const throttled = (retryAfterSeconds?: number) =>
  new KubeApiError('429', 429, 'TooManyRequests', 'other', [], undefined, retryAfterSeconds);

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('WritePacer', () => {
  it('keeps at most the window in flight and serves waiters in order', async () => {
    const pacer = new WritePacer({ ...WRITE_WINDOW_DEFAULTS, initial: 2, max: 2 });
    let inFlight = 0;
    let peak = 0;
    const order: number[] = [];
    const gates = [0, 1, 2, 3, 4].map(deferred);
    const runs = gates.map((g, i) =>
      pacer.run(async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        order.push(i);
        await g.promise;
        inFlight--;
        return i;
      }),
    );
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual([0, 1]);
    for (const g of gates) g.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
  });

  it('retries a 429 in place after its Retry-After, with a halved window', async () => {
    let now = 0;
    const pacer = new WritePacer(undefined, () => now);
    let calls = 0;
    const result = pacer.run(async () => {
      calls++;
      if (calls === 1) throw throttled(0);
      return 'ok';
    });
    expect(await result).toBe('ok');
    expect(calls).toBe(2);
    expect(pacer.window.limit).toBeLessThan(16);
    now = 1; // keeps the fake clock moving for the last answer
  });

  it('gives every other error back to the caller', async () => {
    const pacer = new WritePacer();
    const refused = new KubeApiError('403', 403, 'Forbidden', 'forbidden');
    await expect(pacer.run(() => Promise.reject(refused))).rejects.toBe(refused);
    // The slot was released: the next write runs.
    expect(await pacer.run(async () => 1)).toBe(1);
  });

  it('drops a waiter whose signal aborts', async () => {
    const pacer = new WritePacer({ ...WRITE_WINDOW_DEFAULTS, initial: 1, max: 1 });
    const gate = deferred();
    const first = pacer.run(() => gate.promise);
    const abort = new AbortController();
    const second = pacer.run(async () => 'never', abort.signal);
    abort.abort(new Error('job cancelled'));
    await expect(second).rejects.toThrow('job cancelled');
    gate.resolve();
    await first;
  });
});
