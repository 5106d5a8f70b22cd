import { ProblemException } from '../../common/problem.exception.js';
import { parseIdempotencyKey, requestFingerprint } from './idempotency-key.js';

describe('Idempotency-Key helpers', () => {
  it('accepts 1-200 printable ASCII characters', () => {
    expect(parseIdempotencyKey('a')).toBe('a');
    expect(parseIdempotencyKey('9f1c2 ~!"#')).toBe('9f1c2 ~!"#');
    expect(parseIdempotencyKey('x'.repeat(200))).toHaveLength(200);
    for (const bad of ['', 'x'.repeat(201), 'tab\there', 'é']) {
      expect(() => parseIdempotencyKey(bad)).toThrow(ProblemException);
    }
  });

  it('fingerprints method, path and body, ignoring key order', () => {
    const a = requestFingerprint('POST', '/v1/tokens', { name: 'a', role: 'reader' });
    expect(requestFingerprint('post', '/v1/tokens', { role: 'reader', name: 'a' })).toBe(a);
    expect(requestFingerprint('POST', '/v1/tokens', { name: 'b', role: 'reader' })).not.toBe(a);
    expect(requestFingerprint('POST', '/v1/tokens?x=1', { name: 'a', role: 'reader' })).not.toBe(a);
    expect(requestFingerprint('PUT', '/v1/tokens', { name: 'a', role: 'reader' })).not.toBe(a);
    expect(requestFingerprint('POST', '/v1/x', undefined)).toBe(
      requestFingerprint('POST', '/v1/x', null),
    );
  });
});
