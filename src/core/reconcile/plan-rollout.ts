import { createEvaluator } from '../evaluator/evaluate-network-policies.js';
import type { EvalPod, EvalSource } from '../evaluator/evaluator.types.js';
import {
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  type LabelSelector,
  type NetworkPolicy,
  type NetworkPolicyPeer,
} from '../kube/network-policy.types.js';
import { POLICY_LABEL } from '../compiler/compile-network-policies.js';
import { intersectPortSets, portSetsEqual } from '../ports/port-set.js';
import { contentHash } from './canonical-json.js';
import { resourceKey, stripServerFields, type LiveNetworkPolicy } from './live-object.js';

export const REVISION_ANNOTATION = 'gbp-netpol.io/revision';
export const HASH_ANNOTATION = 'gbp-netpol.io/content-hash';

/**
 * The hash of what we own in an object: its labels and spec (annotations excluded, since
 * the hash is stored in one). Equal hashes mean no write is needed.
 */
export function objectContentHash(o: Pick<NetworkPolicy, 'metadata' | 'spec'>): string {
  return contentHash({ labels: o.metadata.labels ?? {}, spec: o.spec });
}

/**
 * Prepares compiled objects for a rollout: each gets the policy label and annotations with
 * the revision and its own content hash. Returns new objects; the input is not touched.
 */
