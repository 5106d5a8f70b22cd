import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Pod } from '@kubernetes/client-node';
import type { NodeCluster } from './node-cluster.js';
import {
  clientScript,
  parseProbeLines,
  type ProbeResult,
  type ProbeTarget,
} from './probe-script.js';

// Pods that measure connectivity without `pods/exec`: servers answer "pong" on their ports, and a
// client pod runs one attempt per target and writes the outcomes to /dev/termination-log, which
// kubelet copies into status.containerStatuses[].state.terminated.message (readable with `get
// pods` alone).

export interface ServerPodSpec {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  tcpPorts?: readonly number[];
  udpPorts?: readonly number[];
}

/** A pod that answers "pong" on every port: busybox nc for TCP, socat for UDP. */
export function serverPod(image: string, spec: ServerPodSpec): V1Pod {
  const tcp = (spec.tcpPorts ?? []).map((p) => `nc -ll -p ${p} -e echo pong &`);
  const udp = (spec.udpPorts ?? []).map(
    (p) => `socat UDP4-RECVFROM:${p},fork SYSTEM:'read x; echo pong' &`,
  );
  return {
    metadata: { name: spec.name, namespace: spec.namespace, labels: spec.labels },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: 'server',
          image,
          imagePullPolicy: 'Never',
          command: ['sh', '-c', [...tcp, ...udp, 'wait'].join('\n')],
          ports: [
            ...(spec.tcpPorts ?? []).map((p) => ({ containerPort: p, protocol: 'TCP' })),
            ...(spec.udpPorts ?? []).map((p) => ({ containerPort: p, protocol: 'UDP' })),
          ],
        },
      ],
    },
  };
}

export interface ProbePodSpec {
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  targets: readonly ProbeTarget[];
  /** Runs in the node's network namespace (its traffic is the node's own). */
  hostNetwork?: boolean;
  timeoutSeconds?: number;
}

/**
 * A client pod that waits for its gate file, then measures every target at once and writes
 * one line per target to its termination message. The gate (a hostPath dir of the node
 * harness) lets the harness hold the pod until kube-router has seen its IP.
 */
export function probePod(image: string, gateDir: string, spec: ProbePodSpec): V1Pod {
  const script = [
    'while [ ! -e /gate/go ]; do usleep 100000; done',
    `${clientScript(spec.targets, spec.timeoutSeconds)} | tee /dev/termination-log`,
  ].join('\n');
  return {
    metadata: { name: spec.name, namespace: spec.namespace, labels: spec.labels ?? {} },
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      hostNetwork: spec.hostNetwork ?? false,
      containers: [
        {
          name: 'probe',
          image,
          imagePullPolicy: 'Never',
          command: ['sh', '-c', script],
          terminationMessagePolicy: 'File',
          volumeMounts: [{ name: 'gate', mountPath: '/gate', readOnly: true }],
        },
      ],
      volumes: [{ name: 'gate', hostPath: { path: gateDir, type: 'DirectoryOrCreate' } }],
    },
  };
}

async function waitForPod(
  cluster: NodeCluster,
  namespace: string,
  name: string,
  what: string,
  done: (pod: V1Pod) => boolean,
  timeoutMs: number,
): Promise<V1Pod> {
  const deadline = Date.now() + timeoutMs;
  let pod: V1Pod | undefined;
  while (Date.now() < deadline) {
    pod = await cluster.admin.core.readNamespacedPod({ namespace, name });
    if (done(pod)) return pod;
    await sleep(100);
  }
  throw new Error(
    `pod ${namespace}/${name} not ${what} after ${timeoutMs} ms: ${JSON.stringify(pod?.status ?? {})}`,
  );
}

export function isRunning(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && Boolean(pod.status.podIP);
}

/** Creates the server pods and waits until each is Running; returns their IPs by name. */
export async function startServers(
  cluster: NodeCluster,
  specs: readonly ServerPodSpec[],
  timeoutMs = 60_000,
): Promise<Record<string, string>> {
  for (const spec of specs) {
    await cluster.admin.core.createNamespacedPod({
      namespace: spec.namespace,
      body: serverPod(cluster.images.probe, spec),
    });
  }
  const ips: Record<string, string> = {};
  for (const spec of specs) {
    const pod = await waitForPod(
      cluster,
      spec.namespace,
      spec.name,
      'Running',
      isRunning,
      timeoutMs,
    );
    ips[spec.name] = pod.status?.podIP ?? '';
  }
  return ips;
}

export interface ProbeRun {
  results: ProbeResult[];
  /** The client's pod IP (the node's address for hostNetwork). */
  sourceIp: string;
  /** The raw termination message, as `get pods` shows it. */
  message: string;
  /** From creating the client pod to its phase Running. */
  runningMs: number;
}

/**
 * Measures from a new client pod: creates it, waits until it runs and (unless hostNetwork)
 * until kube-router has rules for its IP and for the `policies` named, opens the gate, waits
 * for the termination message, deletes the pod, and returns the outcomes in target order.
 */
export async function probeFromPod(
  cluster: NodeCluster,
  spec: ProbePodSpec & { policies?: readonly string[] },
  timeoutMs = 60_000,
): Promise<ProbeRun> {
  const gate = cluster.gateDir(spec.namespace, spec.name);
  await mkdir(gate, { recursive: true });
  const created = Date.now();
  await cluster.admin.core.createNamespacedPod({
    namespace: spec.namespace,
    body: probePod(cluster.images.probe, gate, spec),
  });
  try {
    const running = await waitForPod(
      cluster,
      spec.namespace,
      spec.name,
      'Running',
      isRunning,
      timeoutMs,
    );
    const runningMs = Date.now() - created;
    const sourceIp = running.status?.podIP ?? '';
    await cluster.waitForEnforcer({
      podIps: spec.hostNetwork ? [] : [sourceIp],
      present: spec.policies ?? [],
    });
    await writeFile(join(gate, 'go'), '');
    const finished = await waitForPod(
      cluster,
      spec.namespace,
      spec.name,
      'terminated',
      (p) => p.status?.containerStatuses?.[0]?.state?.terminated !== undefined,
      timeoutMs,
    );
    const terminated = finished.status?.containerStatuses?.[0]?.state?.terminated;
    const message = terminated?.message ?? '';
    const results = parseProbeLines(message);
    if (terminated?.exitCode !== 0 || results.length !== spec.targets.length) {
      throw new Error(
        `probe pod ${spec.namespace}/${spec.name} exited ${terminated?.exitCode} with ` +
          `${results.length}/${spec.targets.length} results: ${JSON.stringify(message)}`,
      );
    }
    const ordered = spec.targets.map((t) => {
      const r = results.find(
        (x) => x.ip === t.ip && x.port === t.port && x.protocol === t.protocol,
      );
      if (!r) throw new Error(`no result for ${t.protocol} ${t.ip}:${t.port} in ${message}`);
      return r;
    });
    return { results: ordered, sourceIp, message, runningMs };
  } finally {
    await cluster.admin.core
      .deleteNamespacedPod({ namespace: spec.namespace, name: spec.name, gracePeriodSeconds: 0 })
      .catch(() => undefined);
  }
}

/** `TCP 10.244.77.5:8080 allowed` lines, for assertion messages. */
export function describeResults(results: readonly ProbeResult[]): string {
  return results
    .map((r) => `${r.protocol} ${r.ip}:${r.port} ${r.outcome} (${r.detail})`)
    .join('\n');
}
