import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { mapLimit } from '../../common/map-limit.js';
import { detectDrift, type DriftedResource } from '../../core/reconcile/detect-drift.js';
import { namespacesToInspect } from '../../core/reconcile/reconcile-plan.js';
import { objectsForCluster } from '../../core/reconcile/cluster-objects.js';
import { ownedSelector } from '../../core/reconcile/plan-rollout.js';
import type {
  PolicyClusterStateRow,
  PolicyRow,
  RevisionRow,
  SyncState,
} from '../../infra/database/schema.js';
import { DomainEvents } from '../../infra/events/domain-events.js';
import { FIELD_MANAGER, KubeApiError } from '../../infra/kube/index.js';
import { REDIS } from '../../infra/queue/queue.module.js';
import { LockTimeoutError, withRedisLock } from '../../infra/queue/redis-lock.js';
import { ClusterConnector } from '../clusters/cluster-connector.service.js';
import { clusterNetworks } from '../clusters/cluster-networks.js';
import { readCluster } from '../deployments/cluster-reader.js';
import { DeploymentsRepository } from '../deployments/deployments.repository.js';
import { DeploymentsService } from '../deployments/deployments.service.js';
import { LOCK_TTL_MS, RolloutService } from '../deployments/rollout.service.js';
import { PoliciesRepository } from '../policies/policies.repository.js';
import { PolicyReader } from '../policies/policy-reader.service.js';

/** What the drift column of policy_cluster_state holds after a check that found drift. */
export interface DriftRecord {
  checkedAt: string;
  resources: DriftedResource[];
}

export type ClusterDriftOutcome = 'in-sync' | 'drifted' | 'skipped' | 'error';

export interface ClusterDriftResult {
  cluster: string;
  appliedRevision: number | null;
  outcome: ClusterDriftOutcome;
  /** The sync state after the check (as stored). */
  sync: SyncState;
  syncReason: string | null;
  resources: DriftedResource[];
  /** Kubernetes API requests this cluster's check made. */
  apiRequests: number;
  /** Why the cluster was skipped or could not be checked. */
  message?: string;
}

export interface PolicyDriftResult {
  policy: string;
  checkedAt: string;
  /** Kubernetes API requests of this check: one list per namespace and cluster (plus a page per 500 objects). */
  apiRequests: number;
  clusters: ClusterDriftResult[];
  /** The re-apply started because of drift (selfHeal: true), or why it could not start. */
  selfHeal: { deploymentId: string } | { error: string } | null;
}

export interface DriftPassResult {
  checkedAt: string;
  policies: PolicyDriftResult[];
  apiRequests: number;
}

/** Clusters of one policy checked at once. */
const CLUSTER_CONCURRENCY = 8;

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : 'unknown error';
}

/**
 * Compares what each cluster runs with what gbp-netpol applied there, and records drift in
 * policy_cluster_state (sync OutOfSync, reason Drifted). Cheap by design: per cluster, one
 * label-selected list per namespace of the applied revision, no per-object reads; only objects
 * whose content hash differs from the desired one are diffed. Only clusters whose last rollout
 * succeeded (Synced) or that are already Drifted are checked: a rollout in progress or one that
 * failed says more than drift would. The check holds the rollout's Redis lock for that policy
 * and cluster (without waiting for it), so it never reads a half-applied revision.
 */
@Injectable()
export class DriftService {
  private readonly logger = new Logger(DriftService.name);
  private total = 0;

  constructor(
    private readonly policies: PoliciesRepository,
    private readonly reader: PolicyReader,
    private readonly repo: DeploymentsRepository,
    private readonly deployments: DeploymentsService,
    private readonly clusters: ClusterConnector,
    private readonly rollout: RolloutService,
    @Inject(REDIS) private readonly redis: Redis,
    @Optional() private readonly events?: DomainEvents,
  ) {}

  /** Kubernetes API requests made by drift checks since this process started (for benchmarks). */
  get apiRequestCount(): number {
    return this.total;
  }

