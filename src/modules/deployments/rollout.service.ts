import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { mapLimit } from '../../common/map-limit.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import type { NetworkPolicy } from '../../core/kube/network-policy.types.js';
import type { ClusterNetworks } from '../../core/compiler/scope-to-cluster.js';
import { objectsForCluster, type ClusterObjects } from '../../core/reconcile/cluster-objects.js';
import { rolloutStage, type RolloutAction } from '../../core/reconcile/plan-rollout.js';
import { namespacesToInspect, planReconcile } from '../../core/reconcile/reconcile-plan.js';
import {
  settleTarget,
  sortOutcomes,
  type ResourceOutcome,
} from '../../core/reconcile/settle-target.js';
import type { DeploymentRow, DeploymentTargetRow, PolicyRow } from '../../infra/database/schema.js';
import { KubeApiError, type KubeClient } from '../../infra/kube/index.js';
import { REDIS } from '../../infra/queue/queue.module.js';
import { withRedisLock } from '../../infra/queue/redis-lock.js';
import { ClusterConnector } from '../clusters/cluster-connector.service.js';
import { clusterNetworks } from '../clusters/cluster-networks.js';
import { PoliciesRepository } from '../policies/policies.repository.js';
import { readCluster } from './cluster-reader.js';
import { DeploymentsRepository } from './deployments.repository.js';
import { executeAction } from './execute-action.js';

/** A failure worth another attempt later (the cluster or Redis was unavailable). */
export class RetryableRolloutError extends Error {
  override readonly name = 'RetryableRolloutError';
}

export interface TargetRunContext {
  attempt: number;
  signal?: AbortSignal;
}

const LOCK_TTL_MS = 60_000;
const LOCK_WAIT_MS = 30_000;
/** Concurrent writes to one cluster within a stage. */
const WRITE_CONCURRENCY = 8;

/**
 * Rolls one deployment out to one cluster: the body of a rollout job. Idempotent: running it
 * again after a crash converges to the same state, and an unchanged object is never written.
 * It reads the cluster (readCluster), plans (core planReconcile) and writes (executeAction):
 * the same three steps the diff and plan run as dry runs.
 */
@Injectable()
export class RolloutService {
  private readonly logger = new Logger(RolloutService.name);

