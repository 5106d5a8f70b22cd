import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { compileDocument } from '../../core/compiler/compile-document.js';
import { contentHash } from '../../core/reconcile/canonical-json.js';
import { decorateForRollout } from '../../core/reconcile/plan-rollout.js';
import { documentProblem } from '../../common/document-problem.js';
import type { HttpAnswer } from '../../common/http-answer.js';
import { decodeCursor, toPage, type Page } from '../../common/pagination.js';
import { ProblemException } from '../../common/problem.exception.js';
import type { NetworkPolicy } from '../../core/kube/network-policy.types.js';
import type {
  PolicyClusterStateRow,
  PolicyRow,
  PolicyTargets,
  RevisionRow,
} from '../../infra/database/schema.js';
import { ClusterConnector, type ClusterView } from '../clusters/cluster-connector.service.js';
import type { CreatePolicyDto } from './dto/create-policy.dto.js';
import { PoliciesRepository, type TargetPlan } from './policies.repository.js';
import { RolloutScheduler } from './rollout-scheduler.service.js';
import { RolloutService } from './rollout.service.js';

/** Targets in canonical form: sorted unique names, a selector with sorted keys (content hashes depend on it). */
export function normaliseTargets(t: CreatePolicyDto['targets']): PolicyTargets {
  const out: PolicyTargets = {};
  if (t.clusters?.length) out.clusters = [...new Set(t.clusters)].sort();
  if (t.clusterSelector)
    out.clusterSelector = {
      matchLabels: Object.fromEntries(
        Object.entries(t.clusterSelector.matchLabels).sort(([a], [b]) => (a < b ? -1 : 1)),
      ),
    };
  return out;
}

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

/** Policies and their revisions: one use case per method, shared by the controller and the worker. */
@Injectable()
export class PoliciesService implements OnModuleInit {
  private readonly logger = new Logger(PoliciesService.name);

  constructor(
    private readonly repo: PoliciesRepository,
    private readonly clusters: ClusterConnector,
    private readonly scheduler: RolloutScheduler,
    private readonly rollout: RolloutService,
  ) {}

  onModuleInit(): void {
    this.clusters.onRegistered((cluster) => this.deployToNewCluster(cluster));
    this.clusters.onPrune((clusterName) => this.pruneCluster(clusterName));
  }

  /** The clusters targets name today: registered named ones and selector matches; `unknown`: named but not registered. */
  async resolveTargetNames(
    targets: PolicyTargets,
  ): Promise<{ resolved: string[]; unknown: string[] }> {
    const names = new Set<string>();
    let unknown: string[] = [];
    if (targets.clusters?.length) {
      const existing = new Set(await this.clusters.existingNames(targets.clusters));
      unknown = targets.clusters.filter((c) => !existing.has(c));
      for (const c of targets.clusters) if (existing.has(c)) names.add(c);
    }
    if (targets.clusterSelector)
      for (const c of await this.clusters.namesMatching(targets.clusterSelector)) names.add(c);
    return { resolved: [...names].sort(), unknown };
  }

  /** Like resolveTargetNames, but a named cluster that is not registered is a 400 naming its path. */
  async resolveTargets(targets: PolicyTargets): Promise<string[]> {
    const { resolved, unknown } = await this.resolveTargetNames(targets);
    if (unknown.length > 0) {
      throw ProblemException.of(
        400,
        'UNKNOWN_CLUSTER',
        `Unknown cluster${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Register them first (POST /v1/clusters).`,
        {
          errors: unknown.map((c) => ({
            path: `/targets/clusters/${targets.clusters!.indexOf(c)}`,
            code: 'UNKNOWN_CLUSTER',
            message: `cluster ${c} is not registered`,
          })),
        },
      );
    }
    return resolved;
  }

  /**
   * Validates and compiles the document, then stores a revision and its deployment and
   * enqueues one job per cluster. The same content as the latest revision stores nothing.
   */
  async create(dto: CreatePolicyDto): Promise<HttpAnswer<unknown>> {
    const compiled = compileDocument(dto.document, { policyName: dto.name });
    if (!compiled.ok) throw documentProblem(compiled.errors, compiled.warnings, '/document');
    const targets = normaliseTargets(dto.targets);
    if (!targets.clusters && !targets.clusterSelector) {
      throw ProblemException.of(400, 'NO_TARGETS', 'targets needs clusters or a clusterSelector.', {
        errors: [
          {
            path: '/targets',
            code: 'NO_TARGETS',
            message: 'give clusters, a clusterSelector, or both',
          },
        ],
      });
    }
    const resolved = await this.resolveTargets(targets);
    const hash = contentHash({ objects: compiled.objects, targets });
    const result = await this.repo.storeRevision(
      dto.name,
      dto.selfHeal,
      { document: dto.document, targets, objects: compiled.objects, contentHash: hash },
      (previous) => planTargets(resolved, previous),
    );
    const body = { ...revisionView(result.policy, result.revision), warnings: compiled.warnings };
    if (!result.created)
      return { status: 200, body: { ...body, deploymentId: null, unchanged: true } };
    await this.scheduler.enqueue(result.deployment, result.targets);
    return {
      status: 202,
      body: {
        ...body,
        deploymentId: result.deployment.id,
        clusters: result.targets.map((t) => ({ cluster: t.clusterName, action: t.action })),
      },
      location: `/v1/deployments/${result.deployment.id}`,
    };
  }

  async get(name: string) {
    const policy = await this.mustFind(name);
    const latest = policy.latestRevision
      ? await this.repo.findRevision(policy.id, policy.latestRevision)
      : undefined;
    return {
      ...policyView(policy),
      targets: latest?.targets ?? null,
      contentHash: latest?.contentHash ?? null,
    };
  }

