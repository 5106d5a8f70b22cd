import { isApiPath, requiredRole } from './route-policy.js';
import { maxRole, roleAtLeast, roleRank } from './roles.js';

describe('roles', () => {
  it('orders reader < writer < admin', () => {
    expect(['reader', 'writer', 'admin'].map((r) => roleRank(r as 'reader'))).toEqual([0, 1, 2]);
    expect(roleAtLeast('admin', 'writer')).toBe(true);
    expect(roleAtLeast('writer', 'writer')).toBe(true);
    expect(roleAtLeast('writer', 'admin')).toBe(false);
    expect(roleAtLeast('reader', 'writer')).toBe(false);
    expect(maxRole('reader', 'admin')).toBe('admin');
    expect(maxRole('writer', 'reader')).toBe('writer');
  });
});

describe('requiredRole', () => {
  it('applies the default rule: reads need reader, writes need writer', () => {
    expect(requiredRole('GET', '/v1/policies/:name')).toBe('reader');
    expect(requiredRole('HEAD', '/v1/policies')).toBe('reader');
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE'])
      expect(requiredRole(m, '/v1/policies/:name')).toBe('writer');
  });

  it('uses the declared requirement, whole or per kind of method', () => {
    expect(requiredRole('GET', '/v1/x', 'admin')).toBe('admin');
    expect(requiredRole('GET', '/v1/x', { write: 'admin' })).toBe('reader');
    expect(requiredRole('PUT', '/v1/x', { write: 'admin' })).toBe('admin');
    expect(requiredRole('GET', '/v1/x', { read: 'writer' })).toBe('writer');
  });

  it('enforces the fixed minimums whatever is declared', () => {
    expect(requiredRole('GET', '/v1/tokens')).toBe('admin');
    expect(requiredRole('DELETE', '/v1/tokens/:name', 'reader')).toBe('admin');
    expect(requiredRole('GET', '/v1/audit')).toBe('admin');
    expect(requiredRole('GET', '/v1/clusters/:name')).toBe('reader');
    expect(requiredRole('POST', '/v1/clusters')).toBe('admin');
    expect(requiredRole('PATCH', '/v1/clusters/:name', 'writer')).toBe('admin');
    expect(requiredRole('POST', '/v1/clusters-report')).toBe('writer'); // a prefix of a segment is not the route
  });

  it('knows the API paths', () => {
    expect(isApiPath('/v1')).toBe(true);
    expect(isApiPath('/v1/tokens')).toBe(true);
    expect(isApiPath('/v10/tokens')).toBe(false);
    expect(isApiPath('/healthz')).toBe(false);
  });
});
