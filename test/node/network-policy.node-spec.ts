import { existsSync } from 'node:fs';
import type { V1NetworkPolicyIngressRule, V1NetworkPolicyPeer } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomSuffix } from '../harness/cluster-admin.js';
import {
  startNodeCluster,
  type NodeCluster,
  type ProbeOutcome,
  type ProbeResult,
  type ProbeTarget,
} from '../harness/node-cluster.js';
import { mountsUnder, newChains, newIpsets, snapshotHost } from '../harness/node-host.js';
import {
  describeResults,
  probeFromPod,
  startServers,
  type ProbeRun,
} from '../harness/node-probe.js';

// Packets on a real node: containerd + runc, the CNI bridge, kube-router enforcing
// NetworkPolicies. Every outcome below is measured by a client pod that reports through its
// termination message (no pods/exec), except the outside source, which the harness measures
// from its own network namespace.

const SERVER_LABELS = { app: 'web' };
const OPEN_TCP = 8080;
const OTHER_TCP = 8081;
const OPEN_UDP = 5353;
/** A port nothing listens on: the method must report a denial there even without a policy. */
const CLOSED_TCP = 9999;

let cluster: NodeCluster;
let namespace: string;
let web: string;
let probeCount = 0;
const podRunningMs: number[] = [];
const hostBefore = snapshotHost();

function targets(...specs: [number, 'TCP' | 'UDP'][]): ProbeTarget[] {
  return specs.map(([port, protocol]) => ({ ip: web, port, protocol }));
}

async function probe(
  labels: Record<string, string>,
  to: ProbeTarget[],
  policies: string[] = [],
  hostNetwork = false,
): Promise<ProbeRun> {
  const run = await probeFromPod(cluster, {
    namespace,
    name: `probe-${++probeCount}`,
    labels,
    targets: to,
    policies,
    hostNetwork,
  });
  podRunningMs.push(run.runningMs);
  return run;
}

function outcomes(results: readonly ProbeResult[]): string[] {
  return results.map((r) => `${r.protocol}/${r.port} ${r.outcome}`);
}

function expectOutcomes(results: readonly ProbeResult[], expected: ProbeOutcome[]): void {
  const wanted = results.map((r, i) => `${r.protocol}/${r.port} ${expected[i]}`);
  expect(outcomes(results), describeResults(results)).toEqual(wanted);
}

async function createPolicy(
  suffix: string,
  ingress: V1NetworkPolicyIngressRule[],
): Promise<string> {
  const name = `np-${suffix}-${randomSuffix(4)}`;
  await cluster.admin.networking.createNamespacedNetworkPolicy({
    namespace,
    body: {
      metadata: { name },
      spec: { podSelector: { matchLabels: SERVER_LABELS }, policyTypes: ['Ingress'], ingress },
    },
  });
  return name;
}

async function deletePolicy(name: string): Promise<void> {
  await cluster.admin.networking.deleteNamespacedNetworkPolicy({ namespace, name });
  await cluster.waitForEnforcer({ absent: [name] });
}

const ipBlock = (cidr: string, except?: string[]): V1NetworkPolicyPeer => ({
  ipBlock: { cidr, ...(except ? { except } : {}) },
});

