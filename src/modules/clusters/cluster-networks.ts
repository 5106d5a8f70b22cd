import { checkCidr } from '../../core/net/cidr.js';
import { pointer, problem, type Problem } from '../../core/problems/problem.js';
import type { ClusterNetworks } from '../../core/compiler/scope-to-cluster.js';
import type { ClusterRow } from '../../infra/database/schema.js';

/** The most CIDRs a cluster's pod or Service networks may list (dual stack and a few pools). */
export const MAX_CLUSTER_CIDRS = 16;

/** What a request may say about a cluster's networks: a list sets them, `null` forgets them. */
export interface NetworksInput {
  podCIDRs?: string[] | null;
  serviceCIDRs?: string[] | null;
}

/** A cluster's networks as the API shows them: what is used, and where it came from. */
export interface NetworksView {
  /** What the per-cluster objects are compiled with (configured, else detected); null: unknown. */
  podCIDRs: string[] | null;
  serviceCIDRs: string[] | null;
  configured: { podCIDRs: string[] | null; serviceCIDRs: string[] | null };
  detected: {
    podCIDRs: string[] | null;
    serviceCIDRs: string[] | null;
    /** ISO 8601 time of the last detection. */
    detectedAt: string | null;
    /** Why something could not be detected (e.g. the identity may not list nodes). */
    message: string | null;
  };
}

/**
 * Checks the CIDR lists of a request: each entry a CIDR as the API server accepts one (stored
 * in canonical form, host bits cleared), at most MAX_CLUSTER_CIDRS. Returns the canonical, sorted,
 * unique lists (`null` kept: it forgets the configured value) or the problems.
 */
export function checkNetworksInput(
  input: NetworksInput,
): { ok: true; value: NetworksInput } | { ok: false; errors: Problem[] } {
  const errors: Problem[] = [];
  const value: NetworksInput = {};
  for (const field of ['podCIDRs', 'serviceCIDRs'] as const) {
    const list = input[field];
    if (list === undefined || list === null) {
      if (list === null) value[field] = null;
      continue;
    }
    if (list.length > MAX_CLUSTER_CIDRS) {
      errors.push(
        problem(`/${field}`, 'TOO_MANY_ITEMS', { count: list.length, max: MAX_CLUSTER_CIDRS }),
      );
      continue;
    }
    const canonical = new Set<string>();
    list.forEach((text, i) => {
      const checked = checkCidr(text);
      if (!checked.ok) {
        errors.push(problem(pointer(field, i), checked.code, { value: JSON.stringify(text) }));
        return;
      }
      canonical.add(checked.cidr.text); // host bits cleared, as in documents
    });
    value[field] = [...canonical].sort();
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** The networks of a cluster row, and which are used: configured ones win over detected ones. */
export function networksView(row: ClusterRow): NetworksView {
  return {
    podCIDRs: row.podCidrs ?? row.detectedPodCidrs ?? null,
    serviceCIDRs: row.serviceCidrs ?? row.detectedServiceCidrs ?? null,
    configured: { podCIDRs: row.podCidrs ?? null, serviceCIDRs: row.serviceCidrs ?? null },
    detected: {
      podCIDRs: row.detectedPodCidrs ?? null,
      serviceCIDRs: row.detectedServiceCidrs ?? null,
      detectedAt: iso(row.networksDetectedAt ?? null),
      message: row.networksDetectionMessage ?? null,
    },
  };
}

/** What the per-cluster objects of a cluster are compiled with (unknown networks: nothing). */
export function clusterNetworks(
  view: Pick<NetworksView, 'podCIDRs' | 'serviceCIDRs'>,
): ClusterNetworks {
  return { podCIDRs: view.podCIDRs ?? [], serviceCIDRs: view.serviceCIDRs ?? [] };
}
