import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ComputeTaskName, TaskInput, TaskOutput } from './compute-tasks.js';

/** A task ran longer than its budget; its thread was stopped. */
export class ComputeBudgetError extends Error {
  override readonly name = 'ComputeBudgetError';
  constructor(readonly budgetMs: number) {
    super(`the computation took longer than its budget of ${budgetMs} ms`);
  }
}

/** Too many tasks are waiting: the caller should retry later. */
export class ComputeBusyError extends Error {
  override readonly name = 'ComputeBusyError';
  constructor(readonly queued: number) {
    super(`${queued} computations are already waiting`);
  }
}

export interface ComputePoolOptions {
  /** Worker threads (at least 1). */
  threads: number;
  /** The longest one task may run, in ms; the thread is then stopped and replaced. */
  budgetMs: number;
  /** Tasks that may wait for a thread; more are refused with ComputeBusyError. */
  maxQueued: number;
}

interface Pending {
  id: number;
  task: ComputeTaskName;
  input: unknown;
  transfer: ArrayBuffer[];
  budgetMs: number;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  current?: Pending;
  timer?: NodeJS.Timeout;
}

type Answer = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** The worker's entry: the compiled .js next to this file, or (from sources) the .ts through tsx. */
function spawnWorker(): Worker {
  const js = new URL('./compute.worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js);
  const ts = new URL('./compute.worker.ts', import.meta.url).href;
  // Tests and `tsx` run the sources: load the worker through tsx's loader, in the thread.
  const code = `import('tsx/esm/api').then((m) => m.tsImport(${JSON.stringify(ts)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(code, { eval: true });
}

/**
 * Runs the CPU-heavy tasks of COMPUTE_TASKS in worker threads, so that the event loop (and
 * /healthz, and every other request) keeps answering while a big document is compiled or
 * diffed. Each task has a time budget: past it, its thread is terminated (which stops the
 * computation for real) and replaced, and the caller gets ComputeBudgetError. The queue is
 * bounded: past it, ComputeBusyError. Plain class; ComputeModule wires it into Nest.
 */
export class ComputePool {
  readonly #options: ComputePoolOptions;
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  #nextId = 1;
  #closed = false;

  constructor(options: ComputePoolOptions) {
    this.#options = { ...options, threads: Math.max(1, options.threads) };
  }

  get budgetMs(): number {
    return this.#options.budgetMs;
  }

  /**
   * Runs one task in a thread; rejects with ComputeBudgetError or ComputeBusyError. `budgetMs`
   * overrides the pool's budget for this task; `transfer` lists buffers of the input that move
   * to the thread instead of being copied (the caller must not use them afterwards).
   */
  run<N extends ComputeTaskName>(
    task: N,
    input: TaskInput<N>,
    opts: { budgetMs?: number; transfer?: ArrayBuffer[] } = {},
  ): Promise<TaskOutput<N>> {
    if (this.#closed) return Promise.reject(new Error('the compute pool is closed'));
    if (this.#queue.length >= this.#options.maxQueued)
      return Promise.reject(new ComputeBusyError(this.#queue.length));
    return new Promise<TaskOutput<N>>((resolve, reject) => {
      this.#queue.push({
        id: this.#nextId++,
        task,
        input,
        transfer: opts.transfer ?? [],
        budgetMs: opts.budgetMs ?? this.#options.budgetMs,
        resolve: resolve as (v: unknown) => void,
        reject,
      });
      this.#dispatch();
    });
  }

  /** Stops every thread; waiting and running tasks are rejected. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const p of this.#queue.splice(0)) p.reject(new Error('the compute pool is closed'));
    await Promise.all(
      this.#slots.splice(0).map(async (slot) => {
        clearTimeout(slot.timer);
        slot.current?.reject(new Error('the compute pool is closed'));
        await slot.worker.terminate();
      }),
    );
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((s) => !s.current);
      if (!slot && this.#slots.length < this.#options.threads) slot = this.#spawn();
      if (!slot) return;
      const next = this.#queue.shift()!;
      slot.current = next;
      slot.timer = setTimeout(() => this.#overBudget(slot, next.budgetMs), next.budgetMs);
      slot.worker.postMessage({ id: next.id, task: next.task, input: next.input }, next.transfer);
    }
  }

  #spawn(): Slot {
    const slot: Slot = { worker: spawnWorker() };
    slot.worker.on('message', (answer: Answer) => {
      const current = slot.current;
      if (!current || current.id !== answer.id) return;
      clearTimeout(slot.timer);
      slot.current = undefined;
      if (answer.ok) current.resolve(answer.value);
      else current.reject(new Error(`computation failed: ${answer.error}`));
      this.#dispatch();
    });
    slot.worker.on('error', (error) => this.#lose(slot, error));
    slot.worker.on('exit', () => this.#lose(slot, new Error('a compute thread exited')));
    // A thread must not keep the process alive on its own.
    slot.worker.unref();
    this.#slots.push(slot);
    return slot;
  }

  #overBudget(slot: Slot, budgetMs: number): void {
    const current = slot.current;
    slot.current = undefined;
    this.#remove(slot);
    void slot.worker.terminate();
    current?.reject(new ComputeBudgetError(budgetMs));
    this.#dispatch();
  }

  #lose(slot: Slot, error: Error): void {
    if (!this.#slots.includes(slot)) return;
    clearTimeout(slot.timer);
    this.#remove(slot);
    slot.current?.reject(error);
    slot.current = undefined;
    if (!this.#closed) this.#dispatch();
  }

  #remove(slot: Slot): void {
    const i = this.#slots.indexOf(slot);
    if (i >= 0) this.#slots.splice(i, 1);
  }
}
