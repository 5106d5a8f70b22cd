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
import { RedisServer } from '../support/redis-server.js';
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

  it('a worker SIGKILLed while it holds the per-cluster lock: another worker takes over in about 25 s (README, Operations)', async () => {
    const api = procs[0];
    // The cluster is reached through a proxy the test can stall, so that the doomed worker is
    // inside the lock, waiting for the API server, when it is killed.
    const target = new URL(testCluster(0).server);
    const stallable = new TcpProxy(await freePort(), '127.0.0.1', Number(target.port));
    await stallable.open();
    try {
      const id = await testCluster(0).leastPrivilegeIdentity([ns]);
      const name = uniqueName('stale');
      expect(
        (
          await call(api.url, 'POST', '/v1/clusters', {
            name,
            server: `https://127.0.0.1:${stallable.port}`,
            caData: id.caData,
            token: id.token,
          })
        ).status,
      ).toBe(201);
      const policy = uniqueName('stale');
      const post = (port: number) =>
        call(api.url, 'POST', '/v1/policies', {
          name: policy,
          targets: { clusters: [name] },
          document: docWithPort(port, 'stale'),
        });
      const appliedAt = async (revision: number) => {
        const [c] = (await stateOf(api.url, policy)).filter((s) => s.cluster === name);
        return c?.sync.status === 'Synced' && c.appliedRevision === revision ? true : undefined;
      };
      for (const p of procs.slice(1)) await p.stop('SIGKILL');
      const doomed = await start('worker');
      expect((await post(4001)).status).toBe(202);
      await waitFor('revision 1 applied', () => appliedAt(1), 60_000);

      stallable.stall();
      expect((await post(4002)).status).toBe(202);
      const [{ id: policyId }] = await db.db
        .select({ id: policies.id })
        .from(policies)
        .where(eq(policies.name, policy));
      const lockKey = `${prefix}:lock:${policyId}:${name}`;
      await waitFor('the doomed worker inside the lock, waiting for the API server', async () => {
        const op = (await call(api.url, 'GET', `/v1/policies/${policy}/status`)).body.clusters as {
          operation: { phase: string } | null;
        }[];
        return op[0]?.operation?.phase === 'Running' && (await redis.exists(lockKey)) === 1
          ? true
          : undefined;
      });
      await start('worker');
      const killedAt = Date.now();
      await doomed.stop('SIGKILL');
      stallable.resume();
      await waitFor('revision 2 applied by the other worker', () => appliedAt(2), 90_000);
      const takeover = Date.now() - killedAt;
      // BullMQ hands the job over within 10-25 s (lockDuration 20 s, stalledInterval 5 s), and
      // the per-cluster lock (15 s, renewed every 5 s) has expired by then: no further wait.
      // With a 60 s lock this took 75-90 s.
      expect(takeover).toBeLessThan(35_000);
      const live = await admin.getNetworkPolicy(ns, 'db-stale');
      expect(live?.metadata.annotations?.['gbp-netpol.io/revision']).toBe('2');
    } finally {
      await stallable.cut();
    }
  }, 240_000);

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

