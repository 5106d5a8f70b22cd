import { Injectable } from '@nestjs/common';
import { documentProblem } from '../../common/document-problem.js';
import { ProblemException } from '../../common/problem.exception.js';
import { compileDocument } from '../../core/compiler/compile-document.js';
import { connectivityChange, type ConnectivitySide } from '../../core/diff/connectivity-change.js';
import { documentDiff } from '../../core/diff/document-diff.js';
import { diffManifestSets } from '../../core/diff/object-diff.js';
import { parsePolicyDocument } from '../../core/document/parse-policy-document.js';
import { contentHash } from '../../core/reconcile/canonical-json.js';
import { decorateForRollout } from '../../core/reconcile/plan-rollout.js';
import type { PolicyRow, RevisionRow } from '../../infra/database/schema.js';
import { ClusterConnector } from '../clusters/cluster-connector.service.js';
import { clusterNotFound } from '../clusters/cluster-errors.js';
import { PoliciesRepository } from '../policies/policies.repository.js';
import { PoliciesService, normaliseTargets, planTargets } from '../policies/policies.service.js';
import { ClusterDiffService, type ClusterDiff } from './cluster-diff.service.js';
import type { PlanRequestDto } from './dto/plan-request.dto.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function revisionNotFound(name: string, n: number): ProblemException {
  return ProblemException.of(404, 'REVISION_NOT_FOUND', `Policy ${name} has no revision ${n}.`);
}

/**
 * Diffs and plans: what a sync or a POST would change in each cluster, how two revisions
 * differ, and the connectivity gained and lost. Reads only; every cluster call is a read or a
 * server-side dry run, and nothing is stored.
 */
@Injectable()
export class DiffService {
  constructor(
    private readonly policies: PoliciesService,
    private readonly repo: PoliciesRepository,
    private readonly clusters: ClusterConnector,
    private readonly differ: ClusterDiffService,
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
    const policy = await this.policies.mustFind(name);
    const revision = await this.latestRevision(policy);
    if (!revision)
      throw ProblemException.of(
        409,
        'POLICY_HAS_NO_REVISION',
        `Policy ${name} has no revision to compare with.`,
      );
    const { resolved, unknown } = await this.policies.resolveTargetNames(revision.targets);
    if (cluster && (await this.clusters.existingNames([cluster])).length === 0)
      throw clusterNotFound(cluster);
    // A policy being deleted is pruned from every cluster it reached, whatever its targets say.
    const reached = policy.deleting
      ? (await this.repo.states(policy.id)).map((s) => s.clusterName)
      : [];
    const names = cluster
      ? [cluster]
      : policy.deleting
        ? reached
        : [...resolved, ...unknown].sort();
    const objects = policy.deleting
      ? []
      : decorateForRollout(revision.objects, policy.name, revision.number);
    const targeted = new Set(resolved);
    const clusters = await Promise.all(
      names.map(async (c) => {
        const apply = targeted.has(c) && !policy.deleting;
        return this.differ.diff({
          cluster: c,
          policyName: policy.name,
          action: apply ? 'apply' : 'prune',
          desired: apply ? objects : [],
          alsoInspect: await this.appliedNamespaces(policy, c),
        });
      }),
    );
    return { policy: policy.name, revision: revision.number, clusters };
  }

  /** Two stored revisions: document ops, a unified diff of their manifests, and the connectivity change. */
  async revisionDiff(name: string, a: number, b: number) {
    const policy = await this.policies.mustFind(name);
    const [ra, rb] = await Promise.all([
      this.repo.findRevision(policy.id, a),
      this.repo.findRevision(policy.id, b),
    ]);
    if (!ra) throw revisionNotFound(name, a);
    if (!rb) throw revisionNotFound(name, b);
    return {
      policy: policy.name,
      from: a,
      to: b,
      document: documentDiff(ra.document, rb.document),
      targets: documentDiff(ra.targets, rb.targets),
      manifests: diffManifestSets(ra.objects, rb.objects, {
        from: `revision-${a}`,
        to: `revision-${b}`,
      }),
      connectivity: connectivityChange(this.side(name, ra), this.side(name, rb)),
    };
  }

