import { Injectable } from '@nestjs/common';
import { mapLimit } from '../../common/map-limit.js';
import { ProblemException } from '../../common/problem.exception.js';
import { fieldOwners, type FieldOwner } from '../../core/diff/field-owners.js';
import type { JsonPatchOp } from '../../core/diff/json-patch.js';
import { compareKeys, diffObjects, type ObjectDiff } from '../../core/diff/object-diff.js';
import type { NetworkPolicy } from '../../core/kube/network-policy.types.js';
import { stripServerFields, type LiveNetworkPolicy } from '../../core/reconcile/live-object.js';
import { isWidening, type RolloutAction } from '../../core/reconcile/plan-rollout.js';
import {
  namespacesToInspect,
  planReconcile,
  type NamespaceProblem,
} from '../../core/reconcile/reconcile-plan.js';
import { objectsForCluster } from '../../core/reconcile/cluster-objects.js';
import type { Problem } from '../../core/problems/problem.js';
import { KubeApiError, type KubeClient } from '../../infra/kube/index.js';
import { ClusterConnector } from '../clusters/cluster-connector.service.js';
import { clusterNetworks } from '../clusters/cluster-networks.js';
import { isClusterLevel, readCluster } from '../deployments/cluster-reader.js';
import { executeAction } from '../deployments/execute-action.js';

export type ResourceAction = 'create' | 'update' | 'delete' | 'unchanged' | 'conflict' | 'error';

/** Why one object could not be diffed or would fail: the API server's answer, or a missing namespace. */
export type ResourceError = NamespaceProblem;

export interface ResourceDiff {
  namespace: string;
  name: string;
  action: ResourceAction;
  /** For `error`: what gbp-netpol would have tried (`unknown` when the object could not even be read). */
  intended?: 'create' | 'update' | 'delete' | 'unknown';
  /** For `update`: true when the new object allows everything the live one did (applied first). */
  widening?: boolean;
  /** For `conflict`: who owns the existing object (describeOwner). */
  owner?: string;
  error?: ResourceError;
  patch: JsonPatchOp[];
  unified: string;
  owners: FieldOwner[];
}

/** A cluster that could not be diffed at all (never reported as unchanged). */
export interface ClusterError {
  /** KubeApiError kind (`unreachable`, `unauthorized`, `other`) or `unavailable` (not registered, credentials unreadable, insecure URL refused). */
  kind: string;
  status: number | null;
  message: string;
}

export interface ClusterDiff {
  cluster: string;
  /** `apply`: the cluster is (or would be) a target; `prune`: only gbp-netpol's objects would be removed. */
  action: 'apply' | 'prune';
  error: ClusterError | null;
  /** What compiling the objects for this cluster warned about (e.g. its pod networks are unknown). */
  warnings: Problem[];
  summary: Record<ResourceAction, number>;
  resources: ResourceDiff[];
}

export interface ClusterDiffRequest {
  cluster: string;
  policyName: string;
  action: 'apply' | 'prune';
  /** The revision's compiled objects (empty for a prune) and its number: compiled for the cluster as the worker does (objectsForCluster). */
  objects: NetworkPolicy[];
  revision: number;
  /** The objects of the revision applied there: their namespaces are searched for objects to prune. */
  lastApplied: NetworkPolicy[];
}

const CONCURRENCY = 4;

function emptySummary(): Record<ResourceAction, number> {
  return { create: 0, update: 0, delete: 0, unchanged: 0, conflict: 0, error: 0 };
}

function resourceError(e: KubeApiError): ResourceError {
  return { kind: e.kind, status: e.status ?? null, reason: e.reason ?? null, message: e.message };
}

function entry(
  o: { metadata: { namespace: string; name: string } },
  action: ResourceAction,
  diff: ObjectDiff | null,
  extra: Partial<ResourceDiff> = {},
): ResourceDiff {
  return {
    namespace: o.metadata.namespace,
    name: o.metadata.name,
    action,
    ...extra,
    patch: diff?.patch ?? [],
    unified: diff?.unified ?? '',
    owners: extra.owners ?? [],
  };
}

/**
 * The diff machinery shared by `GET /v1/policies/{name}/diff` and `POST .../plan`. It runs the
 * rollout's own pipeline: the same read of the cluster (readCluster), the same plan (core
 * planReconcile), the same writes (executeAction), only as server-side DRY RUNS, and compares
 * each answer with the live object. So the plan shows what the rollout does, by construction.
 * Nothing is ever written, nor recorded.
 */
