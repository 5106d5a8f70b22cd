import { randomUUID } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from './schema.js';

/**
 * The database as repositories see it, whichever driver is underneath. A transaction (`tx`)
 * is one too, so a repository function that takes a `Database` also runs inside a transaction.
 */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export type DatabaseDriver = 'postgres' | 'pglite';

export interface DatabaseOptions {
  /** PostgreSQL URL; when absent, embedded PGlite persisted in `<dataDir>/pglite` is used. */
  databaseUrl?: string;
  dataDir: string;
}

export interface DatabaseHandle {
  db: Database;
  driver: DatabaseDriver;
  /** Runs `select 1`; rejects when the database does not answer. */
  ping(): Promise<void>;
  /** Ends the pool or closes PGlite (which otherwise keeps Node alive). Idempotent. */
  close(): Promise<void>;
}

/** Next to this module in `src/` and, copied by nest-cli, in `dist/`. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

/**
 * Opens the database and brings its schema up to date.
 *
 * With `databaseUrl`, any number of processes may share the PostgreSQL database: migrations run
 * under an advisory lock. Without it, PGlite in `<dataDir>/pglite` serves ONE process only;
 * a second opener (in this or another process) fails. Use PostgreSQL to scale out.
 */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openPglite(options.dataDir);
}

/**
 * The SQLSTATE of a failed query (e.g. '23505' unique violation), whichever driver threw it.
 * Drizzle wraps driver errors in a DrizzleQueryError whose `cause` carries the code.
 */
export function pgErrorCode(err: unknown): string | undefined {
  let e = err;
  for (let depth = 0; e instanceof Object && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && /\d/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function handle(
  db: Database,
  driver: DatabaseDriver,
  closeClient: () => Promise<void>,
): DatabaseHandle {
  let closing: Promise<void> | undefined;
  return {
    db,
    driver,
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => (closing ??= closeClient()),
  };
}

async function openPostgres(url: string): Promise<DatabaseHandle> {
  const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 10_000 });
  // An idle client lost its connection: the pool drops it and the next query reconnects.
  // Without a listener the 'error' event would crash the process.
  pool.on('error', () => {});
  try {
    await migratePostgres(pool);
  } catch (err) {
    await pool.end();
    throw err;
  }
  return handle(drizzleNodePg({ client: pool, schema }), 'postgres', () => pool.end());
}

const MIGRATION_LOCK = `hashtextextended('gbp-netpol:migrations', 0)`;

async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    // Session-level lock on this one connection: concurrent starts migrate one after another.
    await client.query(`select pg_advisory_lock(${MIGRATION_LOCK})`);
    await migrateNodePg(drizzleNodePg({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
    await client.query(`select pg_advisory_unlock(${MIGRATION_LOCK})`);
    client.release();
  } catch (err) {
    // Destroying the connection also drops the lock.
    client.release(err instanceof Error ? err : true);
    throw err;
  }
}

/** The database's own files: readable and writable by the service's user only. */
const PRIVATE_FILE = 0o600;
const PRIVATE_DIR = 0o700;

/**
 * Gives every folder under `dir` (and itself) mode 0700 and every file 0600. PGlite writes the
 * files of its initial database with mode 0666 whatever the umask, and its folders 0755.
 */
function makePrivate(dir: string): void {
  chmodSync(dir, PRIVATE_DIR);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = resolve(dir, entry.name);
    if (entry.isDirectory()) makePrivate(path);
    else if (entry.isFile()) chmodSync(path, PRIVATE_FILE);
  }
}

