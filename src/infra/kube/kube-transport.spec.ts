import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { guardedLookup, isKubernetesAnswer, KubeTransportError } from './kube-transport.js';

const status = (code: number, extra: object = {}) =>
  Buffer.from(JSON.stringify({ kind: 'Status', apiVersion: 'v1', code, ...extra }));

describe('isKubernetesAnswer', () => {
  const cases: {
    name: string;
    status: number;
    contentType?: string;
    body: Buffer;
    expected: boolean;
  }[] = [
    {
      name: 'an object',
      status: 200,
      contentType: 'application/json',
      body: Buffer.from('{"kind":"NetworkPolicyList"}'),
      expected: true,
    },
    {
      name: 'an object after white space, with a charset',
      status: 201,
      contentType: 'application/json; charset=utf-8',
      body: Buffer.from('\n {"major":"1"}'),
      expected: true,
    },
    {
      name: 'a Status for an error',
      status: 404,
      contentType: 'application/json',
      body: status(404, { reason: 'NotFound' }),
      expected: true,
    },
    {
      name: 'a Status for a 401',
      status: 401,
      contentType: 'application/json',
      body: status(401),
      expected: true,
    },
    {
      name: 'an HTML error page',
      status: 404,
      contentType: 'text/html',
      body: Buffer.from('<h1>nope</h1>'),
      expected: false,
    },
    {
      name: 'an HTML page with 200',
      status: 200,
      contentType: 'text/html',
      body: Buffer.from('<html></html>'),
      expected: false,
    },
    {
      name: 'JSON that is not a Status, for an error',
      status: 500,
      contentType: 'application/json',
      body: Buffer.from('{"error":"db down"}'),
      expected: false,
    },
    {
      name: 'not JSON although it says so',
      status: 503,
      contentType: 'application/json',
      body: Buffer.from('upstream connect error'),
      expected: false,
    },
    {
      name: 'a JSON array for a success',
      status: 200,
      contentType: 'application/json',
      body: Buffer.from('[1]'),
      expected: false,
    },
    {
      name: 'no content type',
      status: 200,
      contentType: undefined,
      body: Buffer.from('{}'),
      expected: false,
    },
    {
      name: 'an empty body',
      status: 200,
      contentType: 'application/json',
      body: Buffer.alloc(0),
      expected: false,
    },
  ];
  it.each(cases)('$name: $expected', ({ status: code, contentType, body, expected }) => {
    expect(isKubernetesAnswer(code, contentType, body)).toBe(expected);
  });
});

describe('guardedLookup', () => {
  const resolving =
    (...addresses: LookupAddress[]) =>
    (
      _hostname: string,
      _options: object,
      callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
    ) =>
      callback(null, addresses);
  const lookupOf = (
    addresses: LookupAddress[],
    all: boolean,
  ): Promise<{ error: unknown; result: unknown; family?: number }> =>
    new Promise((resolve) =>
      guardedLookup(resolving(...addresses))('api.example', { all }, (error, result, family) =>
        resolve({ error, result, family }),
      ),
    );

  it('drops special addresses and keeps the others', async () => {
    const both = [
      { address: '169.254.169.254', family: 4 },
      { address: '203.0.113.10', family: 4 },
    ];
    expect(await lookupOf(both, true)).toMatchObject({
      error: null,
      result: [{ address: '203.0.113.10', family: 4 }],
    });
    expect(await lookupOf(both, false)).toMatchObject({
      error: null,
      result: '203.0.113.10',
      family: 4,
    });
  });

  it.each([
    ['link-local', { address: '169.254.169.254', family: 4 }],
    ['link-local', { address: 'fe80::1', family: 6 }],
    ['unspecified', { address: '0.0.0.0', family: 4 }],
    ['multicast', { address: 'ff02::1', family: 6 }],
  ])('refuses a name that resolves only to a %s address', async (kind, address) => {
    const { error } = await lookupOf([address], true);
    expect(error).toBeInstanceOf(KubeTransportError);
    expect(error).toMatchObject({
      code: 'ADDRESS_REFUSED',
      message: expect.stringContaining(`is a ${kind} address`),
    });
  });

  it('passes resolver errors on', async () => {
    const failing = (
      _h: string,
      _o: object,
      callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
    ) => callback(Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }), []);
    const error = await new Promise((resolve) =>
      guardedLookup(failing)('x', { all: true }, (e) => resolve(e)),
    );
    expect(error).toMatchObject({ code: 'ENOTFOUND' });
  });
});
