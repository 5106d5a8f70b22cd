import { canonicalJson, contentHash } from './canonical-json.js';

describe('canonicalJson', () => {
  it.each([
    {
      name: 'keys sorted at every level',
      input: { b: 1, a: { d: [{ z: 1, y: 2 }], c: null } },
      expected: '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    },
    {
      name: 'undefined members dropped',
      input: { a: undefined, b: [undefined] },
      expected: '{"b":[null]}',
    },
    { name: 'scalars', input: 'x', expected: '"x"' },
    {
      name: '__proto__ is an ordinary key',
      input: JSON.parse('{"contracts":{"__proto__":{"ports":[80]},"a":1}}') as unknown,
      expected: '{"contracts":{"__proto__":{"ports":[80]},"a":1}}',
    },
    {
      name: 'constructor and toString are ordinary keys',
      input: JSON.parse('{"toString":1,"constructor":{"prototype":2}}') as unknown,
      expected: '{"constructor":{"prototype":2},"toString":1}',
    },
  ])('$name', ({ input, expected }) => {
    expect(canonicalJson(input)).toBe(expected);
  });

  it('a changed contract named __proto__ changes the content hash', () => {
    const a = JSON.parse('{"contracts":{"__proto__":{"ports":[{"port":80}]}}}') as unknown;
    const b = JSON.parse('{"contracts":{"__proto__":{"ports":[{"port":443}]}}}') as unknown;
    const none = JSON.parse('{"contracts":{}}') as unknown;
    expect(contentHash(a)).not.toBe(contentHash(b));
    expect(contentHash(a)).not.toBe(contentHash(none));
    expect(contentHash(a)).toBe(contentHash(JSON.parse(JSON.stringify(a)) as unknown));
  });

  it('does not change its input or the prototype of anything', () => {
    const input = JSON.parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    canonicalJson(input);
    expect(Object.getPrototypeOf(input)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
