import { hostileJsonProblem, MAX_BODY_DEPTH, reservedKeyProblem } from './hostile-json.js';

const nest = (levels: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
};

describe('hostileJsonProblem', () => {
  it.each([
    { name: 'a normal body', input: { a: [{ b: 'c' }] }, expected: undefined },
    { name: 'at the depth limit', input: nest(MAX_BODY_DEPTH), expected: undefined },
    { name: 'one level deeper', input: nest(MAX_BODY_DEPTH + 1), expected: 'NESTING_TOO_DEEP' },
    {
      name: '200,000 levels, without overflowing the stack',
      input: nest(200_000),
      expected: 'NESTING_TOO_DEEP',
    },
    { name: 'a NUL in a value', input: { a: ['x\u0000y'] }, expected: 'INVALID_STRING' },
    { name: 'a lone surrogate in a key', input: { ['k\ud800']: 1 }, expected: 'INVALID_STRING' },
    { name: 'a valid surrogate pair', input: { a: '😀' }, expected: undefined },
  ])('$name', ({ input, expected }) => {
    expect(hostileJsonProblem(input)?.code).toBe(expected);
  });
  it('names the path', () => {
    expect(hostileJsonProblem({ a: { b: ['ok', 'bad\u0000'] } })?.path).toBe('/a/b/1');
  });
});

describe('reservedKeyProblem', () => {
  it('rejects prototype-named keys anywhere but in skipped fields', () => {
    const body = JSON.parse(
      '{"targets":{"clusterSelector":{"matchLabels":{"constructor":"x"}}},"document":{"contracts":{"__proto__":{}}}}',
    ) as unknown;
    expect(reservedKeyProblem(body, new Set(['document']))).toMatchObject({
      path: '/targets/clusterSelector/matchLabels/constructor',
      code: 'RESERVED_KEY',
    });
    expect(
      reservedKeyProblem(JSON.parse('{"document":{"__proto__":1}}'), new Set(['document'])),
    ).toBeUndefined();
    expect(reservedKeyProblem(JSON.parse('{"__proto__":1}'), new Set())).toMatchObject({
      path: '/__proto__',
    });
  });
});
