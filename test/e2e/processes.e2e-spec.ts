import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createTestDatabase, type TestDatabase } from '../../src/infra/database/test-database.js';
import { uniqueName } from '../harness/cluster-admin.js';
import { testCluster } from '../harness/kube-test-context.js';
import { startAppProcess, type AppProcess } from '../support/app-process.js';
import { waitFor } from '../support/wait-for.js';
import { loadExampleDocument } from '../support/example-document.js';
import { apiClient } from '../support/api-client.js';

const example = loadExampleDocument();

// The service as real processes (API and workers) on the machine's PostgreSQL and Redis.
describe('gbp-netpol as processes (e2e)', () => {
  const adminSecret = `gbpn_${randomBytes(24).toString('base64url')}`;
  const prefix = `gbp-proc-${randomUUID().slice(0, 8)}`;
  const ns = uniqueName('proc');
  const procs: AppProcess[] = [];
  let db: TestDatabase;
  let redis: Redis;
  let env: Record<string, string>;
  const clusterTokens: string[] = [];
  const clusterNames: string[] = [];

  const call = apiClient(adminSecret);
  const start = async (role: string, extra: Record<string, string> = {}) => {
    const p = await startAppProcess({ ...env, ROLE: role, ...extra });
    procs.push(p);
    return p;
  };
  const settled = (base: string, policy: string) =>
    waitFor(
      `${policy} Synced everywhere`,
      async () => {
        const s = await call(base, 'GET', `/v1/policies/${policy}/status`);
        const clusters = (s.body.clusters ?? []) as { sync: { status: string } }[];
        return clusters.length === clusterNames.length &&
          clusters.every((c) => c.sync.status === 'Synced')
          ? s.body
          : undefined;
      },
      90_000,
    );

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    env = {
      DATABASE_URL: db.options.databaseUrl!,
      QUEUE_PREFIX: prefix,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      API_TOKENS: `e2e-admin:admin:${adminSecret}`,
      LOG_LEVEL: 'debug',
      JOB_BACKOFF_MS: '300',
    };
    const api = await start('api');
    for (const index of [0, 1]) {
      const cluster = testCluster(index);
      await cluster.admin.ensureNamespace(ns);
      const id = await cluster.leastPrivilegeIdentity([ns]);
      clusterTokens.push(id.token);
      const name = uniqueName(`p${index}`);
      clusterNames.push(name);
      const res = await call(api.url, 'POST', '/v1/clusters', {
        name,
        server: id.server,
        caData: id.caData,
        token: id.token,
      });
      expect(res.status).toBe(201);
    }
  }, 180_000);

  afterAll(async () => {
    for (const p of procs) await p.stop('SIGKILL');
    for (const index of [0, 1])
      await testCluster(index)
        .deleteNamespace(ns)
        .catch(() => undefined);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await db?.dispose();
  });

  it('two workers on one Redis apply each (deployment, cluster) exactly once', async () => {
    const [w1, w2] = [await start('worker'), await start('worker')];
    const policy = uniqueName('two');
    const res = await call(procs[0].url, 'POST', '/v1/policies', {
      name: policy,
      targets: { clusters: clusterNames },
      document: { ...example, namespaces: [ns] },
    });
    expect(res.status).toBe(202);
    await settled(procs[0].url, policy);
    const deployment = await call(
      procs[0].url,
      'GET',
      `/v1/deployments/${res.body.deploymentId as string}`,
    );
    for (const c of deployment.body.clusters as { attempt: number; phase: string }[])
      expect(c).toMatchObject({ attempt: 1, phase: 'Succeeded' });
    const completions = (p: AppProcess) =>
      (
        p
          .output()
          .match(new RegExp(`apply__${res.body.deploymentId as string}__[a-z0-9-]+`, 'g')) ?? []
      ).filter((_, i, all) => all.indexOf(_) === i);
    const done = [...completions(w1), ...completions(w2)];
    expect(done.sort()).toEqual(
      clusterNames.map((c) => `apply__${res.body.deploymentId as string}__${c}`).sort(),
    );
    // Jobs carry ids only: no payload in Redis holds a credential.
    for (const key of await redis.keys(`${prefix}:rollout:*`)) {
      if ((await redis.type(key)) !== 'hash') continue;
      const data = JSON.stringify(await redis.hgetall(key));
      for (const token of clusterTokens) expect(data).not.toContain(token);
    }
  });

  it('no log line of any process holds a cluster token or an API secret', () => {
    expect(procs.length).toBeGreaterThanOrEqual(3);
    for (const p of procs) {
      const out = p.output();
      expect(out).toMatch(/request completed/);
      for (const secret of [...clusterTokens, adminSecret]) expect(out).not.toContain(secret);
    }
  });

  it('SIGTERM stops a worker cleanly and promptly', async () => {
    const worker = procs.find((p) => p.child.exitCode === null && p !== procs[0])!;
    const started = Date.now();
    const exit = await worker.stop('SIGTERM');
    expect(exit.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
