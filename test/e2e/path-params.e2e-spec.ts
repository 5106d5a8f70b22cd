import { desc } from 'drizzle-orm';
import request from 'supertest';
import { DATABASE } from '../../src/infra/database/database.module.js';
import type { DatabaseHandle } from '../../src/infra/database/database.js';
import { auditLog } from '../../src/infra/database/schema.js';
import { AuditService } from '../../src/modules/audit/audit.service.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';

// Issue 10, section 5: control characters in any path parameter get 400 problem+json naming
// the parameter (they used to reach the database as NUL and end in 500), and every write gets
// its audit row, with the value made safe, also when refused for want of a token (401).

interface Route {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  params: string[];
}

const BAD_VALUES = [
  ['%00', '\\u0000'],
  ['%1F', '\\u001f'],
  ['a%0Ab', 'a\\u000ab'],
  ['%7F', '\\u007f'],
] as const;

const WRITES = new Set(['post', 'put', 'patch', 'delete']);

describe('control characters in path parameters (e2e)', () => {
  let testApp: TestApp;
  let db: DatabaseHandle;
  let routes: Route[];

  beforeAll(async () => {
    testApp = await createTestApp();
    db = testApp.app.get<DatabaseHandle>(DATABASE, { strict: false });
    const doc = (await testApp.http().get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    routes = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((method) => ({
          method: method as Route['method'],
          path,
          params: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]),
        }))
        .filter((r) => r.params.length > 0),
    );
  });
  afterAll(async () => {
    await testApp?.close();
  });

  /** The path with `bad` as `param` and a plain value in every other parameter. */
  function pathWith(route: Route, param: string, bad: string): string {
    return route.path.replace(/\{(\w+)\}/g, (_whole, name: string) =>
      name === param ? bad : /^(n|a|b)$/.test(name) ? '1' : 'x',
    );
  }

  function send(route: Route, path: string, token = true) {
    const agent = token ? testApp.http() : request(testApp.app.getHttpServer());
    const req = agent[route.method](path);
    return WRITES.has(route.method) && route.method !== 'delete' ? req.send({}) : req;
  }

  it('the OpenAPI document lists the routes with path parameters', () => {
    // 17 routes answered 500 to %00 before; there are more routes with parameters than that.
    expect(routes.length).toBeGreaterThanOrEqual(17);
  });

  it('every route answers 400 problem+json naming the parameter, for every control character', async () => {
    const failures: string[] = [];
    for (const route of routes) {
      for (const param of route.params) {
        for (const [bad, shown] of BAD_VALUES) {
          const path = pathWith(route, param, bad);
          const res = await send(route, path);
          const item = (res.body?.errors ?? []).find(
            (e: { path: string }) => e.path === `/${param}`,
          );
          if (
            res.status !== 400 ||
            !(res.headers['content-type'] ?? '').startsWith('application/problem+json') ||
            res.body.type !== 'urn:gbp-netpol:problem:invalid-request' ||
            item?.code !== 'CONTROL_CHARACTER' ||
            !String(item?.message).includes(shown)
          ) {
            failures.push(`${route.method.toUpperCase()} ${path}: ${res.status} ${res.text}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('every write, answered 400 or refused 401, has its audit row with the value made safe', async () => {
    const audit = testApp.app.get(AuditService, { strict: false });
    const writes = routes.filter((r) => WRITES.has(r.method));
    expect(writes.length).toBeGreaterThan(5);
    for (const token of [true, false]) {
      for (const route of writes) {
        const param = route.params.includes('name') ? 'name' : route.params[0];
        await audit.flush();
        const [last] = await db.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1);
        const res = await send(route, pathWith(route, param, 'evil%00name%1B'), token);
        expect(res.status, `${route.method} ${route.path}`).toBe(token ? 400 : 401);
        await audit.flush();
        const rows = await db.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1);
        expect(rows[0]?.id, `${route.method} ${route.path}: no audit row`).toBeGreaterThan(
          last?.id ?? 0,
        );
        const row = rows[0];
        expect(row).toMatchObject({
          method: route.method.toUpperCase(),
          route: route.path.replace(/\{(\w+)\}/g, ':$1'),
          status: token ? 400 : 401,
          result: token ? 'error' : 'denied',
          tokenName: token ? 'test-admin' : null,
        });
        if (param === 'name' || route.params.at(-1) === param) {
          expect(row.target).toBe('evil\\u0000name\\u001b');
        }
      }
    }
  });

  it('ordinary values still work', async () => {
    await testApp.http().get('/v1/clusters/absent').expect(404);
    await testApp.http().get('/v1/policies/caf%C3%A9').expect(404);
  });
});
