import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Body, Controller, Get, Header, Param, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { eq } from 'drizzle-orm';
import request from 'supertest';
import { AppModule } from '../../src/app.module.js';
import { configureApp } from '../../src/app.setup.js';
import { createApiDocument } from '../../src/openapi/api-document.js';
import { Principal, type AuthPrincipal } from '../../src/common/auth/principal.js';
import { RequiresRole } from '../../src/common/auth/requires-role.decorator.js';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';
import { DATABASE } from '../../src/infra/database/database.module.js';
import type { DatabaseHandle } from '../../src/infra/database/database.js';
import { apiTokens, auditLog, idempotencyKeys } from '../../src/infra/database/schema.js';
import { AuditService } from '../../src/modules/audit/audit.service.js';
import { AUTH_LOGGER, type AuthLogger } from '../../src/modules/auth/auth.constants.js';
import { AuthModule } from '../../src/modules/auth/auth.module.js';
import { hashSecret } from '../../src/common/auth/token-secret.js';
import { requestFingerprint } from '../../src/modules/auth/idempotency-key.js';
import { IdempotencyService } from '../../src/modules/auth/idempotency.service.js';

const example = { namespaces: ['mms'], contracts: {} };

const SECRETS = {
  admin: 'test-admin-secret-0123456789abcdef',
  writer: 'test-writer-secret-0123456789abcdef',
  reader: 'test-reader-secret-0123456789abcdef',
};
const API_TOKENS = Object.entries(SECRETS)
  .map(([role, secret]) => `${role}:${role}:${secret}`)
  .join(',');

const bearer = (secret: string) => ({ Authorization: `Bearer ${secret}` });
const as = (role: keyof typeof SECRETS) => bearer(SECRETS[role]);

/** Routes with the default rule and with the fixed clusters minimum, independent of other modules. */
@Controller('v1/auth-probe')
class ProbeController {
  @Get(':name')
  read(@Param('name') name: string, @Principal() who: AuthPrincipal) {
    return { name, who };
  }

  @Post(':name')
  write(@Param('name') name: string, @Body() body: unknown) {
    return { name, body };
  }

  private flakyCalls = 0;

  /** Fails (500) on its first call, then answers with its call count and a Location. */
  @Post(':name/flaky')
  @Header('Location', '/v1/auth-probe/created')
  flaky() {
    this.flakyCalls += 1;
    if (this.flakyCalls === 1) throw new Error('transient failure');
    return { calls: this.flakyCalls };
  }

  @Post(':name/admin-only')
  @RequiresRole('admin')
  adminOnly(@Param('name') name: string) {
    return { name };
  }
}

/** No decorator: the clusters minimum (writes need admin) applies anyway. */
@Controller('v1/clusters/auth-probe/floor/check')
class ClustersFloorProbeController {
  @Get()
  read() {
    return { ok: true };
  }

  @Post()
  write() {
    return { ok: true };
  }
}

interface AuthTestApp {
  app: INestApplication;
  config: AppConfig;
  db: DatabaseHandle['db'];
  /** Every AUTH_LOGGER warning (the bootstrap line). */
  warnings: string[];
  http: () => ReturnType<typeof request>;
  close(options?: { keepData?: boolean }): Promise<void>;
}

/**
 * createTestApp() plus AuthModule (not yet wired into AppModule) and two probe controllers, with
 * the token service's logger captured. `dataDir` reuses a data directory (restart tests).
 */
async function createAuthTestApp(
  env: Record<string, string | undefined>,
  dataDir = mkdtempSync(join(tmpdir(), 'gbp-netpol-auth-')),
): Promise<AuthTestApp> {
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    QUEUE_PREFIX: `gbp-test-${randomUUID().slice(0, 8)}`,
    ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
    ...env,
  });
  const warnings: string[] = [];
  const logger: AuthLogger = {
    log: () => undefined,
    warn: (m: unknown) => void warnings.push(String(m)),
    error: () => undefined,
  };
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config), AuthModule],
    controllers: [ProbeController, ClustersFloorProbeController],
  })
    .overrideProvider(AUTH_LOGGER)
    .useValue(logger)
    .compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, bufferLogs: true });
  configureApp(app, config);
  const removeData = () => rmSync(dataDir, { recursive: true, force: true });
  try {
    await app.init();
  } catch (err) {
    await app.close().catch(() => undefined);
    removeData();
    throw err;
  }
  return {
    app,
    config,
    db: app.get<DatabaseHandle>(DATABASE).db,
    warnings,
    http: () => request(app.getHttpServer()),
    close: async ({ keepData = false } = {}) => {
      await app.close();
      if (!keepData) removeData();
    },
  };
}