  constructor(
    private readonly deployments: DeploymentsRepository,
    private readonly policies: PoliciesRepository,
    private readonly clusters: ClusterConnector,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The Redis key that serialises rollouts (and drift checks) of one policy on one cluster. */
  lockKey(policyId: string, clusterName: string): string {
    return `${this.config.queuePrefix}:lock:${policyId}:${clusterName}`;
  }

  async runTarget(deploymentId: string, clusterName: string, ctx: TargetRunContext): Promise<void> {
    const deployment = await this.deployments.findDeployment(deploymentId);
    const target = deployment && (await this.deployments.findTarget(deploymentId, clusterName));
    if (!deployment || !target) return; // the policy (and so its deployments) was deleted
    if (['Succeeded', 'Failed', 'Superseded'].includes(target.phase)) return;
    const policy = deployment.policyId
      ? await this.policies.findPolicyById(deployment.policyId)
      : undefined;
    if (!policy) return;

    await this.deployments.updateTarget(deploymentId, clusterName, {
      phase: 'Running',
      attempt: ctx.attempt,
      startedAt: new Date(),
      nextRetryAt: null,
    });
    await withRedisLock(
      this.redis,
      this.lockKey(policy.id, clusterName),
      { ttlMs: LOCK_TTL_MS, waitMs: LOCK_WAIT_MS, signal: ctx.signal },
      async () => {
        if (await this.deployments.hasNewerDeployment(deployment, clusterName)) {
          await this.finish(deployment, target, {
            phase: 'Superseded',
            error: null,
            resources: [],
          });
          return;
        }
        const { client, cluster } = await this.clusters.connect(clusterName);
        const { objects: desired, warnings } = await this.desiredObjects(
          policy,
          deployment,
          target,
          clusterNetworks(cluster.networks),
        );
        await this.deployments.updateTarget(deploymentId, clusterName, { warnings });
        const namespaces = namespacesToInspect(
          desired,
          await this.possiblyApplied(policy, clusterName, deployment.revision),
        );
        try {
          const resources = await this.converge(client, policy, desired, namespaces, ctx.signal);
          await this.clusters.recordConnectionSuccess(clusterName);
          await this.complete(policy, deployment, target, resources);
        } catch (e) {
          if (
            e instanceof KubeApiError &&
            (e.kind === 'unreachable' || e.kind === 'unauthorized')
          ) {
            await this.clusters.recordConnectionFailure(clusterName, e);
          }
          throw e instanceof KubeApiError && e.retryable ? new RetryableRolloutError(e.message) : e;
        }
      },
    );
  }

  /** The revision's objects as this cluster gets them (objectsForCluster); nothing when pruning or deleting. */
  private async desiredObjects(
    policy: PolicyRow,
    deployment: DeploymentRow,
    target: DeploymentTargetRow,
    networks: ClusterNetworks,
  ): Promise<ClusterObjects> {
    if (target.action === 'prune' || deployment.kind === 'delete')
      return { objects: [], warnings: [] };
    const revision = await this.policies.findRevision(policy.id, deployment.revision);
    return revision
      ? objectsForCluster(revision.objects, policy.name, revision.number, networks)
      : { objects: [], warnings: [] };
  }

  /**
   * Objects of this policy that may be on the cluster, whose namespaces a reconcile searches
   * for objects to prune: those of the revision last applied there, and those of `revision`
   * (a rollout of it may have written some before failing, with nothing recorded as applied).
   */
  async possiblyApplied(
    policy: PolicyRow,
    clusterName: string,
    revision: number,
  ): Promise<NetworkPolicy[]> {
    const state = await this.deployments.findState(policy.id, clusterName);
    const numbers = new Set([revision, state?.appliedRevision ?? 0].filter((n) => n > 0));
    const found = await Promise.all(
      [...numbers].map((n) => this.policies.findRevision(policy.id, n)),
    );
    return found.flatMap((r) => r?.objects ?? []);
  }

  /**
   * Reads each namespace once (reads only when nothing changed), plans, then writes: creates
   * and widening updates first, narrowing updates next, pruning last.
   */
  private async converge(
    client: KubeClient,
    policy: PolicyRow,
    desired: NetworkPolicy[],
    namespaces: string[],
    signal?: AbortSignal,
  ): Promise<ResourceOutcome[]> {
    const snapshot = await readCluster(client, namespaces, { signal });
    // Not even knowing whether a namespace exists (e.g. RBAC not ready after an API server
    // restart) is no verdict on its objects: the attempt fails and the job is tried again.
    const unsure = [...snapshot.unusable.values()].find((p) => p.during === 'check');
    if (unsure) throw new RetryableRolloutError(unsure.message);
    const plan = planReconcile({ policyName: policy.name, desired, snapshot });
    const outcomes: ResourceOutcome[] = [
      ...plan.blocked.map((b) => ({
        namespace: b.namespace,
        name: b.name,
        action: 'failed',
        message: b.problem.message,
      })),
      ...plan.pruneBlocked.map((b) => ({
        namespace: b.namespace,
        name: '*',
        action: 'failed',
        message: `cannot prune: ${b.problem.message}`,
      })),
    ];
    // Stages run in order; the writes of one stage run a few at a time.
    for (const stage of new Set(plan.actions.map(rolloutStage))) {
      const stageActions = plan.actions.filter((a) => rolloutStage(a) === stage);
      outcomes.push(
        ...(await mapLimit(stageActions, WRITE_CONCURRENCY, (a) =>
          this.execute(client, a, signal),
        )),
      );
    }
    return sortOutcomes(outcomes);
  }

  private async execute(
    client: KubeClient,
    action: RolloutAction,
    signal?: AbortSignal,
  ): Promise<ResourceOutcome> {
    const [namespace, name] = action.key.split('/');
    try {
      await executeAction(client, action, { signal });
    } catch (e) {
      if (e instanceof KubeApiError && !e.retryable) {
        return {
          namespace,
          name,
          action: e.kind === 'conflict' ? 'conflict' : 'failed',
          message: e.message,
        };
      }
      throw e;
    }
    switch (action.kind) {
      case 'unchanged':
        return { namespace, name, action: 'unchanged' };
      case 'conflict':
        return {
          namespace,
          name,
          action: 'conflict',
          message: `an existing NetworkPolicy of this name is not ours to change (${action.owner})`,
        };
      case 'create':
        return { namespace, name, action: 'created' };
      case 'update':
        return {
          namespace,
          name,
          action: 'updated',
          message: action.widening ? 'widened' : 'narrowed',
        };
      case 'delete':
        return { namespace, name, action: 'deleted' };
    }
  }

  private async complete(
    policy: PolicyRow,
    deployment: DeploymentRow,
    target: DeploymentTargetRow,
    resources: ResourceOutcome[],
  ): Promise<void> {
    const pruning = target.action === 'prune' || deployment.kind === 'delete';
    const { phase, error, state } = settleTarget(resources, pruning);
    await this.finish(deployment, target, { phase, error, resources });
    if (state.kind === 'forget') await this.deployments.deleteState(policy.id, target.clusterName);
    else if (state.kind === 'prune-failed')
      await this.deployments.saveState(policy.id, target.clusterName, {
        sync: state.sync,
        syncReason: state.syncReason,
      });
    else {
      const revision = await this.policies.findRevision(policy.id, deployment.revision);
      await this.deployments.saveState(policy.id, target.clusterName, {
        appliedRevision: deployment.revision,
        appliedHash: revision?.contentHash ?? null,
        sync: state.sync,
        syncReason: state.syncReason,
        drift: null,
      });
    }
  }

  /** Records a final phase, closes the deployment when it was the last target, and ends a finished deletion. */
  async finish(
    deployment: DeploymentRow,
    target: DeploymentTargetRow,
    result: Pick<DeploymentTargetRow, 'phase' | 'error' | 'resources'>,
  ): Promise<void> {
    await this.deployments.updateTarget(deployment.id, target.clusterName, {
      ...result,
      finishedAt: new Date(),
      nextRetryAt: null,
    });
    const closed = await this.deployments.finishDeploymentIfDone(deployment.id);
    if (closed && deployment.kind === 'delete') {
      const targets = await this.deployments.listTargets(deployment.id);
      if (deployment.policyId && targets.every((t) => t.phase === 'Succeeded')) {
        await this.policies.deletePolicy(deployment.policyId);
        this.logger.log(
          { policyId: deployment.policyId },
          'policy deleted after its objects were removed from every cluster',
        );
      }
    }
  }

  /** Records a failed attempt: Retrying with the time of the next one, or Failed after the last. */
  async recordFailure(
    deploymentId: string,
    clusterName: string,
    error: unknown,
    attempt: number,
    finalAttempt: boolean,
    nextRetryAt?: Date,
  ): Promise<void> {
    const deployment = await this.deployments.findDeployment(deploymentId);
    const target = deployment && (await this.deployments.findTarget(deploymentId, clusterName));
    if (!deployment || !target) return;
    const message = error instanceof Error ? error.message : 'unknown error';
    if (!finalAttempt) {
      await this.deployments.updateTarget(deploymentId, clusterName, {
        phase: 'Retrying',
        attempt,
        error: message,
        nextRetryAt: nextRetryAt ?? null,
      });
      return;
    }
    await this.finish(deployment, target, {
      phase: 'Failed',
      error: message,
      resources: target.resources,
    });
    if (deployment.policyId)
      await this.deployments.saveState(deployment.policyId, clusterName, {
        sync: 'OutOfSync',
        syncReason: 'RolloutFailed',
      });
  }
}
