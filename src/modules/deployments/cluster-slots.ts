import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';

/** What a job learns when it asks for a slot. */
export type SlotAnswer =
  { granted: true; release: () => void } | { granted: false; reason: 'cluster' | 'unreachable' };

/**
 * Per-cluster fairness among one worker's job slots (WORKER_CONCURRENCY): a cluster runs at
 * most CLUSTER_JOB_LIMIT rollout jobs at once, and clusters recorded Unreachable share at most
 * UNREACHABLE_CLUSTER_JOB_LIMIT slots (half by default). A job refused a slot is moved back to
 * the queue, delayed, without using an attempt (JobProcessor), so a dead or slow cluster can
 * hold only its share while rollouts to healthy clusters proceed (README, Operations).
 *
 * The slots are the worker's own, so they are counted in this process: nothing to expire in
 * Redis when a worker dies, and a job refused here may run at once on a worker with room.
 * Requests to one cluster are paced separately, per cluster (WritePacer).
 */
@Injectable()
export class ClusterSlots {
  readonly #perCluster = new Map<string, number>();
  #unreachable = 0;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Takes a slot for a job of `clusterName` (recorded Unreachable or not), or says why not. */
  acquire(clusterName: string, unreachable: boolean): SlotAnswer {
    const running = this.#perCluster.get(clusterName) ?? 0;
    if (running >= this.config.clusterJobLimit) return { granted: false, reason: 'cluster' };
    if (unreachable && this.#unreachable >= this.config.unreachableClusterJobLimit)
      return { granted: false, reason: 'unreachable' };
    this.#perCluster.set(clusterName, running + 1);
    if (unreachable) this.#unreachable++;
    let released = false;
    return {
      granted: true,
      release: () => {
        if (released) return;
        released = true;
        const left = (this.#perCluster.get(clusterName) ?? 1) - 1;
        if (left > 0) this.#perCluster.set(clusterName, left);
        else this.#perCluster.delete(clusterName);
        if (unreachable) this.#unreachable--;
      },
    };
  }
}