export function decorateForRollout(
  objects: NetworkPolicy[],
  policyName: string,
  revision: number,
): NetworkPolicy[] {
  return objects.map((o) => {
    const labels = {
      ...o.metadata.labels,
      [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
      [POLICY_LABEL]: policyName,
    };
    const withLabels = { ...o, metadata: { ...o.metadata, labels } };
    return {
      ...withLabels,
      metadata: {
        ...withLabels.metadata,
        annotations: {
          ...o.metadata.annotations,
          [REVISION_ANNOTATION]: String(revision),
          [HASH_ANNOTATION]: objectContentHash(withLabels),
        },
      },
    };
  });
}

/** Who owns a live object we may not touch, in words an operator can act on. */
export function describeOwner(live: LiveNetworkPolicy): string {
  const labels = live.metadata.labels ?? {};
  const managers = [
    ...new Set(
      (live.metadata.managedFields ?? []).map((m) => m.manager).filter((m): m is string => !!m),
    ),
  ].sort();
  const parts: string[] = [];
  if (labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && labels[POLICY_LABEL])
    parts.push(`gbp-netpol policy ${labels[POLICY_LABEL]}`);
  else if (labels[MANAGED_BY_LABEL]) parts.push(`managed-by ${labels[MANAGED_BY_LABEL]}`);
  else parts.push('not managed by gbp-netpol');
  if (managers.length > 0) parts.push(`field managers: ${managers.join(', ')}`);
  return parts.join('; ');
}

/** The label selector of every object one policy owns. */
export function ownedSelector(policyName: string): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${POLICY_LABEL}=${policyName}`;
}

/** True when the live object was created by gbp-netpol for this policy. */
export function isOwnedBy(live: LiveNetworkPolicy, policyName: string): boolean {
  const labels = live.metadata.labels ?? {};
  return labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && labels[POLICY_LABEL] === policyName;
}

export type RolloutAction =
  | { kind: 'create'; key: string; desired: NetworkPolicy }
  | {
      kind: 'update';
      key: string;
      desired: NetworkPolicy;
      live: LiveNetworkPolicy;
      widening: boolean;
    }
  | { kind: 'unchanged'; key: string; desired: NetworkPolicy; live: LiveNetworkPolicy }
  | {
      kind: 'conflict';
      key: string;
      desired: NetworkPolicy;
      live: LiveNetworkPolicy;
      owner: string;
    }
  | { kind: 'delete'; key: string; live: LiveNetworkPolicy };

export interface RolloutPlanInput {
  policyName: string;
  /** Decorated desired objects (see decorateForRollout). */
  desired: NetworkPolicy[];
  /** The live object of the same name for each desired key (null: absent). */
  liveByKey: ReadonlyMap<string, LiveNetworkPolicy | null>;
  /** Every live object carrying this policy's ownership labels (candidates for pruning). */
  owned: LiveNetworkPolicy[];
}

const ORDER: Record<RolloutAction['kind'], number> = {
  unchanged: 0,
  conflict: 0,
  create: 1,
  update: 2,
  delete: 4,
};

/**
 * The stage of an action in a rollout: actions of one stage may run in parallel, stages run
 * in order (writes that open traffic, then those that narrow it, then deletes).
 */
export function rolloutStage(a: RolloutAction): number {
  return rank(a);
}

function rank(a: RolloutAction): number {
  // Widening updates go before narrowing ones, so no allowed traffic is cut mid-rollout.
  return a.kind === 'update' ? (a.widening ? 2 : 3) : ORDER[a.kind];
}

/**
 * Plans one cluster's rollout: pairs desired and live objects by namespace/name and decides
 * create, update, unchanged (equal content hash: no write), conflict (an object of that name
 * we do not own for this policy: never overwritten) or delete (owned but no longer desired).
 * Order: creates, widening updates, narrowing updates, then deletes. Pure; inputs untouched.
 */
export function planRollout(input: RolloutPlanInput): RolloutAction[] {
  const actions: RolloutAction[] = [];
  const desiredKeys = new Set<string>();
  for (const desired of input.desired) {
    const key = resourceKey(desired);
    desiredKeys.add(key);
    const live = input.liveByKey.get(key) ?? null;
    if (!live) actions.push({ kind: 'create', key, desired });
    else if (!isOwnedBy(live, input.policyName))
      actions.push({ kind: 'conflict', key, desired, live, owner: describeOwner(live) });
    else if (
      objectContentHash(stripServerFields(live)) === desired.metadata.annotations?.[HASH_ANNOTATION]
    ) {
      actions.push({ kind: 'unchanged', key, desired, live });
    } else
      actions.push({
        kind: 'update',
        key,
        desired,
        live,
        widening: isWidening(stripServerFields(live), desired),
      });
  }
  for (const live of input.owned) {
    const key = resourceKey(live);
    if (!desiredKeys.has(key) && isOwnedBy(live, input.policyName))
      actions.push({ kind: 'delete', key, live });
  }
  return actions.sort((a, b) => rank(a) - rank(b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Label values a selector mentions, so that a sample world contains pods that match it. */
function selectorValues(sel: LabelSelector | undefined, into: Map<string, Set<string>>): void {
  if (!sel) return;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {}))
    (into.get(k) ?? into.set(k, new Set()).get(k)!).add(v);
  for (const r of sel.matchExpressions ?? []) {
    const set = into.get(r.key) ?? into.set(r.key, new Set()).get(r.key)!;
    for (const v of r.values ?? []) set.add(v);
  }
}

function peersOf(o: NetworkPolicy): NetworkPolicyPeer[] {
  return [
    ...(o.spec.ingress ?? []).flatMap((r) => r.from ?? []),
    ...(o.spec.egress ?? []).flatMap((r) => r.to ?? []),
  ];
}

/**
 * True when `after` allows everything `before` allowed for the pods both select, checked by
 * the evaluator over a sample world built from the label values and CIDRs both mention.
 */
export function isWidening(before: NetworkPolicy, after: NetworkPolicy): boolean {
  const values = new Map<string, Set<string>>();
  const namespaces = new Set<string>([before.metadata.namespace, 'gbp-netpol-elsewhere']);
  const ips = new Set<string>();
  for (const o of [before, after]) {
    selectorValues(o.spec.podSelector, values);
    for (const p of peersOf(o)) {
      selectorValues(p.podSelector, values);
      const nsValues = new Map<string, Set<string>>();
      selectorValues(p.namespaceSelector, nsValues);
      for (const v of nsValues.get('kubernetes.io/metadata.name') ?? []) namespaces.add(v);
      if (p.ipBlock) {
        ips.add(p.ipBlock.cidr.split('/')[0]);
        for (const e of p.ipBlock.except ?? []) ips.add(e.split('/')[0]);
      }
    }
  }
  const pods: EvalPod[] = [];
  for (const namespace of namespaces) {
    pods.push({ namespace, labels: {} });
    for (const [k, vs] of values) for (const v of vs) pods.push({ namespace, labels: { [k]: v } });
  }
  const nsList = [...namespaces].map((name) => ({ name, labels: {} }));
  const a = createEvaluator([before], nsList);
  const b = createEvaluator([after], nsList);
  const sources: EvalSource[] = [
    ...pods.map((pod) => ({ kind: 'pod' as const, pod })),
    ...[...ips].map((ip) => ({ kind: 'external' as const, ip })),
  ];
  for (const dst of pods) {
    for (const src of sources) {
      const was = a.ingressAllowed(src, dst);
      if (!portSetsEqual(intersectPortSets(was, b.ingressAllowed(src, dst)), was)) return false;
      if (src.kind === 'pod') {
        const wasOut = a.egressAllowed(dst, src);
        if (!portSetsEqual(intersectPortSets(wasOut, b.egressAllowed(dst, src)), wasOut))
          return false;
      }
    }
  }
  return true;
}
