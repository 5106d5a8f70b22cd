import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { encodeCursor } from '../../src/common/pagination.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';

// Issue 10, section 7: security headers on every answer (with a CSP under which Swagger UI
// still works), Cache-Control: no-store on API answers, and 400 for a garbage cursor.

const CHROMIUM = '/usr/bin/chromium';

function cspOf(header: string | undefined): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of (header ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name, values);
  }
  return directives;
}

describe('HTTP hardening (e2e): security headers, no-store, cursors', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp();
  });
  afterAll(async () => {
    await testApp?.close();
  });

  describe('security headers', () => {
    const answers: [string, () => request.Test][] = [
      ['a list', () => testApp.http().get('/v1/clusters')],
      ['a 404 problem', () => testApp.http().get('/v1/clusters/absent')],
      ['a 401 without a token', () => request(testApp.app.getHttpServer()).get('/v1/policies')],
      [
        'a 413 of the body parser',
        () =>
          testApp
            .http()
            .post('/v1/compile')
            .set('content-type', 'application/json')
            .send(`"${'x'.repeat(2 * 1024 * 1024)}"`),
      ],
      ['a route that does not exist', () => testApp.http().get('/v1/nothing-here')],
      ['/healthz', () => request(testApp.app.getHttpServer()).get('/healthz')],
      ['/docs-json', () => request(testApp.app.getHttpServer()).get('/docs-json')],
      ['/docs', () => request(testApp.app.getHttpServer()).get('/docs')],
    ];

    it.each(answers)('%s has them', async (_name, send) => {
      const res = await send();
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-powered-by']).toBeUndefined();
      const csp = cspOf(res.headers['content-security-policy']);
      expect(csp.get('default-src')).toEqual(["'self'"]);
      expect(csp.get('script-src')).toEqual(["'self'"]);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.has('upgrade-insecure-requests')).toBe(false);
    });

    it('API answers are Cache-Control: no-store, Swagger UI assets are not', async () => {
      const server = testApp.app.getHttpServer();
      for (const res of [
        await testApp.http().get('/v1/clusters').expect(200),
        await testApp.http().get('/v1/clusters/absent').expect(404),
        await request(server).post('/v1/compile').send({}).expect(401),
        await request(server).get('/healthz').expect(200),
        await request(server).get('/docs-json').expect(200),
      ]) {
        expect(res.headers['cache-control']).toBe('no-store');
      }
      const asset = await request(server).get('/docs/swagger-ui.css').expect(200);
      expect(asset.headers['cache-control']).not.toBe('no-store');
    });

    it('Swagger UI at /docs loads under the CSP: no inline script, every asset from this origin', async () => {
      const server = testApp.app.getHttpServer();
      const page = await request(server).get('/docs').redirects(1).expect(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      const html = page.text;
      const csp = cspOf(page.headers['content-security-policy']);
      // script-src 'self' without 'unsafe-inline': every script must be a file.
      const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attributes, body] of scripts) {
        expect(attributes).toMatch(/src=/);
        expect(body.trim()).toBe('');
      }
      // Inline <style> blocks need 'unsafe-inline' in style-src.
      if (/<style/.test(html)) expect(csp.get('style-src')).toContain("'unsafe-inline'");
      const assets = [
        ...[...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]),
        ...[...html.matchAll(/<link[^>]*href="([^"]+)"/g)].map((m) => m[1]),
      ];
      const base = 'http://service.example/docs';
      const paths = assets.map((asset) => {
        const url = new URL(asset, base);
        expect(url.origin, asset).toBe(new URL(base).origin); // same origin only
        return url.pathname;
      });
      expect(paths).toEqual(expect.arrayContaining(['/docs/swagger-ui-init.js']));
      for (const path of paths) {
        const res = await request(server).get(path);
        expect(res.status, path).toBe(200);
      }
      // The init script carries the document itself: nothing to fetch from anywhere else.
      const init = await request(server).get('/docs/swagger-ui-init.js').expect(200);
      expect(init.text).toContain('"swaggerDoc"');
      expect(csp.has('connect-src')).toBe(false);
      expect(csp.get('img-src')).toEqual(["'self'", 'data:']);
    });

    // Debian's chromium, which .ci/run installs: a real browser is the only proof the CSP fits.
    it('Swagger UI renders the API in headless Chromium without a CSP violation', async () => {
      expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`).toBe(
        true,
      );
      const server = await testApp.app.listen(0, '127.0.0.1');
      const { port } = server.address() as AddressInfo;
      const profile = mkdtempSync(join(tmpdir(), 'gbp-chromium-'));
      try {
        const { stdout, stderr } = await promisify(execFile)(
          CHROMIUM,
          [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            `--user-data-dir=${profile}`,
            '--enable-logging=stderr',
            '--v=0',
            '--virtual-time-budget=15000',
            '--dump-dom',
            `http://127.0.0.1:${port}/docs`,
          ],
          { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
        );
        // Rendered by Swagger UI's scripts from the document it fetched: operations and paths.
        expect(stdout).toContain('swagger-ui');
        expect(stdout).toContain('opblock');
        expect(stdout).toContain('/v1/clusters/{name}');
        expect(stdout).toContain('gbp-netpol');
        expect(stderr).not.toMatch(
          /Content Security Policy|Refused to (load|execute|apply|connect)/,
        );
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    }, 90_000);
  });

  describe('a cursor that is not one of the list: 400', () => {
    const garbage = [
      'garbage',
      '%%%',
      Buffer.from('{"a":1}').toString('base64url'),
      `${encodeCursor('x')}!`,
    ];

    it.each([
      ['/v1/clusters', encodeCursor(5)],
      ['/v1/policies', encodeCursor(5)],
      ['/v1/tokens', encodeCursor(5)],
      ['/v1/audit', encodeCursor('x')],
    ])('GET %s', async (path, otherList) => {
      for (const cursor of [...garbage, otherList]) {
        const res = await testApp.http().get(path).query({ cursor }).expect(400);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body.errors).toEqual([
          { path: '/cursor', code: 'INVALID_CURSOR', message: expect.any(String) },
        ]);
      }
      // A cursor of the list itself still pages.
      const first = await testApp.http().get(path).query({ limit: 1 }).expect(200);
      if (first.body.nextCursor)
        await testApp.http().get(path).query({ cursor: first.body.nextCursor }).expect(200);
    });

    it('GET /v1/policies/{name}/revisions', async () => {
      await testApp
        .http()
        .post('/v1/clusters')
        .send({ name: 'cursor-target', server: 'https://127.0.0.1:1' })
        .expect(201);
      await testApp
        .http()
        .post('/v1/policies')
        .send({
          name: 'cursor-policy',
          targets: { clusters: ['cursor-target'] },
          document: { namespaces: ['cursor-ns'], contracts: {} },
        })
        .expect(202);
      const res = await testApp
        .http()
        .get('/v1/policies/cursor-policy/revisions')
        .query({ cursor: encodeCursor('x') })
        .expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ code: 'INVALID_CURSOR' })]);
      await testApp
        .http()
        .get('/v1/policies/cursor-policy/revisions')
        .query({ cursor: encodeCursor(2) })
        .expect(200);
    });
  });
});
