import { randomBytes, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { policies } from '../../src/infra/database/schema.js';
import { createTestDatabase, type TestDatabase } from '../../src/infra/database/test-database.js';
import { KubeGateway } from '../../src/infra/kube/index.js';
import { uniqueName } from '../harness/cluster-admin.js';
import { freePort } from '../harness/free-port.js';
import { testCluster } from '../harness/kube-test-context.js';
import { startAppProcess, type AppProcess } from '../support/app-process.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait-for.js';
import { apiClient } from '../support/api-client.js';

// Faults against the service as real processes, on the machine's PostgreSQL (behind a proxy
// the test can cut) and Redis, and real kube-apiservers.
describe('faults (e2e, real processes)', () => {
  const adminSecret = `gbpn_${randomBytes(24).toString('base64url')}`;
  const prefix = `gbp-fault-${randomUUID().slice(0, 8)}`;
  const ns = uniqueName('fault');
  const procs: AppProcess[] = [];
  const clusterNames: string[] = [];
  let db: TestDatabase;
  let proxy: TcpProxy;
  let redis: Redis;
  let env: Record<string, string>;
  const admin = new KubeGateway().connect(testCluster(0).adminAccess);

  const call = apiClient(adminSecret);
  const start = async (role: string) => {
    const p = await startAppProcess({ ...env, ROLE: role });
    procs.push(p);
    return p;
  };
  const stateOf = async (base: string, policy: string) => {
    const s = await call(base, 'GET', `/v1/policies/${policy}/status`);
    return (s.body.clusters ?? []) as {
      cluster: string;
      sync: { status: string };
      appliedRevision: number | null;
    }[];
  };
  const syncedAt = async (base: string, policy: string, revision: number) => {
    let last: unknown;
    try {
      return await waitFor(
        `${policy} Synced at revision ${revision}`,
        async () => {
          const clusters = await stateOf(base, policy);
          last = clusters;
          return clusters.length === clusterNames.length &&
            clusters.every((c) => c.sync.status === 'Synced' && c.appliedRevision === revision)
            ? clusters
            : undefined;
        },
        120_000,
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}; last status: ${JSON.stringify(last)}`);
    }
  };
  // Each policy gets its own network names: objects of one name belong to one policy only.
  const docWithPort = (port: number, tag: string) => ({
    namespaces: [ns],
    contracts: {
      c: { provide_networks: [`db-${tag}`], consume_networks: [`web-${tag}`], ports: [{ port }] },
    },
  });

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    proxy = new TcpProxy(await freePort(), '127.0.0.1', 5432);
    await proxy.open();
    redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    env = {
      DATABASE_URL: db.options.databaseUrl!.replace('127.0.0.1:5432', `127.0.0.1:${proxy.port}`),
      QUEUE_PREFIX: prefix,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      API_TOKENS: `e2e-admin:admin:${adminSecret}`,
      JOB_BACKOFF_MS: '300',
      RECONCILE_INTERVAL_MS: '2000',
      SHUTDOWN_TIMEOUT_MS: '10000',
    };
    expect(env.DATABASE_URL).toContain(String(proxy.port));
    const api = await start('api');
    for (const index of [0, 1]) {
      const cluster = testCluster(index);
      await cluster.admin.ensureNamespace(ns);
      const id = await cluster.leastPrivilegeIdentity([ns]);
      const name = uniqueName(`f${index}`);
      clusterNames.push(name);
      expect(
        (
          await call(api.url, 'POST', '/v1/clusters', {
            name,
            server: id.server,
            caData: id.caData,
            token: id.token,
          })
        ).status,
      ).toBe(201);
    }
  }, 180_000);

  afterAll(async () => {
    for (const p of procs) await p.stop('SIGKILL');
    await proxy?.cut();
    for (const index of [0, 1])
      await testCluster(index)
        .deleteNamespace(ns)
        .catch(() => undefined);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await db?.dispose();
  });

  it('Redis emptied before any worker ran: the reconcile re-enqueues from the database and nothing is lost', async () => {
    const api = procs[0];
    const policy = uniqueName('redis');
    expect(
      (
        await call(api.url, 'POST', '/v1/policies', {
          name: policy,
          targets: { clusters: clusterNames },
          document: docWithPort(5432, 'redis'),
        })
      ).status,
    ).toBe(202);
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys); // what a Redis restarted without persistence looks like to us
    await start('worker');
    await syncedAt(api.url, policy, 1);
  });

  it('a worker SIGKILLed mid-job: another worker takes the job over and the cluster ends Synced, with no duplicate revision', async () => {
    const api = procs[0];
    const policy = uniqueName('kill');
    expect(
      (
        await call(api.url, 'POST', '/v1/policies', {
          name: policy,
          targets: { clusters: clusterNames },
          document: docWithPort(1000, 'kill'),
        })
      ).status,
    ).toBe(202);
    await syncedAt(api.url, policy, 1);
    const [{ id }] = await db.db
      .select({ id: policies.id })
      .from(policies)
      .where(eq(policies.name, policy));
    // Hold the per-(policy, cluster) lock so that the worker's job is in flight when it dies.
    const lockKey = `${prefix}:lock:${id}:${clusterNames[0]}`;
    await redis.set(lockKey, 'held-by-test', 'PX', 120_000);
    for (const p of procs.slice(1)) await p.stop('SIGKILL');
    const doomed = await start('worker');
    expect(
      (
        await call(api.url, 'POST', '/v1/policies', {
          name: policy,
          targets: { clusters: clusterNames },
          document: docWithPort(2000, 'kill'),
        })
      ).status,
    ).toBe(202);
    await waitFor('the job running on the doomed worker', async () => {
      const s = await stateOf(api.url, policy);
      const d = await call(api.url, 'GET', `/v1/policies/${policy}/status`);
      const op = (d.body.clusters as { cluster: string; operation: { phase: string } }[]).find(
        (c) => c.cluster === clusterNames[0],
      )?.operation;
      return s.length > 0 && op?.phase === 'Running' ? true : undefined;
    });
    await doomed.stop('SIGKILL');
    await start('worker');
    await redis.del(lockKey);
    await syncedAt(api.url, policy, 2);
    const revisions = await call(api.url, 'GET', `/v1/policies/${policy}/revisions`);
    expect((revisions.body.items as { revision: number }[]).map((r) => r.revision)).toEqual([2, 1]);
    const live = await admin.getNetworkPolicy(ns, 'db-kill');
    expect(live?.metadata.annotations?.['gbp-netpol.io/revision']).toBe('2');
    expect(JSON.stringify(live?.spec)).toContain('"port":2000');
  }, 180_000);

  it('PostgreSQL unavailable: 503 problem+json and /readyz fails, no crash, full service when it is back', async () => {
    const api = procs[0];
    expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
    await proxy.cut();
    const down = await waitFor(
      'a 503',
      async () => {
        const r = await call(api.url, 'GET', '/v1/policies');
        return r.status === 503 ? r : undefined;
      },
      30_000,
    );
    expect(down.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(down.body).toMatchObject({
      status: 503,
      type: 'urn:gbp-netpol:problem:database-unavailable',
    });
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(503);
    const health = (await ready.json()) as { details?: { database?: { status?: string } } };
    expect(health.details?.database?.status).toBe('down');
    expect(api.child.exitCode).toBeNull();
    await proxy.open();
    await waitFor(
      'service back',
      async () => ((await call(api.url, 'GET', '/v1/policies')).status === 200 ? true : undefined),
      30_000,
    );
    expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
  }, 120_000);

  it('two APIs and two workers under concurrent revisions of one policy: gapless revision numbers, every cluster at the latest', async () => {
    const apis = [procs[0], await start('api')];
    await start('worker');
    const policy = uniqueName('race');
    const ports = [3001, 3002, 3003, 3004, 3005, 3006];
    const answers = await Promise.all(
      ports.map((port, i) =>
        call(apis[i % 2].url, 'POST', '/v1/policies', {
          name: policy,
          targets: { clusters: clusterNames },
          document: docWithPort(port, 'race'),
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: ports.length }, () => 202));
    const numbers = answers.map((a) => a.body.revision as number).sort((a, b) => a - b);
    expect(numbers).toEqual([1, 2, 3, 4, 5, 6]);
    const latest = answers.find((a) => a.body.revision === 6)!;
    const latestPort = ports[answers.indexOf(latest)];
    await syncedAt(apis[1].url, policy, 6);
    for (const index of [0, 1]) {
      const live = await new KubeGateway()
        .connect(testCluster(index).adminAccess)
        .getNetworkPolicy(ns, 'db-race');
      expect(live?.metadata.annotations?.['gbp-netpol.io/revision']).toBe('6');
      expect(JSON.stringify(live?.spec)).toContain(`"port":${latestPort}`);
    }
  }, 180_000);
});