describe('API tokens, roles, audit, idempotency (e2e)', () => {
  let t: AuthTestApp;
  beforeAll(async () => {
    t = await createAuthTestApp({ API_TOKENS });
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('open routes', () => {
    it('serves health and the OpenAPI document without a token', async () => {
      await t.http().get('/healthz').expect(200);
      const ready = await t.http().get('/readyz');
      expect([200, 503]).toContain(ready.status);
      const docs = await t.http().get('/docs-json').expect(200);
      expect(docs.body.components.securitySchemes.bearer).toMatchObject({
        type: 'http',
        scheme: 'bearer',
      });
      const ui = await t.http().get('/docs/');
      expect(ui.status).toBe(200);
    });

    it('does not print a bootstrap token when API_TOKENS is set', () => {
      expect(t.warnings).toEqual([]);
    });
  });

  describe('authentication', () => {
    it('answers 401 problem+json with a Bearer challenge without a token', async () => {
      const res = await t.http().post('/v1/compile').send(example).expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="gbp-netpol"');
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({
        status: 401,
        type: 'urn:gbp-netpol:problem:unauthenticated',
      });
      await t.http().get('/v1/auth-probe/x').expect(401);
    });

    it('answers 401 with error="invalid_token" for a wrong or malformed token', async () => {
      for (const header of [
        'Bearer not-a-known-token-at-all',
        `Bearer ${SECRETS.admin}x`,
        `Basic ${SECRETS.admin}`,
        'Bearer',
      ]) {
        const res = await t.http().get('/v1/auth-probe/x').set('Authorization', header).expect(401);
        expect(res.headers['www-authenticate']).toBe(
          'Bearer realm="gbp-netpol", error="invalid_token"',
        );
        expect(JSON.stringify(res.body)).not.toContain(SECRETS.admin);
      }
    });

    it('attaches the principal to the request', async () => {
      const res = await t.http().get('/v1/auth-probe/x').set(as('reader')).expect(200);
      expect(res.body.who).toEqual({ tokenName: 'reader', role: 'reader' });
    });
  });

  describe('roles', () => {
    it('lets a reader GET but not write', async () => {
      await t.http().get('/v1/auth-probe/a').set(as('reader')).expect(200);
      const res = await t.http().post('/v1/compile').set(as('reader')).send(example).expect(403);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({
        status: 403,
        requiredRole: 'writer',
        type: 'urn:gbp-netpol:problem:insufficient-role',
      });
      expect(res.body.detail).toMatch(/needs the writer role/);
    });

    it('lets a writer write, but not manage tokens, write clusters or read the audit log', async () => {
      await t.http().post('/v1/compile').set(as('writer')).send(example).expect(200);
      await t.http().post('/v1/auth-probe/w').set(as('writer')).send({ a: 1 }).expect(201);
      const tokens = await t
        .http()
        .post('/v1/tokens')
        .set(as('writer'))
        .send({ name: 'nope', role: 'reader' })
        .expect(403);
      expect(tokens.body.requiredRole).toBe('admin');
      await t.http().get('/v1/tokens').set(as('writer')).expect(403);
      await t.http().get('/v1/audit').set(as('writer')).expect(403);
      await t.http().post('/v1/auth-probe/w/admin-only').set(as('writer')).expect(403);
      // The clusters minimum holds without any decorator; reads stay open to readers.
      await t.http().post('/v1/clusters/auth-probe/floor/check').set(as('writer')).expect(403);
      await t.http().get('/v1/clusters/auth-probe/floor/check').set(as('reader')).expect(200);
    });

    it('lets an admin do everything', async () => {
      await t.http().post('/v1/auth-probe/w/admin-only').set(as('admin')).expect(201);
      await t.http().post('/v1/clusters/auth-probe/floor/check').set(as('admin')).expect(201);
      await t.http().get('/v1/tokens').set(as('admin')).expect(200);
      await t.http().get('/v1/audit').set(as('admin')).expect(200);
    });
  });

  describe('token management', () => {
    it('creates a token shown once, which works, is listed without secret, and is revoked by DELETE', async () => {
      const created = await t
        .http()
        .post('/v1/tokens')
        .set(as('admin'))
        .send({ name: 'ci-deployer', role: 'writer' })
        .expect(201);
      expect(Object.keys(created.body).sort()).toEqual(['name', 'role', 'token']);
      expect(created.body).toMatchObject({ name: 'ci-deployer', role: 'writer' });
      const token: string = created.body.token;
      expect(token).toMatch(/^gbpn_[A-Za-z0-9_-]{43}$/);

      await t.http().post('/v1/compile').set(bearer(token)).send(example).expect(200);
      await t
        .http()
        .post('/v1/tokens')
        .set(bearer(token))
        .send({ name: 'x', role: 'admin' })
        .expect(403);

      const list = await t.http().get('/v1/tokens').set(as('admin')).expect(200);
      const text = JSON.stringify(list.body);
      for (const secret of [token, ...Object.values(SECRETS)]) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/sha256|secret/i);
      expect(list.body.items.map((i: { name: string }) => i.name)).toEqual([
        'admin',
        'ci-deployer',
        'reader',
        'writer',
      ]);
      for (const item of list.body.items)
        expect(Object.keys(item).sort()).toEqual(['createdAt', 'name', 'role', 'source']);
      expect(list.body.items.find((i: { name: string }) => i.name === 'ci-deployer').source).toBe(
        'api',
      );
      expect(list.body.items.find((i: { name: string }) => i.name === 'admin').source).toBe('env');

      // The database holds hashes only.
      const rows = await t.db.select().from(apiTokens);
      const stored = JSON.stringify(rows);
      for (const secret of [token, ...Object.values(SECRETS)]) expect(stored).not.toContain(secret);
      for (const row of rows) expect(row.secretHash).toMatch(/^sha256:[0-9a-f]{64}$/);

      await t
        .http()
        .post('/v1/tokens')
        .set(as('admin'))
        .send({ name: 'ci-deployer', role: 'reader' })
        .expect(409);
      await t.http().delete('/v1/tokens/ci-deployer').set(as('admin')).expect(204);
      await t.http().post('/v1/compile').set(bearer(token)).send(example).expect(401);
      await t.http().delete('/v1/tokens/ci-deployer').set(as('admin')).expect(404);
    });

    it('sees tokens written by another process within 10 s (the in-memory table is refreshed)', async () => {
      const secret = 'other-process-secret-0123456789';
      // A write here reloads the table now; the row below is then written "by another process".
      await t
        .http()
        .post('/v1/tokens')
        .set(as('admin'))
        .send({ name: 'refresh-trigger', role: 'reader' })
        .expect(201);
      await t.db.insert(apiTokens).values({
        name: 'elsewhere',
        role: 'reader',
        secretHash: hashSecret(secret),
        source: 'api',
      });
      await t.http().get('/v1/auth-probe/x').set(bearer(secret)).expect(401);
      const now = Date.now();
      const clock = vi.spyOn(Date, 'now').mockReturnValue(now + 10_001);
      try {
        await t.http().get('/v1/auth-probe/x').set(bearer(secret)).expect(200);
        await t.db.delete(apiTokens).where(eq(apiTokens.name, 'elsewhere'));
        await t.http().get('/v1/auth-probe/x').set(bearer(secret)).expect(200); // until the next refresh
        clock.mockReturnValue(now + 20_002);
        await t.http().get('/v1/auth-probe/x').set(bearer(secret)).expect(401);
      } finally {
        clock.mockRestore();
      }
      await t.http().delete('/v1/tokens/refresh-trigger').set(as('admin')).expect(204);
    });

    it('paginates the list', async () => {
      const first = await t.http().get('/v1/tokens?limit=2').set(as('admin')).expect(200);
      expect(first.body.items).toHaveLength(2);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await t
        .http()
        .get(`/v1/tokens?limit=2&cursor=${first.body.nextCursor}`)
        .set(as('admin'))
        .expect(200);
      expect(second.body.items[0].name > first.body.items[1].name).toBe(true);
    });

    it('validates the request and keeps the last admin token', async () => {
      const bad = await t
        .http()
        .post('/v1/tokens')
        .set(as('admin'))
        .send({ name: 'has space', role: 'root' })
        .expect(400);
      expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['/name', '/role']);
      const last = await t.http().delete('/v1/tokens/admin').set(as('admin')).expect(409);
      expect(last.body.type).toBe('urn:gbp-netpol:problem:last-admin-token');
    });
  });

  describe('audit log', () => {
    it('records writes (ok, denied, error) with route patterns and targets, never bodies', async () => {
      const marker = `marker-${randomUUID()}`;
      await t.http().post('/v1/auth-probe/audited').set(as('writer')).send({ marker }).expect(201);
      await t
        .http()
        .post('/v1/auth-probe/denied/admin-only')
        .set(as('reader'))
        .send({ marker })
        .expect(403);
      await t.http().post('/v1/auth-probe/anon').send({ marker }).expect(401);
      await t.http().post('/v1/compile').set(as('writer')).send({ marker }).expect(400);
      await t.http().get('/v1/auth-probe/read-only').set(as('reader')).expect(200);
      await t
        .http()
        .put(`/v1/no-such-route?${marker}=1`)
        .set(as('writer'))
        .send({ marker })
        .expect(404);

      let items: Record<string, unknown>[] = [];
      await vi.waitFor(
        async () => {
          await t.app.get(AuditService).flush();
          const res = await t.http().get('/v1/audit?limit=20').set(as('admin')).expect(200);
          items = res.body.items;
          expect(items.find((i) => i.target === 'audited')).toBeDefined();
          expect(items.find((i) => i.route === '/v1/compile' && i.status === 400)).toBeDefined();
        },
        { timeout: 5_000, interval: 50 },
      );
      expect(items.find((i) => i.target === 'audited')).toMatchObject({
        tokenName: 'writer',
        method: 'POST',
        route: '/v1/auth-probe/:name',
        status: 201,
        result: 'ok',
      });
      expect(items.find((i) => i.target === 'denied')).toMatchObject({
        tokenName: 'reader',
        route: '/v1/auth-probe/:name/admin-only',
        status: 403,
        result: 'denied',
      });
      expect(items.find((i) => i.target === 'anon')).toMatchObject({
        tokenName: null,
        status: 401,
        result: 'denied',
      });
      expect(items.find((i) => i.route === '/v1/compile' && i.status === 400)).toMatchObject({
        tokenName: 'writer',
        target: null,
        result: 'error',
      });
      expect(items.find((i) => i.target === 'read-only')).toBeUndefined(); // reads are not audited
      expect(items.find((i) => i.method === 'PUT')).toMatchObject({
        route: '/v1/no-such-route', // no route matched: the path, without its query
        target: null,
        status: 404,
        result: 'error',
      });
      // Newest first.
      const ids = items.map((i) => i.id as number);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      for (const item of items) {
        expect(Object.keys(item).sort()).toEqual([
          'at',
          'id',
          'method',
          'result',
          'route',
          'status',
          'target',
          'tokenName',
        ]);
      }
      const rows = JSON.stringify(await t.db.select().from(auditLog));
      expect(rows).not.toContain(marker);
      for (const secret of Object.values(SECRETS)) expect(rows).not.toContain(secret);
    });

    it('records token deletions with the token name as target', async () => {
      await t
        .http()
        .post('/v1/tokens')
        .set(as('admin'))
        .send({ name: 'short-lived', role: 'reader' })
        .expect(201);
      await t.http().delete('/v1/tokens/short-lived').set(as('admin')).expect(204);
      await vi.waitFor(async () => {
        await t.app.get(AuditService).flush();
        const rows = await t.db.select().from(auditLog).where(eq(auditLog.target, 'short-lived'));
        expect(
          rows.map((r) => `${r.method} ${r.route} ${r.status} ${r.result} ${r.tokenName}`).sort(),
        ).toEqual(['DELETE /v1/tokens/:name 204 ok admin']);
      });
    });
  });

  describe('Idempotency-Key', () => {
    it('answers a retry with the first answer and creates the token once', async () => {
      const key = `key-${randomUUID()}`;
      const body = { name: 'idem-token', role: 'reader' };
      const first = await t
        .http()
        .post('/v1/tokens')
        .set(as('admin'))
        .set('Idempotency-Key', key)
        .send(body)
        .expect(201);
      const again = await t
        .http()
        .post('/v1/tokens')
        .set(as('admin'))
        .set('Idempotency-Key', key)
        .send({ role: 'reader', name: 'idem-token' })
        .expect(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.headers['content-type']).toBe(first.headers['content-type']);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(
        await t.db.select().from(apiTokens).where(eq(apiTokens.name, 'idem-token')),
      ).toHaveLength(1);

      // The stored answer holds the secret: sealed, never in clear.
      const stored = JSON.stringify(await t.db.select().from(idempotencyKeys));
      expect(stored).not.toContain(first.body.token);

      const reused = await t
        .http()
        .post('/v1/tokens')
        .set(as('admin'))
        .set('Idempotency-Key', key)
        .send({ name: 'other', role: 'reader' })
        .expect(422);
      expect(reused.body.type).toBe('urn:gbp-netpol:problem:idempotency-key-reused');
      expect(await t.db.select().from(apiTokens).where(eq(apiTokens.name, 'other'))).toHaveLength(
        0,
      );

      // Keys belong to a token: another token's same key is a different request.
      await t
        .http()
        .post('/v1/auth-probe/k')
        .set(as('writer'))
        .set('Idempotency-Key', key)
        .send({})
        .expect(201);
    });

    it('keeps 4xx answers, so a retry gets the same error', async () => {
      const key = `key-${randomUUID()}`;
      const first = await t
        .http()
        .post('/v1/tokens')
        .set(as('admin'))
        .set('Idempotency-Key', key)
        .send({ name: 'admin', role: 'reader' })
        .expect(409);
      const again = await t
        .http()
        .post('/v1/tokens')
        .set(as('admin'))
        .set('Idempotency-Key', key)
        .send({ name: 'admin', role: 'reader' })
        .expect(409);
      expect(again.text).toBe(first.text);
      expect(again.headers['content-type']).toMatch(/application\/problem\+json/);
    });

    it('refuses a retry while the first request still runs (409), and lets only one of two concurrent requests run', async () => {
      const key = `key-${randomUUID()}`;
      const body = { name: 'in-flight', role: 'reader' };
      // A first request that has claimed the key and not answered yet.
      const claim = await t.app.get(IdempotencyService).claim({
        tokenName: 'admin',
        key,
        method: 'POST',
        path: '/v1/tokens',
        requestHash: requestFingerprint('POST', '/v1/tokens', body),
      });
      expect(claim.kind).toBe('new');
      const res = await t
        .http()
        .post('/v1/tokens')
        .set(as('admin'))
        .set('Idempotency-Key', key)
        .send(body)
        .expect(409);
      expect(res.body.type).toBe('urn:gbp-netpol:problem:idempotency-key-in-progress');
      expect(
        await t.db.select().from(apiTokens).where(eq(apiTokens.name, 'in-flight')),
      ).toHaveLength(0);

      const raceKey = `key-${randomUUID()}`;
      const race = { name: 'raced', role: 'reader' };
      const answers = await Promise.all(
        [1, 2, 3].map(() =>
          t.http().post('/v1/tokens').set(as('admin')).set('Idempotency-Key', raceKey).send(race),
        ),
      );
      const created = answers.filter((a) => a.status === 201);
      expect(created.length).toBeGreaterThanOrEqual(1);
      expect(new Set(created.map((a) => a.body.token)).size).toBe(1);
      for (const a of answers) expect([201, 409]).toContain(a.status);
      expect(await t.db.select().from(apiTokens).where(eq(apiTokens.name, 'raced'))).toHaveLength(
        1,
      );
    });

    it('does not keep 5xx answers, so that a retry runs again; replays the Location', async () => {
      const key = `key-${randomUUID()}`;
      await t
        .http()
        .post('/v1/auth-probe/f/flaky')
        .set(as('writer'))
        .set('Idempotency-Key', key)
        .send({})
        .expect(500);
      const second = await t
        .http()
        .post('/v1/auth-probe/f/flaky')
        .set(as('writer'))
        .set('Idempotency-Key', key)
        .send({})
        .expect(201);
      expect(second.body).toEqual({ calls: 2 });
      const third = await t
        .http()
        .post('/v1/auth-probe/f/flaky')
        .set(as('writer'))
        .set('Idempotency-Key', key)
        .send({})
        .expect(201);
      expect(third.body).toEqual({ calls: 2 });
      expect(third.headers.location).toBe('/v1/auth-probe/created');
      expect(third.headers['idempotent-replayed']).toBe('true');
    });

    it('rejects a malformed key', async () => {
      const res = await t
        .http()
        .post('/v1/auth-probe/k')
        .set(as('writer'))
        .set('Idempotency-Key', 'x'.repeat(201))
        .send({})
        .expect(400);
      expect(res.body.type).toBe('urn:gbp-netpol:problem:invalid-idempotency-key');
    });
  });

  it('marks every /v1 operation of the OpenAPI document as needing the bearer token', () => {
    const document = createApiDocument(t.app);
    expect(document.paths['/v1/tokens'].post?.security).toEqual([{ bearer: [] }]);
    expect(document.paths['/v1/audit'].get?.security).toEqual([{ bearer: [] }]);
    expect(document.paths['/v1/compile'].post?.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]),
    );
    expect(
      (document.paths['/v1/tokens'].post as unknown as Record<string, unknown>)['x-required-role'],
    ).toBe('admin');
    expect(document.paths['/healthz'].get?.security).toEqual([]);
  });
});

