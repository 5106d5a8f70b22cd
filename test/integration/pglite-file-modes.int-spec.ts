import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/infra/database/database.js';

// Issue 10, section 7: PGlite's files are created 0600 and its folders 0700 (PGlite itself
// writes its initial database 0666 and its folders 0755, whatever the umask).

const mode = (path: string) => statSync(path).mode & 0o777;

/** Every entry under `dir` whose mode is not 0700 (folders) or 0600 (files), as "path mode". */
function notPrivate(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      const expected = entry.isDirectory() ? 0o700 : 0o600;
      if (mode(path) !== expected) out.push(`${relative(dir, path)} ${mode(path).toString(8)}`);
      if (entry.isDirectory()) walk(path);
    }
  };
  walk(dir);
  return out;
}

describe('PGlite file modes', () => {
  const parent = mkdtempSync(join(tmpdir(), 'gbp-netpol-modes-'));
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('creates DATA_DIR and every folder 0700, every file 0600, while open and after close', async () => {
    const previous = process.umask(0o022); // the usual umask, under which PGlite wrote 0666 files
    try {
      const dataDir = join(parent, 'fresh', 'data');
      const db = await openDatabase({ dataDir });
      await db.db.execute(sql`create table scratch (x text)`);
      for (let i = 0; i < 20; i++) await db.db.execute(sql`insert into scratch values (${'x'})`);
      await db.db.execute(sql`checkpoint`);
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(join(dataDir, 'pglite'))).toBe(0o700);
      expect(mode(join(dataDir, 'pglite.lock'))).toBe(0o600);
      expect(readdirSync(join(dataDir, 'pglite')).length).toBeGreaterThan(10);
      expect(notPrivate(dataDir)).toEqual([]);
      await db.close();
      expect(notPrivate(dataDir)).toEqual([]);
    } finally {
      process.umask(previous);
    }
  });

  it('makes an existing database private on open, and leaves a given DATA_DIR as its owner made it', async () => {
    const dataDir = join(parent, 'existing');
    await (await openDatabase({ dataDir })).close();
    // As an earlier version left it.
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'pglite'), 0o755);
    chmodSync(join(dataDir, 'pglite', 'PG_VERSION'), 0o666);
    chmodSync(join(dataDir, 'pglite', 'base'), 0o755);
    const db = await openDatabase({ dataDir });
    expect(mode(dataDir)).toBe(0o755);
    expect(notPrivate(join(dataDir, 'pglite'))).toEqual([]);
    expect(mode(join(dataDir, 'pglite'))).toBe(0o700);
    await db.close();
  });
});
