import { Injectable } from '@nestjs/common';
import { ProblemException } from '../../common/problem.exception.js';
import { fieldOwners, type FieldOwner } from '../../core/diff/field-owners.js';
import type { JsonPatchOp } from '../../core/diff/json-patch.js';
import { compareKeys, diffObjects, type ObjectDiff } from '../../core/diff/object-diff.js';
import type { NetworkPolicy } from '../../core/kube/network-policy.types.js';
import {
  resourceKey,
  stripServerFields,
  type LiveNetworkPolicy,
} from '../../core/reconcile/live-object.js';
import {
  HASH_ANNOTATION,
  REVISION_ANNOTATION,
  describeOwner,
  isOwnedBy,
  isWidening,
  objectContentHash,
} from '../../core/reconcile/plan-rollout.js';
import { KubeApiError, type KubeClient } from '../../infra/kube/index.js';
import { ClusterConnector } from '../clusters/cluster-connector.service.js';
import { mapLimit } from '../../common/map-limit.js';

export type ResourceAction = 'create' | 'update' | 'delete' | 'unchanged' | 'conflict' | 'error';

/** Why one object could not be diffed or would fail: the API server's answer, or a missing namespace. */
export interface ResourceError {
  /** KubeApiError kind (`forbidden`, `invalid`, `conflict`, `notFound`, `other`) or `namespaceMissing`. */
  kind: string;
  status: number | null;
  reason: string | null;
  message: string;
}

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
  summary: Record<ResourceAction, number>;
  resources: ResourceDiff[];
}

export interface ClusterDiffRequest {
  cluster: string;
  policyName: string;
  action: 'apply' | 'prune';
  /** Decorated objects (decorateForRollout), exactly as the worker would apply them. */
  desired: NetworkPolicy[];
  /** Namespaces to look for objects to prune besides the desired ones (those of the revision applied there). */
  alsoInspect: string[];
}

const CONCURRENCY = 4;

function emptySummary(): Record<ResourceAction, number> {
  return { create: 0, update: 0, delete: 0, unchanged: 0, conflict: 0, error: 0 };
}

/** A failure that concerns the whole cluster (no answer, overloaded, or credentials rejected). */
function isClusterLevel(e: unknown): e is KubeApiError {
  return e instanceof KubeApiError && (e.retryable || e.kind === 'unauthorized');
}

function resourceError(e: KubeApiError): ResourceError {
  return { kind: e.kind, status: e.status ?? null, reason: e.reason ?? null, message: e.message };
}

/**
 * When the live object has our content hash the worker writes nothing, so its revision
 * annotation stays as it is: compare against that, not against a revision bump.
 */
