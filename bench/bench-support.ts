// Helpers shared by the benchmarks that run the service as processes against real clusters.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { mapLimit } from '../src/common/map-limit.js';
import { compileDocument } from '../src/core/compiler/compile-document.js';
import type { NetworkPolicy } from '../src/core/kube/network-policy.types.js';
import { decorateForRollout } from '../src/core/reconcile/plan-rollout.js';
import { createTestDatabase, type TestDatabase } from '../src/infra/database/test-database.js';
import { startCluster, type KubeCluster } from '../test/harness/kube-cluster.js';
import { startAppProcess, type AppProcess } from '../test/support/app-process.js';
import { syntheticDocument } from './synthetic-document.js';

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** Starts `n` clusters, `parallel` at a time (each start is CPU-heavy on a small machine). */
export async function startClusters(
  n: number,
  prefix: string,
  parallel = 3,
): Promise<KubeCluster[]> {
  const out: KubeCluster[] = [];
  for (let i = 0; i < n; i += parallel) {
    const batch = Array.from({ length: Math.min(parallel, n - i) }, (_, k) =>
      startCluster({ name: `${prefix}${i + k}` }),
    );
    out.push(...(await Promise.all(batch)));
  }
  return out;
}

/** A token-authenticated identity on one cluster: what the service and the baseline both use. */
export interface ClusterAccess {
  name: string;
  server: string;
  caData: string;
  token: string;
}

/** The same objects the service would roll out for `syntheticDocument(networks)` in `namespaces`. */
export function benchObjects(
  networks: number,
  namespaces: string[],
  policy: string,
  port = 0,
): NetworkPolicy[] {
  const r = compileDocument(benchDocument(networks, namespaces, port));
  if (!r.ok) throw new Error('the synthetic document does not compile');
  return decorateForRollout(r.objects, policy, 1);
}

/** The synthetic document in these namespaces; `port` > 0 shifts every contract port (a new revision). */
export function benchDocument(
  networks: number,
  namespaces: string[],
  port = 0,
): Record<string, unknown> {
  const doc: Record<string, unknown> = { ...syntheticDocument(networks), namespaces };
  if (port === 0) return doc;
  const contracts = doc.contracts as Record<string, { ports: { port: number | string }[] }>;
  for (const c of Object.values(contracts))
    c.ports = c.ports.map((p) => (typeof p.port === 'number' ? { ...p, port: p.port + port } : p));
  return doc;
}

/**
 * The baseline: plain server-side apply of `objects`, `inFlight` requests at a time, over
 * keep-alive HTTPS with the same bearer token as the service. Resolves when all were answered.
 */
export async function plainApply(
  access: ClusterAccess,
  objects: readonly NetworkPolicy[],
  inFlight = 32,
): Promise<void> {
  const agent = new Agent({
    ca: Buffer.from(access.caData, 'base64').toString(),
    keepAlive: true,
    maxSockets: inFlight,
  });
  const apply = (o: NetworkPolicy) =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify(o);
      const url = `${access.server}/apis/networking.k8s.io/v1/namespaces/${o.metadata.namespace}/networkpolicies/${o.metadata.name}?fieldManager=gbp-netpol&force=true`;
      const req = request(
        url,
        {
          method: 'PATCH',
          agent,
          headers: {
            authorization: `Bearer ${access.token}`,
            'content-type': 'application/apply-patch+yaml',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () =>
            (res.statusCode ?? 0) < 300
              ? resolve()
              : reject(new Error(`${res.statusCode}: ${text.slice(0, 300)}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  try {
    await mapLimit(objects, inFlight, apply);
  } finally {
    agent.destroy();
  }
}

/** The peak resident memory of a process (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** A running service and a client for it. */
export interface Service {
  processes: AppProcess[];
  url: string;
  /** The admin API token. */
  secret: string;
  call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
  /** Resolves with the deployment once it has finished. */
  finished(deploymentId: string): Promise<{ clusters: { phase: string }[] }>;
  stop(): Promise<void>;
}

/**
 * The service as processes: ROLE=all on PGlite (one process), or, with `postgres`, ROLE=api and
 * ROLE=worker on a fresh PostgreSQL database. Rate limiting is off (RATE_LIMIT_PER_MINUTE is
 * huge), logs at warn.
 */
export async function startService(
  opts: { postgres?: boolean; env?: Record<string, string> } = {},
): Promise<Service & { worker: AppProcess }> {
  const secret = `gbpn_${randomBytes(24).toString('base64url')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'gbp-bench-'));
  const prefix = `gbp-bench-${randomUUID().slice(0, 8)}`;
  let db: TestDatabase | undefined;
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    QUEUE_PREFIX: prefix,
    API_TOKENS: `bench:admin:${secret}`,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '1000000',
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ...opts.env,
  };
  const processes: AppProcess[] = [];
  if (opts.postgres) {
    db = await createTestDatabase('postgres');
    env.DATABASE_URL = db.options.databaseUrl!;
    processes.push(await startAppProcess({ ...env, ROLE: 'api' }));
    processes.push(await startAppProcess({ ...env, ROLE: 'worker' }));
  } else {
    processes.push(await startAppProcess({ ...env, ROLE: 'all' }));
  }
  const url = processes[0].url;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (res.status >= 400)
      throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 500)}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  const finished = async (deploymentId: string) => {
    for (;;) {
      const d = await call('GET', `/v1/deployments/${deploymentId}`);
      if (d.finishedAt) return d as unknown as { clusters: { phase: string }[] };
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return {
    processes,
    worker: processes[processes.length - 1],
    url,
    secret,
    call,
    finished,
    stop: async () => {
      for (const p of processes) await p.stop('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
      await db?.dispose();
      const redis = new Redis('redis://127.0.0.1:6379');
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    },
  };
}

/** Registers each cluster (with its access) in the service under its access name. */
export async function register(service: Service, accesses: ClusterAccess[]): Promise<void> {
  for (const a of accesses)
    await service.call('POST', '/v1/clusters', {
      name: a.name,
      server: a.server,
      caData: a.caData,
      token: a.token,
    });
}
