import fc from 'fast-check';
import { findDuplicateKeys } from './json-duplicate-keys.js';

const paths = (text: string, options?: Parameters<typeof findDuplicateKeys>[1]) =>
  findDuplicateKeys(text, options).map((p) => p.path);

describe('findDuplicateKeys', () => {
  it.each([
    { name: 'no duplicates', input: '{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}', expected: [] },
    {
      name: 'a contract twice',
      input: '{"contracts":{"c1":{},"c1":{"x":1}}}',
      expected: ['/contracts/c1'],
    },
    { name: 'at the root', input: '{"a":1,"b":2,"a":3}', expected: ['/a'] },
    {
      name: 'escaped and raw spellings are one key',
      input: '{"ab":1,"a\\u0062":2}',
      expected: ['/ab'],
    },
    {
      name: 'escaped slash and quote',
      input: '{"a/b":1,"a\\/b":2,"q\\"":3,"q\\u0022":4}',
      expected: ['/a~1b', '/q"'],
    },
    {
      name: 'surrogate pair escaped vs raw',
      input: '{"\\ud83d\\ude00":1,"😀":2}',
      expected: ['/😀'],
    },
    {
      name: 'unicode escape case does not matter',
      input: '{"\\u00e9":1,"\\u00E9":2,"é":3}',
      expected: ['/é'],
    },
    { name: 'nested inside arrays', input: '[0,{"a":[1,{"k":1,"k":2}]}]', expected: ['/1/a/1/k'] },
    { name: 'each array item is its own object', input: '[{"a":1},{"a":2}]', expected: [] },
    { name: 'same key in sibling objects', input: '{"x":{"a":1},"y":{"a":1}}', expected: [] },
    {
      name: 'strings holding braces, quotes and colons',
      input: '{"a":"}{\\"a\\":1,","b":"[\\"]","c":{"d":"\\\\"},"a":"x"}',
      expected: ['/a'],
    },
    { name: 'a key three times is reported once', input: '{"a":1,"a":2,"a":3}', expected: ['/a'] },
    {
      name: 'a duplicate whose first value is a container',
      input: '{"a":{"b":[1,2,{"c":{}}]},"a":null}',
      expected: ['/a'],
    },
    { name: 'keys escaped for the pointer', input: '{"~x":1,"~x":2}', expected: ['/~0x'] },
    { name: 'empty key', input: '{"":1,"":2}', expected: ['/'] },
    {
      name: 'whitespace everywhere',
      input: ' { "a" : [ 1 , 2 ] ,\n\t"a" : true } ',
      expected: ['/a'],
    },
    {
      name: 'numbers and literals',
      input: '{"n":-1.5e3,"t":true,"f":false,"z":null,"n":0}',
      expected: ['/n'],
    },
    { name: 'empty containers', input: '{"a":{},"b":[],"c":[[]],"a":[]}', expected: ['/a'] },
    { name: 'a scalar body', input: '"{\\"a\\":1,\\"a\\":2}"', expected: [] },
    { name: '__proto__ twice', input: '{"__proto__":1,"__proto__":2}', expected: ['/__proto__'] },
    // Not JSON: whatever was found before the error, never a throw.
    { name: 'truncated after a duplicate', input: '{"a":1,"a":2,"b":', expected: ['/a'] },
    { name: 'garbage', input: '{"a" 1}', expected: [] },
    { name: 'unterminated string', input: '{"a":"x', expected: [] },
    { name: 'empty text', input: '', expected: [] },
    { name: 'mismatched brackets', input: '{"a":1]', expected: [] },
  ])('$name', ({ input, expected }) => {
    expect(paths(input)).toEqual(expected);
  });

  it('gives each finding a DUPLICATE_KEY problem naming the key', () => {
    expect(findDuplicateKeys('{"contracts":{"web":{},"web":{}}}')).toEqual([
      {
        path: '/contracts/web',
        code: 'DUPLICATE_KEY',
        message:
          'key "web" appears more than once in this object; JSON readers keep only one of them silently, so the body is refused',
      },
    ]);
    const long = 'k'.repeat(1000);
    const [p] = findDuplicateKeys(`{"${long}":1,"${long}":2}`);
    expect(p.path).toBe(`/${long}`);
    expect(p.message.length).toBeLessThan(200);
  });

  it('stops after maxFindings', () => {
    const body = `{${Array.from({ length: 100 }, (_, i) => `"k${i}":1,"k${i}":2`).join(',')}}`;
    expect(paths(body)).toHaveLength(20);
    expect(paths(body, { maxFindings: 3 })).toEqual(['/k0', '/k1', '/k2']);
  });

  it('stops at maxDepth without recursion, even a million levels deep', () => {
    const deep = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
    expect(paths(deep)).toEqual([]);
    const shallowDup = '[[{"a":1,"a":2}]]';
    expect(paths(shallowDup, { maxDepth: 3 })).toEqual(['/0/0/a']);
    expect(paths(shallowDup, { maxDepth: 2 })).toEqual([]);
  });

  it('finds the one duplicate among 100,000 keys of a 4 MB body (time: npm run bench:connectivity)', () => {
    const body = `{${Array.from({ length: 100_000 }, (_, i) => `"key-${i}":{"v":[${i},"s\\"${i}"]}`).join(',')},"key-7":0}`;
    expect(paths(body)).toEqual(['/key-7']);
  });

  it('agrees with JSON.parse on random JSON: a body has duplicates iff re-serialising loses keys', () => {
    const key = fc.constantFrom('a', 'b', 'a\\u0062', 'ab', '\\u0061');
    const json: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom('1', 'null', '"x{"', '"]"'),
        fc.array(tie('value'), { maxLength: 3 }).map((xs) => `[${xs.join(',')}]`),
        fc
          .array(fc.tuple(key, tie('value')), { maxLength: 4 })
          .map((kvs) => `{${kvs.map(([k, v]) => `"${k}":${v}`).join(',')}}`),
      ),
    })).value;
    // Counts members whose key is repeated in the same object, by parsing each object's
    // member list with JSON.parse on a wrapper that keeps every pair.
    const countKeys = (text: string): number => (text.match(/":/g) ?? []).length;
    fc.assert(
      fc.property(json, (text) => {
        const parsed: unknown = JSON.parse(text);
        const kept = countKeys(JSON.stringify(parsed).replace(/"(x\{|\])"/g, '""'));
        const written = countKeys(text.replace(/"(x\{|\])"/g, '""'));
        expect(paths(text).length > 0).toBe(kept < written);
      }),
      { numRuns: 500 },
    );
  });
});
