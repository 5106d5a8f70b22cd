import { DrizzleQueryError } from 'drizzle-orm';
import { DatabaseUnavailableError, pgErrorCode } from './database.js';
import { DatabaseQueryError, MapsDatabaseErrors, toDatabaseError } from './database-errors.js';

describe('toDatabaseError', () => {
  it('drops the query and its parameters from a failed query, keeping the SQLSTATE', () => {
    const cause = Object.assign(new Error('duplicate key'), { code: '23505' });
    const err = new DrizzleQueryError('insert into api_tokens ...', ['ci', 'sha256:abc'], cause);
    const safe = toDatabaseError('Storing the token', err) as Error;
    expect(safe).toBeInstanceOf(DatabaseQueryError);
    expect(safe.message).toBe('Storing the token failed (SQLSTATE 23505)');
    expect(String(safe.stack)).not.toContain('sha256:abc');
    expect(safe.cause).toBeUndefined();
    expect(pgErrorCode(safe)).toBe('23505');
  });

  it('turns an unreachable database into DatabaseUnavailableError', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    expect(toDatabaseError('x', err)).toBeInstanceOf(DatabaseUnavailableError);
  });

  it('keeps other errors', () => {
    const err = new Error('not a database error');
    expect(toDatabaseError('x', err)).toBe(err);
  });
});

describe('MapsDatabaseErrors', () => {
  @MapsDatabaseErrors()
  class Repo {
    readonly name = 'repo';
    async failsWithQuery(): Promise<void> {
      throw new DrizzleQueryError('select secret', ['hunter2'], new Error('boom'));
    }
    async failsOtherwise(): Promise<void> {
      throw new RangeError('mine');
    }
    syncValue(): string {
      return this.name;
    }
  }

  it('maps the rejections of every method and keeps other errors and results', async () => {
    const repo = new Repo();
    const err = (await repo.failsWithQuery().catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(DatabaseQueryError);
    expect(err.message).toBe('Repo.failsWithQuery failed (SQLSTATE unknown)');
    expect(JSON.stringify(err) + String(err.stack)).not.toContain('hunter2');
    await expect(repo.failsOtherwise()).rejects.toBeInstanceOf(RangeError);
    expect(repo.syncValue()).toBe('repo');
  });
});
