import { Injectable } from '@nestjs/common';
import {
  WRITE_WINDOW_DEFAULTS,
  newWriteWindow,
  onWriteAnswered,
  onWriteThrottled,
  writesAllowed,
  type WriteWindow,
  type WriteWindowOptions,
} from '../../core/reconcile/write-window.js';
import { KubeApiError } from '../../infra/kube/index.js';

/** A 429 is retried in place this many times (each after the Retry-After) before the job fails. */
const MAX_THROTTLED_RETRIES = 10;
/** A cluster idle this long starts again from a fresh window (its latency may have changed). */
const IDLE_RESET_MS = 60_000;

/**
 * Paces the writes to one cluster (every job of this process that writes there shares it):
 * at most the write window's limit in flight, none while a 429's Retry-After runs, the window
 * adapted to each answer (core write-window.ts). Waiters are served first come, first served.
 */
export class WritePacer {
  #window: WriteWindow;
  #inFlight = 0;
  #lastActive = Date.now();
  #timer?: NodeJS.Timeout;
  readonly #waiters: Waiter[] = [];
  /** The waiters of each signal: one abort listener per signal, not one per waiting write. */
  readonly #bySignal = new WeakMap<AbortSignal, Set<Waiter>>();

  constructor(
    private readonly options: WriteWindowOptions = WRITE_WINDOW_DEFAULTS,
    private readonly now: () => number = Date.now,
  ) {
    this.#window = newWriteWindow(options);
  }

  /** The window now (for logs and tests). */
  get window(): Readonly<WriteWindow> {
    return this.#window;
  }

  /**
   * Sends one write through the window: waits for a slot, measures the answer, and retries a
   * 429 in place after its Retry-After (a cluster that throttles is not a failed attempt).
   * Any other error is the caller's, after the window has learnt from it.
   */
  async run<T>(write: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let throttled = 0; ; throttled++) {
      await this.#acquire(signal);
      const started = this.now();
      try {
        const result = await write();
        this.#window = onWriteAnswered(
          this.#window,
          this.now() - started,
          this.now(),
          this.options,
        );
        return result;
      } catch (e) {
        if (e instanceof KubeApiError && e.status === 429 && throttled < MAX_THROTTLED_RETRIES) {
          this.#window = onWriteThrottled(
            this.#window,
            e.retryAfterSeconds,
            this.now(),
            this.options,
          );
          continue;
        }
        // An answer about the object itself (4xx) still tells how busy the server is.
        if (e instanceof KubeApiError && e.status !== undefined && e.status < 500)
          this.#window = onWriteAnswered(
            this.#window,
            this.now() - started,
            this.now(),
            this.options,
          );
        throw e;
      } finally {
        this.#release();
      }
    }
  }

  async #acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.#inFlight === 0 && this.now() - this.#lastActive > IDLE_RESET_MS)
      this.#window = newWriteWindow(this.options);
    if (this.#waiters.length === 0 && this.#inFlight < writesAllowed(this.#window, this.now())) {
      this.#inFlight++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        wake: () => {
          if (signal) this.#bySignal.get(signal)?.delete(waiter);
          resolve();
        },
        cancel: reject,
      };
      if (signal) this.#watch(signal, waiter);
      this.#waiters.push(waiter);
      this.#dispatch();
    });
  }

  #watch(signal: AbortSignal, waiter: Waiter): void {
    let waiting = this.#bySignal.get(signal);
    if (!waiting) {
      const set = (waiting = new Set());
      this.#bySignal.set(signal, set);
      signal.addEventListener(
        'abort',
        () => {
          for (const w of set) {
            const i = this.#waiters.indexOf(w);
            if (i >= 0) this.#waiters.splice(i, 1);
            w.cancel(signal.reason);
          }
          set.clear();
        },
        { once: true },
      );
    }
    waiting.add(waiter);
  }

  #release(): void {
    this.#inFlight--;
    this.#lastActive = this.now();
    this.#dispatch();
  }

  /** Hands free slots to waiters in order; while paused by a 429, wakes up when the pause ends. */
  #dispatch(): void {
    const now = this.now();
    while (this.#waiters.length > 0 && this.#inFlight < writesAllowed(this.#window, now)) {
      this.#inFlight++;
      this.#waiters.shift()!.wake();
    }
    if (this.#waiters.length > 0 && this.#window.pausedUntil > now && !this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#dispatch();
      }, this.#window.pausedUntil - now);
      this.#timer.unref();
    }
  }
}

interface Waiter {
  wake: () => void;
  cancel: (reason: unknown) => void;
}

/** One WritePacer per cluster, for the life of the process. */
@Injectable()
export class WritePacers {
  readonly #pacers = new Map<string, WritePacer>();

  for(clusterName: string): WritePacer {
    let pacer = this.#pacers.get(clusterName);
    if (!pacer) this.#pacers.set(clusterName, (pacer = new WritePacer()));
    return pacer;
  }
}
