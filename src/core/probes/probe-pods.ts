import type { ConnectivityCell } from '../connectivity/connectivity-matrix.js';
import type { NormalisedDocument } from '../document/policy-document.types.js';
import { evaluateSparseMatrix } from '../evaluator/evaluate-sparse-matrix.js';
import {
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  type NetworkPolicy,
} from '../kube/network-policy.types.js';
import { portSetToJson } from '../ports/port-set.js';

/**
 * Test pods ("probes") for a stored policy: in each namespace of its document, one pod per
 * network carrying that network's label, and one untagged pod. Pure: builds manifests and the
 * expected connectivity between pods; nothing here talks to a cluster.
 */

/** Marks a probe pod and names the policy it probes; deletion selects by this label only. */
export const PROBE_FOR_LABEL = 'gbp-netpol.io/probe-for';
export const DEFAULT_PROBE_IMAGE = 'busybox:1.36';
/** Listened on when the document names no numeric TCP/UDP port (every contract allows all ports). */
export const FALLBACK_PROBE_PORT = 8080;
/** At most this many listeners per pod, to keep its command short. */
export const MAX_PROBE_PORTS = 32;

export interface ProbePort {
  protocol: 'TCP' | 'UDP';
  port: number;
}

/** A Pod manifest (the fields probes set; the shape of the Kubernetes API's Pod). */
export interface ProbePodManifest {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    containers: {
      name: string;
      image: string;
      command: string[];
      ports: { containerPort: number; protocol: 'TCP' | 'UDP' }[];
    }[];
    restartPolicy: 'Always';
    terminationGracePeriodSeconds: number;
    automountServiceAccountToken: false;
    enableServiceLinks: false;
  };
}

/** A probe pod as listed from a cluster. */
export interface ProbePodView {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  phase: string | null;
}

