/**
 * How many writes one cluster gets in flight, adapted to its answers (src/core/README.md,
 * Rollout speed). Additive increase while latency stays near the best seen, multiplicative
 * decrease when it climbs or when API Priority and Fairness answers 429, and a pause for the
 * `Retry-After` the server asked for. Pure: the caller passes the clock.
 */
export interface WriteWindow {
  /** Writes allowed in flight (fractional: it grows by 1/limit per fast answer). */
  limit: number;
  /**
   * The lowest latency seen (ms), the yardstick for "slow"; null before the first answer. The
   * caller starts a new window when a cluster has been idle, so that it is never stale.
   */
  baselineMs: number | null;
  /** No new write before this time (epoch ms): a 429's Retry-After. */
  pausedUntil: number;
  /** When the limit last went down (epoch ms); it goes down at most once per round trip. */
  lastDecreaseAt: number;
}

export interface WriteWindowOptions {
  initial: number;
  min: number;
  max: number;
  /** An answer slower than `slowFactor` × the baseline counts as a sign of queueing. */
  slowFactor: number;
  /** The limit is multiplied by this when answers are slow. */
  slowDecrease: number;
  /** The pause after a 429 that carries no Retry-After. */
  defaultRetryAfterMs: number;
}

export const WRITE_WINDOW_DEFAULTS: Readonly<WriteWindowOptions> = Object.freeze({
  initial: 16,
  min: 1,
  max: 128,
  slowFactor: 2,
  slowDecrease: 0.8,
  defaultRetryAfterMs: 1000,
});

/** A window at its initial size, never paused. */
export function newWriteWindow(opts: WriteWindowOptions = WRITE_WINDOW_DEFAULTS): WriteWindow {
  return { limit: opts.initial, baselineMs: null, pausedUntil: 0, lastDecreaseAt: 0 };
}

/** The whole number of writes that may be in flight now. */
export function writesAllowed(w: WriteWindow, now: number): number {
  return now < w.pausedUntil ? 0 : Math.floor(w.limit);
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
  // Writes start 16 at a time, so the baseline is the latency of a loaded server, not of an
  // idle one: "slow" means "twice as slow as when we started", a queue that has grown.
  const baselineMs = w.baselineMs === null || latencyMs < w.baselineMs ? latencyMs : w.baselineMs;
  if (latencyMs <= opts.slowFactor * Math.max(baselineMs, 1))
    return { ...w, baselineMs, limit: Math.min(opts.max, w.limit + 1 / w.limit) };
  // Slow: the server is queueing our writes. Back off, once per round trip, so that a burst of
  // answers to writes sent before the last decrease does not collapse the window.
  if (now - w.lastDecreaseAt < latencyMs) return { ...w, baselineMs };
  return {
    ...w,
    baselineMs,
    limit: Math.max(opts.min, w.limit * opts.slowDecrease),
    lastDecreaseAt: now,
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
  };
}
