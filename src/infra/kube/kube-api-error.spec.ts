import { ApiException, FetchError } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  KubeApiError,
  kindForStatus,
  redact,
  timeoutError,
  toKubeApiError,
} from './kube-api-error.js';
import { KubeTransportError, NOT_KUBERNETES_MESSAGE } from './kube-transport.js';

const ctx = { operation: 'apply NetworkPolicy a/b', server: 'https://127.0.0.1:6443' };

// A Status body exactly as kube-apiserver sends it for an invalid ipBlock.
const invalidStatus = JSON.stringify({
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  message:
    'NetworkPolicy.networking.k8s.io "b" is invalid: spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "192.168.0.0/24": must be a strict subset of `cidr`',
  reason: 'Invalid',
  details: {
    name: 'b',
    group: 'networking.k8s.io',
    kind: 'NetworkPolicy',
    causes: [
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "192.168.0.0/24": must be a strict subset of `cidr`',
        field: 'spec.ingress[0].from[0].ipBlock.except[0]',
      },
    ],
  },
  code: 422,
});

describe('toKubeApiError', () => {
  it('turns a 422 Status into kind invalid with the field in the message', () => {
    const error = toKubeApiError(
      new ApiException(422, 'Unknown API Status Code!', invalidStatus, {}),
      ctx,
    );
    expect(error).toBeInstanceOf(KubeApiError);
    const e = error as KubeApiError;
    expect(e).toMatchObject({ status: 422, reason: 'Invalid', kind: 'invalid', retryable: false });
    expect(e.message).toContain(
      'apply NetworkPolicy a/b on https://127.0.0.1:6443 failed: HTTP 422 Invalid',
    );
    expect(e.message).toContain('spec.ingress[0].from[0].ipBlock.except[0]');
    expect(e.causes[0]?.field).toBe('spec.ingress[0].from[0].ipBlock.except[0]');
  });

  it('keeps the Retry-After of a 429 from API Priority and Fairness', () => {
    const body = JSON.stringify({ message: 'too many requests', reason: 'TooManyRequests' });
    const e = toKubeApiError(
      new ApiException(429, 'x', body, { 'retry-after': '3' }),
      ctx,
    ) as KubeApiError;
    expect(e).toMatchObject({ status: 429, retryable: true, retryAfterSeconds: 3 });
    const none = toKubeApiError(new ApiException(429, 'x', body, {}), ctx) as KubeApiError;
    expect(none.retryAfterSeconds).toBeUndefined();
  });

  it('appends causes the Status message does not mention', () => {
    const body = JSON.stringify({
      message: 'is invalid',
      reason: 'Invalid',
      details: { causes: [{ field: 'spec.x', message: 'bad' }] },
    });
    const e = toKubeApiError(new ApiException(422, 'x', body, {}), ctx) as KubeApiError;
    expect(e.message).toMatch(/is invalid \(spec\.x: bad\)$/);
  });

  it('maps 401 (which client-node reports without a body) to unauthorized', () => {
    const e = toKubeApiError(
      new ApiException(401, 'Unauthorized', undefined, {}),
      ctx,
    ) as KubeApiError;
    expect(e).toMatchObject({ status: 401, reason: 'Unauthorized', kind: 'unauthorized' });
    expect(e.message).toContain('rejected the credentials');
  });

  it('never copies a body that is not a Kubernetes Status: HTTP 503 (not a Kubernetes API server)', () => {
    for (const [code, body] of [
      [503, 'upstream connect error'],
      [404, '<html><body>secret-page-marker</body></html>'],
      [200, '-ERR wrong number of arguments'],
    ] as const) {
      const e = toKubeApiError(new ApiException(code, 'x', body, {}), ctx) as KubeApiError;
      expect(e).toMatchObject({ status: 503, kind: 'other', retryable: true });
      expect(e.message).toBe(
        'apply NetworkPolicy a/b on https://127.0.0.1:6443 failed: HTTP 503 (not a Kubernetes API server)',
      );
    }
  });

  it("turns the transport's refusals into errors without a body", () => {
    const redirect = toKubeApiError(
      new KubeTransportError('HTTP 302 (redirects are not followed)', 'REDIRECT', 302),
      ctx,
    ) as KubeApiError;
    expect(redirect).toMatchObject({ status: 302, kind: 'other', retryable: false });
    expect(redirect.message).toMatch(/failed: HTTP 302 \(redirects are not followed\)$/);
    const foreign = toKubeApiError(
      new KubeTransportError(NOT_KUBERNETES_MESSAGE, 'NOT_KUBERNETES', 503),
      ctx,
    ) as KubeApiError;
    expect(foreign).toMatchObject({ status: 503, kind: 'other', code: 'NOT_KUBERNETES' });
    const refused = toKubeApiError(
      new KubeTransportError(
        '169.254.169.254 is a link-local address, which is refused',
        'ADDRESS_REFUSED',
      ),
      ctx,
    ) as KubeApiError;
    expect(refused).toMatchObject({
      status: undefined,
      kind: 'unreachable',
      code: 'ADDRESS_REFUSED',
    });
    expect(refused.message).toContain('API server unreachable: 169.254.169.254 is a link-local');
  });

  it('turns node-fetch FetchErrors into kind unreachable without a status', () => {
    const fetchError = new FetchError(
      'request to https://127.0.0.1:6443/version failed, reason: connect ECONNREFUSED 127.0.0.1:6443',
      'system',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    );
    const e = toKubeApiError(fetchError, ctx) as KubeApiError;
    expect(e).toMatchObject({
      status: undefined,
      reason: undefined,
      kind: 'unreachable',
      code: 'ECONNREFUSED',
      retryable: true,
    });
    expect(e.message).toContain('ECONNREFUSED');
  });

  it('treats the 500 of an apply that does not fit the schema as invalid, not retryable', () => {
    const body = JSON.stringify({
      kind: 'Status',
      message:
        'failed to create typed patch object (ns/p; networking.k8s.io/v1, Kind=NetworkPolicy): .spec.podSelecter: field not declared in schema',
      code: 500,
    });
    const e = toKubeApiError(new ApiException(500, 'x', body, {}), ctx) as KubeApiError;
    expect(e).toMatchObject({ status: 500, kind: 'invalid', retryable: false });
    expect(e.message).toContain('.spec.podSelecter');
  });

  it('leaves programming errors alone', () => {
    const bug = new TypeError('x is undefined');
    expect(toKubeApiError(bug, ctx)).toBe(bug);
  });

  it('reports timeouts as unreachable', () => {
    expect(timeoutError(1500, ctx)).toMatchObject({
      kind: 'unreachable',
      status: undefined,
      code: 'ETIMEDOUT',
    });
  });

  it('never copies credentials into the message', () => {
    const token = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJl';
    const body = JSON.stringify({
      message: `token ${token} and Bearer abc.def and s3cr3t-value-here`,
      reason: 'Forbidden',
    });
    const e = toKubeApiError(new ApiException(403, 'x', body, {}), {
      ...ctx,
      secrets: ['s3cr3t-value-here'],
    }) as KubeApiError;
    expect(e.kind).toBe('forbidden');
    expect(e.message).not.toContain(token);
    expect(e.message).not.toContain('abc.def');
    expect(e.message).not.toContain('s3cr3t-value-here');
  });
});

describe('kindForStatus', () => {
  it.each([
    [undefined, undefined, 'unreachable'],
    [401, 'Unauthorized', 'unauthorized'],
    [403, 'Forbidden', 'forbidden'],
    [422, 'Invalid', 'invalid'],
    [409, 'Conflict', 'conflict'],
    [409, 'AlreadyExists', 'conflict'],
    [404, 'NotFound', 'notFound'],
    [500, 'InternalError', 'other'],
  ] as const)('%s %s → %s', (status, reason, kind) => {
    expect(kindForStatus(status, reason)).toBe(kind);
  });
});

describe('redact', () => {
  it('removes PEM blocks', () => {
    // A fake PEM marker, split so that secret scanners do not take it for a key.
    expect(
      redact('key -----BEGIN PRIVATE ' + 'KEY-----\nabc\n-----END PRIVATE ' + 'KEY----- end'),
    ).toBe('key [REDACTED PEM] end');
  });
});
