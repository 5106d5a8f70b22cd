import { Injectable } from '@nestjs/common';
import { decodeCursor, toPage, type Page } from '../../common/pagination.js';
import type { NetworkPolicy } from '../../core/kube/network-policy.types.js';
import type { Problem } from '../../core/problems/problem.js';
import { decorateForRollout } from '../../core/reconcile/plan-rollout.js';
import {
  planTargets,
  type PolicyTargets,
  type TargetAction,
} from '../../core/reconcile/targets.js';
import type { PolicyRow, RevisionRow } from '../../infra/database/schema.js';
import { objectsForCluster } from '../../core/reconcile/cluster-objects.js';
import { ClusterConnector } from '../clusters/cluster-connector.service.js';
import { clusterNetworks } from '../clusters/cluster-networks.js';
import { DocumentCompiler } from '../compile/document-compiler.service.js';
import { DeploymentsRepository } from '../deployments/deployments.repository.js';
import { RolloutScheduler } from '../deployments/rollout-scheduler.service.js';
import type { CreatePolicyDto } from './dto/create-policy.dto.js';
import { PoliciesRepository } from './policies.repository.js';
import { PolicyReader } from './policy-reader.service.js';
import { RevisionPreparer } from './revision-preparer.service.js';

export function revisionView(policy: PolicyRow, r: RevisionRow) {
  return {
    policy: policy.name,
    revision: r.number,
    contentHash: r.contentHash,
    targets: r.targets,
    createdAt: r.createdAt,
    document: r.document,
    objectCount: r.objects.length,
  };
}

export function policyView(p: PolicyRow) {
  return {
    name: p.name,
    latestRevision: p.latestRevision,
    selfHeal: p.selfHeal,
    deleting: p.deleting,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

/** What storing a policy document did: a new revision and its deployment, or nothing (same content). */
export type StoredRevision = ReturnType<typeof revisionView> & { warnings: Problem[] } & (
    | {
        unchanged: false;
        deploymentId: string;
        clusters: { cluster: string; action: TargetAction }[];
      }
    | { unchanged: true; deploymentId: null }
  );

/** Policies and their revisions: one use case per method. */
@Injectable()
export class PoliciesService {
  constructor(
    private readonly repo: PoliciesRepository,
    private readonly reader: PolicyReader,
    private readonly preparer: RevisionPreparer,
    private readonly deployments: DeploymentsRepository,
    private readonly scheduler: RolloutScheduler,
    private readonly compiler: DocumentCompiler,
    private readonly clusters: ClusterConnector,
  ) {}

  /**
   * Validates and compiles the document, then stores a revision and its deployment and
   * enqueues one job per cluster. The same content as the latest revision stores nothing.
   */
  async create(dto: CreatePolicyDto): Promise<StoredRevision> {
    const prepared = await this.preparer.prepare(dto.name, dto.document, dto.targets);
    // Computed once here, off the event loop, so that no GET recomputes it.
    const connectivity = await this.compiler.connectivityToStore(prepared);
    const result = await this.repo.storeRevision(
      dto.name,
      dto.selfHeal,
      {
        document: dto.document,
        targets: prepared.targets,
        objects: prepared.objects,
        contentHash: prepared.contentHash,
        connectivity,
      },
      async (tx, policy, revision) =>
        this.deployments.insertDeployment(
          tx,
          policy,
          revision.number,
          'apply',
          planTargets(prepared.clusters, await this.deployments.states(policy.id, tx)),
        ),
    );
    const view = { ...revisionView(result.policy, result.revision), warnings: prepared.warnings };
    if (!result.created) return { ...view, deploymentId: null, unchanged: true };
    const { deployment, targets } = result.stored;
    await this.scheduler.enqueue(deployment, targets);
    return {
      ...view,
      unchanged: false,
      deploymentId: deployment.id,
      clusters: targets.map((t) => ({ cluster: t.clusterName, action: t.action })),
    };
  }

  /**
   * Rollback: a new revision with an old revision's document and targets, deployed like any
   * POST (selfHeal unchanged). When it equals the latest revision's content nothing is stored
   * or deployed (unchanged), as POST answers.
   */
  async rollback(
    name: string,
    revision: number,
  ): Promise<StoredRevision & { rolledBackTo: number }> {
    const { revision: old } = await this.reader.mustFindRevision(name, revision);
    const stored = await this.create({
      name,
      targets: old.targets as PolicyTargets,
      document: old.document as Record<string, unknown>,
    });
    return { ...stored, rolledBackTo: revision };
  }

  async get(name: string) {
    const policy = await this.reader.mustFind(name);
    const latest = await this.reader.latestOf(policy);
    return {
      ...policyView(policy),
      targets: latest?.targets ?? null,
      contentHash: latest?.contentHash ?? null,
    };
  }

  async list(limit = 100, cursor?: string): Promise<Page<ReturnType<typeof policyView>>> {
    const after = decodeCursor(cursor, 'string');
    const rows = await this.repo.listPolicies(
      limit + 1,
      typeof after === 'string' ? after : undefined,
    );
    const page = toPage(rows, limit, (p) => p.name);
    return { ...page, items: page.items.map(policyView) };
  }

  async revisions(name: string, limit = 100, cursor?: string) {
    const policy = await this.reader.mustFind(name);
    const before = decodeCursor(cursor, 'number');
    const rows = await this.repo.listRevisions(
      policy.id,
      limit + 1,
      typeof before === 'number' ? before : undefined,
    );
    const page = toPage(rows, limit, (r) => r.number);
    return {
      ...page,
      items: page.items.map((r) => ({ ...revisionView(policy, r), document: undefined })),
    };
  }

  async revision(name: string, number: number) {
    const { policy, revision } = await this.reader.mustFindRevision(name, number);
    return revisionView(policy, revision);
  }

  /**
   * The objects exactly as the worker applies them (labels and annotations included); with
   * `cluster`, as that cluster gets them (objectsForCluster), with the warnings.
   */
  async manifests(
    name: string,
    number: number,
    cluster?: string,
  ): Promise<{ items: NetworkPolicy[]; warnings?: Problem[] }> {
    const { policy, revision } = await this.reader.mustFindRevision(name, number);
    if (!cluster)
      return { items: decorateForRollout(revision.objects, policy.name, revision.number) };
    const view = await this.clusters.view(cluster);
    const forCluster = objectsForCluster(
      revision.objects,
      policy.name,
      revision.number,
      clusterNetworks(view.networks),
    );
    return { items: forCluster.objects, warnings: forCluster.warnings };
  }
}