  async list(limit = 100, cursor?: string): Promise<Page<ReturnType<typeof policyView>>> {
    const after = decodeCursor(cursor);
    const rows = await this.repo.listPolicies(
      limit + 1,
      typeof after === 'string' ? after : undefined,
    );
    const page = toPage(rows, limit, (p) => p.name);
    return { ...page, items: page.items.map(policyView) };
  }

  async revisions(name: string, limit = 100, cursor?: string) {
    const policy = await this.mustFind(name);
    const before = decodeCursor(cursor);
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
    const { policy, revision } = await this.mustFindRevision(name, number);
    return revisionView(policy, revision);
  }

  /** The objects exactly as the worker applies them (labels and annotations included). */
  async manifests(name: string, number: number): Promise<{ items: NetworkPolicy[] }> {
    const { policy, revision } = await this.mustFindRevision(name, number);
    return { items: decorateForRollout(revision.objects, policy.name, revision.number) };
  }

  /** Re-applies the latest revision to its current targets, now (no new revision). */
  async sync(name: string): Promise<HttpAnswer<unknown>> {
    const policy = await this.mustFind(name);
    const revision = await this.repo.findRevision(policy.id, policy.latestRevision);
    if (!revision || policy.deleting)
      throw ProblemException.of(
        409,
        'POLICY_NOT_SYNCABLE',
        `Policy ${name} has no revision to apply, or is being deleted.`,
      );
    const clusters = await this.resolveTargets(revision.targets);
    const { deployment, targets } = await this.repo.createDeployment(
      policy,
      revision.number,
      'sync',
      clusters.map((clusterName) => ({ clusterName, action: 'apply' as const })),
    );
    await this.scheduler.enqueue(deployment, targets);
    return {
      status: 202,
      body: { policy: name, revision: revision.number, deploymentId: deployment.id, clusters },
      location: `/v1/deployments/${deployment.id}`,
    };
  }

  /** Removes the policy's objects from every cluster it reached; the policy goes when they are gone. */
  async remove(name: string): Promise<HttpAnswer<unknown>> {
    const policy = await this.mustFind(name);
    const states = await this.repo.states(policy.id);
    const { deployment, targets } = await this.repo.createDeployment(
      policy,
      policy.latestRevision,
      'delete',
      states.map((s) => ({ clusterName: s.clusterName, action: 'prune' as const })),
    );
    if (targets.length === 0) await this.repo.deletePolicy(policy.id);
    else await this.scheduler.enqueue(deployment, targets);
    return {
      status: 202,
      body: {
        policy: name,
        deploymentId: deployment.id,
        clusters: targets.map((t) => t.clusterName),
      },
      location: `/v1/deployments/${deployment.id}`,
    };
  }

  /** A cluster registered later that matches a policy's clusterSelector receives that policy. */
  async deployToNewCluster(cluster: ClusterView): Promise<void> {
    for (const policy of await this.repo.allPolicies()) {
      if (policy.deleting || policy.latestRevision === 0) continue;
      const revision = await this.repo.findRevision(policy.id, policy.latestRevision);
      const selector = revision?.targets.clusterSelector?.matchLabels;
      if (!selector || !Object.entries(selector).every(([k, v]) => cluster.labels[k] === v))
        continue;
      const { deployment, targets } = await this.repo.createDeployment(
        policy,
        policy.latestRevision,
        'apply',
        [{ clusterName: cluster.name, action: 'apply' }],
      );
      await this.scheduler.enqueue(deployment, targets);
      this.logger.log(
        { policy: policy.name, cluster: cluster.name },
        'new cluster matches the policy selector: deploying',
      );
    }
  }

  /** Before a cluster is removed with ?prune=true: delete every policy's objects from it, now. */
  async pruneCluster(clusterName: string): Promise<void> {
    for (const state of await this.repo.statesForCluster(clusterName)) {
      const policy = await this.repo.findPolicyById(state.policyId);
      if (!policy) continue;
      const { deployment, targets } = await this.repo.createDeployment(
        policy,
        policy.latestRevision,
        'sync',
        [{ clusterName, action: 'prune' }],
      );
      await this.rollout.runTarget(deployment.id, targets[0].clusterName, { attempt: 1 });
      const after = await this.repo.findTarget(deployment.id, clusterName);
      if (after?.phase !== 'Succeeded')
        throw new Error(`pruning policy ${policy.name} failed: ${after?.error ?? 'unknown'}`);
    }
  }

  async mustFind(name: string): Promise<PolicyRow> {
    const policy = await this.repo.findPolicy(name);
    if (!policy) throw ProblemException.of(404, 'POLICY_NOT_FOUND', `No policy named ${name}.`);
    return policy;
  }

  private async mustFindRevision(
    name: string,
    number: number,
  ): Promise<{ policy: PolicyRow; revision: RevisionRow }> {
    const policy = await this.mustFind(name);
    const revision = await this.repo.findRevision(policy.id, number);
    if (!revision)
      throw ProblemException.of(
        404,
        'REVISION_NOT_FOUND',
        `Policy ${name} has no revision ${number}.`,
      );
    return { policy, revision };
  }
}

/** New targets get `apply`; clusters reached before and no longer targeted get `prune`. */
export function planTargets(resolved: string[], previous: PolicyClusterStateRow[]): TargetPlan[] {
  const wanted = new Set(resolved);
  return [
    ...resolved.map((clusterName) => ({ clusterName, action: 'apply' as const })),
    ...previous
      .filter((s) => !wanted.has(s.clusterName))
      .map((s) => ({ clusterName: s.clusterName, action: 'prune' as const })),
  ];
}
