import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import type { NetworkPolicy } from '../../core/kube/network-policy.types.js';
import type { ClusterNetworks } from '../../core/compiler/scope-to-cluster.js';
import { objectsForCluster, type ClusterObjects } from '../../core/reconcile/cluster-objects.js';
import type { RolloutAction } from '../../core/reconcile/plan-rollout.js';
import {
  namespacesToInspect,
  planReconcile,
  type ReconcilePlan,
} from '../../core/reconcile/reconcile-plan.js';
import { scheduleRollout } from '../../core/reconcile/schedule-rollout.js';
import {
  HELD_BY_DRY_RUN,
  countOutcomes,
  settleTarget,
  sortOutcomes,
  type ResourceOutcome,
} from '../../core/reconcile/settle-target.js';
import type {
  DeploymentRow,
  DeploymentTargetRow,
  PolicyClusterStateRow,
  PolicyRow,
  RevisionRow,
} from '../../infra/database/schema.js';
import { KubeApiError, type KubeClient } from '../../infra/kube/index.js';
import { REDIS } from '../../infra/queue/queue.module.js';
import { withRedisLock } from '../../infra/queue/redis-lock.js';
import { ClusterConnector } from '../clusters/cluster-connector.service.js';
import { clusterNetworks } from '../clusters/cluster-networks.js';
import { PoliciesRepository } from '../policies/policies.repository.js';
import { readCluster } from './cluster-reader.js';
import { DeploymentsRepository } from './deployments.repository.js';
import { executeAction } from './execute-action.js';
import { runSchedule } from './run-schedule.js';
import { WritePacers, type WritePacer } from './write-pacer.js';

function keyOf(a: RolloutAction): { namespace: string; name: string } {
  const [namespace, name] = a.key.split('/');
  return { namespace, name };
}

/** A failure worth another attempt later (the cluster or Redis was unavailable). */
export class RetryableRolloutError extends Error {
  override readonly name = 'RetryableRolloutError';
}

export interface TargetRunContext {
  attempt: number;
  signal?: AbortSignal;
}

/**
 * The per-(policy, cluster) lock lives this long unless renewed (every third of it). A worker
 * killed with SIGKILL cannot release it: it then expires within LOCK_TTL_MS, before BullMQ's
 * stalled-job check hands the job to another worker (JobProcessor: 10-25 s), so that worker
 * takes over at once instead of waiting out a longer lock (README, Operations: about 25 s).
 */
export const LOCK_TTL_MS = 15_000;
const LOCK_WAIT_MS = 30_000;

