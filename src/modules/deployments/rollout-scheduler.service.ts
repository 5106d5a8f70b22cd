import { InjectQueue } from '@nestjs/bullmq';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { DatabaseQueryError } from '../../infra/database/database-errors.js';
import { DatabaseUnavailableError } from '../../infra/database/database.js';
import type { DeploymentRow, DeploymentTargetRow } from '../../infra/database/schema.js';
import {
  JOB_APPLY_TARGET,
  ROLLOUT_QUEUE,
  applyTargetJobId,
  type ApplyTargetJob,
} from '../../infra/queue/queue.constants.js';
import { REDIS } from '../../infra/queue/queue.module.js';
import { DeploymentsRepository } from './deployments.repository.js';

/**
 * The longest an API request waits to put its jobs on the queue. Past it (Redis is down or
 * stalled), the deployment stays pending in the database and the reconcile enqueues it.
 */
export const ENQUEUE_TIMEOUT_MS = 2000;

/**
 * Puts rollout jobs on the queue. The database is the source of truth: a reconcile at start,
 * on a timer and whenever Redis (re)connects re-enqueues every target that is not finished, so
 * nothing is lost when Redis restarts empty. Job ids are deterministic, so enqueuing twice is
 * harmless.
 *
 * With Redis down, storing a revision, a sync or a deletion still answers at once: the
 * deployment is stored (its targets Queued) and `enqueue` gives up after ENQUEUE_TIMEOUT_MS,
 * or at once when Redis is known to be down; the reconcile enqueues it when Redis is back
 * (README, Operations).
 */
@Injectable()
export class RolloutScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RolloutScheduler.name);
  private timer?: NodeJS.Timeout;
  private reconciling?: Promise<number>;
  private readonly onRedisReady = () => void this.reconcile();

  constructor(
    @InjectQueue(ROLLOUT_QUEUE) private readonly queue: Queue,
    private readonly repo: DeploymentsRepository,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.reconcile();
    this.timer = setInterval(() => void this.reconcile(), this.config.reconcileIntervalMs);
    this.timer.unref();
    this.redis.on('ready', this.onRedisReady);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.redis.off('ready', this.onRedisReady);
  }

  /**
   * Enqueues one job per target, after superseding queued jobs of older deployments.
   * `attempts` overrides JOB_ATTEMPTS (a prune someone waits for is tried once). Never waits
   * for Redis longer than ENQUEUE_TIMEOUT_MS: returns false when the jobs may not be queued
   * (the deployment then waits, Queued, for the reconcile).
   */
  async enqueue(
    deployment: DeploymentRow,
    targets: DeploymentTargetRow[],
    opts: { attempts?: number } = {},
  ): Promise<boolean> {
    const queued =
      this.redis.status === 'ready' &&
      (await this.withinTimeout(async () => {
        await this.supersedeOlder(
          deployment,
          targets.map((t) => t.clusterName),
        );
        await Promise.all(
          targets.map((t) =>
            this.add({ deploymentId: deployment.id, clusterName: t.clusterName }, opts.attempts),
          ),
        );
      }));
    if (!queued)
      this.logger.warn(
        { deploymentId: deployment.id },
        'Redis unavailable: the deployment is stored and will be queued by the reconcile once Redis is back',
      );
    return queued;
  }

  /** True when `work` finished within ENQUEUE_TIMEOUT_MS; false when it failed or is still waiting for Redis. */
  private async withinTimeout(work: () => Promise<void>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    // A command still waiting for Redis is sent when it is back: harmless, job ids are fixed.
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ENQUEUE_TIMEOUT_MS);
    });
    try {
      return await Promise.race([work().then(() => true), late]);
    } catch (e) {
      // The database failing is the caller's error (503); Redis failing only delays the jobs.
      if (e instanceof DatabaseUnavailableError || e instanceof DatabaseQueryError) throw e;
      return false;
    } finally {
      clearTimeout(timer);
    }
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

  /**
   * Re-enqueues every unfinished target (after a Redis loss, a crash, on the timer, or when
   * Redis is back). One reconcile at a time; none while Redis is known to be down.
   */
  reconcile(): Promise<number> {
    if (this.redis.status !== 'ready') return Promise.resolve(0);
    this.reconciling ??= this.reconcileNow().finally(() => (this.reconciling = undefined));
    return this.reconciling;
  }

  private async reconcileNow(): Promise<number> {
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
