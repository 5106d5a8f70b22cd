import type { LabelSelector } from '../kube/network-policy.types.js';
import type { RolloutAction } from './plan-rollout.js';

/**
 * The three steps of the safe order (src/core/README.md, Rollout order): writes that open
 * traffic (creates and widening updates), then writes that narrow it, then prunes.
 */
export type WriteStep = 'open' | 'narrow' | 'prune';

const STEP_RANK: Record<WriteStep, number> = { open: 0, narrow: 1, prune: 2 };

/** The step of an action, or null when it sends nothing (`unchanged`, `conflict`). */
export function writeStep(a: RolloutAction): WriteStep | null {
  switch (a.kind) {
    case 'create':
      return 'open';
    case 'update':
      return a.widening ? 'open' : 'narrow';
    case 'delete':
      return 'prune';
    case 'unchanged':
    case 'conflict':
      return null;
  }
}

/** One action of a scheduled rollout and the actions (indexes) that must succeed before it is sent. */
export interface ScheduledAction {
  action: RolloutAction;
  step: WriteStep | null;
  /** Indexes into the schedule, ascending; empty when it may be sent at once. */
  waitsFor: number[];
}

/** What one key of a selector requires of a pod's labels. */
interface KeyRequirement {
  /** The value must be one of these (undefined: any value, or none). */
  oneOf?: Set<string>;
  /** The value must not be one of these. */
  noneOf: Set<string>;
  /** The key must be present. */
  present: boolean;
  /** The key must be absent. */
  absent: boolean;
}

function requirementsOf(sel: LabelSelector): Map<string, KeyRequirement> {
  const out = new Map<string, KeyRequirement>();
  const of = (key: string): KeyRequirement => {
    let r = out.get(key);
    if (!r) out.set(key, (r = { noneOf: new Set(), present: false, absent: false }));
    return r;
  };
  const restrict = (r: KeyRequirement, values: readonly string[]) => {
    const next = new Set(values);
    r.oneOf = r.oneOf ? new Set([...r.oneOf].filter((v) => next.has(v))) : next;
    r.present = true;
  };
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) restrict(of(k), [v]);
  for (const e of sel.matchExpressions ?? []) {
    const r = of(e.key);
    if (e.operator === 'In') restrict(r, e.values ?? []);
    else if (e.operator === 'NotIn') for (const v of e.values ?? []) r.noneOf.add(v);
    else if (e.operator === 'Exists') r.present = true;
    else r.absent = true;
  }
  return out;
}

/** True when no label value can satisfy both requirements of one key. */
function keyDisjoint(a: KeyRequirement, b: KeyRequirement): boolean {
  const present = a.present || b.present;
  if (present && (a.absent || b.absent)) return true;
  let oneOf: Set<string> | undefined;
  if (a.oneOf && b.oneOf) oneOf = new Set([...a.oneOf].filter((v) => b.oneOf!.has(v)));
  else oneOf = a.oneOf ?? b.oneOf;
  if (!oneOf) return false;
  for (const v of oneOf) if (!a.noneOf.has(v) && !b.noneOf.has(v)) return false;
  return true;
}

/**
 * False only when no set of labels matches both pod selectors (e.g. `net=a` and `net=b`, or
 * `net In [a]` and `net DoesNotExist`); true otherwise, including whenever in doubt. Pure.
 */
export function selectorsMayOverlap(a: LabelSelector, b: LabelSelector): boolean {
  const ra = requirementsOf(a);
  const rb = requirementsOf(b);
  for (const [key, reqA] of ra) {
    const reqB = rb.get(key);
    if (reqB ? keyDisjoint(reqA, reqB) : keyDisjoint(reqA, reqA)) return false;
  }
  for (const [key, reqB] of rb) if (!ra.has(key) && keyDisjoint(reqB, reqB)) return false;
  return true;
}

/** The pod selectors an action touches: the live object's and the desired one's. */
function podSelectorsOf(a: RolloutAction): LabelSelector[] {
  const out: LabelSelector[] = [];
  if (a.kind !== 'delete') out.push(a.desired.spec.podSelector);
  if (a.kind !== 'create' && a.live.spec) out.push(a.live.spec.podSelector);
  return out;
}

function namespaceOf(a: RolloutAction): string {
  return a.kind === 'delete' ? a.live.metadata.namespace : a.desired.metadata.namespace;
}

/**
 * Orders a rollout by object, not by stage (src/core/README.md, Rollout order). An action B
 * waits for an action A when, and only when:
 * - A comes in an earlier step of the safe order (open, then narrow, then prune);
 * - both are in the same namespace; and
 * - their pod selectors (live and desired) may select a common pod.
 *
 * Why this is enough: whether traffic to a pod is allowed depends only on the ingress policies
 * of the pod's namespace that select it, and traffic from a pod only on the egress policies of
 * its own namespace that select it. A narrowing write or a prune can therefore only cut traffic
 * that the new revision allows if a write that grants it back to the same pods has not landed
 * yet, and such a write is one of the actions B waits for. Everything else runs at once.
 *
 * Returns one entry per action, in the input order. Pure; the input is not touched.
 */
export function scheduleRollout(actions: readonly RolloutAction[]): ScheduledAction[] {
  const scheduled: ScheduledAction[] = actions.map((action) => ({
    action,
    step: writeStep(action),
    waitsFor: [],
  }));
  const byNamespace = new Map<string, number[]>();
  scheduled.forEach((s, i) => {
    if (!s.step) return;
    const ns = namespaceOf(s.action);
    (byNamespace.get(ns) ?? byNamespace.set(ns, []).get(ns)!).push(i);
  });
  const selectors = scheduled.map((s) => (s.step ? podSelectorsOf(s.action) : []));
  const overlap = (i: number, j: number): boolean =>
    selectors[i].some((a) => selectors[j].some((b) => selectorsMayOverlap(a, b)));
  for (const indexes of byNamespace.values()) {
    for (const b of indexes) {
      const rankB = STEP_RANK[scheduled[b].step!];
      if (rankB === 0) continue;
      for (const a of indexes)
        if (STEP_RANK[scheduled[a].step!] < rankB && overlap(a, b)) scheduled[b].waitsFor.push(a);
      scheduled[b].waitsFor.sort((x, y) => x - y);
    }
  }
  return scheduled;
}
