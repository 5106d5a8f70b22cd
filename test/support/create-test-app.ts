import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module.js';
import { configureApp } from '../../src/app.setup.js';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';

/** The real application module over HTTP, with configuration from `env` (plus quiet logs). */
export async function createTestApp(env: Record<string, string | undefined> = {}): Promise<{ app: INestApplication; config: AppConfig }> {
  const config = loadConfig({ LOG_LEVEL: 'silent', ...env });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, bufferLogs: true });
  configureApp(app, config);
  await app.init();
  return { app, config };
}
