import { mapLimit } from '../../common/map-limit.js';
import type { LiveNetworkPolicy } from '../../core/reconcile/live-object.js';
import { resourceKey } from '../../core/reconcile/live-object.js';
import {
  namespaceMissing,
  type ClusterSnapshot,
  type NamespaceProblem,
} from '../../core/reconcile/reconcile-plan.js';
import { KubeApiError, type KubeClient } from '../../infra/kube/index.js';

/** KubeClient.listNetworkPolicies reads pages of this many objects. */
const LIST_PAGE_SIZE = 500;
const DEFAULT_CONCURRENCY = 4;

export interface ReadClusterOptions {
  /** List only objects with these labels (drift lists only a policy's own objects). */
  labelSelector?: string;
  /**
   * Check that each namespace exists before listing it (default true): listing in a missing
   * namespace answers an empty list, or 403 for a namespaced Role, which would read as "nothing
   * there".
   */
  checkNamespaces?: boolean;
  /** Any refused read fails the whole read instead of marking its namespace unusable. */
  strict?: boolean;
  signal?: AbortSignal;
  concurrency?: number;
  /** Told of every request as it is made (a failed request is a request too). */
  onRequests?: (count: number) => void;
}

/** A failure that concerns the whole cluster (no answer, overloaded, or credentials rejected). */
export function isClusterLevel(e: unknown): e is KubeApiError {
  return e instanceof KubeApiError && (e.retryable || e.kind === 'unauthorized');
}

function problemOf(e: KubeApiError): NamespaceProblem {
  return { kind: e.kind, status: e.status ?? null, reason: e.reason ?? null, message: e.message };
}

/**
 * Reads the NetworkPolicies of these namespaces, one list per namespace (after a namespace
 * check unless told otherwise): the read that rollout, diff, plan and drift all make, so that
 * they see a cluster the same way. A cluster-level failure rejects; a namespace that is missing
 * or refused is reported in `unusable` (or rejects, with `strict`).
 */
export async function readCluster(
  client: KubeClient,
  namespaces: readonly string[],
  opts: ReadClusterOptions = {},
): Promise<ClusterSnapshot> {
  const live = new Map<string, LiveNetworkPolicy>();
  const unusable = new Map<string, NamespaceProblem>();
  let requests = 0;
  const count = (n: number): void => {
    requests += n;
    opts.onRequests?.(n);
  };
  const { signal } = opts;
  await mapLimit([...namespaces], opts.concurrency ?? DEFAULT_CONCURRENCY, async (ns) => {
    if (opts.checkNamespaces !== false) {
      let exists: boolean;
      try {
        count(1);
        exists = await client.namespaceExists(ns, { signal });
      } catch (e) {
        if (opts.strict || !(e instanceof KubeApiError) || isClusterLevel(e)) throw e;
        unusable.set(ns, { ...problemOf(e), during: 'check' });
        return;
      }
      if (!exists) {
        unusable.set(ns, namespaceMissing(ns));
        return;
      }
    }
    try {
      count(1); // counted before it is sent: a failed request is a request too
      const items = await client.listNetworkPolicies(ns, opts.labelSelector, { signal });
      // Each further page of LIST_PAGE_SIZE objects was one more request.
      count(Math.max(0, Math.ceil(items.length / LIST_PAGE_SIZE) - 1));
      for (const o of items) live.set(resourceKey(o), o);
    } catch (e) {
      if (opts.strict || !(e instanceof KubeApiError) || isClusterLevel(e)) throw e;
      unusable.set(ns, problemOf(e));
    }
  });
  return { live, unusable, requests };
}