  /** The scheduled pass: every policy that has a revision and is not being deleted. */
  async checkAll(signal?: AbortSignal): Promise<DriftPassResult> {
    const checkedAt = new Date().toISOString();
    const results: PolicyDriftResult[] = [];
    for (const policy of await this.policies.allPolicies()) {
      signal?.throwIfAborted();
      if (policy.deleting || policy.latestRevision === 0) continue;
      try {
        results.push(await this.check(policy, signal));
      } catch (e) {
        this.logger.warn(
          { policy: policy.name, error: errorMessage(e) },
          'drift check of a policy failed',
        );
      }
    }
    const apiRequests = results.reduce((n, r) => n + r.apiRequests, 0);
    this.logger.log(
      {
        policies: results.length,
        apiRequests,
        drifted: results.filter((r) => r.clusters.some((c) => c.outcome === 'drifted')).length,
      },
      'drift pass finished',
    );
    return { checkedAt, policies: results, apiRequests };
  }

  /** Checks one policy now (404 problem when it does not exist). */
  async checkPolicy(name: string): Promise<PolicyDriftResult> {
    return this.check(await this.reader.mustFind(name));
  }

  private async check(policy: PolicyRow, signal?: AbortSignal): Promise<PolicyDriftResult> {
    const checkedAt = new Date().toISOString();
    const revisions = new Map<number, Promise<RevisionRow | undefined>>();
    const revisionOf = (n: number) => {
      let found = revisions.get(n);
      if (!found) revisions.set(n, (found = this.policies.findRevision(policy.id, n)));
      return found;
    };
    const states = await this.repo.states(policy.id);
    const clusters = await mapLimit(states, CLUSTER_CONCURRENCY, (state) =>
      this.checkCluster(policy, state, revisionOf, checkedAt, signal),
    );
    let selfHeal: PolicyDriftResult['selfHeal'] = null;
    if (
      policy.selfHeal &&
      !policy.deleting &&
      clusters.some((c) => c.outcome === 'drifted' && c.resources.some((r) => r.healable))
    ) {
      try {
        selfHeal = { deploymentId: (await this.deployments.sync(policy.name)).deploymentId };
        this.logger.log(
          { policy: policy.name, deploymentId: selfHeal.deploymentId },
          'drift found: self-heal re-applies the latest revision',
        );
      } catch (e) {
        selfHeal = { error: errorMessage(e) };
      }
    }
    return {
      policy: policy.name,
      checkedAt,
      apiRequests: clusters.reduce((n, c) => n + c.apiRequests, 0),
      clusters,
      selfHeal,
    };
  }

