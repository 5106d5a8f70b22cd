import { httpProblem } from '../../common/http-problems.js';
import { KubeApiError } from '../../infra/kube/index.js';
import {
  classifyConnectionError,
  concernsConnection,
  safeErrorMessage,
} from './connection-state.js';

const apiError = (kind: KubeApiError['kind'], status?: number) =>
  new KubeApiError(`get /version on https://k failed: HTTP ${status}`, status, undefined, kind);

describe('classifyConnectionError', () => {
  it('is Unauthorized for rejected credentials and Unreachable for anything else', () => {
    expect(classifyConnectionError(apiError('unauthorized', 401)).state).toBe('Unauthorized');
    expect(classifyConnectionError(apiError('forbidden', 403)).state).toBe('Unauthorized');
    expect(classifyConnectionError(apiError('unreachable')).state).toBe('Unreachable');
    expect(classifyConnectionError(apiError('other', 503)).state).toBe('Unreachable');
    expect(classifyConnectionError(new TypeError('boom')).state).toBe('Unreachable');
    expect(
      classifyConnectionError(
        new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      ),
    ).toEqual({
      state: 'Unreachable',
      message: 'the API server did not answer in time',
    });
  });
});

describe('safeErrorMessage', () => {
  it('scrubs the given secrets, tokens and PEM blocks', () => {
    const text = safeErrorMessage(
      new Error(
        // A fake PEM marker, split so that secret scanners do not take it for a key.
        'failed with my-secret-token and Bearer abc.def and -----BEGIN RSA PRIVATE ' +
          'KEY-----\nxx\n-----END RSA PRIVATE ' +
          'KEY-----',
      ),
      ['my-secret-token'],
    );
    expect(text).not.toContain('my-secret-token');
    expect(text).not.toContain('abc.def');
    expect(text).not.toContain('xx');
    expect(safeErrorMessage('x'.repeat(5000)).length).toBeLessThanOrEqual(1001);
    expect(safeErrorMessage(42)).toBe('unknown error');
    expect(safeErrorMessage(httpProblem('CLUSTER_NOT_FOUND', { name: 'a' }))).toBe(
      'No cluster named "a" is registered.',
    );
  });
});

describe('concernsConnection', () => {
  it('ignores answers about the request itself', () => {
    expect(concernsConnection(apiError('invalid', 422))).toBe(false);
    expect(concernsConnection(apiError('conflict', 409))).toBe(false);
    expect(concernsConnection(apiError('notFound', 404))).toBe(false);
    expect(concernsConnection(apiError('forbidden', 403))).toBe(true);
    expect(concernsConnection(new Error('socket hang up'))).toBe(true);
  });
});
