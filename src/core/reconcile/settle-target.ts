import { compareKeys } from '../diff/object-diff.js';

/** What happened to one object on one cluster during a deployment. */
export interface ResourceOutcome {
  namespace: string;
  name: string;
  action: string;
  message?: string;
}

export type SyncState = 'Synced' | 'OutOfSync' | 'Unknown';

/** How a finished rollout of one cluster is recorded: its phase, its error, and the policy's state there. */
export interface TargetSettlement {
  phase: 'Succeeded' | 'Failed';
  error: string | null;
  /**
   * `forget`: the policy left the cluster (a prune that removed everything); `refused`: a first
   * rollout that wrote nothing because the API server refused some of its objects in a dry run
   * (the cluster still has no applied revision).
   */
  state:
    | { kind: 'forget' }
    | { kind: 'applied'; sync: SyncState; syncReason: string | null }
    | { kind: 'prune-failed'; sync: 'OutOfSync'; syncReason: 'PruneFailed' }
    | { kind: 'refused'; sync: 'OutOfSync'; syncReason: 'DryRunRefused' };
}

/** What an object became when a first rollout wrote nothing because others were refused. */
export const HELD_BY_DRY_RUN = 'skipped';

function isBad(r: ResourceOutcome): boolean {
  return r.action === 'failed' || r.action === 'conflict';
}

/**
 * Maps the per-object outcomes of one cluster's rollout to its phase and sync state: every
 * object applied → Succeeded and Synced (or, for a prune, the policy forgets the cluster); any
 * failure or conflict → Failed, OutOfSync with the reason (Conflict, ApplyFailed, PruneFailed)
 * and an error listing each object that was not applied.
 */
export function settleTarget(
  resources: readonly ResourceOutcome[],
  pruning: boolean,
  opts: { dryRunRefused?: boolean } = {},
): TargetSettlement {
  const bad = resources.filter(isBad);
  if (opts.dryRunRefused)
    return {
      phase: 'Failed',
      error: `first rollout to this cluster refused by the API server's dry run, so nothing was written: ${bad.length} of ${resources.length} resources refused: ${bad.map((r) => `${r.namespace}/${r.name}${r.message ? ` (${r.message})` : ''}`).join('; ')}`,
      state: { kind: 'refused', sync: 'OutOfSync', syncReason: 'DryRunRefused' },
    };
  const error =
    bad.length === 0
      ? null
      : `${bad.length} of ${resources.length} resources not applied: ${bad.map((r) => `${r.namespace}/${r.name} ${r.action}${r.message ? ` (${r.message})` : ''}`).join('; ')}`;
  const phase = bad.length === 0 ? 'Succeeded' : 'Failed';
  if (pruning)
    return {
      phase,
      error,
      state:
        bad.length === 0
          ? { kind: 'forget' }
          : { kind: 'prune-failed', sync: 'OutOfSync', syncReason: 'PruneFailed' },
    };
  return {
    phase,
    error,
    state: {
      kind: 'applied',
      sync: bad.length === 0 ? 'Synced' : 'OutOfSync',
      syncReason:
        bad.length === 0
          ? null
          : bad.some((r) => r.action === 'conflict')
            ? 'Conflict'
            : 'ApplyFailed',
    },
  };
}

/** How many outcomes ended with each action (`created`, `updated`, ...): the status summary. */
export function countOutcomes(resources: readonly ResourceOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of resources) counts[r.action] = (counts[r.action] ?? 0) + 1;
  return counts;
}

/** Sorts outcomes in place by namespace then name (the order every status answer shows). */
export function sortOutcomes<T extends { namespace: string; name: string }>(list: T[]): T[] {
  return list.sort((a, b) => compareKeys(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`));
}
