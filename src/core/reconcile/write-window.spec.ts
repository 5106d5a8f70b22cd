import {
  newWriteWindow,
  onWriteAnswered,
  onWriteThrottled,
  writesAllowed,
  WRITE_WINDOW_DEFAULTS,
  type WriteWindow,
} from './write-window.js';

const at = (patch: Partial<WriteWindow>): WriteWindow => ({ ...newWriteWindow(), ...patch });

describe('write window', () => {
  it('starts at 16 writes in flight', () => {
    expect(writesAllowed(newWriteWindow(), 0)).toBe(16);
  });

  const answered: {
    name: string;
    input: { window: WriteWindow; latencyMs: number; now: number };
    expected: Partial<WriteWindow>;
  }[] = [
    {
      name: 'the first answer sets the baseline and grows the window by 1/limit',
      input: { window: newWriteWindow(), latencyMs: 20, now: 1000 },
      expected: { baselineMs: 20, limit: 16 + 1 / 16 },
    },
    {
      name: 'an answer near the baseline grows the window',
      input: { window: at({ baselineMs: 20, limit: 10 }), latencyMs: 35, now: 1000 },
      expected: { limit: 10.1 },
    },
    {
      name: 'a slow answer shrinks it by a fifth',
      input: { window: at({ baselineMs: 20, limit: 10 }), latencyMs: 100, now: 1000 },
      expected: { limit: 8, lastDecreaseAt: 1000 },
    },
    {
      name: 'at most once per round trip',
      input: {
        window: at({ baselineMs: 20, limit: 8, lastDecreaseAt: 950 }),
        latencyMs: 100,
        now: 1000,
      },
      expected: { limit: 8, lastDecreaseAt: 950 },
    },
    {
      name: 'never below the minimum',
      input: { window: at({ baselineMs: 20, limit: 1 }), latencyMs: 500, now: 1000 },
      expected: { limit: 1 },
    },
    {
      name: 'never above the maximum',
      input: { window: at({ baselineMs: 20, limit: 128 }), latencyMs: 20, now: 1000 },
      expected: { limit: 128 },
    },
    {
      name: 'a faster answer lowers the baseline',
      input: { window: at({ baselineMs: 20 }), latencyMs: 5, now: 1000 },
      expected: { baselineMs: 5 },
    },
  ];
  it.each(answered)('$name', ({ input, expected }) => {
    const before = structuredClone(input.window);
    expect(onWriteAnswered(input.window, input.latencyMs, input.now)).toMatchObject(expected);
    expect(input.window).toEqual(before);
  });

  it('a 429 halves the window and sends nothing until Retry-After', () => {
    const w = onWriteThrottled(at({ baselineMs: 20, limit: 16 }), 2, 10_000);
    expect(w.limit).toBe(8);
    expect(writesAllowed(w, 11_999)).toBe(0);
    expect(writesAllowed(w, 12_000)).toBe(8);
  });

  it('a 429 without Retry-After pauses for the default', () => {
    const w = onWriteThrottled(newWriteWindow(), undefined, 10_000);
    expect(w.pausedUntil).toBe(10_000 + WRITE_WINDOW_DEFAULTS.defaultRetryAfterMs);
  });

  it('a burst of 429s halves the window once per round trip but keeps the longest pause', () => {
    let w = at({ baselineMs: 50, limit: 16 });
    w = onWriteThrottled(w, 1, 10_000);
    w = onWriteThrottled(w, 3, 10_010);
    expect(w.limit).toBe(8);
    expect(w.pausedUntil).toBe(13_010);
  });

  it('settles under a server whose latency grows with the writes in flight', () => {
    // A server that serves 1 write per ms: latency = 10 ms + the writes queued.
    let w = newWriteWindow();
    let now = 0;
    const seen: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const inFlight = writesAllowed(w, now);
      now += 1;
      w = onWriteAnswered(w, 10 + inFlight, now);
      if (i >= 10_000) seen.push(w.limit);
    }
    // It grows until the latency has doubled from the first answers (26 ms at 16 in flight),
    // then stays there: neither collapsing nor running away.
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(30);
    expect(Math.max(...seen)).toBeLessThanOrEqual(44);
  });

  it('settles under API Priority and Fairness that refuses more than 20 writes in flight', () => {
    let w = newWriteWindow();
    let now = 0;
    let refused = 0;
    for (let i = 0; i < 20_000; i++) {
      now += 1;
      const inFlight = writesAllowed(w, now);
      if (inFlight === 0) continue;
      if (inFlight > 20) {
        refused++;
        w = onWriteThrottled(w, undefined, now);
      } else w = onWriteAnswered(w, 10, now);
    }
    expect(w.limit).toBeLessThanOrEqual(21);
    expect(w.limit).toBeGreaterThanOrEqual(10);
    // Additive increase after a halving: few refusals, not one per write.
    expect(refused).toBeLessThan(20);
  });
});
