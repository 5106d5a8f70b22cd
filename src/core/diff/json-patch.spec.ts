import fc from 'fast-check';
import {
  canonicalValue,
  jsonDiff,
  jsonEqual,
  parsePointer,
  type JsonPatchOp,
} from './json-patch.js';

/** A minimal RFC 6902 applier (add/remove/replace only), to check the patches against. */
function applyPatch(doc: unknown, ops: JsonPatchOp[]): unknown {
  let root = structuredClone(doc);
  for (const op of ops) {
    const tokens = parsePointer(op.path);
    if (tokens.length === 0) {
      root = op.op === 'remove' ? undefined : structuredClone(op.value);
      continue;
    }
    let parent = root as Record<string, unknown> | unknown[];
    for (const t of tokens.slice(0, -1))
      parent = (parent as Record<string, unknown>)[t] as Record<string, unknown>;
    const last = tokens[tokens.length - 1];
    if (Array.isArray(parent)) {
      const i = last === '-' ? parent.length : Number(last);
      if (op.op === 'add') parent.splice(i, 0, structuredClone(op.value));
      else if (op.op === 'remove') parent.splice(i, 1);
      else parent[i] = structuredClone(op.value);
    } else if (op.op === 'remove') delete parent[last];
    else parent[last] = structuredClone(op.value);
  }
  return root;
}

describe('jsonDiff', () => {
  const cases: { name: string; from: unknown; to: unknown; ops: JsonPatchOp[] }[] = [
    {
      name: 'equal values give no operation',
      from: { a: 1, b: [1, { c: 2 }] },
      to: { b: [1, { c: 2 }], a: 1 },
      ops: [],
    },
    {
      name: 'a changed scalar is a replace',
      from: { a: 1 },
      to: { a: 2 },
      ops: [{ op: 'replace', path: '/a', value: 2 }],
    },
    {
      name: 'a new key is an add, a missing key a remove (keys sorted)',
      from: { b: 1, z: 0 },
      to: { a: { x: 1 }, z: 0 },
      ops: [
        { op: 'add', path: '/a', value: { x: 1 } },
        { op: 'remove', path: '/b' },
      ],
    },
    {
      name: 'arrays are compared by index; extra items added at the end',
      from: [1, 2],
      to: [1, 3, 4],
      ops: [
        { op: 'replace', path: '/1', value: 3 },
        { op: 'add', path: '/2', value: 4 },
      ],
    },
    {
      name: 'surplus items are removed from the end, last first',
      from: [1, 2, 3, 4],
      to: [1],
      ops: [
        { op: 'remove', path: '/3' },
        { op: 'remove', path: '/2' },
        { op: 'remove', path: '/1' },
      ],
    },
    {
      name: 'a type change is a replace',
      from: { a: [1] },
      to: { a: { 0: 1 } },
      ops: [{ op: 'replace', path: '/a', value: { 0: 1 } }],
    },
    {
      name: 'keys with / and ~ are escaped (RFC 6901)',
      from: { 'a/b': 1, 'c~d': 1 },
      to: { 'a/b': 2 },
      ops: [
        { op: 'replace', path: '/a~1b', value: 2 },
        { op: 'remove', path: '/c~0d' },
      ],
    },
    {
      name: 'a different root scalar replaces the root',
      from: 1,
      to: 'x',
      ops: [{ op: 'replace', path: '', value: 'x' }],
    },
    {
      name: 'undefined members are ignored, as JSON drops them',
      from: { a: 1, b: undefined },
      to: { a: 1 },
      ops: [],
    },
    {
      name: 'nested changes give nested paths',
      from: { spec: { ingress: [{ ports: [{ port: 23 }] }] } },
      to: { spec: { ingress: [{ ports: [{ port: 24 }] }] } },
      ops: [{ op: 'replace', path: '/spec/ingress/0/ports/0/port', value: 24 }],
    },
  ];
  it.each(cases)('$name', ({ from, to, ops }) => {
    expect(jsonDiff(from, to)).toEqual(ops);
    expect(jsonEqual(applyPatch(canonicalValue(from), ops), canonicalValue(to))).toBe(true);
  });

  it('never shares values with its inputs', () => {
    const to = { a: { b: [1] } };
    const [op] = jsonDiff({}, to) as unknown as [{ value: { b: number[] } }];
    op.value.b.push(2);
    expect(to.a.b).toEqual([1]);
  });

  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(null, true, false, 0, 1, 'x', 'y', ''),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.constantFrom('a', 'b', 'c', 'a/b', '~'), tie('value'), { maxKeys: 4 }),
    ),
  })).value;

  it('applying diff(a, b) to a gives b, deterministically, and diff(a, a) is empty (property)', () => {
    fc.assert(
      fc.property(json, json, (a, b) => {
        const ops = jsonDiff(a, b);
        expect(jsonEqual(applyPatch(a, ops), b)).toBe(true);
        expect(jsonDiff(a, b)).toEqual(ops);
        expect(jsonDiff(a, a)).toEqual([]);
        for (const op of ops) expect(['add', 'remove', 'replace']).toContain(op.op);
      }),
      { numRuns: 500 },
    );
  });
});

describe('parsePointer', () => {
  it.each([
    ['', []],
    ['/a/0', ['a', '0']],
    ['/a~1b/c~0d/~01', ['a/b', 'c~d', '~1']],
    ['/', ['']],
  ] as const)('%j', (path, tokens) => {
    expect(parsePointer(path)).toEqual(tokens);
  });
});
