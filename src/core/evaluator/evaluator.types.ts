import type { PortSet } from '../ports/port-set.js';

/**
 * A namespace as the evaluator sees it. The API server always sets
 * `kubernetes.io/metadata.name=<name>` on a namespace; the evaluator does the same (it
 * overrides any other value, as the API server does), so callers may omit it.
 */
export interface EvalNamespace {
  name: string;
  labels: Record<string, string>;
}

/**
 * A pod: the namespace it lives in and its labels, and optionally its IP address (bare IPv4
 * or IPv6). A pod with an `ip` is matched by `ipBlock` peers as the Kubernetes conformance
 * tests and Calico, Antrea and kube-router match them; a pod without one never is.
 */
export interface EvalPod {
  namespace: string;
  labels: Record<string, string>;
  ip?: string;
}

/**
 * One end of a connection: a pod in the cluster, or an address outside the cluster.
 * `ip` is a bare IPv4 or IPv6 address (no prefix); an unparseable one matches no ipBlock.
 */
export type EvalSource = { kind: 'pod'; pod: EvalPod } | { kind: 'external'; ip: string };

/** Answers reachability questions over a fixed set of NetworkPolicies and namespaces. */
export interface NetworkPolicyEvaluator {
  /**
   * The ports `dst` accepts from `src` by its ingress policies alone. ALL_PORTS when no
   * policy of dst's namespace that has Ingress in its (defaulted) policyTypes selects dst;
   * otherwise the union of the ports of every such policy's ingress rules whose `from`
   * matches `src` (NO_PORTS when none does).
   */
  ingressAllowed(src: EvalSource, dst: EvalPod): PortSet;
  /**
   * The ports `src` may send to `dst` by its egress policies alone; symmetric to
   * ingressAllowed with Egress policies and `to` peers.
   */
  egressAllowed(src: EvalPod, dst: EvalSource): PortSet;
  /**
   * The ports on which a connection from `src` to `dst` is allowed: the intersection of
   * src's egress (an external source has no egress policies: ALL_PORTS) and dst's ingress.
   */
  allowedPorts(src: EvalSource, dst: EvalPod): PortSet;
  /** The ports on which `src` may connect to the external address `ip` (egress only). */
  allowedPortsToExternal(src: EvalPod, ip: string): PortSet;
  /** True when some policy with Ingress in its policyTypes selects the pod. */
  isIngressIsolated(pod: EvalPod): boolean;
  /** True when some policy with Egress in its policyTypes selects the pod. */
  isEgressIsolated(pod: EvalPod): boolean;
}

/** One cell of a reachability matrix. `ports` may be empty (NO_PORTS). */
export interface MatrixEntry {
  source: string;
  destination: string;
  ports: PortSet;
}

/** A named source row of a matrix. */
export interface MatrixSource {
  id: string;
  source: EvalSource;
}

/** A named destination column of a matrix. */
export interface MatrixDestination {
  id: string;
  pod: EvalPod;
}
