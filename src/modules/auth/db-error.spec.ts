import { DrizzleQueryError } from 'drizzle-orm';
import { withoutQueryParams } from './db-error.js';

describe('withoutQueryParams', () => {
  it('drops the query and its parameters from a failed query, keeping the SQLSTATE', () => {
    const cause = Object.assign(new Error('duplicate key'), { code: '23505' });
    const err = new DrizzleQueryError('insert into api_tokens ...', ['ci', 'sha256:abc'], cause);
    const safe = withoutQueryParams('Storing the token', err) as Error;
    expect(safe.message).toBe('Storing the token failed (SQLSTATE 23505)');
    expect(String(safe.stack)).not.toContain('sha256:abc');
    expect(safe.cause).toBeUndefined();
  });

  it('keeps other errors', () => {
    const err = new Error('connect ECONNREFUSED');
    expect(withoutQueryParams('x', err)).toBe(err);
  });
});
