import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { rawDocumentArbitrary } from '../../../test/support/policy-document.arbitrary.js';
import { compileDocument } from '../compiler/compile-document.js';
import { createEvaluator } from '../evaluator/evaluate-network-policies.js';
import type { NetworkPolicyPort } from '../kube/network-policy.types.js';
import {
  ALL_PORTS,
  NO_PORTS,
  describePortSet,
  intersectPortSets,
  isEmptyPortSet,
  portSetFromPorts,
  portSetToJson,
  portSetsEqual,
  unionPortSets,
  type PortSet,
} from '../ports/port-set.js';
import {
  connectivityChange,
  portSetFromJson,
  subtractPortSets,
  type ConnectivitySide,
} from './connectivity-change.js';

const example = JSON.parse(
  readFileSync(new URL('../compiler/golden/example.document.json', import.meta.url), 'utf8'),
) as {
  namespaces: string[];
  contracts: Record<string, { ports?: { protocol: string; port: string }[] }>;
  expose: unknown[];
};

function side(raw: unknown): ConnectivitySide {
  const c = compileDocument(raw);
  if (!c.ok) throw new Error(JSON.stringify(c.errors));
  return { document: c.document, objects: c.objects };
}

const edit = (mutate: (d: typeof example) => void) => {
  const d = structuredClone(example);
  mutate(d);
  return d;
};

const N = (n: number) => `hangwe-inst-network0${n}`;
const short = (d: { namespace: string; source: string; destination: string; ports: string }) =>
  `${d.source.replace('network:hangwe-inst-', '')} -> ${d.destination.replace('hangwe-inst-', '')}: ${d.ports}`;
const ports = (list: NetworkPolicyPort[]) => portSetFromPorts(list);

