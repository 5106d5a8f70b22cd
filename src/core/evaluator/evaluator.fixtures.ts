/** Test builders shared by the evaluator specs (not used by production code). */
import type { NetworkPolicy, NetworkPolicySpec } from '../kube/network-policy.types.js';
import type { EvalNamespace, EvalSource } from './evaluator.types.js';

export function policy(
  namespace: string,
  name: string,
  spec: Partial<NetworkPolicySpec>,
): NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace },
    spec: { podSelector: {}, ...spec },
  };
}

export function pod(
  namespace: string,
  labels: Record<string, string> = {},
): EvalSource & { kind: 'pod' } {
  return { kind: 'pod', pod: { namespace, labels } };
}

export function ext(ip: string): EvalSource & { kind: 'external' } {
  return { kind: 'external', ip };
}

/** prod and dev carry an `env` label; kube-system only the name label (added by the evaluator). */
export const NAMESPACES: EvalNamespace[] = [
  { name: 'prod', labels: { env: 'prod' } },
  { name: 'dev', labels: { env: 'dev' } },
  { name: 'kube-system', labels: {} },
];
