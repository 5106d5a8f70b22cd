import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { count, eq, sql } from 'drizzle-orm';
import pg from 'pg';
import {
  MIGRATIONS_FOLDER,
  openDatabase,
  pgErrorCode,
  type Database,
} from '../../src/infra/database/database.js';
import {
  clusters,
  deployments,
  deploymentTargets,
  policies,
  revisions,
} from '../../src/infra/database/schema.js';
import { createTestDatabase, type TestDatabase } from '../../src/infra/database/test-database.js';

const TABLES = [
  'api_tokens',
  'audit_log',
  'clusters',
  'deployment_targets',
  'deployments',
  'idempotency_keys',
  'installation',
  'policies',
  'policy_cluster_state',
  'revisions',
  'webhook_deliveries',
  'webhooks',
];
const JOURNAL_ENTRIES = (
  JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as {
    entries: unknown[];
  }
).entries.length;
const ADMIN_URL =
  process.env.TEST_DATABASE_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

async function publicTables(db: Database): Promise<string[]> {
  const result = await db.execute<{ table_name: string }>(
    sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
  );
  return (result as unknown as { rows: { table_name: string }[] }).rows.map((r) => r.table_name);
}

async function appliedMigrations(db: Database): Promise<number> {
  const result = await db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  return (result as unknown as { rows: { n: number }[] }).rows[0].n;
}

/** Repository-style code: takes a Database, which a transaction also is. */
async function policyCount(db: Database, name: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(policies).where(eq(policies.name, name));
  return row.n;
}

