// `npm run bench:probes`: a probe run on a real node (test/harness/node-cluster.ts: containerd,
// the CNI bridge, kube-router). A 10-network document (10 contracts, one expose rule) in one
// namespace, rolled out by the service (ROLE=all, PGlite, Redis on 127.0.0.1); then the time from
// POST …/probes to a complete measured matrix (test pods Running, the run's measuring pods done,
// the report read back), and the node's memory during the run. Needs root, like the node tests.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNodeCluster } from '../test/harness/node-cluster.js';
import { startAppProcess } from '../test/support/app-process.js';

const NETWORKS = 10;
const secret = `gbpn_${randomBytes(24).toString('base64url')}`;

function tenNetworks(namespace: string) {
  const net = (i: number) => `net_${i % NETWORKS}`;
  const contracts: Record<string, unknown> = {};
  for (let i = 0; i < NETWORKS; i++)
    contracts[`c${i}`] = {
      provide_networks: [net(i)],
      consume_networks: [net(i + 1), net(i + 3)],
      ports: [{ protocol: i % 3 === 0 ? 'UDP' : 'TCP', port: 1000 + i }],
    };
  return {
    namespaces: [namespace],
    contracts,
    expose: [{ network: net(0), cidr: '0.0.0.0/0', ports: [{ port: 443 }] }],
  };
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 300_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main(): Promise<void> {
  const cluster = await startNodeCluster({ name: 'bench-probes', log: () => undefined });
  const dataDir = mkdtempSync(join(tmpdir(), 'gbp-bench-probes-'));
  const app = await startAppProcess({
    DATA_DIR: dataDir,
    QUEUE_PREFIX: `gbp-bench-${randomBytes(4).toString('hex')}`,
    API_TOKENS: `bench:admin:${secret}`,
    ROLE: 'all',
    LOG_LEVEL: 'warn',
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 400)
      throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  try {
    const ns = await cluster.admin.createNamespace('bench');
    const id = await cluster.admin.leastPrivilegeIdentity([ns]);
    await call('POST', '/v1/clusters', {
      name: 'node',
      server: id.server,
      caData: id.caData,
      token: id.token,
      podCIDRs: [cluster.podCidr],
    });
    await call('POST', '/v1/policies', {
      name: 'bench',
      targets: { clusters: ['node'] },
      document: tenNetworks(ns),
    });
    await until('Synced', async () => {
      const s = (await call('GET', '/v1/policies/bench/status')) as {
        clusters: { sync: { status: string } }[];
      };
      return s.clusters[0]?.sync.status === 'Synced' ? true : undefined;
    });
    console.log(
      `probe benchmark: ${NETWORKS} networks + 1 untagged pod, 1 namespace, a real node (node ${process.version}); node Ready in ${cluster.timings.nodeReadyMs} ms`,
    );
    const t0 = Date.now();
    await call('POST', '/v1/policies/bench/probes', {
      cluster: 'node',
      image: cluster.images.probe,
    });
    await until('test pods Running', async () => {
      const v = (await call('GET', '/v1/policies/bench/probes?cluster=node')) as {
        pods: { phase: string }[];
      };
      return v.pods.length > 0 && v.pods.every((p) => p.phase === 'Running') ? true : undefined;
    });
    const podsMs = Date.now() - t0;
    await call('POST', '/v1/policies/bench/probes/run', { cluster: 'node' });
    let peakKiB = 0;
    const report = await until('a complete report', async () => {
      const mem = await cluster.memory();
      peakKiB = Math.max(
        peakKiB,
        Object.values(mem).reduce((a: number, b) => a + (b ?? 0), 0),
      );
      const v = (await call('GET', '/v1/policies/bench/probes?cluster=node')) as {
        run: { state: string; summary: Record<string, unknown> } | null;
      };
      return v.run?.state === 'complete' ? v.run : undefined;
    });
    const totalMs = Date.now() - t0;
    console.log(`POST probes -> test pods Running: ${(podsMs / 1000).toFixed(1)} s`);
    console.log(
      `POST probes -> complete measured matrix: ${(totalMs / 1000).toFixed(1)} s (the run itself ${((totalMs - podsMs) / 1000).toFixed(1)} s)`,
    );
    console.log(`report: ${JSON.stringify(report.summary)}`);
    console.log(
      `node memory (RSS of every node process and shim) at its peak during the run: ${(peakKiB / 1024).toFixed(0)} MiB`,
    );
    const detail = await cluster.memory();
    console.log(
      `  ${Object.entries(detail)
        .map(([k, v]) => `${k} ${((v ?? 0) / 1024).toFixed(0)}`)
        .join(', ')} (MiB, after the run)`,
    );
  } finally {
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await cluster.stop();
  }
}

await main();
