import { Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpProblem } from '../../common/http-problems.js';
import { selectorMatches, type TargetPlan } from '../../core/reconcile/targets.js';
import type { DeploymentKind, PolicyRow } from '../../infra/database/schema.js';
import type { ClusterView } from '../clusters/cluster-view.js';
import { PoliciesRepository } from '../policies/policies.repository.js';
import { PolicyReader } from '../policies/policy-reader.service.js';
import {
  DeploymentsRepository,
  UNFINISHED_PHASES,
  type NewDeployment,
} from './deployments.repository.js';
import { RolloutScheduler } from './rollout-scheduler.service.js';
import { TargetResolver } from './target-resolver.service.js';

/** A deployment that was queued: what the API answers with 202. */
export interface QueuedDeployment {
  deploymentId: string;
  policy: string;
  revision: number;
  clusters: string[];
}

/** How long DELETE /v1/clusters/{name}?prune=true waits for the prune jobs it queued. */
const PRUNE_WAIT_MS = 60_000;
const PRUNE_POLL_MS = 100;

/**
 * Deployments of existing revisions: sync, deletion of a policy, a newly registered cluster
 * that matches a selector, and the prune of a cluster being removed. Every one is a deployment
 * row plus queued jobs: every write to a cluster goes through the queue and the worker.
 */
@Injectable()
export class DeploymentsService {
  private readonly logger = new Logger(DeploymentsService.name);

  constructor(
    private readonly repo: DeploymentsRepository,
    private readonly policies: PoliciesRepository,
    private readonly reader: PolicyReader,
    private readonly scheduler: RolloutScheduler,
    private readonly targets: TargetResolver,
  ) {}

  /** Creates a deployment of an existing revision and queues its jobs. */
  async deploy(
    policy: PolicyRow,
    revision: number,
    kind: DeploymentKind,
    plan: TargetPlan[],
    opts: { attempts?: number } = {},
  ): Promise<NewDeployment> {
    const created = await this.repo.createDeployment(policy, revision, kind, plan);
    if (created.targets.length > 0)
      await this.scheduler.enqueue(created.deployment, created.targets, opts);
    return created;
  }

  /** Re-applies the latest revision to its current targets, now (no new revision). */
  async sync(name: string): Promise<QueuedDeployment> {
    const policy = await this.reader.mustFind(name);
    const revision = await this.reader.latestOf(policy);
    if (!revision || policy.deleting) throw httpProblem('POLICY_NOT_SYNCABLE', { name });
    const clusters = await this.targets.resolve(revision.targets);
    const { deployment } = await this.deploy(
      policy,
      revision.number,
      'sync',
      clusters.map((clusterName) => ({ clusterName, action: 'apply' as const })),
    );
    return { policy: name, revision: revision.number, deploymentId: deployment.id, clusters };
  }

  /** Removes the policy's objects from every cluster it reached; the policy goes when they are gone. */
  async deletePolicy(name: string): Promise<QueuedDeployment> {
    const policy = await this.reader.mustFind(name);
    const states = await this.repo.states(policy.id);
    const { deployment, targets } = await this.deploy(
      policy,
      policy.latestRevision,
      'delete',
      states.map((s) => ({ clusterName: s.clusterName, action: 'prune' as const })),
    );
    if (targets.length === 0) await this.policies.deletePolicy(policy.id);
    return {
      policy: name,
      revision: policy.latestRevision,
      deploymentId: deployment.id,
      clusters: targets.map((t) => t.clusterName),
    };
  }

  /** A cluster registered later that matches a policy's clusterSelector receives that policy. */
  async deployToNewCluster(cluster: ClusterView): Promise<void> {
    for (const policy of await this.policies.allPolicies()) {
      if (policy.deleting || policy.latestRevision === 0) continue;
      const revision = await this.reader.latestOf(policy);
      const selector = revision?.targets.clusterSelector;
      if (!selector || !selectorMatches(selector, cluster.labels)) continue;
      await this.deploy(policy, policy.latestRevision, 'apply', [
        { clusterName: cluster.name, action: 'apply' },
      ]);
      this.logger.log(
        { policy: policy.name, cluster: cluster.name },
        'new cluster matches the policy selector: deploying',
      );
    }
  }

  /**
   * Re-applies, on one cluster, every policy that targets it (after its networks changed, the
   * per-cluster objects differ). Returns the policies deployed.
   */
  async redeployCluster(clusterName: string): Promise<string[]> {
    const deployed: string[] = [];
    for (const state of await this.repo.statesForCluster(clusterName)) {
      const policy = await this.policies.findPolicyById(state.policyId);
      if (!policy || policy.deleting || policy.latestRevision === 0) continue;
      const revision = await this.reader.latestOf(policy);
      if (
        !revision ||
        !(await this.targets.resolveNames(revision.targets)).resolved.includes(clusterName)
      )
        continue;
      await this.deploy(policy, revision.number, 'sync', [{ clusterName, action: 'apply' }]);
      deployed.push(policy.name);
    }
    return deployed;
  }

  /**
   * Before a cluster is removed with ?prune=true: queues a prune of every policy it holds and
   * waits for the worker to finish them. Rejects with the first failure (or when they do not
   * finish in time), so that the cluster is removed only once it holds nothing of ours.
   */
  async pruneCluster(clusterName: string): Promise<void> {
    const queued: { policy: string; deploymentId: string }[] = [];
    for (const state of await this.repo.statesForCluster(clusterName)) {
      const policy = await this.policies.findPolicyById(state.policyId);
      if (!policy) continue;
      // Tried once: the caller is waiting, and retries are theirs to make.
      const { deployment } = await this.deploy(
        policy,
        policy.latestRevision,
        'sync',
        [{ clusterName, action: 'prune' }],
        { attempts: 1 },
      );
      queued.push({ policy: policy.name, deploymentId: deployment.id });
    }
    const deadline = Date.now() + PRUNE_WAIT_MS;
    for (const { policy, deploymentId } of queued) {
      for (;;) {
        const target = await this.repo.findTarget(deploymentId, clusterName);
        if (target && !UNFINISHED_PHASES.includes(target.phase)) {
          if (target.phase !== 'Succeeded')
            throw new Error(`pruning policy ${policy} failed: ${target.error ?? target.phase}`);
          break;
        }
        if (Date.now() > deadline)
          throw new Error(
            `pruning policy ${policy} did not finish within ${PRUNE_WAIT_MS / 1000} s (is a worker running?)`,
          );
        await sleep(PRUNE_POLL_MS);
      }
    }
  }
}
