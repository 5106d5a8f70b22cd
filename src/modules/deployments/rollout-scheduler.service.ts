import { InjectQueue } from '@nestjs/bullmq';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import type { DeploymentRow, DeploymentTargetRow } from '../../infra/database/schema.js';
import {
  JOB_APPLY_TARGET,
  ROLLOUT_QUEUE,
  applyTargetJobId,
  type ApplyTargetJob,
} from '../../infra/queue/queue.constants.js';
import { DeploymentsRepository } from './deployments.repository.js';

/**
 * Puts rollout jobs on the queue. The database is the source of truth: a reconcile at start
 * and on a timer re-enqueues every target that is not finished, so nothing is lost when Redis
 * restarts empty. Job ids are deterministic, so enqueuing twice is harmless.
 */
@Injectable()
export class RolloutScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RolloutScheduler.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectQueue(ROLLOUT_QUEUE) private readonly queue: Queue,
    private readonly repo: DeploymentsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.reconcile();
    this.timer = setInterval(() => void this.reconcile(), this.config.reconcileIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /**
   * Enqueues one job per target, after superseding queued jobs of older deployments.
   * `attempts` overrides JOB_ATTEMPTS (a prune someone waits for is tried once).
   */
  async enqueue(
    deployment: DeploymentRow,
    targets: DeploymentTargetRow[],
    opts: { attempts?: number } = {},
  ): Promise<void> {
    await this.supersedeOlder(
      deployment,
      targets.map((t) => t.clusterName),
    );
    await Promise.all(
      targets.map((t) =>
        this.add({ deploymentId: deployment.id, clusterName: t.clusterName }, opts.attempts),
      ),
    );
  }

  private add(job: ApplyTargetJob, attempts = this.config.jobAttempts): Promise<unknown> {
    return this.queue.add(JOB_APPLY_TARGET, job, {
      jobId: applyTargetJobId(job),
      attempts,
      backoff: { type: 'exponential', delay: this.config.jobBackoffMs, jitter: 0.5 },
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: 24 * 3600 },
    });
  }

  /** A newer revision supersedes queued (not running) jobs of older ones for the same policy and cluster. */
  private async supersedeOlder(deployment: DeploymentRow, clusterNames: string[]): Promise<void> {
    for (const old of await this.repo.olderUnfinishedTargets(deployment, clusterNames)) {
      const jobId = applyTargetJobId({
        deploymentId: old.deploymentId,
        clusterName: old.clusterName,
      });
      // remove() fails on a job a worker holds; that job then sees the newer deployment itself.
      const removed = await this.queue.remove(jobId).catch(() => 0);
      if (removed === 1) {
        await this.repo.updateTarget(old.deploymentId, old.clusterName, {
          phase: 'Superseded',
          finishedAt: new Date(),
          nextRetryAt: null,
        });
        await this.repo.finishDeploymentIfDone(old.deploymentId);
      }
    }
  }

  /** Re-enqueues every unfinished target (after a Redis loss, a crash, or on the timer). */
  async reconcile(): Promise<number> {
    try {
      const targets = await this.repo.unfinishedTargets();
      for (const t of targets)
        await this.add({ deploymentId: t.deploymentId, clusterName: t.clusterName });
      return targets.length;
    } catch (e) {
      this.logger.warn(
        { err: e instanceof Error ? e.name : 'error' },
        'reconcile skipped: database or Redis unavailable',
      );
      return 0;
    }
  }
}
