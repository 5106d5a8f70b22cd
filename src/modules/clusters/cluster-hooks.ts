import { Injectable } from '@nestjs/common';
import type { ClusterView } from './cluster-view.js';

export type RegisteredHook = (cluster: ClusterView) => Promise<void>;
export type PruneHook = (clusterName: string) => Promise<void>;

/** The outcome of one hook that failed. */
export interface HookFailure {
  error: unknown;
}

/**
 * What other modules asked to be told about clusters. Registration is through
 * ClusterConnector.onRegistered / onPrune; the clusters service runs them.
 */
@Injectable()
export class ClusterHooks {
  readonly #registered = new Set<RegisteredHook>();
  readonly #prune = new Set<PruneHook>();

  addRegistered(fn: RegisteredHook): () => void {
    this.#registered.add(fn);
    return () => void this.#registered.delete(fn);
  }

  addPrune(fn: PruneHook): () => void {
    this.#prune.add(fn);
    return () => void this.#prune.delete(fn);
  }

  /** Runs every registered-hook concurrently; returns the failures (never throws). */
  async runRegistered(cluster: ClusterView): Promise<HookFailure[]> {
    const results = await Promise.allSettled([...this.#registered].map((fn) => fn(cluster)));
    return results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => ({ error: r.reason }));
  }

  /** Runs the prune hooks one after another; the first failure rejects. */
  async runPrune(clusterName: string): Promise<number> {
    const hooks = [...this.#prune];
    for (const fn of hooks) await fn(clusterName);
    return hooks.length;
  }
}