describe('rate limiting per token (e2e)', () => {
  let t: AuthTestApp;
  beforeAll(async () => {
    t = await createAuthTestApp({ API_TOKENS, RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers the 4th request of a token within a minute with 429 and Retry-After', async () => {
    for (let i = 0; i < 3; i++) {
      const ok = await t.http().get(`/v1/auth-probe/${i}`).set(as('reader')).expect(200);
      expect([ok.headers['x-ratelimit-limit'], ok.headers['x-ratelimit-remaining']]).toEqual([
        '3',
        String(2 - i),
      ]);
    }
    const res = await t.http().post('/v1/compile').set(as('reader')).send(example).expect(429);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.type).toBe('urn:gbp-netpol:problem:rate-limited');
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(Object.keys(res.headers).filter((h) => h.startsWith('retry-after'))).toEqual([
      'retry-after',
    ]);
    // Other tokens have their own budget; health is never limited.
    await t.http().get('/v1/auth-probe/x').set(as('writer')).expect(200);
    for (let i = 0; i < 5; i++) await t.http().get('/healthz').expect(200);
  });

  it('limits requests without a valid token per client IP', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (
          await t
            .http()
            .get('/v1/auth-probe/x')
            .set(bearer(`wrong-${i}`))
        ).status,
      );
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});

describe('bootstrap token (e2e)', () => {
  it('creates bootstrap-admin when no token exists, prints it once, and never again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gbp-netpol-auth-'));
    try {
      const first = await createAuthTestApp({ API_TOKENS: '' }, dataDir);
      let token: string;
      try {
        expect(first.warnings).toHaveLength(1);
        expect(first.warnings[0]).toMatch(
          /bootstrap-admin.*store it now, it will not be shown again/i,
        );
        token = /(gbpn_[A-Za-z0-9_-]{43})/.exec(first.warnings[0])?.[1] ?? '';
        expect(token).not.toBe('');
        const list = await first.http().get('/v1/tokens').set(bearer(token)).expect(200);
        expect(list.body.items).toEqual([
          expect.objectContaining({ name: 'bootstrap-admin', role: 'admin', source: 'bootstrap' }),
        ]);
        expect(JSON.stringify(await first.db.select().from(apiTokens))).not.toContain(token);
      } finally {
        await first.close({ keepData: true });
      }

      const second = await createAuthTestApp({ API_TOKENS: '' }, dataDir);
      try {
        expect(second.warnings).toEqual([]);
        await second.http().get('/v1/tokens').set(bearer(token)).expect(200);
      } finally {
        await second.close({ keepData: true });
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('fails to start on a malformed API_TOKENS without printing its secrets', async () => {
    const err = await createAuthTestApp({
      API_TOKENS: 'good:admin:a-good-secret-0123456789,bad:root:short-secret,secret-without-name',
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toMatch(/Invalid configuration[\s\S]*API_TOKENS/);
    expect(message).toMatch(/entry 2 \("bad"\): the role/);
    expect(message).toMatch(/entry 3 is not name:role:secret/);
    for (const secret of ['a-good-secret', 'short-secret', 'secret-without-name'])
      expect(message).not.toContain(secret);
  });
});
