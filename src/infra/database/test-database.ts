import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  openDatabase,
  type DatabaseDriver,
  type DatabaseHandle,
  type DatabaseOptions,
} from './database.js';

export interface TestDatabase extends DatabaseHandle {
  /** What opened it; pass to `openDatabase` to open the same database again. */
  options: DatabaseOptions;
  /** Closes the handle and removes the database (PostgreSQL) or its directory (PGlite). */
  dispose(): Promise<void>;
}

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A fresh, migrated, throw-away database: a new uniquely named PostgreSQL database (admin URL from
 * TEST_DATABASE_ADMIN_URL) or PGlite in a new temporary directory.
 */
export async function createTestDatabase(kind: DatabaseDriver): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'gbp-netpol-pglite-'));
    return open({ dataDir }, async () => rmSync(dataDir, { recursive: true, force: true }));
  }
  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL || DEFAULT_ADMIN_URL;
  const name = `gbp_netpol_test_${randomUUID().replaceAll('-', '')}`;
  await admin(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return open({ databaseUrl: url.toString(), dataDir: tmpdir() }, () =>
    admin(adminUrl, `drop database if exists ${name} with (force)`),
  );
}

async function open(options: DatabaseOptions, remove: () => Promise<void>): Promise<TestDatabase> {
  let handle: DatabaseHandle;
  try {
    handle = await openDatabase(options);
  } catch (err) {
    await remove();
    throw err;
  }
  return {
    ...handle,
    options,
    dispose: async () => {
      try {
        await handle.close();
      } finally {
        await remove();
      }
    },
  };
}

async function admin(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