function asTheWorkerWouldLeaveIt(desired: NetworkPolicy, live: LiveNetworkPolicy): NetworkPolicy {
  const revision = live.metadata.annotations?.[REVISION_ANNOTATION];
  if (
    revision === undefined ||
    objectContentHash(stripServerFields(live)) !== desired.metadata.annotations?.[HASH_ANNOTATION]
  )
    return desired;
  return {
    ...desired,
    metadata: {
      ...desired.metadata,
      annotations: { ...desired.metadata.annotations, [REVISION_ANNOTATION]: revision },
    },
  };
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
 * The diff machinery shared by `GET /v1/policies/{name}/diff` and `POST .../plan`: reads one
 * cluster as the rollout worker does (one list per namespace), then asks the API server what
 * each write would produce with a server-side DRY-RUN apply (forced for objects we own, as the
 * worker does; not forced for new ones) or dry-run delete, and compares the normalised results
 * with the normalised live objects. Nothing is ever written, nor recorded.
 */
@Injectable()
export class ClusterDiffService {
  constructor(private readonly clusters: ClusterConnector) {}

  async diff(req: ClusterDiffRequest): Promise<ClusterDiff> {
    try {
      const { client } = await this.clusters.connect(req.cluster);
      const resources = await this.diffWith(client, req);
      const summary = emptySummary();
      for (const r of resources) summary[r.action]++;
      return { cluster: req.cluster, action: req.action, error: null, summary, resources };
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
        summary: emptySummary(),
        resources: [],
      };
    }
  }

  private async diffWith(client: KubeClient, req: ClusterDiffRequest): Promise<ResourceDiff[]> {
    const namespaces = [
      ...new Set([...req.desired.map((o) => o.metadata.namespace), ...req.alsoInspect]),
    ].sort();
    // Nothing to read: still prove the cluster answers, so that an unreachable one is never "no changes".
    if (namespaces.length === 0) await client.version();
    const liveByKey = new Map<string, LiveNetworkPolicy>();
    const unusable = new Map<string, ResourceError>();
    await mapLimit(namespaces, CONCURRENCY, async (ns) => {
      try {
        // Listing in a namespace that does not exist answers an empty list: check it first.
        if (!(await client.namespaceExists(ns))) {
          unusable.set(ns, {
            kind: 'namespaceMissing',
            status: null,
            reason: null,
            message: `namespace ${ns} does not exist in this cluster; gbp-netpol never creates namespaces`,
          });
          return;
        }
        for (const o of await client.listNetworkPolicies(ns)) liveByKey.set(resourceKey(o), o);
      } catch (e) {
        if (!(e instanceof KubeApiError) || isClusterLevel(e)) throw e;
        unusable.set(ns, resourceError(e));
      }
    });

    const desiredKeys = new Set(req.desired.map(resourceKey));
    const results = await mapLimit(req.desired, CONCURRENCY, (d) => {
      const why = unusable.get(d.metadata.namespace);
      if (why) return Promise.resolve(entry(d, 'error', null, { intended: 'unknown', error: why }));
      return this.desiredEntry(client, req.policyName, d, liveByKey.get(resourceKey(d)) ?? null);
    });
    const stale = [...liveByKey.entries()]
      .filter(([key, o]) => !desiredKeys.has(key) && isOwnedBy(o, req.policyName))
      .map(([, o]) => o);
    results.push(...(await mapLimit(stale, CONCURRENCY, (o) => this.deleteEntry(client, o))));
    // A namespace we could not read may hold objects to prune: say so rather than imply there are none.
    for (const [ns, why] of unusable) {
      if (
        !req.desired.some((d) => d.metadata.namespace === ns) &&
        why.kind !== 'namespaceMissing'
      ) {
        results.push({
          namespace: ns,
          name: '*',
          action: 'error',
          intended: 'delete',
          error: { ...why, message: `cannot look for objects to prune: ${why.message}` },
          patch: [],
          unified: '',
          owners: [],
        });
      }
    }
    return results.sort((a, b) =>
      compareKeys(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`),
    );
  }

  private async desiredEntry(
    client: KubeClient,
    policyName: string,
    desired: NetworkPolicy,
    live: LiveNetworkPolicy | null,
  ): Promise<ResourceDiff> {
    if (live && !isOwnedBy(live, policyName)) {
      // Never applied by the worker; shown against what we would have applied.
      const diff = diffObjects(live, desired);
      return entry(desired, 'conflict', diff, {
        owner: describeOwner(live),
        owners: fieldOwners(
          live,
          diff.patch.map((op) => op.path),
        ),
      });
    }
    const intended = live ? 'update' : 'create';
    let answer: LiveNetworkPolicy;
    try {
      answer = await client.applyNetworkPolicy(
        live ? asTheWorkerWouldLeaveIt(desired, live) : desired,
        { dryRun: true, force: live !== null },
      );
    } catch (e) {
      if (!(e instanceof KubeApiError) || isClusterLevel(e)) throw e;
      return entry(desired, 'error', null, { intended, error: resourceError(e) });
    }
    const diff = diffObjects(live, answer);
    if (diff.action !== 'update') return entry(desired, diff.action, diff);
    return entry(desired, 'update', diff, {
      widening: isWidening(stripServerFields(live!), stripServerFields(answer)),
      owners: fieldOwners(
        live,
        diff.patch.map((op) => op.path),
      ),
    });
  }

  private async deleteEntry(client: KubeClient, live: LiveNetworkPolicy): Promise<ResourceDiff> {
    try {
      await client.deleteNetworkPolicy(live.metadata.namespace, live.metadata.name, {
        dryRun: true,
        preconditionResourceVersion: live.metadata.resourceVersion,
      });
    } catch (e) {
      if (!(e instanceof KubeApiError) || isClusterLevel(e)) throw e;
      return entry(live, 'error', null, { intended: 'delete', error: resourceError(e) });
    }
    return entry(live, 'delete', diffObjects(live, null));
  }
}
