import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { buildAppOnce, startAppProcess, type AppProcess } from '../support/app-process.js';

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** Runs the built service with `env` until it exits (it must: the configuration is bad). */
function runToExit(env: Record<string, string>): Promise<{
  code: number | null;
  stdout: string;
  stderr: string;
}> {
  const child = spawn(process.execPath, [buildAppOnce()], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

/**
 * An operator's first minutes, against the built service as a process: configuration problems
 * listed at once without a stack trace, secrets read from *_FILE, one start-up line, the route
 * mapping out of the info log, the bootstrap token on its own line, and GET /version.
 */
describe('operators (e2e, the built service as a process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gbp-netpol-operators-'));
  const prefix = `gbp-ops-${randomUUID().slice(0, 8)}`;
  const procs: AppProcess[] = [];
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    buildAppOnce();
  }, 180_000);

  afterAll(async () => {
    for (const p of procs) await p.stop('SIGKILL');
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every configuration problem on stderr, without a stack trace or a secret, and exits 78', async () => {
    const keyFile = join(dir, 'short-key');
    writeFileSync(keyFile, 'key-marker-too-short\n');
    const result = await runToExit({
      PORT: 'eighty',
      ROLE: 'boss',
      LOG_FORMAT: 'xml',
      ENCRYPTION_KEY_FILE: keyFile,
      DATABASE_URL: 'mysql://root:db-marker@db.example/gbp',
      API_TOKENS: 'admin:root:token-marker-0123456789',
      API_TOKENS_FILE: join(dir, 'missing'),
      DATA_DIR: join(dir, 'never'),
    });
    expect(result.code).toBe(78);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('gbp-netpol cannot start: the configuration has 7 problems:');
    expect(lines.slice(1, 8)).toEqual(
      expect.arrayContaining([
        '  - API_TOKENS and API_TOKENS_FILE are both set; set only one of them',
        '  - DATABASE_URL must be a postgres:// or postgresql:// URL',
        '  - ENCRYPTION_KEY (read from ENCRYPTION_KEY_FILE) must be 32 bytes, as base64 (44 characters) or hex (64 characters)',
        '  - LOG_FORMAT must be pretty or json, got "xml"',
        '  - PORT must be an integer between 0 and 65535, got "eighty"',
        '  - ROLE must be api, worker or all, got "boss"',
        expect.stringMatching(/^ {2}- API_TOKENS entry 1 \("admin"\): the role/),
      ]),
    );
    expect(result.stderr).not.toMatch(/^\s+at /m);
    for (const marker of ['key-marker', 'db-marker', 'token-marker'])
      expect(result.stderr).not.toContain(marker);
  });

  it('starts with secrets from files: one JSON start-up line, no route mapping at info, GET /version', async () => {
    const secret = `gbpn_${randomBytes(24).toString('base64url')}`;
    const tokensFile = join(dir, 'api_tokens');
    const keyFile = join(dir, 'encryption_key');
    writeFileSync(tokensFile, `ops-admin:admin:${secret}\n`);
    writeFileSync(keyFile, `${randomBytes(32).toString('base64')}\n`);
    const app = await startAppProcess({
      LOG_FORMAT: 'json',
      DATA_DIR: join(dir, 'json'),
      QUEUE_PREFIX: `${prefix}-json`,
      API_TOKENS_FILE: tokensFile,
      ENCRYPTION_KEY_FILE: keyFile,
    });
    procs.push(app);

    const version = await fetch(`${app.url}/version`);
    expect(version.status).toBe(200);
    expect(await version.json()).toMatchObject({
      name: 'gbp-netpol',
      version: PACKAGE_VERSION,
      node: process.version,
      role: 'all',
      document: {
        contentTypes: ['application/json', 'application/yaml'],
        options: expect.arrayContaining([
          { name: 'egress', default: 'unrestricted', values: ['unrestricted', 'enforce'] },
        ]),
      },
    });
    const tokens = await fetch(`${app.url}/v1/tokens`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(tokens.status).toBe(200);
    // The built service (plain Node ESM, no test transpiler) loads prom-client and yaml.
    const metrics = await fetch(`${app.url}/metrics`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(
      /^gbp_netpol_queue_jobs\{queue="rollout",state="waiting"\} \d+$/m,
    );
    const compiled = await fetch(`${app.url}/v1/compile`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/yaml' },
      body: 'namespaces: [ops]\ncontracts: {}\n',
    });
    expect(compiled.status).toBe(200);

    const records = app
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; msg?: string; startup?: unknown });
    const startup = records.filter((r) => r.startup !== undefined);
    expect(startup).toHaveLength(1);
    expect(startup[0]).toMatchObject({
      level: 30,
      startup: {
        version: PACKAGE_VERSION,
        role: 'all',
        address: app.url.replace('127.0.0.1', '0.0.0.0'),
        database: `PGlite in ${join(dir, 'json')}`,
        redis: '127.0.0.1:6379',
      },
    });
    expect(startup[0].msg).toMatch(/^gbp-netpol \S+ serving on http:\/\/0\.0\.0\.0:\d+ as all/);
    // Nest's wiring (modules, every route) is debug now; LOG_LEVEL is info here.
    expect(app.output()).not.toMatch(/Mapped \{|dependencies initialized/);
    expect(records.every((r) => r.level >= 30)).toBe(true);
    expect(app.output()).not.toContain(secret);
  });

  it('prints the bootstrap admin token on a line of its own, in the pretty format', async () => {
    const app = await startAppProcess({
      LOG_FORMAT: 'pretty',
      DATA_DIR: join(dir, 'pretty'),
      QUEUE_PREFIX: `${prefix}-pretty`,
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    });
    procs.push(app);
    const out = app.output();
    const token = /^ {4}(gbpn_[A-Za-z0-9_-]{43})$/m.exec(out)?.[1];
    expect(token).toBeDefined();
    expect(out).toMatch(/admin token "bootstrap-admin" was created\. Store it now/);
    const tokens = await fetch(`${app.url}/v1/tokens`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(tokens.status).toBe(200);
    expect(out).toMatch(/INFO.*Main: gbp-netpol \S+ serving on http:\/\/0\.0\.0\.0:\d+ as all/);
    expect(out).not.toMatch(/^\{/m); // no JSON line
  });
});
