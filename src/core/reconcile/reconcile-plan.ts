import type { NetworkPolicy } from '../kube/network-policy.types.js';
import { resourceKey, type LiveNetworkPolicy } from './live-object.js';
import { isOwnedBy, planRollout, type RolloutAction } from './plan-rollout.js';

/**
 * Why a namespace of a cluster could not be read: it does not exist (`namespaceMissing`), or
 * the API server refused the read (`kind` is then the KubeApiError kind, e.g. `forbidden`).
 */
export interface NamespaceProblem {
  kind: string;
  status: number | null;
  reason: string | null;
  message: string;
  /**
   * `check`: even whether the namespace exists could not be read (the rollout retries later
   * rather than report its objects failed); absent for a refused list or a missing namespace.
   */
  during?: 'check';
}

/** What one read of a cluster found: the live objects of the namespaces read, and those it could not read. */
export interface ClusterSnapshot {
  /** Every live NetworkPolicy of the namespaces read, by `namespace/name`. */
  live: ReadonlyMap<string, LiveNetworkPolicy>;
  unusable: ReadonlyMap<string, NamespaceProblem>;
  /** Kubernetes API requests the read made. */
  requests: number;
}

/** The problem of a namespace that does not exist (gbp-netpol never creates one). */
export function namespaceMissing(namespace: string): NamespaceProblem {
  return {
    kind: 'namespaceMissing',
    status: null,
    reason: null,
    message: `namespace ${namespace} does not exist in this cluster; gbp-netpol never creates namespaces`,
  };
}

/**
 * The namespaces a reconcile reads: those of the desired objects plus those of the revision
 * last applied to the cluster, where objects to prune may be. Sorted, unique.
 */
export function namespacesToInspect(
  desired: readonly NetworkPolicy[],
  lastApplied: readonly NetworkPolicy[] = [],
): string[] {
  return [...new Set([...desired, ...lastApplied].map((o) => o.metadata.namespace))].sort();
}

/** The plan of one cluster's reconcile, what both the rollout and the diff execute. */
export interface ReconcilePlan {
  /** Ordered actions for the objects whose namespace was read, and deletes of stale owned objects. */
  actions: RolloutAction[];
  /** Desired objects in a namespace that could not be read: nothing is done with them. */
  blocked: { namespace: string; name: string; problem: NamespaceProblem }[];
  /**
   * Namespaces that exist but could not be read and hold no desired object: they may hold
   * objects to prune, which cannot be looked for. (A missing namespace holds nothing.)
   */
  pruneBlocked: { namespace: string; problem: NamespaceProblem }[];
}

/**
 * Pairs the desired (decorated) objects of one policy with a snapshot of the cluster and plans
 * the changes (see planRollout). Objects whose namespace could not be read are blocked, never
 * planned. Pure; inputs untouched.
 */
export function planReconcile(input: {
  policyName: string;
  desired: readonly NetworkPolicy[];
  snapshot: ClusterSnapshot;
}): ReconcilePlan {
  const { snapshot, policyName } = input;
  const blocked: ReconcilePlan['blocked'] = [];
  const present: NetworkPolicy[] = [];
  for (const o of input.desired) {
    const problem = snapshot.unusable.get(o.metadata.namespace);
    if (problem) blocked.push({ namespace: o.metadata.namespace, name: o.metadata.name, problem });
    else present.push(o);
  }
  const wanted = new Set(input.desired.map((o) => o.metadata.namespace));
  const pruneBlocked = [...snapshot.unusable]
    .filter(([ns, problem]) => !wanted.has(ns) && problem.kind !== 'namespaceMissing')
    .map(([namespace, problem]) => ({ namespace, problem }))
    .sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));
  const liveByKey = new Map<string, LiveNetworkPolicy | null>();
  for (const o of present) liveByKey.set(resourceKey(o), snapshot.live.get(resourceKey(o)) ?? null);
  const owned = [...snapshot.live.values()].filter((o) => isOwnedBy(o, policyName));
  return {
    actions: planRollout({ policyName, desired: present, liveByKey, owned }),
    blocked,
    pruneBlocked,
  };
}
