import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/locate-kube-binaries.js';
import { DEFAULT_NODE_BRIDGE } from '../harness/node-cluster.js';
import {
  CONTAINERD_CGROUP_PARENT,
  mountsUnder,
  newChains,
  newIpsets,
  readSysctl,
  snapshotHost,
} from '../harness/node-host.js';
import { NODE_LOCK_FILE, reapStaleNodeCluster } from '../harness/node-lock.js';
import { isPidAlive, reapOrphanedClusters } from '../harness/process-registry.js';
import { serverPod } from '../harness/node-probe.js';
import { DEFAULT_PROBE_IMAGE } from '../harness/node-images.js';

// The harness's promise for an interrupted run: a node cluster whose process is SIGKILLed (no
// exit hook runs) leaves its containers, mounts, links, chains and ipsets behind, and the next
// run (here: what the `node` project's global setup does) removes exactly those.

function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('a node cluster whose process was killed', () => {
  it('is cleaned up by the next run', async () => {
    const before = snapshotHost();
    const forwardBefore = readSysctl('net/ipv4/ip_forward');
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/harness/dev-node-cluster.ts'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const printed: Record<string, string> = {};
    for await (const line of createInterface({ input: child.stdout })) {
      const match = /^(admin kubeconfig|node dir):\s+(\S+)/.exec(line);
      if (match?.[1] && match[2]) printed[match[1]] = match[2];
      if (line.startsWith('Ctrl-C')) break;
    }
    const nodeDir = printed['node dir'] ?? '';
    const kubeconfig = printed['admin kubeconfig'] ?? '';
    expect(nodeDir).toMatch(/gbp-netpol-node-/);

    // A running pod: a container, its sandbox, a network namespace, a veth, kube-router rules.
    const config = new KubeConfig();
    config.loadFromFile(kubeconfig);
    const core = config.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({
      namespace: 'default',
      body: serverPod(DEFAULT_PROBE_IMAGE, {
        namespace: 'default',
        name: 'left-behind',
        labels: { app: 'left-behind' },
        tcpPorts: [8080],
      }),
    });
    let ip = '';
    for (let i = 0; i < 300 && !ip; i++) {
      const pod = await core.readNamespacedPod({ namespace: 'default', name: 'left-behind' });
      ip = pod.status?.phase === 'Running' ? (pod.status.podIP ?? '') : '';
      if (!ip) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ip).not.toBe('');
    expect(existsSync(`/sys/class/net/${DEFAULT_NODE_BRIDGE}`)).toBe(true);
    expect(Object.keys(newChains(before)).length).toBeGreaterThan(0);
    expect(mountsUnder(nodeDir).length).toBeGreaterThan(0);

    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(existsSync(NODE_LOCK_FILE)).toBe(true);
    expect(processesMentioning(nodeDir).length).toBeGreaterThan(0);

    expect(reapStaleNodeCluster()).toMatch(/reaped node cluster of dead pid/);
    reapOrphanedClusters();

    expect(existsSync(NODE_LOCK_FILE)).toBe(false);
    expect(existsSync(nodeDir)).toBe(false);
    expect(mountsUnder(nodeDir)).toEqual([]);
    expect(processesMentioning(nodeDir).filter(isPidAlive)).toEqual([]);
    expect(existsSync(`/sys/class/net/${DEFAULT_NODE_BRIDGE}`)).toBe(false);
    expect(newChains(before)).toEqual({});
    expect(newIpsets(before)).toEqual([]);
    expect(existsSync('/run/netns')).toBe(before.netnsDirExisted);
    expect(readSysctl('net/ipv4/ip_forward')).toBe(forwardBefore);
    const cgroups = readdirSync('/sys/fs/cgroup').filter((h) =>
      existsSync(`/sys/fs/cgroup/${h}/${CONTAINERD_CGROUP_PARENT}`),
    );
    expect(cgroups).toEqual(before.cgroupParents);
  });
});