@Injectable()
export class ClusterDiffService {
  constructor(private readonly clusters: ClusterConnector) {}

  async diff(req: ClusterDiffRequest): Promise<ClusterDiff> {
    try {
      const { client, cluster } = await this.clusters.connect(req.cluster);
      const { objects: desired, warnings } = objectsForCluster(
        req.objects,
        req.policyName,
        req.revision,
        clusterNetworks(cluster.networks),
      );
      const resources = await this.diffWith(client, req, desired);
      const summary = emptySummary();
      for (const r of resources) summary[r.action]++;
      return {
        cluster: req.cluster,
        action: req.action,
        error: null,
        warnings,
        summary,
        resources,
      };
    } catch (e) {
      const error: ClusterError | undefined =
        e instanceof ProblemException
          ? { kind: 'unavailable', status: e.problem.status, message: e.problem.detail }
          : isClusterLevel(e)
            ? { kind: e.kind, status: e.status ?? null, message: e.message }
            : undefined;
      if (!error) throw e;
      return {
        cluster: req.cluster,
        action: req.action,
        error,
        warnings: [],
        summary: emptySummary(),
        resources: [],
      };
    }
  }

  private async diffWith(
    client: KubeClient,
    req: ClusterDiffRequest,
    desired: NetworkPolicy[],
  ): Promise<ResourceDiff[]> {
    const namespaces = namespacesToInspect(desired, req.lastApplied);
    // Nothing to read: still prove the cluster answers, so that an unreachable one is never "no changes".
    if (namespaces.length === 0) await client.version();
    const snapshot = await readCluster(client, namespaces, { concurrency: CONCURRENCY });
    const plan = planReconcile({ policyName: req.policyName, desired, snapshot });
    const results = await mapLimit(plan.actions, CONCURRENCY, (a) => this.actionEntry(client, a));
    for (const b of plan.blocked)
      results.push(
        entry({ metadata: b }, 'error', null, { intended: 'unknown', error: b.problem }),
      );
    // A namespace we could not read may hold objects to prune: say so rather than imply there are none.
    for (const { namespace, problem } of plan.pruneBlocked)
      results.push(
        entry({ metadata: { namespace, name: '*' } }, 'error', null, {
          intended: 'delete',
          error: { ...problem, message: `cannot look for objects to prune: ${problem.message}` },
        }),
      );
    return results.sort((a, b) =>
      compareKeys(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`),
    );
  }

  /**
   * One planned action as a diff: what executeAction (the rollout's own write) answers as a
   * server-side dry run, compared with the live object. `unchanged` and `conflict` send nothing,
   * as the rollout sends nothing for them.
   */
  private async actionEntry(client: KubeClient, action: RolloutAction): Promise<ResourceDiff> {
    switch (action.kind) {
      case 'unchanged':
        return entry(action.desired, 'unchanged', null);
      case 'conflict': {
        // Never applied by the worker; shown against what we would have applied.
        const diff = diffObjects(action.live, action.desired);
        return entry(action.desired, 'conflict', diff, {
          owner: action.owner,
          owners: fieldOwners(
            action.live,
            diff.patch.map((op) => op.path),
          ),
        });
      }
      case 'delete': {
        try {
          await executeAction(client, action, { dryRun: true });
        } catch (e) {
          if (!(e instanceof KubeApiError) || isClusterLevel(e)) throw e;
          return entry(action.live, 'error', null, { intended: 'delete', error: resourceError(e) });
        }
        return entry(action.live, 'delete', diffObjects(action.live, null));
      }
      case 'create':
      case 'update': {
        const live = action.kind === 'update' ? action.live : null;
        let answer: LiveNetworkPolicy | null;
        try {
          answer = await executeAction(client, action, { dryRun: true });
        } catch (e) {
          if (!(e instanceof KubeApiError) || isClusterLevel(e)) throw e;
          return entry(action.desired, 'error', null, {
            intended: action.kind,
            error: resourceError(e),
          });
        }
        const diff = diffObjects(live, answer);
        if (diff.action !== 'update') return entry(action.desired, diff.action, diff);
        return entry(action.desired, 'update', diff, {
          widening: isWidening(stripServerFields(live!), stripServerFields(answer!)),
          owners: fieldOwners(
            live,
            diff.patch.map((op) => op.path),
          ),
        });
      }
    }
  }
}
