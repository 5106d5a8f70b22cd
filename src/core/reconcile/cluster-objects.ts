import { scopeToCluster, type ClusterNetworks } from '../compiler/scope-to-cluster.js';
import type { NetworkPolicy } from '../kube/network-policy.types.js';
import { problem, type Problem } from '../problems/problem.js';
import { decorateForRollout } from './plan-rollout.js';

/** The objects one cluster gets for one revision, and what compiling them for it warned about. */
export interface ClusterObjects {
  objects: NetworkPolicy[];
  warnings: Problem[];
}

/** The distinct ipBlock cidrs of a set of objects (ingress and egress). */
function ipBlockCidrs(objects: readonly NetworkPolicy[]): string[] {
  const cidrs = new Set<string>();
  for (const o of objects)
    for (const rule of [...(o.spec.ingress ?? []), ...(o.spec.egress ?? [])])
      for (const peer of ('from' in rule ? rule.from : 'to' in rule ? rule.to : undefined) ?? [])
        if (peer.ipBlock) cidrs.add(peer.ipBlock.cidr);
  return [...cidrs].sort();
}

/**
 * Compiled objects as one cluster gets them: their ipBlocks scoped to the cluster's networks
 * (scopeToCluster: the pod and Service CIDRs taken out, so that in-cluster pods never match an
 * expose rule). When the cluster's pod networks are unknown and the objects have ipBlocks,
 * POD_NETWORKS_UNKNOWN says what that means. Pure; the input is not changed.
 */
export function scopeForCluster(
  objects: readonly NetworkPolicy[],
  networks: ClusterNetworks,
): ClusterObjects {
  const scoped = scopeToCluster(objects, networks);
  const warnings = [...scoped.warnings];
  if (networks.podCIDRs.length === 0) {
    const cidrs = ipBlockCidrs(objects);
    if (cidrs.length > 0)
      warnings.unshift(problem('', 'POD_NETWORKS_UNKNOWN', { cidrs: cidrs.join(', ') }));
  }
  return { objects: scoped.objects, warnings };
}

/**
 * A revision's objects as one cluster gets them (scopeForCluster), decorated for the rollout.
 * The rollout, the diff, the plan, drift and the manifests all call this, so they show the
 * same objects.
 */
export function objectsForCluster(
  objects: readonly NetworkPolicy[],
  policyName: string,
  revision: number,
  networks: ClusterNetworks,
): ClusterObjects {
  const scoped = scopeForCluster(objects, networks);
  return { ...scoped, objects: decorateForRollout(scoped.objects, policyName, revision) };
}
