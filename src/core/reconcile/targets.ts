/** Which clusters a revision goes to: named ones, or those whose labels match. */
export interface PolicyTargets {
  clusters?: string[];
  clusterSelector?: { matchLabels: Record<string, string> };
}

/** What a deployment does on one cluster: apply the revision, or remove every object of the policy. */
export type TargetAction = 'apply' | 'prune';

export interface TargetPlan {
  clusterName: string;
  action: TargetAction;
}

/**
 * Targets in canonical form: sorted unique names and a selector with sorted keys, so that
 * equal targets hash equally. Empty lists are dropped. Never mutates its input.
 */
export function normaliseTargets(t: PolicyTargets): PolicyTargets {
  const out: PolicyTargets = {};
  if (t.clusters?.length) out.clusters = [...new Set(t.clusters)].sort();
  if (t.clusterSelector)
    out.clusterSelector = {
      matchLabels: Object.fromEntries(
        Object.entries(t.clusterSelector.matchLabels ?? {}).sort(([a], [b]) =>
          a < b ? -1 : a > b ? 1 : 0,
        ),
      ),
    };
  return out;
}

/** True when targets name no cluster and no selector (a revision must go somewhere). */
export function hasNoTargets(t: PolicyTargets): boolean {
  return !t.clusters?.length && !t.clusterSelector;
}

/** True when a cluster with these labels matches every entry of the selector. */
export function selectorMatches(
  selector: { matchLabels: Record<string, string> },
  labels: Record<string, string>,
): boolean {
  return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

/**
 * What a new revision does per cluster: `apply` on every resolved target, `prune` on every
 * cluster the policy reached before (`previous`) that is no longer a target.
 */
export function planTargets(
  resolved: readonly string[],
  previous: readonly { clusterName: string }[],
): TargetPlan[] {
  const wanted = new Set(resolved);
  return [
    ...resolved.map((clusterName) => ({ clusterName, action: 'apply' as const })),
    ...previous
      .filter((s) => !wanted.has(s.clusterName))
      .map((s) => ({ clusterName: s.clusterName, action: 'prune' as const })),
  ];
}
