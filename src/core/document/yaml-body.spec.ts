import fc from 'fast-check';
import { stringify } from 'yaml';
import { MAX_YAML_DEPTH, parseYamlBody, yamlDepthBound } from './yaml-body.js';

const ok = (text: string) => {
  const r = parseYamlBody(text);
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.problems)}`);
  return r.value;
};
const refused = (text: string) => {
  const r = parseYamlBody(text);
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.value)}`);
  return r;
};

describe('parseYamlBody: what it reads', () => {
  it.each([
    {
      name: 'a block mapping',
      input: 'namespaces: [mms]\nname: p\n',
      expected: { namespaces: ['mms'], name: 'p' },
    },
    {
      name: 'JSON is YAML',
      input: '{"a": [1, 2, {"b": null}]}',
      expected: { a: [1, 2, { b: null }] },
    },
    {
      name: 'YAML 1.2 booleans and numbers',
      input: 'a: yes\nb: 010\nc: 0o17\nd: true\ne: 1.5\n',
      expected: { a: 'yes', b: 10, c: 15, d: true, e: 1.5 },
    },
    { name: 'a leading ---', input: '---\na: 1\n', expected: { a: 1 } },
    { name: 'an empty body', input: '', expected: {} },
    { name: 'comments only', input: '# nothing\n', expected: {} },
    { name: 'a top-level sequence', input: '- a\n- b\n', expected: ['a', 'b'] },
    {
      name: 'a block scalar with brackets and dashes',
      input: 'kubeconfig: |\n  [[[\n  - - x\n',
      expected: { kubeconfig: '[[[\n- - x\n' },
    },
    { name: 'core tags', input: 'a: !!str 123\n', expected: { a: '123' } },
    {
      name: '__proto__ as a plain key',
      input: '__proto__: {x: 1}\n',
      expected: JSON.parse('{"__proto__": {"x": 1}}'),
    },
    {
      name: 'merge keys are plain keys',
      input: 'a: {<<: {b: 1}}\n',
      expected: { a: { '<<': { b: 1 } } },
    },
    { name: 'anchors without aliases', input: 'a: &x 1\n', expected: { a: 1 } },
  ])('$name', ({ input, expected }) => {
    const value = ok(input);
    expect(value).toEqual(expected);
    expect(Object.getPrototypeOf(value)).toBe(Object.getPrototypeOf(expected));
  });

  it('reads what yaml.stringify writes as the same JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        fc.pre(value !== null && typeof value === 'object');
        // -0 has no JSON spelling; JSON.parse(JSON.stringify()) is what a JSON body would be.
        const json = JSON.parse(JSON.stringify(value)) as unknown;
        expect(ok(stringify(json, { aliasDuplicateObjects: false }))).toEqual(json);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseYamlBody: what it refuses', () => {
  it.each([
    {
      name: 'a duplicate key, with its path',
      input: 'contracts:\n  c1: {a: 1}\n  c1: {a: 2}\n',
      path: '/contracts/c1',
      code: 'DUPLICATE_KEY',
    },
    {
      name: 'keys equal once read as JSON',
      input: '1: a\n"1": b\n',
      path: '/1',
      code: 'DUPLICATE_KEY',
    },
    { name: 'an alias', input: 'a: &x [1]\nb: *x\n', path: '/b', code: 'YAML_ALIAS' },
    { name: 'a mapping as a key', input: '? [a, b]\n: 1\n', path: '', code: 'YAML_KEY_NOT_SCALAR' },
    {
      name: 'two documents',
      input: 'a: 1\n---\nb: 2\n',
      path: '',
      code: 'YAML_MULTIPLE_DOCUMENTS',
    },
    { name: 'an unknown tag', input: 'a: !foo bar\n', path: '', code: 'INVALID_YAML' },
    { name: 'a YAML 1.1 tag', input: 'a: !!binary aGVsbG8=\n', path: '', code: 'INVALID_YAML' },
    {
      name: 'a %YAML 1.1 directive',
      input: '%YAML 1.1\n---\na: yes\n',
      path: '',
      code: 'INVALID_YAML',
    },
    { name: 'a scalar body', input: 'hello\n', path: '', code: 'INVALID_YAML' },
    { name: 'null', input: 'null\n', path: '', code: 'INVALID_YAML' },
    { name: 'bad syntax', input: 'a: [b\n  c: }', path: '', code: 'INVALID_YAML' },
    { name: '.nan', input: 'a: .nan\n', path: '/a', code: 'INVALID_YAML' },
    { name: 'tabs as indentation', input: 'a:\n\tb: 1\n', path: '', code: 'INVALID_YAML' },
  ])('$name', ({ input, path, code }) => {
    expect(refused(input).problems[0]).toMatchObject({ path, code });
  });

  it('never quotes the body in a syntax error', () => {
    const r = refused('token: secret-marker-1234\n  bad: [\n');
    expect(r.syntax).toBe(true);
    expect(JSON.stringify(r.problems)).not.toContain('secret-marker');
  });

  it.each([
    { name: 'flow sequences 100,000 deep', input: '['.repeat(100_000) + ']'.repeat(100_000) },
    {
      name: 'compact block sequences 400,000 deep (1 MiB of "- ")',
      input: `${'- '.repeat(400_000)}x\n`,
    },
    {
      name: 'mappings indented 1,400 levels',
      input: Array.from({ length: 1400 }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n',
    },
    { name: 'sequence items hidden behind quoted brackets', input: '[ "]" '.repeat(50_000) },
  ])('refuses $name before composing, with NESTING_TOO_DEEP', ({ input }) => {
    expect(refused(input).problems).toEqual([
      expect.objectContaining({ path: '', code: 'NESTING_TOO_DEEP' }),
    ]);
  });

  it('refuses depth beyond MAX_YAML_DEPTH at its path, and accepts MAX_YAML_DEPTH', () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    expect(ok(nested(MAX_YAML_DEPTH))).toBeDefined();
    // The same depth in block style (mappings in sequences), as tools write it.
    let deep: unknown = 'leaf';
    for (let i = 0; i < MAX_YAML_DEPTH; i++) deep = i % 2 ? [deep] : { k: deep };
    expect(ok(stringify(deep))).toEqual(deep);
    const r = refused(nested(MAX_YAML_DEPTH + 1));
    expect(r.problems[0]).toMatchObject({
      code: 'NESTING_TOO_DEEP',
      path: '/0'.repeat(MAX_YAML_DEPTH),
    });
  });
});

describe('yamlDepthBound', () => {
  it('is at least the depth of any value yaml.stringify writes, block or flow, and at most 4 × + 8', () => {
    const depthOf = (v: unknown): number =>
      v !== null && typeof v === 'object'
        ? 1 + Math.max(0, ...Object.values(v as object).map(depthOf))
        : 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12 }), fc.boolean(), (value, flow) => {
        const text = stringify(value, {
          aliasDuplicateObjects: false,
          collectionStyle: flow ? 'flow' : 'any',
        });
        const bound = yamlDepthBound(text);
        expect(bound).toBeGreaterThanOrEqual(depthOf(value));
        // ...and not so far above it that a valid body would be refused.
        expect(bound).toBeLessThanOrEqual(4 * depthOf(value) + 8);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseYamlBody: problems in document order', () => {
  it('lists the aliases of a "billion laughs" body from the first one, at most 20', () => {
    const bomb = [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      ...'bcdefghi'
        .split('')
        .map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
    ].join('\n');
    const r = refused(`${bomb}\n`);
    expect(r.problems).toHaveLength(20);
    expect(r.problems.slice(0, 2)).toEqual([
      expect.objectContaining({ path: '/b/0', code: 'YAML_ALIAS' }),
      expect.objectContaining({ path: '/b/1', code: 'YAML_ALIAS' }),
    ]);
  });
});
