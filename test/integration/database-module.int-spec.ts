import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { HealthIndicatorFunction } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { loadConfig } from '../../src/config/app-config.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { openDatabase, type DatabaseHandle } from '../../src/infra/database/database.js';
import {
  DATABASE,
  DatabaseModule,
  databaseReadiness,
} from '../../src/infra/database/database.module.js';

describe('DatabaseModule', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'gbp-netpol-dbmodule-'));
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens the database from APP_CONFIG, reports readiness, and closes it with the app', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(loadConfig({ DATA_DIR: dataDir })), DatabaseModule],
    }).compile();
    await moduleRef.init();
    const handle = moduleRef.get<DatabaseHandle>(DATABASE);
    const readiness = databaseReadiness(handle);
    const checks: HealthIndicatorFunction[] = [readiness];
    expect(checks).toHaveLength(1);
    expect(await readiness()).toMatchObject({ database: { status: 'up', driver: 'pglite' } });

    await moduleRef.close();
    expect(await readiness()).toMatchObject({ database: { status: 'down', driver: 'pglite' } });
    expect(existsSync(join(dataDir, 'pglite.lock'))).toBe(false);
  });

  it('reports down when the database does not answer within 2 s', async () => {
    const hanging: DatabaseHandle = {
      db: undefined as never,
      driver: 'postgres',
      ping: () => new Promise(() => {}),
      close: async () => {},
    };
    const started = Date.now();
    const result = await databaseReadiness(hanging)();
    expect(result).toMatchObject({
      database: { status: 'down', driver: 'postgres', message: expect.stringContaining('2000 ms') },
    });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('lets the process exit by itself after app.close() (PGlite does not keep it alive)', async () => {
    // A freshly initialised PGlite does not hold the event loop; one that opens an existing directory does.
    await (await openDatabase({ dataDir })).close();
    const src = join(process.cwd(), 'src');
    const script = `
      import { NestFactory } from '@nestjs/core';
      import { loadConfig } from '${src}/config/app-config.ts';
      import { ConfigModule } from '${src}/config/config.module.ts';
      import { DatabaseModule } from '${src}/infra/database/database.module.ts';
      const app = await NestFactory.createApplicationContext(
        { module: class Root {}, imports: [ConfigModule.forRoot(loadConfig({ DATA_DIR: ${JSON.stringify(dataDir)} })), DatabaseModule] },
        { logger: false },
      );
      await app.close();
      console.log('closed');
    `;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    let closedAt: number | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('closed')) closedAt = Date.now();
    });
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    clearTimeout(killer);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    // An unclosed PGlite holds a timer of its own, for seconds or for good.
    expect(closedAt).toBeDefined();
    expect(Date.now() - closedAt!).toBeLessThan(3_000);
    expect(existsSync(join(dataDir, 'pglite.lock'))).toBe(false);
  });
});
