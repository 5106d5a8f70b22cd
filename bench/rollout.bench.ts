// `npm run bench:rollout`: 200 networks × 3 namespaces (600 NetworkPolicies) rolled out to 3
// real clusters by the service running as a process (ROLE=all, PGlite, Redis on 127.0.0.1).
// Prints the time from POST to all Synced, objects per second, and the API-server requests
// of a no-op resync and of a drift pass, read from each kube-apiserver's own /metrics.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startCluster, type KubeCluster } from '../test/harness/kube-cluster.js';
import { rawRequest } from '../test/harness/https-request.js';
import { unb64 } from '../test/harness/kubeconfig.js';
import { startAppProcess } from '../test/support/app-process.js';
import { syntheticDocument } from './synthetic-document.js';

const NETWORKS = 200;
const NAMESPACES = ['bench-a', 'bench-b', 'bench-c'];
const secret = `gbpn_${randomBytes(24).toString('base64url')}`;

type Counts = Map<string, number>;

/** apiserver_request_total summed by verb and resource, from the server's own /metrics. */
async function requestCounts(cluster: KubeCluster): Promise<Counts> {
  const res = await rawRequest({
    url: `${cluster.server}/metrics`,
    ca: unb64(cluster.caData),
    clientCertPem: unb64(cluster.adminAccess.clientCertificateData),
    clientKeyPem: unb64(cluster.adminAccess.clientKeyData),
    timeoutMs: 30_000,
  });
  const counts: Counts = new Map();
  for (const line of res.text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = Object.fromEntries(
      [...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (!['networkpolicies', 'namespaces'].includes(labels.resource)) continue;
    const key = `${labels.verb} ${labels.resource}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(line.split(' ').pop()));
  }
  return counts;
}

function delta(before: Counts[], after: Counts[]): Record<string, number> {
  const out: Record<string, number> = {};
  after.forEach((a, i) => {
    for (const [k, v] of a) {
      const d = v - (before[i].get(k) ?? 0);
      if (d > 0) out[k] = (out[k] ?? 0) + d;
    }
  });
  return out;
}

async function main(): Promise<void> {
  console.log(
    `rollout benchmark: ${NETWORKS} networks × ${NAMESPACES.length} namespaces to 3 clusters (node ${process.version})`,
  );
  const clusters = await Promise.all([0, 1, 2].map((i) => startCluster({ name: `bench${i}` })));
  const dataDir = mkdtempSync(join(tmpdir(), 'gbp-bench-'));
  const prefix = `gbp-bench-${randomUUID().slice(0, 8)}`;
  const app = await startAppProcess({
    DATA_DIR: dataDir,
    QUEUE_PREFIX: prefix,
    API_TOKENS: `bench:admin:${secret}`,
    ROLE: 'all',
    LOG_LEVEL: 'warn',
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    return (await res.json()) as Record<string, unknown>;
  };
  try {
    const names: string[] = [];
    for (const [i, cluster] of clusters.entries()) {
      for (const ns of NAMESPACES) await cluster.admin.ensureNamespace(ns);
      const id = await cluster.leastPrivilegeIdentity(NAMESPACES);
      names.push(`bench${i}`);
      await call('POST', '/v1/clusters', {
        name: `bench${i}`,
        server: id.server,
        caData: id.caData,
        token: id.token,
      });
    }
    const document = { ...syntheticDocument(NETWORKS), namespaces: NAMESPACES };
    const synced = async (deploymentId: string) => {
      for (;;) {
        const d = await call('GET', `/v1/deployments/${deploymentId}`);
        if (d.finishedAt) return d;
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    const t0 = performance.now();
    const posted = await call('POST', '/v1/policies', {
      name: 'bench',
      targets: { clusters: names },
      document,
    });
    const done = await synced(posted.deploymentId as string);
    const seconds = (performance.now() - t0) / 1000;
    const phases = (done.clusters as { phase: string }[]).map((c) => c.phase);
    const objects = NETWORKS * NAMESPACES.length * clusters.length;
    console.log(
      `POST to all Synced: ${seconds.toFixed(2)} s for ${objects} objects (${(objects / seconds).toFixed(0)} objects/s); phases ${phases.join(',')}`,
    );

    let before = await Promise.all(clusters.map(requestCounts));
    const t1 = performance.now();
    const sync = await call('POST', '/v1/policies/bench/sync', {});
    await synced(sync.deploymentId as string);
    console.log(
      `no-op resync: ${((performance.now() - t1) / 1000).toFixed(2)} s; API-server requests (3 clusters): ${JSON.stringify(delta(before, await Promise.all(clusters.map(requestCounts))))}`,
    );

    before = await Promise.all(clusters.map(requestCounts));
    const t2 = performance.now();
    const drift = await fetch(`${app.url}/v1/policies/bench/drift-check`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}` },
    });
    const driftMs = performance.now() - t2;
    if (drift.ok) {
      console.log(
        `drift pass over ${objects} objects: ${(driftMs / 1000).toFixed(2)} s; API-server requests (3 clusters): ${JSON.stringify(delta(before, await Promise.all(clusters.map(requestCounts))))}`,
      );
    } else {
      console.log(`drift pass: not available (HTTP ${drift.status})`);
    }
  } finally {
    await app.stop('SIGTERM');
    await Promise.all(clusters.map((c) => c.stop()));
    rmSync(dataDir, { recursive: true, force: true });
    const redis = new Redis('redis://127.0.0.1:6379');
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  }
}

await main();
