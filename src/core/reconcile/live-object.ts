import type { NetworkPolicy, NetworkPolicySpec } from '../kube/network-policy.types.js';

/** A managedFields entry as the API server returns it (only what we read). */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  time?: string;
  fieldsV1?: unknown;
}

/** A NetworkPolicy read from a cluster: server-populated metadata included. */
export interface LiveNetworkPolicy {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    uid?: string;
    creationTimestamp?: string;
    generation?: number;
    managedFields?: ManagedFieldsEntry[];
  };
  spec?: NetworkPolicySpec;
  status?: unknown;
}

/** The fields the API server owns or changes on every write; a diff must ignore them. */
const SERVER_METADATA = [
  'managedFields',
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'generation',
  'selfLink',
] as const;

/**
 * A copy of a live object without server-populated fields (managedFields, resourceVersion,
 * uid, creationTimestamp, generation, status), ready to be compared with a desired object.
 * Never mutates its input.
 */
export function stripServerFields(live: LiveNetworkPolicy): NetworkPolicy {
  const metadata: Record<string, unknown> = { ...live.metadata };
  for (const f of SERVER_METADATA) delete metadata[f];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: metadata as unknown as NetworkPolicy['metadata'],
    spec: live.spec ?? { podSelector: {} },
  };
}

/** `namespace/name`, the key that pairs desired and live objects of one kind. */
export function resourceKey(o: { metadata: { namespace: string; name: string } }): string {
  return `${o.metadata.namespace}/${o.metadata.name}`;
}
