import type { LiveNetworkPolicy } from '../../core/reconcile/live-object.js';
import type { RolloutAction } from '../../core/reconcile/plan-rollout.js';
import type { KubeClient } from '../../infra/kube/index.js';

/**
 * Sends the write one planned action needs (none for `unchanged` and `conflict`), for real or
 * as a server-side dry run: the rollout and the diff call this same function, so a plan shows
 * exactly the requests the rollout makes. Returns the object as the server stored it (or would
 * have), null for a delete or when nothing is sent. KubeApiErrors propagate.
 */
export async function executeAction(
  client: KubeClient,
  action: RolloutAction,
  opts: { dryRun?: boolean; signal?: AbortSignal } = {},
): Promise<LiveNetworkPolicy | null> {
  const { dryRun, signal } = opts;
  switch (action.kind) {
    case 'unchanged':
    case 'conflict':
      return null;
    case 'create':
      // Not forced: if someone else created it since we listed, the apply conflicts
      // instead of taking their fields over.
      return client.applyNetworkPolicy(action.desired, { force: false, dryRun, signal });
    case 'update':
      // Forced: the object is ours, and fields someone changed by hand are taken back.
      return client.applyNetworkPolicy(action.desired, { force: true, dryRun, signal });
    case 'delete':
      await client.deleteNetworkPolicy(action.live.metadata.namespace, action.live.metadata.name, {
        preconditionResourceVersion: action.live.metadata.resourceVersion,
        dryRun,
        signal,
      });
      return null;
  }
}
