import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../src/app.module.js';
import { configureApp } from '../../src/app.setup.js';
import { loadConfig } from '../../src/config/app-config.js';
import { AuthModule } from '../../src/modules/auth/auth.module.js';

const ADMIN = 'log-test-admin-secret-0123456789';

/**
 * The request log (pino-http at LOG_LEVEL=debug) of authenticated, rejected and token-creating
 * requests never shows a secret. pino writes with fs.writeSync to stdout, which is spied on.
 */
describe('secrets in logs (e2e)', () => {
  it('never writes a token to the log', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gbp-netpol-auth-logs-'));
    const written: string[] = [];
    const isStd = (fd: unknown) => fd === 1 || fd === 2;
    const size = (data: unknown) =>
      typeof data === 'string' ? Buffer.byteLength(data) : (data as Buffer).length;
    const originalSync = fs.writeSync;
    const originalWrite = fs.write;
    // sonic-boom (pino's stdout) writes with fs.write, or fs.writeSync when synchronous.
    const spies = [
      vi.spyOn(fs, 'writeSync').mockImplementation(((
        fd: number,
        data: unknown,
        ...rest: unknown[]
      ) => {
        if (!isStd(fd)) return (originalSync as (...args: unknown[]) => number)(fd, data, ...rest);
        written.push(String(data));
        return size(data);
      }) as typeof fs.writeSync),
      vi.spyOn(fs, 'write').mockImplementation(((fd: number, data: unknown, ...rest: unknown[]) => {
        if (!isStd(fd)) return (originalWrite as (...args: unknown[]) => void)(fd, data, ...rest);
        written.push(String(data));
        const callback = rest.at(-1) as (err: null, n: number) => void;
        process.nextTick(() => callback(null, size(data)));
      }) as typeof fs.write),
    ];
    const config = loadConfig({
      LOG_LEVEL: 'debug',
      DATA_DIR: dataDir,
      QUEUE_PREFIX: `gbp-test-${randomUUID().slice(0, 8)}`,
      ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
      API_TOKENS: `admin:admin:${ADMIN}`,
    });
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule.forRoot(config), AuthModule],
    }).compile();
    const app = moduleRef.createNestApplication({ bodyParser: false, bufferLogs: true });
    configureApp(app, config);
    await app.init();
    try {
      const http = () => request(app.getHttpServer());
      const created = await http()
        .post('/v1/tokens')
        .set('Authorization', `Bearer ${ADMIN}`)
        .set('Idempotency-Key', 'log-test')
        .send({ name: 'logged', role: 'writer' })
        .expect(201);
      const token: string = created.body.token;
      await http()
        .post('/v1/tokens')
        .set('Authorization', `Bearer ${ADMIN}`)
        .set('Idempotency-Key', 'log-test')
        .send({ name: 'logged', role: 'writer' })
        .expect(201);
      await http().get('/v1/tokens').set('Authorization', `Bearer ${token}`).expect(403);
      await http().get('/v1/tokens').set('Authorization', `Bearer ${token}x`).expect(401);
      await http().delete('/v1/tokens/logged').set('Authorization', `Bearer ${ADMIN}`).expect(204);
      const log = written.join('');
      expect(log).toMatch(/"url":"\/v1\/tokens"/); // the request log was captured
      expect(log).not.toContain(ADMIN);
      expect(log).not.toContain(token);
      expect(log).not.toContain(token.slice(5)); // not even without its prefix
    } finally {
      await app.close();
      for (const spy of spies) spy.mockRestore();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
