import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request, { type Agent } from 'supertest';
import { AppModule } from '../../src/app.module.js';
import { createApiClient, type ApiClient } from '../../src/client/api-client.js';
import { configureApp } from '../../src/app.setup.js';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';

/** The admin token every test app accepts (never used outside tests). */
export const TEST_ADMIN_TOKEN = 'gbpn_test-admin-token-for-e2e-only-0000';

/** An Authorization header with the test admin token, or another token. */
export const auth = (token = TEST_ADMIN_TOKEN) => ({ Authorization: `Bearer ${token}` });

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  /** A supertest agent that sends the admin token with every request. */
  http(): Agent;
  /**
   * The typed client (src/client) on the app, listening on a loopback port from the first call:
   * the admin token unless another is given (`token: null` sends none).
   */
  client(options?: { token?: string | null; fetch?: typeof globalThis.fetch }): Promise<ApiClient>;
  /** Closes the app (database, Redis, workers) and removes its data directory. */
  close(): Promise<void>;
}

/**
 * The real application module over HTTP. Each app gets its own PGlite data directory (unless
 * `env.DATABASE_URL` is given) and its own BullMQ key prefix, so test files run in parallel
 * on the machine's Redis without seeing each other's jobs.
 */
export async function createTestApp(
  env: Record<string, string | undefined> = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gbp-netpol-test-'));
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    QUEUE_PREFIX: `gbp-test-${randomUUID().slice(0, 8)}`,
    ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
    API_TOKENS: `test-admin:admin:${TEST_ADMIN_TOKEN}`,
    RATE_LIMIT_PER_MINUTE: '1000000',
    // An explicit undefined must not unset a default above (DATA_DIR would become ./data).
    ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)),
  });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config)],
  }).compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, bufferLogs: true });
  configureApp(app, config);
  await app.init();
  let baseUrl: Promise<string> | undefined;
  return {
    app,
    config,
    http: () => request.agent(app.getHttpServer()).set(auth()),
    client: async ({ token, fetch } = {}) => {
      baseUrl ??= app.listen(0, '127.0.0.1').then(() => app.getUrl());
      return createApiClient({
        baseUrl: await baseUrl,
        ...(token !== null ? { token: token ?? TEST_ADMIN_TOKEN } : {}),
        ...(fetch ? { fetch } : {}),
      });
    },
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