describe.each(['postgres', 'pglite'] as const)('database (%s)', (kind) => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('reports its driver and answers a ping', async () => {
    expect(t.driver).toBe(kind);
    await expect(t.ping()).resolves.toBeUndefined();
  });

  it('creates every table', async () => {
    expect(await publicTables(t.db)).toEqual(TABLES);
    expect(await appliedMigrations(t.db)).toBe(JOURNAL_ENTRIES);
  });

  it('keeps nested objects and arrays of jsonb columns, and fills jsonb defaults', async () => {
    const [policy] = await t.db
      .insert(policies)
      .values({ name: `p-${randomUUID()}` })
      .returning();
    const document = {
      name: 'web',
      epgs: [{ name: 'a', selector: { tier: 'web' }, ports: [80, 443] }],
      nested: [[1, [2, { deep: null }]]],
      text: 'ü "q"',
    };
    const targets = {
      clusterSelector: { matchLabels: { env: 'prod', 'topology.kubernetes.io/zone': 'a' } },
    };
    const objects = [
      {
        apiVersion: 'networking.k8s.io/v1' as const,
        kind: 'NetworkPolicy' as const,
        metadata: {
          name: 'np',
          namespace: 'default',
          labels: { 'app.kubernetes.io/managed-by': 'gbp-netpol' },
        },
        spec: {
          podSelector: {},
          policyTypes: ['Ingress' as const],
          ingress: [
            {
              from: [{ podSelector: { matchLabels: { a: 'b' } } }],
              ports: [{ protocol: 'TCP' as const, port: 80 }],
            },
          ],
        },
      },
    ];
    await t.db
      .insert(revisions)
      .values({ policyId: policy.id, number: 1, document, targets, objects, contentHash: 'h1' });

    const [stored] = await t.db.select().from(revisions).where(eq(revisions.policyId, policy.id));
    expect(stored).toMatchObject({ number: 1, document, targets, objects, contentHash: 'h1' });
    expect(stored.createdAt).toBeInstanceOf(Date);

    const [deployment] = await t.db
      .insert(deployments)
      .values({ policyId: policy.id, policyName: 'p', revision: 1, kind: 'apply' })
      .returning();
    const [target] = await t.db
      .insert(deploymentTargets)
      .values({ deploymentId: deployment.id, clusterName: 'c1', phase: 'Queued' })
      .returning();
    expect(target).toMatchObject({ resources: [], attempt: 0, error: null });
    const resources = [
      { namespace: 'default', name: 'np', action: 'created' },
      { namespace: 'x', name: 'y', action: 'failed', message: 'forbidden' },
    ];
    const [updated] = await t.db
      .update(deploymentTargets)
      .set({ resources, phase: 'Succeeded' })
      .where(eq(deploymentTargets.deploymentId, deployment.id))
      .returning();
    expect(updated.resources).toEqual(resources);
  });

  it('rolls a throwing transaction back completely', async () => {
    const name = `p-${randomUUID()}`;
    const failure = t.db.transaction(async (tx) => {
      const [policy] = await tx.insert(policies).values({ name, latestRevision: 1 }).returning();
      await tx.insert(revisions).values({
        policyId: policy.id,
        number: 1,
        document: {},
        targets: {},
        objects: [],
        contentHash: 'h',
      });
      expect(await policyCount(tx, name)).toBe(1);
      throw new Error('compile failed');
    });
    await expect(failure).rejects.toThrow('compile failed');
    expect(await policyCount(t.db, name)).toBe(0);

    await t.db.transaction(async (tx) => {
      await tx.insert(policies).values({ name });
    });
    expect(await policyCount(t.db, name)).toBe(1);
  });

  it('rejects a second cluster of the same name with a unique violation', async () => {
    const cluster = {
      name: `c-${randomUUID()}`,
      server: 'https://10.0.0.1:6443',
      credentials: 'v1:opaque',
    };
    const [first] = await t.db.insert(clusters).values(cluster).returning();
    expect(first).toMatchObject({
      labels: {},
      insecureSkipTlsVerify: false,
      connection: 'Unknown',
      connectionMessage: null,
    });
    const error = await t.db
      .insert(clusters)
      .values(cluster)
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(pgErrorCode(error)).toBe('23505');
  });

  it('does not re-apply migrations when opened again, and keeps the data', async () => {
    const own = await createTestDatabase(kind);
    try {
      const name = `p-${randomUUID()}`;
      await own.db.insert(policies).values({ name });
      await own.close();
      const again = await openDatabase(own.options);
      try {
        expect(await appliedMigrations(again.db)).toBe(JOURNAL_ENTRIES);
        expect(await policyCount(again.db, name)).toBe(1);
      } finally {
        await again.close();
      }
    } finally {
      await own.dispose();
    }
  });

  it('releases everything on close()', async () => {
    const own = await createTestDatabase(kind);
    try {
      await own.close();
      await own.close();
      await expect(own.ping()).rejects.toThrow();
      const reopened = await openDatabase(own.options);
      await reopened.close();
      if (kind === 'postgres') {
        const name = new URL(own.options.databaseUrl!).pathname.slice(1);
        const admin = new pg.Client({ connectionString: ADMIN_URL });
        await admin.connect();
        try {
          const { rows } = await admin.query<{ n: number }>(
            'select count(*)::int as n from pg_stat_activity where datname = $1',
            [name],
          );
          expect(rows[0].n).toBe(0);
        } finally {
          await admin.end();
        }
      }
    } finally {
      await own.dispose();
    }
  });

  if (kind === 'pglite') {
    it('refuses a second opener of the same data directory while the first is open', async () => {
      await expect(openDatabase(t.options)).rejects.toThrow(
        /in use by process \d+ .*single process.*DATABASE_URL/s,
      );
      await t.ping();
    });

    it('takes over the lock a crashed process left behind', async () => {
      const own = await createTestDatabase(kind);
      try {
        await own.close();
        const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
        writeFileSync(
          join(own.options.dataDir, 'pglite.lock'),
          JSON.stringify({ pid: deadPid, hostname: hostname() }),
        );
        const reopened = await openDatabase(own.options);
        await reopened.close();
      } finally {
        await own.dispose();
      }
    });
  }

  if (kind === 'postgres') {
    it('lets several processes start concurrently against one fresh database', async () => {
      const name = `gbp_netpol_test_${randomUUID().replaceAll('-', '')}`;
      const admin = new pg.Client({ connectionString: ADMIN_URL });
      await admin.connect();
      await admin.query(`create database ${name}`);
      try {
        const url = new URL(ADMIN_URL);
        url.pathname = `/${name}`;
        const handles = await Promise.all(
          Array.from({ length: 4 }, () =>
            openDatabase({ databaseUrl: url.toString(), dataDir: '/nonexistent' }),
          ),
        );
        try {
          expect(await publicTables(handles[0].db)).toEqual(TABLES);
          expect(await appliedMigrations(handles[3].db)).toBe(JOURNAL_ENTRIES);
        } finally {
          await Promise.all(handles.map((h) => h.close()));
        }
      } finally {
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      }
    });
  }
});
