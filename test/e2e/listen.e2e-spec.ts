import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { generateClusterPki } from '../harness/cluster-pki.js';
import { freePort } from '../harness/free-port.js';
import { buildAppOnce } from '../support/app-process.js';

// Issue 10, section 7: HOST sets the listen address; TLS_CERT_FILE and TLS_KEY_FILE make the
// service speak HTTPS (with a certificate generated here), and bad TLS settings stop the start.

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, options: { ca?: string; token?: string } = {}): Promise<Answer> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        ca: options.ca,
        headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
        timeout: 5000,
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as NodeJS.ErrnoException,
  );

interface Service {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

describe('HOST and TLS for the service (built service as processes)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gbp-netpol-listen-'));
  const prefix = `gbp-listen-${randomUUID().slice(0, 8)}`;
  const token = `gbpn_${randomBytes(24).toString('base64url')}`;
  const pki = generateClusterPki('gbp-netpol-service');
  const other = generateClusterPki('another');
  const files = {
    cert: join(dir, 'tls.crt'),
    key: join(dir, 'tls.key'),
    otherKey: join(dir, 'other.key'),
  };
  writeFileSync(files.cert, pki.servingCertPem);
  writeFileSync(files.key, pki.servingKeyPem, { mode: 0o600 });
  writeFileSync(files.otherKey, other.servingKeyPem, { mode: 0o600 });
  const services: Service[] = [];

  function startService(env: Record<string, string>): Service {
    const main = buildAppOnce();
    let out = '';
    const child = spawn(process.execPath, [main], {
      env: {
        PATH: process.env.PATH ?? '',
        LOG_LEVEL: 'info',
        DATA_DIR: mkdtempSync(join(dir, 'data-')),
        // One installation (DATA_DIR) each, so one prefix each.
        QUEUE_PREFIX: `${prefix}-${services.length}`,
        ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        API_TOKENS: `listen-admin:admin:${token}`,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    const service = { child, output: () => out, exited };
    services.push(service);
    return service;
  }

  async function ready(service: Service, url: string, ca?: string): Promise<void> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (service.child.exitCode !== null)
        throw new Error(`the service exited:\n${service.output().slice(-2000)}`);
      const answer = await get(`${url}/healthz`, { ca }).catch(() => undefined);
      if (answer?.status === 200) return;
      if (Date.now() > deadline) throw new Error(`no answer at ${url}/healthz within 90 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  afterAll(async () => {
    for (const s of services) {
      if (s.child.exitCode === null) s.child.kill('SIGKILL');
      await s.exited;
    }
    const redis = new Redis('redis://127.0.0.1:6379');
    const keys = await redis.keys(`${prefix}-*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  });

  it('speaks HTTPS with TLS_CERT_FILE and TLS_KEY_FILE, and plain HTTP no more', async () => {
    const port = await freePort();
    const service = startService({
      PORT: String(port),
      HOST: '127.0.0.1',
      TLS_CERT_FILE: files.cert,
      TLS_KEY_FILE: files.key,
    });
    const url = `https://127.0.0.1:${port}`;
    await ready(service, url, pki.caCertPem);
    // The certificate is ours: verified against the CA that issued it.
    const list = await get(`${url}/v1/clusters`, { ca: pki.caCertPem, token });
    expect(list.status).toBe(200);
    expect(JSON.parse(list.body)).toEqual({ items: [] });
    expect(list.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(list.headers['cache-control']).toBe('no-store');
    // Without the CA the certificate is not trusted; plain HTTP gets no answer.
    expect(await failureOf(get(`${url}/healthz`))).toMatchObject({
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    const plain = await get(`http://127.0.0.1:${port}/healthz`).catch((e: unknown) => e);
    expect(plain).not.toMatchObject({ status: 200 });
  }, 180_000);

  it('listens on HOST only', async () => {
    const port = await freePort();
    // 127.0.0.2 is loopback too on Linux, but another address than 127.0.0.1.
    const service = startService({ PORT: String(port), HOST: '127.0.0.2' });
    await ready(service, `http://127.0.0.2:${port}`);
    expect((await get(`http://127.0.0.2:${port}/healthz`)).status).toBe(200);
    expect(await failureOf(get(`http://127.0.0.1:${port}/healthz`))).toMatchObject({
      code: 'ECONNREFUSED',
    });
  }, 180_000);

  it.each([
    [
      'only TLS_CERT_FILE',
      () => ({ TLS_CERT_FILE: files.cert }),
      'TLS_CERT_FILE and TLS_KEY_FILE must be set together',
    ],
    [
      'a key file that does not exist',
      () => ({ TLS_CERT_FILE: files.cert, TLS_KEY_FILE: join(dir, 'missing.key') }),
      `TLS_KEY_FILE ${join(dir, 'missing.key')} cannot be read (ENOENT)`,
    ],
    [
      'a key that is not the certificate’s',
      () => ({ TLS_CERT_FILE: files.cert, TLS_KEY_FILE: files.otherKey }),
      'TLS_CERT_FILE and TLS_KEY_FILE are not a usable certificate and key',
    ],
  ])(
    'refuses to start with %s',
    async (_name, env, message) => {
      const service = startService({ PORT: String(await freePort()), ...env() });
      expect(await service.exited).not.toBe(0);
      expect(service.output()).toContain(message);
      expect(service.output()).not.toContain('PRIVATE KEY');
    },
    180_000,
  );
});
