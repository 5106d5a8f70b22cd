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

  it('versus no document: one add of the whole (canonical) document at the root', () => {
    expect(documentDiff(null, { z: 1, a: 2 })).toEqual([
      { op: 'add', path: '', value: { a: 2, z: 1 } },
    ]);
    expect(documentDiff(undefined, null)).toEqual([]);
  });
});
