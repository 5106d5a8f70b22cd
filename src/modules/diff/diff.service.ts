import { Injectable } from '@nestjs/common';
import { httpProblem } from '../../common/http-problems.js';
import { invalidRequest } from '../../common/validation.pipe.js';
import { documentDiff } from '../../core/diff/document-diff.js';
import { isDns1123Label } from '../../core/document/dns-names.js';
import type { NetworkPolicy } from '../../core/kube/network-policy.types.js';
import { planTargets } from '../../core/reconcile/targets.js';
import type { PolicyRow, RevisionRow } from '../../infra/database/schema.js';
import type { StoredSide } from '../../infra/compute/compute-tasks.js';
import { ClusterConnector } from '../clusters/cluster-connector.service.js';
import { DocumentCompiler } from '../compile/document-compiler.service.js';
import { DeploymentsRepository } from '../deployments/deployments.repository.js';
import { RolloutService } from '../deployments/rollout.service.js';
import { TargetResolver } from '../deployments/target-resolver.service.js';
import { PoliciesRepository } from '../policies/policies.repository.js';
import { PolicyReader } from '../policies/policy-reader.service.js';
import { RevisionPreparer } from '../policies/revision-preparer.service.js';
import { ClusterDiffService, type ClusterDiff } from './cluster-diff.service.js';
import type { PlanRequestDto } from './dto/plan-request.dto.js';

/**
 * Diffs and plans: what a sync or a POST would change in each cluster, how two revisions
 * differ, and the connectivity gained and lost. Reads only; every cluster call is a read or a
 * server-side dry run, and nothing is stored.
 */
@Injectable()
export class DiffService {
  constructor(
    private readonly reader: PolicyReader,
    private readonly policies: PoliciesRepository,
    private readonly deployments: DeploymentsRepository,
    private readonly rollout: RolloutService,
    private readonly targets: TargetResolver,
    private readonly preparer: RevisionPreparer,
    private readonly clusters: ClusterConnector,
    private readonly differ: ClusterDiffService,
    private readonly compiler: DocumentCompiler,
  ) {}

  /**
   * Per cluster (one, or every current target; every cluster reached while the policy is being
   * deleted), the latest revision against the live objects. A cluster that is not a target only
   * shows what a prune would delete.
   */
  async policyDiff(
    name: string,
    cluster?: string,
  ): Promise<{ policy: string; revision: number; clusters: ClusterDiff[] }> {
    const policy = await this.reader.mustFind(name);
    const revision = await this.reader.latestOf(policy);
    if (!revision) throw httpProblem('POLICY_HAS_NO_REVISION', { name });
    const { resolved, unknown } = await this.targets.resolveNames(revision.targets);
    if (cluster && (await this.clusters.existingNames([cluster])).length === 0)
      throw httpProblem('CLUSTER_NOT_FOUND', { name: cluster });
    // A policy being deleted is pruned from every cluster it reached, whatever its targets say.
    const reached = policy.deleting
      ? (await this.deployments.states(policy.id)).map((s) => s.clusterName)
      : [];
    const names = cluster
      ? [cluster]
      : policy.deleting
        ? reached
        : [...resolved, ...unknown].sort();
    const objects = policy.deleting ? [] : revision.objects;
    const targeted = new Set(resolved);
    const clusters = await Promise.all(
      names.map((c) => {
        const apply = targeted.has(c) && !policy.deleting;
        return this.diffCluster(policy.name, policy, c, apply ? 'apply' : 'prune', {
          objects: apply ? objects : [],
          revision: revision.number,
        });
      }),
    );
    return { policy: policy.name, revision: revision.number, clusters };
  }

  /**
   * Two stored revisions: document ops, a unified diff of their manifests, and the connectivity
   * change, computed in the compute pool with its time budget.
   */
  async revisionDiff(name: string, a: number, b: number) {
    const { policy, revision: ra } = await this.reader.mustFindRevision(name, a);
    const { revision: rb } = await this.reader.mustFindRevision(name, b);
    const diff = await this.compiler.revisionDiff(policy.name, storedSide(ra), storedSide(rb));
    return { policy: policy.name, from: a, to: b, ...diff };
  }

  /**
   * What `POST /v1/policies` with this document and targets would do, without storing or
   * changing anything: the revision is prepared exactly as a POST prepares it (RevisionPreparer:
   * 400 with paths under /document, 400 for no or unknown targets), and every cluster it would
   * touch is diffed with server-side dry runs.
   */
  async plan(name: string, dto: PlanRequestDto) {
    if (!isDns1123Label(name)) {
      throw invalidRequest([
        {
          path: '/name',
          code: 'MATCHES',
          message:
            'name must be a DNS-1123 label (lowercase letters, digits and "-", at most 63 characters)',
        },
      ]);
    }
    const policy = await this.policies.findPolicy(name);
    const latest = policy ? await this.reader.latestOf(policy) : undefined;
    const prepared = await this.preparer.prepare(
      name,
      dto.document,
      dto.targets ?? latest?.targets ?? {},
      { inherited: !dto.targets },
    );
    const unchanged = !!latest && !policy!.deleting && latest.contentHash === prepared.contentHash;
    const revision = unchanged ? latest.number : (policy?.latestRevision ?? 0) + 1;
    const plan = unchanged
      ? prepared.clusters.map((clusterName) => ({ clusterName, action: 'apply' as const }))
      : planTargets(prepared.clusters, policy ? await this.deployments.states(policy.id) : []);
    const clusters = await Promise.all(
      plan.map((t) =>
        this.diffCluster(name, policy, t.clusterName, t.action, {
          objects: t.action === 'apply' ? prepared.objects : [],
          revision,
        }),
      ),
    );
    return {
      policy: name,
      exists: !!policy,
      unchanged,
      revision,
      baseRevision: latest?.number ?? null,
      targets: prepared.targets,
      warnings: prepared.warnings,
      document: documentDiff(latest?.document ?? null, dto.document),
      clusters: clusters.sort((x, y) => (x.cluster < y.cluster ? -1 : 1)),
      connectivity: await this.compiler.connectivityChange(
        name,
        latest ? storedSide(latest) : null,
        prepared,
      ),
    };
  }

  private async diffCluster(
    policyName: string,
    policy: PolicyRow | undefined,
    cluster: string,
    action: 'apply' | 'prune',
    desired: { objects: NetworkPolicy[]; revision: number },
  ): Promise<ClusterDiff> {
    return this.differ.diff({
      cluster,
      policyName,
      action,
      ...desired,
      lastApplied: policy
        ? await this.rollout.possiblyApplied(policy, cluster, policy.latestRevision)
        : [],
    });
  }
}

/** A stored revision as a compute task takes it (its document is parsed again there). */
function storedSide(r: RevisionRow): StoredSide {
  return { number: r.number, document: r.document, targets: r.targets, objects: r.objects };
}
