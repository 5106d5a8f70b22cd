import { documentDiff } from './document-diff.js';

describe('documentDiff', () => {
  const doc = {
    namespaces: ['mms'],
    contracts: { web: { provide_networks: ['a'], consume_networks: ['b'], ports: [{ port: 80 }] } },
  };

  it.each([
    {
      name: 'equal documents, keys in another order',
      after: { contracts: doc.contracts, namespaces: ['mms'] },
      ops: [],
    },
    {
      name: 'a namespace added',
      after: { ...doc, namespaces: ['mms', 'shop'] },
      ops: [{ op: 'add', path: '/namespaces/1', value: 'shop' }],
    },
    {
      name: 'a port changed, a contract added (key escaped)',
      after: {
        ...doc,
        contracts: {
          'ops/admin': { provide_networks: ['a'], consume_networks: ['c'] },
          web: { ...doc.contracts.web, ports: [{ port: 443 }] },
        },
      },
      ops: [
        {
          op: 'add',
          path: '/contracts/ops~1admin',
          value: { consume_networks: ['c'], provide_networks: ['a'] },
        },
        { op: 'replace', path: '/contracts/web/ports/0/port', value: 443 },
      ],
    },
    {
      name: 'options removed',
      after: { namespaces: ['mms'] },
      ops: [{ op: 'remove', path: '/contracts' }],
    },
  ])('$name', ({ after, ops }) => {
    expect(documentDiff(doc, after)).toEqual(ops);
  });

  describe('a contract named __proto__ is an ordinary contract', () => {
    const parse = (s: string) => JSON.parse(s) as unknown;
    const before = parse(
      '{"contracts":{"__proto__":{"ports":[{"port":80}]}},"namespaces":["mms"]}',
    );
    it.each([
      {
        name: 'changed',
        after: parse('{"contracts":{"__proto__":{"ports":[{"port":443}]}},"namespaces":["mms"]}'),
        ops: [{ op: 'replace', path: '/contracts/__proto__/ports/0/port', value: 443 }],
      },
      {
        name: 'removed',
        after: parse('{"contracts":{},"namespaces":["mms"]}'),
        ops: [{ op: 'remove', path: '/contracts/__proto__' }],
      },
      {
        name: 'unchanged',
        after: parse('{"namespaces":["mms"],"contracts":{"__proto__":{"ports":[{"port":80}]}}}'),
        ops: [],
      },
    ])('$name', ({ after, ops }) => {
      expect(documentDiff(before, after)).toEqual(ops);
    });

    it('added, and against no document', () => {
      const empty = parse('{"contracts":{},"namespaces":["mms"]}');
      const added = documentDiff(empty, before);
      expect(added).toEqual([
        { op: 'add', path: '/contracts/__proto__', value: parse('{"ports":[{"port":80}]}') },
      ]);
      expect(Object.keys((added[0] as { value: object }).value)).toEqual(['ports']);
      const whole = documentDiff(null, before);
      expect(JSON.stringify(whole)).toBe(
        '[{"op":"add","path":"","value":{"contracts":{"__proto__":{"ports":[{"port":80}]}},"namespaces":["mms"]}}]',
      );
    });
  });

  it('versus no document: one add of the whole (canonical) document at the root', () => {
    expect(documentDiff(null, { z: 1, a: 2 })).toEqual([
      { op: 'add', path: '', value: { a: 2, z: 1 } },
    ]);
    expect(documentDiff(undefined, null)).toEqual([]);
  });
});