/** The label selector of every probe pod of a policy (and only those). */
export function probeSelector(policyName: string): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${PROBE_FOR_LABEL}=${policyName}`;
}

export function networkProbeName(network: string): string {
  return `${network}-pod`;
}

export function untaggedProbeName(namespace: string): string {
  return `${namespace}-out`;
}

/**
 * The ports every probe listens on: each numeric TCP or UDP port the contracts and expose
 * rules name (the first port of a range), sorted and unique, at most MAX_PROBE_PORTS; SCTP and
 * named ports are skipped (busybox nc speaks neither, and a named port has no number until a
 * pod declares it). When none remains, FALLBACK_PROBE_PORT over TCP.
 */
export function probeListenPorts(doc: NormalisedDocument): ProbePort[] {
  const seen = new Map<string, ProbePort>();
  for (const spec of [
    ...doc.contracts.flatMap((c) => c.ports),
    ...doc.expose.flatMap((e) => e.ports),
  ]) {
    if ((spec.protocol !== 'TCP' && spec.protocol !== 'UDP') || typeof spec.port !== 'number')
      continue;
    seen.set(`${spec.protocol}/${spec.port}`, { protocol: spec.protocol, port: spec.port });
  }
  const ports = [...seen.values()].sort(
    (a, b) => a.port - b.port || (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0),
  );
  return ports.length > 0
    ? ports.slice(0, MAX_PROBE_PORTS)
    : [{ protocol: 'TCP', port: FALLBACK_PROBE_PORT }];
}

/** Probe ports no document rule names: every pair measures them too, so a closed port is seen. */
export const CANARY_PORTS: readonly number[] = [10999, 11999, 12999, 13999];

/**
 * The ports a probe run measures: the listen ports, and one TCP and one UDP "canary" port that
 * the document does not name (denied unless a pair is allowed every port).
 */
export function probeMeasuredPorts(doc: NormalisedDocument): ProbePort[] {
  const listen = probeListenPorts(doc);
  const named = new Set(
    [...doc.contracts.flatMap((c) => c.ports), ...doc.expose.flatMap((e) => e.ports)]
      .map((p) => p.port)
      .filter((p): p is number => typeof p === 'number'),
  );
  const canary = CANARY_PORTS.find((p) => !named.has(p) && !listen.some((l) => l.port === p));
  return canary === undefined
    ? listen
    : [...listen, { protocol: 'TCP', port: canary }, { protocol: 'UDP', port: canary }];
}

/**
 * The container command: busybox sh answering "pong" on every port, so that a client knows
 * the connection really got through: `nc -ll -p <port> -e echo pong` for TCP; for UDP a socat
 * echo (the client sends "pong", so the answer is "pong" too), or busybox `nc -u` where it has
 * UDP. A socat child may also take and echo other peers' datagrams to its own peer under a
 * burst, so a UDP client may get several answers or none (it counts any "pong" and tries again);
 * it never gets one for a datagram the policy dropped. `trap` makes SIGTERM end the pod at once
 * (sh as PID 1 ignores it).
 */
export function listenerCommand(ports: ProbePort[]): string[] {
  const listeners = ports.map((p) =>
    p.protocol === 'TCP'
      ? `nc -ll -p ${p.port} -e echo pong &`
      : `if command -v socat >/dev/null 2>&1; then socat -T1 UDP-RECVFROM:${p.port},fork PIPE & else nc -u -ll -p ${p.port} -e echo pong & fi`,
  );
  return ['sh', '-c', ['trap "exit 0" TERM INT', ...listeners, 'wait'].join('\n')];
}

/** The probe pods of a document, sorted by namespace then name. */
export function buildProbePods(
  doc: NormalisedDocument,
  policyName: string,
  image: string = DEFAULT_PROBE_IMAGE,
): ProbePodManifest[] {
  const ports = probeMeasuredPorts(doc);
  const command = listenerCommand(ports);
  const pod = (
    namespace: string,
    name: string,
    extraLabels: Record<string, string>,
  ): ProbePodManifest => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: {
        ...extraLabels,
        [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
        [PROBE_FOR_LABEL]: policyName,
      },
    },
    spec: {
      containers: [
        {
          name: 'probe',
          image,
          command,
          ports: ports.map((p) => ({ containerPort: p.port, protocol: p.protocol })),
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 5,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
    },
  });
  const out: ProbePodManifest[] = [];
  for (const namespace of doc.namespaces) {
    const pods = [
      ...doc.networks.map((n) =>
        pod(namespace, networkProbeName(n), { [doc.options.labelKey]: n }),
      ),
      pod(namespace, untaggedProbeName(namespace), {}),
    ];
    out.push(...pods.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1)));
  }
  return out.sort((a, b) =>
    a.metadata.namespace === b.metadata.namespace
      ? 0
      : a.metadata.namespace < b.metadata.namespace
        ? -1
        : 1,
  );
}

/** `namespace/name`, the id of a pod in a probe matrix. */
export function probeId(p: { namespace: string; name: string }): string {
  return `${p.namespace}/${p.name}`;
}

/**
 * What the policy's objects should allow between the probe pods, by the evaluator: one cell
 * per ordered pair of distinct pods that allows something (a missing pair is denied), with
 * `namespace` the destination's. Namespaces carry only their name label, as in the
 * connectivity matrix. A pod to itself is left out: NetworkPolicy never filters loopback.
 * Cells are ordered by destination, then source (both by `namespace/name`); the cost follows
 * the rules that apply and the cells returned (evaluate-sparse-matrix.ts), not pods × pods.
 */
export function expectedProbeMatrix(
  objects: NetworkPolicy[],
  pods: ProbePodView[],
): ConnectivityCell[] {
  const namespaces = [
    ...new Set([...pods.map((p) => p.namespace), ...objects.map((o) => o.metadata.namespace)]),
  ].sort();
  const sorted = [...pods].sort((a, b) =>
    probeId(a) < probeId(b) ? -1 : probeId(a) > probeId(b) ? 1 : 0,
  );
  const ends = sorted.map((p, i) => ({
    id: String(i),
    pod: { namespace: p.namespace, labels: p.labels },
  }));
  const entries = evaluateSparseMatrix(
    objects,
    namespaces.map((name) => ({ name, labels: {} })),
    ends.map((e) => ({ id: e.id, source: { kind: 'pod' as const, pod: e.pod } })),
    ends,
  );
  const cells: ConnectivityCell[] = [];
  for (const e of entries) {
    const src = sorted[Number(e.source)];
    const dst = sorted[Number(e.destination)];
    if (src === dst) continue;
    cells.push({
      namespace: dst.namespace,
      source: probeId(src),
      destination: probeId(dst),
      allowed: portSetToJson(e.ports),
    });
  }
  return cells;
}
