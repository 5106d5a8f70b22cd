import { readFileSync } from 'node:fs';
import { ComputeBusyError, ComputePool } from './compute-pool.js';

const example: unknown = JSON.parse(
  readFileSync(
    new URL('../../core/compiler/golden/example.document.json', import.meta.url),
    'utf8',
  ),
);

describe('ComputePool', () => {
  it('runs a task in a thread and answers with its result', async () => {
    const pool = new ComputePool({ threads: 1, budgetMs: 60_000, maxQueued: 4 });
    try {
      const r = await pool.run('compile', { document: example, options: {} });
      expect(r.ok && r.objects.map((o) => o.metadata.name)).toEqual([
        'hangwe-inst-network01',
        'hangwe-inst-network02',
        'hangwe-inst-network03',
      ]);
      const invalid = await pool.run('compile', { document: { namespaces: 'x' }, options: {} });
      expect(invalid).toMatchObject({ ok: false, reason: 'invalid' });
    } finally {
      await pool.close();
    }
  });

  it('stops a task past its budget, and keeps serving with a fresh thread', async () => {
    const pool = new ComputePool({ threads: 1, budgetMs: 60_000, maxQueued: 4 });
    try {
      // The budget starts when the task is handed to a thread; a new thread alone takes longer.
      await expect(
        pool.run('compile', { document: example, options: {} }, { budgetMs: 1 }),
      ).rejects.toMatchObject({ name: 'ComputeBudgetError', budgetMs: 1 });
      await expect(pool.run('compile', { document: example, options: {} })).resolves.toMatchObject({
        ok: true,
      });
    } finally {
      await pool.close();
    }
  });

  it('refuses work beyond its queue instead of holding it without bound', async () => {
    const pool = new ComputePool({ threads: 1, budgetMs: 60_000, maxQueued: 1 });
    try {
      const first = pool.run('compile', { document: example, options: {} });
      const second = pool.run('compile', { document: example, options: {} });
      await expect(pool.run('compile', { document: example, options: {} })).rejects.toBeInstanceOf(
        ComputeBusyError,
      );
      await expect(Promise.all([first, second])).resolves.toHaveLength(2);
    } finally {
      await pool.close();
    }
  });
});
