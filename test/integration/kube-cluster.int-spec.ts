import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeApiError, KubeGateway } from '../../src/infra/kube/index.js';
import { sendControl, startControlServer } from '../harness/cluster-control.js';
import { startCluster, type KubeCluster } from '../harness/kube-cluster.js';
import { isPidAlive, reapOrphanedClusters } from '../harness/process-registry.js';

const gateway = new KubeGateway({ requestTimeoutMs: 10_000 });

async function waitUntil(
  what: string,
  condition: () => boolean,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function unreachable(promise: Promise<unknown>): Promise<KubeApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KubeApiError);
  expect((error as KubeApiError).kind).toBe('unreachable');
  return error as KubeApiError;
}

describe('startCluster (a private cluster, for lifecycle and fault tests)', () => {
  let cluster: KubeCluster;
  let pids: { etcd: number; apiServer: number };

  beforeAll(async () => {
    cluster = await startCluster({ name: 'lifecycle' });
    const { etcd, apiServer } = cluster.pids();
    if (etcd === undefined || apiServer === undefined)
      throw new Error('cluster started without pids');
    pids = { etcd, apiServer };
  });
  afterAll(() => cluster?.stop());

  it('runs its own etcd and kube-apiserver from its own temp dir', async () => {
    expect(isPidAlive(pids.etcd)).toBe(true);
    expect(isPidAlive(pids.apiServer)).toBe(true);
    expect(existsSync(join(cluster.dir, 'etcd-data'))).toBe(true);
    expect(cluster.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(cluster.timings.apiServerReadyMs).toBeGreaterThan(0);
    const memory = await cluster.memory();
    expect(memory.etcdRssKiB).toBeGreaterThan(0);
    expect(memory.apiServerRssKiB).toBeGreaterThan(0);
  });

  it('writes an admin kubeconfig that client-node can use', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.adminKubeconfigPath);
    const namespaces = await kc.makeApiClient(CoreV1Api).listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toContain('default');
  });

  it('can take kube-apiserver down and bring it back on the same port, keeping the data', async () => {
    const ns = await cluster.createNamespace('fault');
    const client = gateway.connect(cluster.adminAccess);
    await client.applyNetworkPolicy({
      metadata: { name: 'survives', namespace: ns },
      spec: { podSelector: {} },
    });

    await cluster.stopApiServer();
    expect(isPidAlive(pids.apiServer)).toBe(false);
    expect(isPidAlive(pids.etcd)).toBe(true);
    expect(cluster.isApiServerRunning()).toBe(false);
    const down = await unreachable(client.version());
    expect(down.code).toBe('ECONNREFUSED');

    await cluster.startApiServer();
    expect(cluster.pids().apiServer).not.toBe(pids.apiServer);
    expect((await client.getNetworkPolicy(ns, 'survives'))?.metadata?.name).toBe('survives');

    await cluster.restart();
    expect((await client.version()).gitVersion).toBe(cluster.kubernetesVersion);
    await cluster.deleteNamespace(ns);
  });

  it('lets another process stop and start kube-apiserver through the control endpoint', async () => {
    const control = await startControlServer([cluster]);
    try {
      const client = gateway.connect(cluster.adminAccess);
      await sendControl(control.info, 0, 'stop-apiserver');
      await unreachable(client.version());
      await sendControl(control.info, 0, 'start-apiserver');
      expect((await client.version()).gitVersion).toBe(cluster.kubernetesVersion);
      await expect(
        sendControl({ ...control.info, secret: 'wrong' }, 0, 'stop-apiserver'),
      ).rejects.toThrow(/401/);
      await expect(sendControl(control.info, 5, 'stop-apiserver')).rejects.toThrow(/404/);
      expect(cluster.isApiServerRunning()).toBe(true);
    } finally {
      await control.close();
    }
  });

  it('stop() kills exactly its processes and removes its temp dir', async () => {
    const { etcd, apiServer } = cluster.pids();
    await cluster.stop();
    for (const pid of [etcd, apiServer]) expect(pid !== undefined && isPidAlive(pid)).toBe(false);
    expect(existsSync(cluster.dir)).toBe(false);
    await cluster.stop();
  });
});

interface ChildCluster {
  dir: string;
  pids: number[];
}

/** Starts a cluster in a separate Node process and returns what it reports. */
async function clusterInChild(
  baseDir: string,
): Promise<{ child: ReturnType<typeof spawn>; info: ChildCluster }> {
  const harness = new URL('../harness/kube-cluster.ts', import.meta.url).pathname;
  const script =
    `import { startCluster } from ${JSON.stringify(harness)};` +
    `const c = await startCluster({ name: 'child', baseDir: ${JSON.stringify(baseDir)} });` +
    `const p = c.pids(); console.log(JSON.stringify({ dir: c.dir, pids: [p.etcd, p.apiServer] }));` +
    `setInterval(() => undefined, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const end = out.indexOf('\n');
      if (end >= 0) resolve(out.slice(0, end));
    });
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
  return { child, info: JSON.parse(line) as ChildCluster };
}

describe('no etcd or kube-apiserver outlives its owner', () => {
  let baseDir: string;
  beforeAll(async () => {
    baseDir = await mkdtemp(join(tmpdir(), 'owner-test-'));
  });
  afterAll(() => rm(baseDir, { recursive: true, force: true }));

  it('kills them when the owning process gets SIGTERM', async () => {
    const { child, info } = await clusterInChild(baseDir);
    expect(info.pids.every(isPidAlive)).toBe(true);
    child.kill('SIGTERM');
    await waitUntil('the cluster processes to die', () => !info.pids.some(isPidAlive));
    await waitUntil('the temp dir to be removed', () => !existsSync(info.dir));
  });

  it('reaps them on the next start when the owner was SIGKILLed', async () => {
    const { child, info } = await clusterInChild(baseDir);
    child.kill('SIGKILL');
    await waitUntil('the owner to die', () => child.exitCode !== null || child.signalCode !== null);
    // SIGKILL cannot be handled: the children are orphaned until someone reaps them.
    expect(info.pids.every(isPidAlive)).toBe(true);
    expect(reapOrphanedClusters(baseDir)).toEqual([info.dir]);
    await waitUntil('the orphans to die', () => !info.pids.some(isPidAlive));
    expect(existsSync(info.dir)).toBe(false);
  });
});