async function openPglite(dataDir: string): Promise<DatabaseHandle> {
  // A DATA_DIR we create is private; one given that exists keeps the mode its owner chose.
  if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR });
  const dir = resolve(dataDir, 'pglite');
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  makePrivate(dir);
  const unlock = lockDataDir(`${dir}.lock`);
  let client: PGlite | undefined;
  try {
    client = await PGlite.create(dir);
    const db = drizzlePglite({ client, schema });
    await migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER });
    makePrivate(dir);
    const opened = client;
    return handle(db, 'pglite', async () => {
      try {
        await opened.close();
        makePrivate(dir);
      } finally {
        unlock();
      }
    });
  } catch (err) {
    await client?.close();
    unlock();
    throw err;
  }
}

// PGlite has no lock of its own: two instances on one directory both "work" and corrupt it.
// The lock file names its holder; the holder refreshes its mtime, so that a holder on another
// host (shared volume) counts as gone once the file is older than LOCK_STALE_MS.
const LOCK_REFRESH_MS = 10_000;
const LOCK_STALE_MS = 30_000;
const HELD = Symbol.for('gbp-netpol.pglite-locks');

interface LockHolder {
  pid: number;
  hostname: string;
}

/** Lock files held by this process; on globalThis because test runners may load this module more than once. */
function heldLocks(): Set<string> {
  const g = globalThis as typeof globalThis & { [HELD]?: Set<string> };
  return (g[HELD] ??= new Set());
}

function lockDataDir(file: string): () => void {
  const me: LockHolder = { pid: process.pid, hostname: hostname() };
  for (let attempt = 0; attempt < 2; attempt++) {
    const tmp = `${file}.${randomUUID()}`;
    writeFileSync(tmp, JSON.stringify(me), { mode: PRIVATE_FILE });
    try {
      linkSync(tmp, file); // atomic: fails when the file exists, and never exposes a half-written one
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = lockHolderIfAlive(file);
      if (holder) {
        throw new Error(
          `The PGlite data directory ${file.replace(/\.lock$/, '')} is in use by process ${holder.pid} on ${holder.hostname}. ` +
            'Embedded PGlite (DATA_DIR without DATABASE_URL) serves a single process; set DATABASE_URL to PostgreSQL to run several. ' +
            `If no other process uses it, delete ${file}.`,
        );
      }
      rmSync(file, { force: true });
      continue;
    } finally {
      rmSync(tmp, { force: true });
    }
    heldLocks().add(file);
    const refresh = setInterval(() => {
      const now = new Date();
      try {
        utimesSync(file, now, now);
      } catch {
        // the next tick tries again; a missing file only weakens the protection
      }
    }, LOCK_REFRESH_MS).unref();
    return () => {
      clearInterval(refresh);
      heldLocks().delete(file);
      rmSync(file, { force: true });
    };
  }
  throw new Error(`Could not take the PGlite lock ${file}: another process raced for it.`);
}

/** The holder of an existing lock file, or undefined when that holder is gone (a stale lock). */
function lockHolderIfAlive(file: string): LockHolder | undefined {
  let holder: LockHolder;
  let mtimeMs: number;
  try {
    holder = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
  if (holder.hostname !== hostname()) {
    return Date.now() - mtimeMs < LOCK_STALE_MS ? holder : undefined;
  }
  // The same pid is us, or an earlier life of a container whose main process always gets the same pid.
  if (holder.pid === process.pid) return heldLocks().has(file) ? holder : undefined;
  try {
    process.kill(holder.pid, 0);
    return holder;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? holder : undefined;
  }
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);
const UNAVAILABLE_MESSAGE =
  /connection terminated|connection timeout|connection error|not queryable|cannot use a pool after calling end/i;

/**
 * True when an error (or one of its causes) says the database could not be reached, as
 * opposed to a query that failed. The API answers those with 503 instead of 500.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  let e = err;
  for (let depth = 0; e instanceof Object && depth < 6; depth++) {
    if (e instanceof DatabaseUnavailableError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08')))
      return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && !('params' in e) && UNAVAILABLE_MESSAGE.test(message))
      return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** The database could not be reached; carries no query text or parameters. */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';

  constructor() {
    super('the database is unavailable');
  }
}