describe('subtractPortSets', () => {
  const cases: { name: string; a: PortSet; b: PortSet; expected: string }[] = [
    { name: 'nothing from something', a: ports([{ port: 80 }]), b: NO_PORTS, expected: 'TCP:80' },
    { name: 'something from nothing', a: NO_PORTS, b: ports([{ port: 80 }]), expected: 'none' },
    {
      name: 'numbers from ranges',
      a: ports([{ port: 20, endPort: 30 }, { port: 80 }]),
      b: ports([{ port: 22 }, { port: 25, endPort: 28 }, { port: 80 }]),
      expected: 'TCP:20-21,23-24,29-30',
    },
    {
      name: 'a port from a whole protocol',
      a: ports([{ protocol: 'UDP' }]),
      b: ports([{ protocol: 'UDP', port: 53 }]),
      expected: 'UDP:1-52,54-65535',
    },
    {
      name: 'protocols are independent',
      a: ALL_PORTS,
      b: ports([{ protocol: 'TCP' }, { protocol: 'SCTP' }]),
      expected: 'UDP:all',
    },
    { name: 'everything from everything', a: ALL_PORTS, b: ALL_PORTS, expected: 'none' },
    {
      name: 'named ports by name',
      a: ports([{ port: 'http' }, { port: 'dns' }, { port: 8080 }]),
      b: ports([{ port: 'dns' }]),
      expected: 'TCP:8080,http',
    },
    {
      name: 'a whole protocol removes its named ports',
      a: ports([{ port: 'http' }]),
      b: ports([{ protocol: 'TCP' }]),
      expected: 'none',
    },
    {
      name: 'approximation: names cannot be removed from a whole protocol',
      a: ports([{ protocol: 'TCP' }]),
      b: ports([{ port: 'http' }]),
      expected: 'TCP:all',
    },
  ];
  it.each(cases)('$name', ({ a, b, expected }) => {
    expect(describePortSet(subtractPortSets(a, b))).toBe(expected);
  });

  const portArb = fc.oneof(
    fc.record({
      protocol: fc.constantFrom('TCP' as const, 'UDP' as const, 'SCTP' as const),
      port: fc.integer({ min: 1, max: 200 }),
    }),
    fc.record({
      protocol: fc.constantFrom('TCP' as const, 'UDP' as const),
      port: fc.integer({ min: 1, max: 150 }),
      endPort: fc.integer({ min: 150, max: 400 }),
    }),
    fc.record({ protocol: fc.constantFrom('TCP' as const, 'UDP' as const) }),
    fc.record({ protocol: fc.constant('TCP' as const), port: fc.constantFrom('http', 'dns') }),
  );
  const setArb = fc.oneof(
    fc.constant(NO_PORTS),
    fc.array(portArb, { minLength: 1, maxLength: 4 }).map((l) => portSetFromPorts(l)),
  );

  it('a \\ b and b cover a ∪ b; without named ports a \\ b is disjoint from b (property)', () => {
    fc.assert(
      fc.property(setArb, setArb, (a, b) => {
        const d = subtractPortSets(a, b);
        expect(portSetsEqual(unionPortSets(d, b), unionPortSets(a, b))).toBe(true);
        expect(portSetsEqual(intersectPortSets(d, a), d)).toBe(true);
        if (!describePortSet(b).match(/http|dns/))
          expect(isEmptyPortSet(intersectPortSets(d, b))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('portSetFromJson', () => {
  it.each([
    [NO_PORTS],
    [ALL_PORTS],
    [
      ports([
        { port: 23 },
        { port: 3306 },
        { protocol: 'UDP' },
        { port: 8000, endPort: 8100 },
        { port: 'http' },
      ]),
    ],
  ])('reads portSetToJson back exactly (%#)', (s) => {
    if (isEmptyPortSet(s)) expect(portSetFromJson([])).toEqual(NO_PORTS);
    else expect(describePortSet(portSetFromJson(portSetToJson(s)))).toBe(describePortSet(s));
  });
});

describe('connectivityChange', () => {
  it('the same document changes nothing, whatever its order', () => {
    const reordered = {
      ...example,
      contracts: Object.fromEntries(Object.entries(example.contracts).reverse()),
    };
    expect(connectivityChange(side(example), side(reordered))).toEqual({ gained: [], lost: [] });
    expect(connectivityChange(null, null)).toEqual({ gained: [], lost: [] });
  });

  it('a changed contract port: the old ports are lost and the new ones gained, for that pair only', () => {
    const after = edit(
      (d) =>
        (d.contracts.hangwe_inst_constract01.ports = [
          { protocol: 'TCP', port: '2323' },
          { protocol: 'TCP', port: '23' },
        ]),
    );
    const change = connectivityChange(side(example), side(after));
    expect(change.gained.map(short)).toEqual(['network01 -> network02: TCP:2323']);
    expect(change.lost.map(short)).toEqual(['network01 -> network02: TCP:3306']);
    expect(change.lost[0]).toMatchObject({
      namespace: 'mms',
      source: `network:${N(1)}`,
      destination: N(2),
      allowed: [{ protocol: 'TCP', ports: ['3306'] }],
    });
  });

  it('removing a network loses what its members could reach, and unprotects its pods (they are selected by no policy any more)', () => {
    const after = edit((d) => delete d.contracts.hangwe_inst_constract02);
    const change = connectivityChange(side(example), side(after));
    expect(change.lost.map(short)).toEqual(['network03 -> network01: TCP:23']);
    expect(change.gained.map(short)).toEqual([
      'cidr:0.0.0.0/0 -> network03: all',
      'network02 -> network03: all',
      'untagged -> network03: all',
    ]);
  });

  it('versus no policy at all: the document only takes connectivity away (default allow becomes its grants)', () => {
    const change = connectivityChange(null, side(example));
    expect(change.gained).toEqual([]);
    expect(change.lost.map(short)).toContain('untagged -> network01: all');
    expect(change.lost.map(short)).toContain(
      'network01 -> network02: SCTP:all;TCP:1-22,24-3305,3307-65535;UDP:all',
    );
    expect(change.lost.map(short)).not.toContain('network02 -> network02: all');
    expect(connectivityChange(side(example), null).gained.map(short)).toEqual(
      change.lost.map(short),
    );
  });

  it('a namespace only one side names is evaluated on both sides', () => {
    const after = edit((d) => (d.namespaces = ['mms', 'shop']));
    const change = connectivityChange(side(example), side(after));
    expect(change.gained).toEqual([]);
    expect(new Set(change.lost.map((d) => d.namespace))).toEqual(new Set(['shop']));
  });

  it('agrees with the evaluator on every pod pair of the union of both documents (property)', () => {
    let checked = 0;
    fc.assert(
      fc.property(rawDocumentArbitrary, rawDocumentArbitrary, (rawA, rawB) => {
        const a = compileDocument(rawA);
        const b = compileDocument(rawB);
        if (!a.ok || !b.ok) return;
        // One label key for both, so that "network N" means the same pods on both sides.
        if (a.document.options.labelKey !== b.document.options.labelKey) return;
        const change = connectivityChange(
          { document: a.document, objects: a.objects },
          { document: b.document, objects: b.objects },
        );
        checked++;
        const namespaces = [...new Set([...a.document.namespaces, ...b.document.namespaces])];
        const networks = [...new Set([...a.document.networks, ...b.document.networks])];
        const evA = createEvaluator(
          a.objects,
          namespaces.map((name) => ({ name, labels: {} })),
        );
        const evB = createEvaluator(
          b.objects,
          namespaces.map((name) => ({ name, labels: {} })),
        );
        const key = a.document.options.labelKey;
        const find = (list: typeof change.gained, ns: string, src: string, dst: string) =>
          list.find((d) => d.namespace === ns && d.source === src && d.destination === dst);
        for (const ns of namespaces) {
          for (const dst of networks) {
            const to = { namespace: ns, labels: { [key]: dst } };
            for (const src of [...networks.map((n) => `network:${n}`), 'untagged']) {
              const from = {
                kind: 'pod' as const,
                pod: {
                  namespace: ns,
                  labels: src === 'untagged' ? {} : { [key]: src.slice('network:'.length) },
                },
              };
              const was = evA.allowedPorts(from, to);
              const now = evB.allowedPorts(from, to);
              const gained = find(change.gained, ns, src, dst);
              const lost = find(change.lost, ns, src, dst);
              const gainedSet = gained ? portSetFromJson(gained.allowed) : NO_PORTS;
              const lostSet = lost ? portSetFromJson(lost.allowed) : NO_PORTS;
              expect(portSetsEqual(unionPortSets(was, gainedSet), unionPortSets(was, now))).toBe(
                true,
              );
              expect(portSetsEqual(unionPortSets(now, lostSet), unionPortSets(was, now))).toBe(
                true,
              );
              expect(gained !== undefined).toBe(!portSetsEqual(intersectPortSets(was, now), now));
              expect(lost !== undefined).toBe(!portSetsEqual(intersectPortSets(was, now), was));
            }
          }
        }
      }),
      { numRuns: 60 },
    );
    expect(checked).toBeGreaterThan(15);
  });
});