  private async checkCluster(
    policy: PolicyRow,
    state: PolicyClusterStateRow,
    revisionOf: (revision: number) => Promise<RevisionRow | undefined>,
    checkedAt: string,
    signal?: AbortSignal,
  ): Promise<ClusterDriftResult> {
    const base = {
      cluster: state.clusterName,
      appliedRevision: state.appliedRevision,
      sync: state.sync,
      syncReason: state.syncReason,
      resources: [],
      apiRequests: 0,
    };
    const skip = (message: string): ClusterDriftResult => ({
      ...base,
      outcome: 'skipped',
      message,
    });
    const why = notCheckable(state);
    if (why) return skip(why);
    const revision = await revisionOf(state.appliedRevision!);
    if (!revision) return skip(`revision ${state.appliedRevision} no longer exists`);

    let requests = 0;
    try {
      const { client, cluster } = await this.clusters.connect(state.clusterName);
      // What the rollout applied there: the revision compiled for this cluster's networks.
      const desired = objectsForCluster(
        revision.objects,
        policy.name,
        revision.number,
        clusterNetworks(cluster.networks),
      ).objects;
      return await withRedisLock(
        this.redis,
        this.rollout.lockKey(policy.id, state.clusterName),
        // The rollout's lock lifetime: a worker killed mid-check holds rollouts back as briefly.
        { ttlMs: LOCK_TTL_MS, waitMs: 0, signal },
        async (): Promise<ClusterDriftResult> => {
          // A deployment may have started between reading the states and taking the lock.
          const current = await this.repo.findState(policy.id, state.clusterName);
          const whyNow = current ? notCheckable(current) : 'the policy left this cluster';
          if (whyNow || current!.appliedRevision !== state.appliedRevision)
            return skip(whyNow ?? 'a new revision was applied meanwhile');
          // Only our own objects (one label-selected list per namespace, no namespace check:
          // a missing namespace simply shows its objects as missing).
          const snapshot = await readCluster(client, namespacesToInspect(desired), {
            labelSelector: ownedSelector(policy.name),
            checkNamespaces: false,
            strict: true,
            concurrency: 1,
            signal,
            onRequests: (n) => {
              requests += n;
              this.total += n;
            },
          });
          const live = [...snapshot.live.values()];
          await this.clusters.recordConnectionSuccess(state.clusterName);
          const resources = detectDrift({
            policyName: policy.name,
            desired,
            live,
            ownManager: FIELD_MANAGER,
          });
          const next = await this.record(policy, current!, resources, checkedAt);
          return {
            ...base,
            ...next,
            outcome: resources.length > 0 ? 'drifted' : 'in-sync',
            resources,
            apiRequests: requests,
          };
        },
      );
    } catch (e) {
      if (e instanceof LockTimeoutError)
        return {
          ...skip('a rollout of this policy is running on this cluster'),
          apiRequests: requests,
        };
      if (signal?.aborted) throw e;
      if (e instanceof KubeApiError)
        await this.clusters.recordConnectionFailure(state.clusterName, e).catch(() => undefined);
      this.logger.warn(
        { policy: policy.name, cluster: state.clusterName, error: errorMessage(e) },
        'drift check failed',
      );
      return { ...base, outcome: 'error', message: errorMessage(e), apiRequests: requests };
    }
  }

  /** Stores the outcome: Drifted with the resources, or back to Synced when it was Drifted. */
  private async record(
    policy: PolicyRow,
    state: PolicyClusterStateRow,
    resources: DriftedResource[],
    checkedAt: string,
  ): Promise<{ sync: SyncState; syncReason: string | null }> {
    let next: { sync: SyncState; syncReason: string | null; drift: DriftRecord | null };
    if (resources.length > 0)
      next = { sync: 'OutOfSync', syncReason: 'Drifted', drift: { checkedAt, resources } };
    else if (state.syncReason === 'Drifted')
      next = { sync: 'Synced', syncReason: null, drift: null };
    else if (state.drift !== null && state.drift !== undefined)
      next = { sync: state.sync, syncReason: state.syncReason, drift: null };
    else return { sync: state.sync, syncReason: state.syncReason }; // clean and nothing to clear: no write
    // Not written when a deployment started meanwhile: its Progressing state stands.
    if (!(await this.repo.recordDriftCheck(policy.id, state.clusterName, next)))
      return { sync: 'OutOfSync', syncReason: 'Progressing' };
    if (resources.length > 0 && state.syncReason !== 'Drifted') {
      this.logger.warn(
        { policy: policy.name, cluster: state.clusterName, resources: resources.length },
        'drift detected',
      );
      this.events?.emit('drift.detected', {
        policyId: policy.id,
        policy: policy.name,
        cluster: state.clusterName,
        checkedAt,
        resources,
      });
    }
    return { sync: next.sync, syncReason: next.syncReason };
  }
}

/** Why a cluster's state is not drift-checked, or undefined when it is. */
function notCheckable(state: PolicyClusterStateRow): string | undefined {
  if (state.appliedRevision === null) return 'no revision was applied to this cluster yet';
  if (state.syncReason === 'Progressing') return 'a rollout is in progress';
  if (state.sync !== 'Synced' && state.syncReason !== 'Drifted')
    return `the last rollout did not succeed (${state.sync}${state.syncReason ? `, ${state.syncReason}` : ''}): drift is checked once it does`;
  return undefined;
}