  /**
   * What `POST /v1/policies` with this document and targets would do, without storing or
   * changing anything: the document is validated and compiled the same way (400 with paths
   * under /document), the targets resolved the same way (400 for an unknown cluster), and every
   * cluster it would touch is diffed with server-side dry runs.
   */
  async plan(name: string, dto: PlanRequestDto) {
    if (name.length > 63 || !DNS_LABEL.test(name)) {
      throw ProblemException.of(
        400,
        'INVALID_REQUEST',
        'The policy name must be a DNS-1123 label.',
        {
          errors: [
            {
              path: '/name',
              code: 'MATCHES',
              message:
                'name must be a DNS-1123 label (lowercase letters, digits and "-", at most 63 characters)',
            },
          ],
        },
      );
    }
    const compiled = compileDocument(dto.document, { policyName: name });
    if (!compiled.ok) throw documentProblem(compiled.errors, compiled.warnings, '/document');
    const policy = await this.repo.findPolicy(name);
    const latest = policy ? await this.latestRevision(policy) : undefined;
    const targets = dto.targets ? normaliseTargets(dto.targets) : (latest?.targets ?? {});
    if (!targets.clusters && !targets.clusterSelector) {
      throw ProblemException.of(
        400,
        'NO_TARGETS',
        dto.targets
          ? 'targets needs clusters or a clusterSelector.'
          : `Policy ${name} does not exist yet: give targets.`,
        {
          errors: [
            {
              path: '/targets',
              code: 'NO_TARGETS',
              message: 'give clusters, a clusterSelector, or both',
            },
          ],
        },
      );
    }
    const resolved = await this.policies.resolveTargets(targets);
    const unchanged =
      !!latest &&
      !policy!.deleting &&
      latest.contentHash === contentHash({ objects: compiled.objects, targets });
    const revision = unchanged ? latest.number : (policy?.latestRevision ?? 0) + 1;
    const desired = decorateForRollout(compiled.objects, name, revision);
    const plan = unchanged
      ? resolved.map((clusterName) => ({ clusterName, action: 'apply' as const }))
      : planTargets(resolved, policy ? await this.repo.states(policy.id) : []);
    const clusters = await Promise.all(
      plan.map(async (t) =>
        this.differ.diff({
          cluster: t.clusterName,
          policyName: name,
          action: t.action,
          desired: t.action === 'apply' ? desired : [],
          alsoInspect: policy ? await this.appliedNamespaces(policy, t.clusterName) : [],
        }),
      ),
    );
    return {
      policy: name,
      exists: !!policy,
      unchanged,
      revision,
      baseRevision: latest?.number ?? null,
      targets,
      warnings: compiled.warnings,
      document: documentDiff(latest?.document ?? null, dto.document),
      clusters: clusters.sort((x, y) => (x.cluster < y.cluster ? -1 : 1)),
      connectivity: connectivityChange(latest ? this.side(name, latest) : null, {
        document: compiled.document,
        objects: compiled.objects,
      }),
    };
  }

  private async latestRevision(policy: PolicyRow): Promise<RevisionRow | undefined> {
    return policy.latestRevision
      ? this.repo.findRevision(policy.id, policy.latestRevision)
      : undefined;
  }

  /** Namespaces of the revision last applied to the cluster, where objects to prune may be (as the worker looks). */
  private async appliedNamespaces(policy: PolicyRow, cluster: string): Promise<string[]> {
    const state = await this.repo.findState(policy.id, cluster);
    if (!state?.appliedRevision) return [];
    const applied = await this.repo.findRevision(policy.id, state.appliedRevision);
    return [...new Set((applied?.objects ?? []).map((o) => o.metadata.namespace))];
  }

  /** A stored revision as the connectivity computation needs it: its document re-parsed, its objects as stored. */
  private side(name: string, r: RevisionRow): ConnectivitySide {
    const parsed = parsePolicyDocument(r.document);
    if (!parsed.ok) {
      throw ProblemException.of(
        500,
        'REVISION_UNREADABLE',
        `The stored document of revision ${r.number} of policy ${name} no longer validates (${parsed.errors.length} errors); its connectivity cannot be computed.`,
      );
    }
    return { document: parsed.document, objects: r.objects };
  }
}
