import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import type { Redis } from 'ioredis';
import {
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  type NetworkPolicy,
} from '../../core/kube/network-policy.types.js';
import { POLICY_LABEL } from '../../core/compiler/compile-network-policies.js';
import { resourceKey, type LiveNetworkPolicy } from '../../core/reconcile/live-object.js';
import {
  decorateForRollout,
  planRollout,
  rolloutStage,
  type RolloutAction,
} from '../../core/reconcile/plan-rollout.js';
import type {
  DeploymentRow,
  DeploymentTargetRow,
  PolicyRow,
  ResourceOutcome,
} from '../../infra/database/schema.js';
import { KubeApiError, type KubeClient } from '../../infra/kube/index.js';
import { REDIS } from '../../infra/queue/queue.module.js';
import { withRedisLock } from '../../infra/queue/redis-lock.js';
import { mapLimit } from '../../common/map-limit.js';
import { ClusterConnector } from '../clusters/cluster-connector.service.js';
import { PoliciesRepository } from './policies.repository.js';

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

/** The label selector of every object one policy owns. */
export function ownedSelector(policyName: string): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${POLICY_LABEL}=${policyName}`;
}

/**
 * Rolls one deployment out to one cluster: the body of a rollout job. Idempotent: running it
 * again after a crash converges to the same state, and an unchanged object is never written.
 */
@Injectable()
export class RolloutService {
  private readonly logger = new Logger(RolloutService.name);

  constructor(
    private readonly repo: PoliciesRepository,
    private readonly clusters: ClusterConnector,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The Redis key that serialises rollouts of one policy to one cluster. */
  lockKey(policyId: string, clusterName: string): string {
    return `${this.config.queuePrefix}:lock:${policyId}:${clusterName}`;
  }

  async runTarget(deploymentId: string, clusterName: string, ctx: TargetRunContext): Promise<void> {
    const deployment = await this.repo.findDeployment(deploymentId);
    const target = deployment && (await this.repo.findTarget(deploymentId, clusterName));
    if (!deployment || !target) return; // the policy (and so its deployments) was deleted
    if (['Succeeded', 'Failed', 'Superseded'].includes(target.phase)) return;
    const policy = deployment.policyId
      ? await this.repo.findPolicyById(deployment.policyId)
      : undefined;
    if (!policy) return;

    await this.repo.updateTarget(deploymentId, clusterName, {
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
        if (await this.repo.hasNewerDeployment(deployment, clusterName)) {
          await this.finish(deployment, target, {
            phase: 'Superseded',
            error: null,
            resources: [],
          });
          return;
        }
        const { client } = await this.clusters.connect(clusterName);
        const desired = await this.desiredObjects(policy, deployment, target);
        const namespaces = await this.namespacesToInspect(policy, clusterName, desired);
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

  /** The revision's objects, decorated for this policy; nothing when pruning or deleting. */
  private async desiredObjects(
    policy: PolicyRow,
    deployment: DeploymentRow,
    target: DeploymentTargetRow,
  ): Promise<NetworkPolicy[]> {
    if (target.action === 'prune' || deployment.kind === 'delete') return [];
    const revision = await this.repo.findRevision(policy.id, deployment.revision);
    return revision ? decorateForRollout(revision.objects, policy.name, revision.number) : [];
  }

  /** Desired namespaces plus those of the revision last applied here, so that dropped ones are pruned. */
  private async namespacesToInspect(
    policy: PolicyRow,
    clusterName: string,
    desired: NetworkPolicy[],
  ): Promise<string[]> {
    const namespaces = new Set(desired.map((o) => o.metadata.namespace));
    const state = await this.repo.findState(policy.id, clusterName);
    if (state?.appliedRevision) {
      const applied = await this.repo.findRevision(policy.id, state.appliedRevision);
      for (const o of applied?.objects ?? []) namespaces.add(o.metadata.namespace);
    }
    return [...namespaces].sort();
  }

  /**
   * Reads each namespace once (a list: reads only when nothing changed), plans, then writes:
   * creates and widening updates first, narrowing updates next, pruning last.
   */
  private async converge(
    client: KubeClient,
    policy: PolicyRow,
    desired: NetworkPolicy[],
    namespaces: string[],
    signal?: AbortSignal,
  ): Promise<ResourceOutcome[]> {
    const outcomes: ResourceOutcome[] = [];
    const liveByKey = new Map<string, LiveNetworkPolicy | null>();
    const owned: LiveNetworkPolicy[] = [];
    const unusable = new Map<string, string>();
    const wanted = new Set(desired.map((o) => o.metadata.namespace));
    for (const ns of namespaces) {
      // One read per namespace; a namespace is checked first because listing in a namespace
      // that does not exist answers an empty list (or 403 for a namespaced Role).
      if (!(await client.namespaceExists(ns, { signal }))) {
        unusable.set(
          ns,
          `namespace ${ns} does not exist in this cluster; gbp-netpol never creates namespaces`,
        );
        continue;
      }
      let live: LiveNetworkPolicy[];
      try {
        live = await client.listNetworkPolicies(ns, undefined, { signal });
      } catch (e) {
        if (!(e instanceof KubeApiError) || e.retryable) throw e;
        unusable.set(ns, e.message);
        continue;
      }
      for (const o of live) {
        liveByKey.set(resourceKey(o), o);
        if (
          o.metadata.labels?.[POLICY_LABEL] === policy.name &&
          o.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE
        )
          owned.push(o);
      }
    }
    const present = desired.filter((o) => {
      const why = unusable.get(o.metadata.namespace);
      if (why === undefined) return true;
      outcomes.push({
        namespace: o.metadata.namespace,
        name: o.metadata.name,
        action: 'failed',
        message: why,
      });
      return false;
    });
    for (const [ns, why] of unusable) {
      if (!wanted.has(ns) && !why.includes('does not exist'))
        outcomes.push({
          namespace: ns,
          name: '*',
          action: 'failed',
          message: `cannot prune: ${why}`,
        });
    }
    for (const o of present)
      if (!liveByKey.has(resourceKey(o))) liveByKey.set(resourceKey(o), null);

    // Stages run in order; the writes of one stage run a few at a time.
    const plan = planRollout({ policyName: policy.name, desired: present, liveByKey, owned });
    for (const stage of new Set(plan.map(rolloutStage))) {
      const stageActions = plan.filter((a) => rolloutStage(a) === stage);
      outcomes.push(
        ...(await mapLimit(stageActions, WRITE_CONCURRENCY, (a) =>
          this.execute(client, a, signal),
        )),
      );
    }
    return outcomes.sort((a, b) =>
      a.namespace + '/' + a.name < b.namespace + '/' + b.name ? -1 : 1,
    );
  }

  private async execute(
    client: KubeClient,
    action: RolloutAction,
    signal?: AbortSignal,
  ): Promise<ResourceOutcome> {
    const [namespace, name] = action.key.split('/');
    try {
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
          // Not forced: if someone else created it since we listed, the apply conflicts
          // instead of taking their fields over.
          await client.applyNetworkPolicy(action.desired, { force: false, signal });
          return { namespace, name, action: 'created' };
        case 'update':
          // Forced: the object is ours, and fields someone changed by hand are taken back.
          await client.applyNetworkPolicy(action.desired, { force: true, signal });
          return {
            namespace,
            name,
            action: 'updated',
            message: action.widening ? 'widened' : 'narrowed',
          };
        case 'delete':
          await client.deleteNetworkPolicy(namespace, name, {
            preconditionResourceVersion: action.live.metadata.resourceVersion,
            signal,
          });
          return { namespace, name, action: 'deleted' };
      }
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
  }

  private async complete(
    policy: PolicyRow,
    deployment: DeploymentRow,
    target: DeploymentTargetRow,
    resources: ResourceOutcome[],
  ): Promise<void> {
    const bad = resources.filter((r) => r.action === 'failed' || r.action === 'conflict');
    const error =
      bad.length === 0
        ? null
        : `${bad.length} of ${resources.length} resources not applied: ${bad.map((r) => `${r.namespace}/${r.name} ${r.action}${r.message ? ` (${r.message})` : ''}`).join('; ')}`;
    await this.finish(deployment, target, {
      phase: bad.length === 0 ? 'Succeeded' : 'Failed',
      error,
      resources,
    });
    if (target.action === 'prune' || deployment.kind === 'delete') {
      if (bad.length === 0) await this.repo.deleteState(policy.id, target.clusterName);
      else
        await this.repo.saveState(policy.id, target.clusterName, {
          sync: 'OutOfSync',
          syncReason: 'PruneFailed',
        });
    } else {
      const revision = await this.repo.findRevision(policy.id, deployment.revision);
      await this.repo.saveState(policy.id, target.clusterName, {
        appliedRevision: deployment.revision,
        appliedHash: revision?.contentHash ?? null,
        sync: bad.length === 0 ? 'Synced' : 'OutOfSync',
        syncReason:
          bad.length === 0
            ? null
            : bad.some((r) => r.action === 'conflict')
              ? 'Conflict'
              : 'ApplyFailed',
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
    await this.repo.updateTarget(deployment.id, target.clusterName, {
      ...result,
      finishedAt: new Date(),
      nextRetryAt: null,
    });
    const closed = await this.repo.finishDeploymentIfDone(deployment.id);
    if (closed && deployment.kind === 'delete') {
      const targets = await this.repo.listTargets(deployment.id);
      if (deployment.policyId && targets.every((t) => t.phase === 'Succeeded')) {
        await this.repo.deletePolicy(deployment.policyId);
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
    const deployment = await this.repo.findDeployment(deploymentId);
    const target = deployment && (await this.repo.findTarget(deploymentId, clusterName));
    if (!deployment || !target) return;
    const message = error instanceof Error ? error.message : 'unknown error';
    if (!finalAttempt) {
      await this.repo.updateTarget(deploymentId, clusterName, {
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
      await this.repo.saveState(deployment.policyId, clusterName, {
        sync: 'OutOfSync',
        syncReason: 'RolloutFailed',
      });
  }
}
