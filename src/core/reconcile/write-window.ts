/**
 * How many writes one cluster gets in flight, adapted to its answers (src/core/README.md,
 * Rollout speed). Additive increase while the latency stays near the best seen, multiplicative
 * decrease when it doubles or when API Priority and Fairness answers 429, and a pause for the
 * `Retry-After` the server asked for. Pure: the caller passes the clock.
 */
export interface WriteWindow {
  /** Writes allowed in flight (fractional: after congestion it grows by 1/limit per answer). */
  limit: number;
  /** The latencies (ms) of the last `sample` answers, oldest first. */
  recent: readonly number[];
  /**
   * The lowest median of `sample` consecutive answers seen (ms), the yardstick for "slow"; null
   * until `sample` answers came. A median, not a minimum: one lucky answer on a busy machine
   * must not make every later one look slow. The caller starts a new window when a cluster has
   * been idle, so that it is never stale.
   */
  baselineMs: number | null;
  /** No new write before this time (epoch ms): a 429's Retry-After. */
  pausedUntil: number;
  /** When the limit last went down (epoch ms); it goes down at most once per round trip. */
  lastDecreaseAt: number;
  /**
   * False until the first sign of congestion (a slow median or a 429): until then the window
   * grows by one per answer (doubling every round trip, as TCP's slow start), then by 1/limit.
   */
  congested: boolean;
}

export interface WriteWindowOptions {
  initial: number;
  min: number;
  max: number;
  /** How many recent answers the median is taken over. */
  sample: number;
  /**
   * A median above `slowFactor` × the baseline, and at least `slackMs` above it, counts as a
   * queue that has grown. The slack keeps the jitter of a fast server (2 ms one answer, 60 ms
   * the next, on a busy machine) from reading as congestion.
   */
  slowFactor: number;
  slackMs: number;
  /** The limit is multiplied by this when answers are slow. */
  slowDecrease: number;
  /** The pause after a 429 that carries no Retry-After. */
  defaultRetryAfterMs: number;
}

export const WRITE_WINDOW_DEFAULTS: Readonly<WriteWindowOptions> = Object.freeze({
  initial: 16,
  min: 1,
  max: 128,
  sample: 16,
  slowFactor: 2,
  slackMs: 100,
  slowDecrease: 0.8,
  defaultRetryAfterMs: 1000,
});

/** A window at its initial size, never paused. */
export function newWriteWindow(opts: WriteWindowOptions = WRITE_WINDOW_DEFAULTS): WriteWindow {
  return {
    limit: opts.initial,
    recent: [],
    baselineMs: null,
    pausedUntil: 0,
    lastDecreaseAt: 0,
    congested: false,
  };
}

/** The whole number of writes that may be in flight now. */
export function writesAllowed(w: WriteWindow, now: number): number {
  return now < w.pausedUntil ? 0 : Math.floor(w.limit);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * A write answered (successfully, or with an error about the object itself) after
 * `latencyMs`. Returns the next window; the input is not touched.
 */
export function onWriteAnswered(
  w: WriteWindow,
  latencyMs: number,
  now: number,
  opts: WriteWindowOptions = WRITE_WINDOW_DEFAULTS,
): WriteWindow {
  const recent = [...w.recent.slice(-(opts.sample - 1)), latencyMs];
  const grow = (baselineMs: number | null): WriteWindow => ({
    ...w,
    recent,
    baselineMs,
    limit: Math.min(opts.max, w.limit + (w.congested ? 1 / w.limit : 1)),
  });
  if (recent.length < opts.sample) return grow(w.baselineMs);
  const typical = median(recent);
  // Writes start 16 at a time, so the baseline is the latency of a loaded server, not of an
  // idle one: "slow" means "twice as slow as at the best load seen, and 100 ms more", a
  // queue that has grown.
  const baselineMs = w.baselineMs === null ? typical : Math.min(w.baselineMs, typical);
  if (typical <= opts.slowFactor * baselineMs || typical - baselineMs < opts.slackMs)
    return grow(baselineMs);
  // Slow: back off, once per round trip, so that the answers to writes sent before the last
  // decrease do not collapse the window.
  if (now - w.lastDecreaseAt < typical) return { ...w, recent, baselineMs, congested: true };
  return {
    ...w,
    recent,
    baselineMs,
    limit: Math.max(opts.min, w.limit * opts.slowDecrease),
    lastDecreaseAt: now,
    congested: true,
  };
}

/**
 * A write refused with 429 (API Priority and Fairness): halve the window and send nothing
 * before `Retry-After` (seconds, when the server gave one). Returns the next window.
 */
export function onWriteThrottled(
  w: WriteWindow,
  retryAfterSeconds: number | undefined,
  now: number,
  opts: WriteWindowOptions = WRITE_WINDOW_DEFAULTS,
): WriteWindow {
  const pauseMs =
    retryAfterSeconds !== undefined && retryAfterSeconds >= 0
      ? retryAfterSeconds * 1000
      : opts.defaultRetryAfterMs;
  const decrease = now - w.lastDecreaseAt >= (w.baselineMs ?? 0);
  return {
    ...w,
    limit: decrease ? Math.max(opts.min, w.limit / 2) : w.limit,
    lastDecreaseAt: decrease ? now : w.lastDecreaseAt,
    pausedUntil: Math.max(w.pausedUntil, now + pauseMs),
    congested: true,
  };
}