describe('a node cluster enforcing NetworkPolicies with kube-router', () => {
  beforeAll(async () => {
    cluster = await startNodeCluster({ name: 'netpol' });
    namespace = await cluster.admin.createNamespace('netpol');
    const ips = await startServers(cluster, [
      {
        namespace,
        name: 'web',
        labels: SERVER_LABELS,
        tcpPorts: [OPEN_TCP, OTHER_TCP],
        udpPorts: [OPEN_UDP],
      },
    ]);
    web = ips['web'] ?? '';
  });

  afterAll(async () => {
    // Also after a failure; stop() runs once however often it is called.
    await cluster?.stop();
  });

  it('gives the node a pod CIDR and the pods addresses in it', async () => {
    const node = await cluster.admin.core.readNode({ name: cluster.nodeName });
    expect(node.spec?.podCIDR).toBe(cluster.podCidr);
    expect(node.status?.addresses).toContainEqual({ type: 'InternalIP', address: cluster.nodeIp });
    const prefix = cluster.podCidr.split('.').slice(0, 3).join('.');
    expect(web.startsWith(`${prefix}.`)).toBe(true);
  });

  it('(a) measures TCP and UDP reachability through the termination message, without a policy', async () => {
    const run = await probe(
      { role: 'client' },
      targets([OPEN_TCP, 'TCP'], [OTHER_TCP, 'TCP'], [OPEN_UDP, 'UDP'], [CLOSED_TCP, 'TCP']),
    );
    expectOutcomes(run.results, ['allowed', 'allowed', 'allowed', 'denied']);
    // The outcome is in the pod status that `get pods` returns, nothing else was read.
    expect(run.message).toContain(`TCP ${web} ${OPEN_TCP} allowed`);
    expect(run.message).toContain(`UDP ${web} ${OPEN_UDP} allowed`);
    expect(run.message).toContain(`TCP ${web} ${CLOSED_TCP} denied`);
  });

  it('(b) a default-deny ingress policy blocks TCP and UDP, and removing it restores them', async () => {
    const deny = await createPolicy('deny', []);
    const denied = await probe(
      { role: 'client' },
      targets([OPEN_TCP, 'TCP'], [OTHER_TCP, 'TCP'], [OPEN_UDP, 'UDP']),
      [deny],
    );
    expectOutcomes(denied.results, ['denied', 'denied', 'denied']);

    await deletePolicy(deny);
    const restored = await probe({ role: 'client' }, targets([OPEN_TCP, 'TCP'], [OPEN_UDP, 'UDP']));
    expectOutcomes(restored.results, ['allowed', 'allowed']);
  });

  it('(c) a per-label allow admits exactly the labelled source on exactly the allowed ports', async () => {
    const deny = await createPolicy('deny', []);
    const allow = await createPolicy('allow', [
      {
        _from: [{ podSelector: { matchLabels: { role: 'allowed' } } }],
        ports: [
          { protocol: 'TCP', port: OPEN_TCP },
          { protocol: 'UDP', port: OPEN_UDP },
        ],
      },
    ]);
    const all = targets([OPEN_TCP, 'TCP'], [OTHER_TCP, 'TCP'], [OPEN_UDP, 'UDP']);
    const labelled = await probe({ role: 'allowed' }, all, [deny, allow]);
    expectOutcomes(labelled.results, ['allowed', 'denied', 'allowed']);
    const other = await probe({ role: 'client' }, all, [deny, allow]);
    expectOutcomes(other.results, ['denied', 'denied', 'denied']);
    await deletePolicy(deny);
    await deletePolicy(allow);
  });

  let exceptPodCidr = '';

  it('(d) an ipBlock 0.0.0.0/0 admits an unlabelled pod; with except: [podCIDR] it does not', async () => {
    // This is the hole: kube-router (like Calico and Antrea, and as the conformance tests
    // expect) matches pod IPs against ipBlocks, so "the whole internet" includes every pod.
    const open = await createPolicy('world', [
      { _from: [ipBlock('0.0.0.0/0')], ports: [{ protocol: 'TCP', port: OPEN_TCP }] },
    ]);
    const through = await probe({}, targets([OPEN_TCP, 'TCP'], [OTHER_TCP, 'TCP']), [open]);
    expectOutcomes(through.results, ['allowed', 'denied']);

    await deletePolicy(open);
    exceptPodCidr = await createPolicy('world-but-pods', [
      {
        _from: [ipBlock('0.0.0.0/0', [cluster.podCidr])],
        ports: [{ protocol: 'TCP', port: OPEN_TCP }],
      },
    ]);
    const blocked = await probe({}, targets([OPEN_TCP, 'TCP'], [OTHER_TCP, 'TCP']), [
      exceptPodCidr,
    ]);
    expectOutcomes(blocked.results, ['denied', 'denied']);
  });

  it('(e) a source outside the pod network reaches exactly the ipBlock-exposed port', async () => {
    expect(exceptPodCidr).not.toBe('');
    await cluster.waitForEnforcer({ present: [exceptPodCidr] });
    const outside = await cluster.outside.probe(
      targets([OPEN_TCP, 'TCP'], [OTHER_TCP, 'TCP'], [OPEN_UDP, 'UDP']),
    );
    expectOutcomes(outside, ['allowed', 'denied', 'denied']);

    // An ipBlock that does not contain the outside address admits nothing from there.
    const elsewhere = await createPolicy('elsewhere', [
      { _from: [ipBlock('198.51.100.0/24')], ports: [{ protocol: 'TCP', port: OTHER_TCP }] },
    ]);
    await cluster.waitForEnforcer({ present: [elsewhere] });
    const notListed = await cluster.outside.probe(targets([OTHER_TCP, 'TCP']));
    expectOutcomes(notListed, ['denied']);
    await deletePolicy(elsewhere);
  });

  it('(e) the node itself reaches the exposed port, and kube-router admits its own node everywhere', async () => {
    // From the node (a hostNetwork pod) the source is the bridge address. kube-router accepts
    // traffic from the pod's own node before any policy (as Kubernetes documents for
    // NetworkPolicy), so the node cannot show a denial: the outside namespace above does.
    const fromNode = await probe(
      {},
      targets([OPEN_TCP, 'TCP'], [OTHER_TCP, 'TCP']),
      [exceptPodCidr],
      true,
    );
    expect(fromNode.sourceIp).toBe(cluster.nodeIp);
    expectOutcomes(fromNode.results, ['allowed', 'allowed']);
    await deletePolicy(exceptPodCidr);
  });

  it('stops and leaves the host as it was', async () => {
    process.stderr.write(
      `[node harness] figures: ${JSON.stringify({
        timings: cluster.timings,
        probePodRunningMs: podRunningMs,
        rssKiB: await cluster.memory(),
      })}\n`,
    );
    const dir = cluster.dir;
    await cluster.stop();
    expect(existsSync(dir)).toBe(false);
    expect(mountsUnder(dir)).toEqual([]);
    expect(existsSync(`/sys/class/net/${cluster.bridge}`)).toBe(false);
    expect(existsSync(`/run/netns/${cluster.outside.netns}`)).toBe(false);
    expect(newChains(hostBefore)).toEqual({});
    expect(newIpsets(hostBefore)).toEqual([]);
    expect(existsSync('/run/netns')).toBe(hostBefore.netnsDirExisted);
  });
});
