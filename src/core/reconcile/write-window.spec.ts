import {
  newWriteWindow,
  onWriteAnswered,
  onWriteThrottled,
  writesAllowed,
  WRITE_WINDOW_DEFAULTS,
  type WriteWindow,
} from './write-window.js';

/** A window after its first congestion (additive increase), with these fields. */
const at = (patch: Partial<WriteWindow>): WriteWindow => ({
  ...newWriteWindow(),
  congested: true,
  ...patch,
});

describe('write window', () => {
  it('starts at 16 writes in flight', () => {
    expect(writesAllowed(newWriteWindow(), 0)).toBe(16);
  });

  const recent = (ms: number) => Array<number>(16).fill(ms);
  const answered: {
    name: string;
    input: { window: WriteWindow; latencyMs: number; now: number };
    expected: Partial<WriteWindow>;
  }[] = [
    {
      name: 'before any congestion the window grows by one per answer (slow start)',
      input: { window: newWriteWindow(), latencyMs: 20, now: 1000 },
      expected: { baselineMs: null, limit: 17, recent: [20] },
    },
    {
      name: 'the 16th answer sets the baseline to the median',
      input: {
        window: at({ recent: [...recent(10).slice(1, 8), ...recent(30).slice(0, 8)] }),
        latencyMs: 30,
        now: 1000,
      },
      expected: { baselineMs: 30 },
    },
    {
      name: 'a median near the baseline grows the window',
      input: {
        window: at({ baselineMs: 20, limit: 10, recent: recent(35) }),
        latencyMs: 35,
        now: 1000,
      },
      expected: { limit: 10.1 },
    },
    {
      name: 'one slow answer among fast ones changes nothing but the sample',
      input: {
        window: at({ baselineMs: 20, limit: 10, recent: recent(20) }),
        latencyMs: 500,
        now: 1000,
      },
      expected: { limit: 10.1, baselineMs: 20 },
    },
    {
      name: 'a median twice a small baseline but within the 50 ms slack grows the window',
      input: {
        window: at({ baselineMs: 5, limit: 10, recent: recent(40) }),
        latencyMs: 40,
        now: 1000,
      },
      expected: { limit: 10.1 },
    },
    {
      name: 'a median twice the baseline and 100 ms over it shrinks the window by a fifth',
      input: {
        window: at({ baselineMs: 20, limit: 10, recent: recent(200) }),
        latencyMs: 200,
        now: 1000,
      },
      expected: { limit: 8, lastDecreaseAt: 1000 },
    },
    {
      name: 'at most once per round trip',
      input: {
        window: at({ baselineMs: 20, limit: 8, lastDecreaseAt: 950, recent: recent(200) }),
        latencyMs: 200,
        now: 1000,
      },
      expected: { limit: 8, lastDecreaseAt: 950 },
    },
    {
      name: 'never below the minimum',
      input: {
        window: at({ baselineMs: 20, limit: 1, recent: recent(500) }),
        latencyMs: 500,
        now: 1000,
      },
      expected: { limit: 1 },
    },
    {
      name: 'never above the maximum',
      input: {
        window: at({ baselineMs: 20, limit: 128, recent: recent(20) }),
        latencyMs: 20,
        now: 1000,
      },
      expected: { limit: 128 },
    },
    {
      name: 'a lower median lowers the baseline',
      input: { window: at({ baselineMs: 20, recent: recent(5) }), latencyMs: 5, now: 1000 },
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
    // It grows until the median latency is 100 ms over the first answers' (about 26 ms at 16
    // in flight), then stays there: neither collapsing nor running away.
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(90);
    expect(Math.max(...seen)).toBeLessThanOrEqual(128);
  });

  it('keeps its size on a noisy server whose latency does not grow with the writes in flight', () => {
    // Latency jumps between 2 and 60 ms at random (other tenants), whatever we send.
    let w = newWriteWindow();
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let now = 1; now <= 20_000; now++) w = onWriteAnswered(w, 2 + 58 * random(), now);
    expect(w.limit).toBeGreaterThanOrEqual(16);
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