// Issue 10, 4: with Redis down, storing a revision, a sync and a deletion answer at once (202:
// stored, the deployment pending) and never hang; once Redis is back, the reconcile enqueues
// what was stored. A private redis-server is stopped and started again (empty), so the
// machine's Redis that other tests share stays up.
describe('Redis down (e2e, real processes, a private Redis stopped and started again)', () => {
  const adminSecret = `gbpn_${randomBytes(24).toString('base64url')}`;
  const ns = uniqueName('redisdown');
  const procs: AppProcess[] = [];
  const call = apiClient(adminSecret);
  let db: TestDatabase;
  let redisServer: RedisServer;
  let api: AppProcess;
  let cluster: string;
  const admin = new KubeGateway().connect(testCluster(0).adminAccess);

  /** A call that must answer: a hang fails it after 15 s instead of blocking the test. */
  const answer = async (method: string, path: string, body?: unknown, key?: string) => {
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminSecret}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: JSON.parse(text) as Record<string, unknown>,
    };
  };
  const doc = (port: number, tag: string) => ({
    namespaces: [ns],
    contracts: {
      c: { provide_networks: [`db-${tag}`], consume_networks: [`web-${tag}`], ports: [{ port }] },
    },
  });
  const appliedRevision = async (policy: string) => {
    const s = await call(api.url, 'GET', `/v1/policies/${policy}/status`);
    const [c] = (s.body.clusters ?? []) as { sync: { status: string }; appliedRevision: number }[];
    return c?.sync.status === 'Synced' ? c.appliedRevision : undefined;
  };

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    redisServer = new RedisServer(await freePort());
    await redisServer.start();
    const env = {
      DATABASE_URL: db.options.databaseUrl!,
      REDIS_URL: redisServer.url,
      QUEUE_PREFIX: `gbp-redisdown-${randomUUID().slice(0, 8)}`,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      API_TOKENS: `e2e-admin:admin:${adminSecret}`,
      JOB_BACKOFF_MS: '300',
      // Long: what is stored while Redis is down must be enqueued when Redis is back, not
      // by the periodic reconcile.
      RECONCILE_INTERVAL_MS: '600000',
    };
    api = await startAppProcess({ ...env, ROLE: 'api' });
    procs.push(api, await startAppProcess({ ...env, ROLE: 'worker' }));
    await testCluster(0).admin.ensureNamespace(ns);
    const id = await testCluster(0).leastPrivilegeIdentity([ns]);
    cluster = uniqueName('rd');
    expect(
      (
        await call(api.url, 'POST', '/v1/clusters', {
          name: cluster,
          server: id.server,
          caData: id.caData,
          token: id.token,
        })
      ).status,
    ).toBe(201);
  }, 180_000);

  afterAll(async () => {
    for (const p of procs) await p.stop('SIGKILL');
    await redisServer?.stop();
    await testCluster(0)
      .deleteNamespace(ns)
      .catch(() => undefined);
    await db?.dispose();
  });

  it('POST, sync and DELETE answer 202 at once, with the deployment pending; it rolls out once Redis is back', async () => {
    const [kept, deleted] = [uniqueName('kept'), uniqueName('gone')];
    for (const [policy, tag] of [
      [kept, 'kept'],
      [deleted, 'gone'],
    ] as const) {
      expect(
        (
          await answer('POST', '/v1/policies', {
            name: policy,
            targets: { clusters: [cluster] },
            document: doc(80, tag),
          })
        ).status,
      ).toBe(202);
      await waitFor(
        `${policy} Synced`,
        async () => ((await appliedRevision(policy)) === 1 ? true : undefined),
        60_000,
      );
    }

    await redisServer.stop();
    const key = `redis-down-${randomUUID()}`;
    const stored = await answer(
      'POST',
      '/v1/policies',
      { name: kept, targets: { clusters: [cluster] }, document: doc(8080, 'kept') },
      key,
    );
    expect(stored.status).toBe(202);
    expect(stored.body).toMatchObject({ revision: 2 });
    // A retry with the same key gets the first answer again: the same revision and deployment.
    const retried = await answer(
      'POST',
      '/v1/policies',
      { name: kept, targets: { clusters: [cluster] }, document: doc(8080, 'kept') },
      key,
    );
    expect(retried.status).toBe(202);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(retried.body).toEqual(stored.body);
    const sync = await answer('POST', `/v1/policies/${kept}/sync`, {});
    expect(sync.status).toBe(202);
    const deletion = await answer('DELETE', `/v1/policies/${deleted}`);
    expect(deletion.status).toBe(202);
    // Stored and pending: nothing can run without Redis.
    const pending = await answer('GET', `/v1/deployments/${stored.body.deploymentId as string}`);
    expect((pending.body.clusters as { phase: string }[]).map((c) => c.phase)).toEqual(['Queued']);
    expect(
      (await admin.getNetworkPolicy(ns, 'db-kept'))?.metadata.annotations?.[
        'gbp-netpol.io/revision'
      ],
    ).toBe('1');

    await redisServer.start(); // empty: the jobs come from the database
    await waitFor(
      'revision 2 applied after Redis came back',
      async () => ((await appliedRevision(kept)) === 2 ? true : undefined),
      90_000,
    );
    const live = await admin.getNetworkPolicy(ns, 'db-kept');
    expect(live?.metadata.annotations?.['gbp-netpol.io/revision']).toBe('2');
    expect(JSON.stringify(live?.spec)).toContain('"port":8080');
    await waitFor(
      'the deleted policy gone',
      async () =>
        (await answer('GET', `/v1/policies/${deleted}`)).status === 404 ? true : undefined,
      90_000,
    );
    expect(await admin.listNetworkPolicies(ns, `gbp-netpol.io/policy=${deleted}`)).toEqual([]);
    const revisions = await answer('GET', `/v1/policies/${kept}/revisions`);
    expect((revisions.body.items as { revision: number }[]).map((r) => r.revision)).toEqual([2, 1]);
  }, 240_000);
});
