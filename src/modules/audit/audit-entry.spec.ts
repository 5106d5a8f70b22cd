import { auditEntry, auditResult, auditTarget } from './audit-entry.js';

describe('audit entries', () => {
  it('classifies results', () => {
    expect([200, 201, 202, 204, 304].map(auditResult)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect([401, 403, 429].map(auditResult)).toEqual(['denied', 'denied', 'denied']);
    expect([400, 404, 409, 422, 499, 500, 503].map(auditResult)).toEqual(Array(7).fill('error'));
  });

  it('takes :name, else :id, else the last parameter as target', () => {
    expect(auditTarget({ name: 'payments', id: '7' })).toBe('payments');
    expect(auditTarget({ id: '7' })).toBe('7');
    expect(auditTarget({ cluster: 'eu', revision: '3' })).toBe('3');
    expect(auditTarget({})).toBeNull();
    // Made safe to store: PostgreSQL refuses NUL in text, which lost the whole row.
    expect(auditTarget({ name: 'evil\u0000name\u001b[31m' })).toBe('evil\\u0000name\\u001b[31m');
    expect(auditTarget({ name: '\u0000'.repeat(300) })).toHaveLength(200);
    expect(auditTarget(undefined)).toBeNull();
  });

  it('uses the route pattern, or the bare path (no query) when no route matched', () => {
    expect(
      auditEntry(
        { method: 'PUT', originalUrl: '/v1/policies/p1?dryRun=true', params: { name: 'p1' } },
        '/v1/policies/:name',
        200,
        'ci',
      ),
    ).toEqual({
      tokenName: 'ci',
      method: 'PUT',
      route: '/v1/policies/:name',
      target: 'p1',
      status: 200,
      result: 'ok',
    });
    expect(
      auditEntry(
        { method: 'POST', originalUrl: '/v1/nothing-here?secret=1', params: { path: 'x' } },
        undefined,
        404,
        undefined,
      ),
    ).toEqual({
      tokenName: null,
      method: 'POST',
      route: '/v1/nothing-here',
      target: null,
      status: 404,
      result: 'error',
    });
    expect(
      auditEntry(
        { method: 'POST', originalUrl: `/v1/${'x'.repeat(500)}` },
        undefined,
        404,
        undefined,
      ).route,
    ).toHaveLength(200);
  });
});