/** What a reconcile of one cluster did: per-object outcomes, and whether a dry run refused the first rollout. */
interface Converged {
  resources: ResourceOutcome[];
  dryRunRefused: boolean;
}

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
    private readonly pacers: WritePacers,
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
        // Read once: a revision's objects can be megabytes.
        const revision = await this.policies.findRevision(policy.id, deployment.revision);
        const { objects: desired, warnings } = this.desiredObjects(
          policy,
          deployment,
          target,
          revision,
          clusterNetworks(cluster.networks),
        );
        await this.deployments.updateTarget(deploymentId, clusterName, { warnings });
        const state = await this.deployments.findState(policy.id, clusterName);
        const namespaces = namespacesToInspect(
          desired,
          await this.possiblyApplied(policy, clusterName, deployment.revision, { state, revision }),
        );
        try {
          const converged = await this.converge(client, policy, desired, namespaces, {
            pacer: this.pacers.for(clusterName),
            // No revision applied there yet: nothing is written unless the API server accepts
            // every object (README, Rollouts), so a first rollout is never partial.
            firstRollout:
              this.config.firstRolloutDryRun && desired.length > 0 && !state?.appliedRevision,
            signal: ctx.signal,
          });
          await this.clusters.recordConnectionSuccess(clusterName);
          await this.complete(policy, deployment, target, converged, revision?.contentHash);
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
  private desiredObjects(
    policy: PolicyRow,
    deployment: DeploymentRow,
    target: DeploymentTargetRow,
    revision: RevisionRow | undefined,
    networks: ClusterNetworks,
  ): ClusterObjects {
    if (target.action === 'prune' || deployment.kind === 'delete' || !revision)
      return { objects: [], warnings: [] };
    return objectsForCluster(revision.objects, policy.name, revision.number, networks);
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
    known: { state?: PolicyClusterStateRow; revision?: RevisionRow } = {},
  ): Promise<NetworkPolicy[]> {
    const state =
      'state' in known ? known.state : await this.deployments.findState(policy.id, clusterName);
    const numbers = new Set([revision, state?.appliedRevision ?? 0].filter((n) => n > 0));
    const found = await Promise.all(
      [...numbers].map((n) =>
        known.revision?.number === n ? known.revision : this.policies.findRevision(policy.id, n),
      ),
    );
    return found.flatMap((r) => r?.objects ?? []);
  }

  /**
   * Reads each namespace once (reads only when nothing changed), plans, then writes in the safe
   * order, object by object (core scheduleRollout: an object waits only for the writes that must
   * land before it), as many at once as the cluster's WritePacer allows. A first rollout is
   * dry-run in full first, and writes nothing if any object is refused.
   */
  private async converge(
    client: KubeClient,
    policy: PolicyRow,
    desired: NetworkPolicy[],
    namespaces: string[],
    opts: { pacer: WritePacer; firstRollout: boolean; signal?: AbortSignal },
  ): Promise<Converged> {
    const { pacer, signal } = opts;
    const snapshot = await readCluster(client, namespaces, { signal });
    // Not even knowing whether a namespace exists (e.g. RBAC not ready after an API server
    // restart) is no verdict on its objects: the attempt fails and the job is tried again.
    const unsure = [...snapshot.unusable.values()].find((p) => p.during === 'check');
    if (unsure) throw new RetryableRolloutError(unsure.message);
    const plan = planReconcile({ policyName: policy.name, desired, snapshot });
    const unplanned = this.unplannedOutcomes(plan);
    if (opts.firstRollout) {
      const refusals = await this.dryRunRefusals(client, plan, pacer, signal);
      // A namespace that exists but refused even the read is a refusal too; a missing one is
      // not: it has no pods that a partial rollout could leave open.
      const refused = [
        ...refusals,
        ...plan.blocked
          .filter((b) => b.problem.kind !== 'namespaceMissing')
          .map((b) => `${b.namespace}/${b.name}`),
      ];
      if (refused.length > 0) return this.heldByDryRun(plan, unplanned, refusals);
    }
    const written = await runSchedule(scheduleRollout(plan.actions), {
      send: (a, s) => this.execute(client, a, pacer, s),
      heldBack: (a, blocker) => ({
        ...keyOf(a),
        action: 'failed',
        message: `not applied: it must follow ${blocker.key}, which was not applied`,
      }),
      signal,
    });
    return { resources: sortOutcomes([...unplanned, ...written]), dryRunRefused: false };
  }

  /** Outcomes of what the plan could not act on: objects and prunes in unreadable namespaces. */
  private unplannedOutcomes(plan: ReconcilePlan): ResourceOutcome[] {
    return [
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
  }

  /**
   * Sends every create and update of the plan as a server-side dry run (executeAction, as the
   * diff does) and returns the refusals: `namespace/name` → the API server's message. An error
   * about the cluster itself (unreachable, 5xx) fails the attempt.
   */
  private async dryRunRefusals(
    client: KubeClient,
    plan: ReconcilePlan,
    pacer: WritePacer,
    signal?: AbortSignal,
  ): Promise<Map<string, string>> {
    const refusals = new Map<string, string>();
    const writes = plan.actions.filter((a) => a.kind === 'create' || a.kind === 'update');
    const stop = new AbortController();
    const both = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    const results = await Promise.allSettled(
      writes.map((a) =>
        pacer
          .run(() => executeAction(client, a, { dryRun: true, signal: both }), both)
          .catch((e: unknown) => {
            if (e instanceof KubeApiError && !e.retryable) {
              refusals.set(a.key, e.message);
              return;
            }
            stop.abort(e);
            throw e;
          }),
      ),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return refusals;
  }

  /** The outcomes of a first rollout that wrote nothing: the refusals, and every other object held. */
  private heldByDryRun(
    plan: ReconcilePlan,
    unplanned: ResourceOutcome[],
    refusals: Map<string, string>,
  ): Converged {
    const outcomes = plan.actions.map((a): ResourceOutcome => {
      const refusal = refusals.get(a.key);
      if (refusal)
        return { ...keyOf(a), action: 'failed', message: `refused in a dry run: ${refusal}` };
      if (a.kind === 'conflict') return this.outcomeOf(a);
      if (a.kind === 'unchanged') return this.outcomeOf(a);
      return {
        ...keyOf(a),
        action: HELD_BY_DRY_RUN,
        message:
          'not written: the first rollout to this cluster writes nothing while the API server refuses any of its objects',
      };
    });
    return { resources: sortOutcomes([...unplanned, ...outcomes]), dryRunRefused: true };
  }

  private async execute(
    client: KubeClient,
    action: RolloutAction,
    pacer: WritePacer,
    signal?: AbortSignal,
  ): Promise<ResourceOutcome> {
    if (action.kind === 'unchanged' || action.kind === 'conflict') return this.outcomeOf(action);
    try {
      await pacer.run(() => executeAction(client, action, { signal }), signal);
    } catch (e) {
      if (e instanceof KubeApiError && !e.retryable) {
        return {
          ...keyOf(action),
          action: e.kind === 'conflict' ? 'conflict' : 'failed',
          message: e.message,
        };
      }
      throw e;
    }
    return this.outcomeOf(action);
  }

  /** What an action that went as planned became. */
  private outcomeOf(action: RolloutAction): ResourceOutcome {
    const { namespace, name } = keyOf(action);
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
    { resources, dryRunRefused }: Converged,
    contentHash: string | undefined,
  ): Promise<void> {
    const pruning = target.action === 'prune' || deployment.kind === 'delete';
    const { phase, error, state } = settleTarget(resources, pruning, { dryRunRefused });
    await this.finish(deployment, target, { phase, error, resources });
    if (state.kind === 'forget') await this.deployments.deleteState(policy.id, target.clusterName);
    else if (state.kind === 'prune-failed' || state.kind === 'refused')
      await this.deployments.saveState(policy.id, target.clusterName, {
        sync: state.sync,
        syncReason: state.syncReason,
      });
    else {
      await this.deployments.saveState(policy.id, target.clusterName, {
        appliedRevision: deployment.revision,
        appliedHash: contentHash ?? null,
        sync: state.sync,
        syncReason: state.syncReason,
        drift: null,
      });
    }
  }

  /**
   * Records a final phase, closes the deployment when it was the last target, and ends a
   * finished deletion. The per-object outcomes and their counts are written here, once per job.
   */
  async finish(
    deployment: DeploymentRow,
    target: DeploymentTargetRow,
    result: Pick<DeploymentTargetRow, 'phase' | 'error' | 'resources'>,
  ): Promise<void> {
    await this.deployments.updateTarget(deployment.id, target.clusterName, {
      ...result,
      counts: countOutcomes(result.resources),
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
