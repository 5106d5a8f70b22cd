import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { DATABASE } from '../../src/infra/database/database.module.js';
import type { DatabaseHandle } from '../../src/infra/database/database.js';
import { installation } from '../../src/infra/database/schema.js';
import { createTestDatabase, type TestDatabase } from '../../src/infra/database/test-database.js';
import { claimKey } from '../../src/infra/queue/prefix-claim.js';
import { REDIS } from '../../src/infra/queue/queue.module.js';
import { startAppProcess } from '../support/app-process.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { waitFor } from '../support/wait-for.js';

// Issue 10, section 7: two installations (two databases) sharing one Redis and QUEUE_PREFIX
// would take each other's jobs; the second must refuse to start, with a clear message.

describe('QUEUE_PREFIX belongs to one installation (e2e)', () => {
  const prefix = `gbp-claim-${randomUUID().slice(0, 8)}`;
  const databases: TestDatabase[] = [];
  const apps: TestApp[] = [];
  let redis: Redis;
  let first: TestDatabase;
  let second: TestDatabase;

  const start = async (db: TestDatabase, env: Record<string, string> = {}) => {
    const app = await createTestApp({
      QUEUE_PREFIX: prefix,
      DATABASE_URL: db.options.databaseUrl,
      ...env,
    });
    apps.push(app);
    return app;
  };
  const installationIdOf = async (db: DatabaseHandle) =>
    (await db.db.select().from(installation)).map((r) => r.id);

  beforeAll(async () => {
    redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    first = await createTestDatabase('postgres');
    second = await createTestDatabase('postgres');
    databases.push(first, second);
  });
  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    for (const db of databases) await db.dispose();
  });

  it('the first installation claims the prefix with the id in its database, and keeps it across restarts', async () => {
    const app = await start(first);
    const ids = await installationIdOf(app.app.get<DatabaseHandle>(DATABASE, { strict: false }));
    expect(ids).toHaveLength(1);
    expect(await redis.get(claimKey(prefix))).toBe(ids[0]);
    await app.close();
    apps.pop();

    const again = await start(first, { ROLE: 'worker' });
    expect(
      await installationIdOf(again.app.get<DatabaseHandle>(DATABASE, { strict: false })),
    ).toEqual(ids);
    expect(await redis.get(claimKey(prefix))).toBe(ids[0]);
  });

  it.each(['all', 'api', 'worker'])(
    'a second installation (another database) with the same prefix refuses to start (ROLE=%s)',
    async (role) => {
      const holder = await redis.get(claimKey(prefix));
      expect(holder).toEqual(expect.any(String));
      const refused = await start(second, { ROLE: role }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(Error);
      const message = (refused as Error).message;
      expect(message).toContain(`QUEUE_PREFIX "${prefix}" belongs to another installation`);
      expect(message).toContain(`installation ${holder}`);
      expect(message).toContain('Set another QUEUE_PREFIX');
      expect(await redis.get(claimKey(prefix))).toBe(holder);
      // With its own prefix the same installation starts.
      const own = await start(second, { ROLE: role, QUEUE_PREFIX: `${prefix}-b` });
      await own.http().get('/healthz').expect(200);
    },
  );

  it('the service as a process exits at start with the message', async () => {
    const holder = await redis.get(claimKey(prefix));
    const failed = await startAppProcess({
      DATABASE_URL: second.options.databaseUrl!,
      QUEUE_PREFIX: prefix,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      API_TOKENS: `e2e-admin:admin:gbpn_${randomBytes(24).toString('base64url')}`,
    }).then(
      async (p) => {
        await p.stop('SIGKILL');
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toContain('the service exited during start');
    expect((failed as Error).message).toContain(
      `QUEUE_PREFIX "${prefix}" belongs to another installation in this Redis (installation ${holder}`,
    );
  }, 180_000);

  it('a Redis that lost the claim (restarted empty) gets it back when the connection is ready again', async () => {
    const app = apps.find((a) => a.config.queuePrefix === prefix)!;
    const holder = await redis.get(claimKey(prefix));
    await redis.del(claimKey(prefix));
    app.app.get<Redis>(REDIS, { strict: false }).disconnect(true);
    await waitFor('the claim back', async () =>
      (await redis.get(claimKey(prefix))) === holder ? true : undefined,
    );
  });
});
