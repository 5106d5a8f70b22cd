import fc from 'fast-check';
import type { NetworkPolicyPort } from '../kube/network-policy.types.js';
import {
  ALL_PORTS,
  NO_PORTS,
  describePortSet,
  intersectPortSets,
  portSetContains,
  portSetFromPorts,
  portSetToPorts,
  unionPortSets,
} from './port-set.js';

describe('portSetFromPorts → describePortSet', () => {
  const cases: { name: string; input: NetworkPolicyPort[] | undefined; expected: string }[] = [
    { name: 'absent means all', input: undefined, expected: 'all' },
    { name: 'empty means all', input: [], expected: 'all' },
    { name: 'protocol defaults to TCP', input: [{ port: 80 }], expected: 'TCP:80' },
    {
      name: 'sorted by protocol then port',
      input: [
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 443 },
        { protocol: 'TCP', port: 80 },
      ],
      expected: 'TCP:80,443;UDP:53',
    },
    {
      name: 'adjacent ports merge into a range',
      input: [{ port: 80 }, { port: 81 }, { port: 82, endPort: 90 }],
      expected: 'TCP:80-90',
    },
    {
      name: 'overlapping ranges merge',
      input: [
        { port: 100, endPort: 200 },
        { port: 150, endPort: 300 },
      ],
      expected: 'TCP:100-300',
    },
    {
      name: 'protocol without port is the whole protocol',
      input: [{ protocol: 'SCTP' }, { protocol: 'SCTP', port: 5 }],
      expected: 'SCTP:all',
    },
    {
      name: 'full numeric range is the whole protocol',
      input: [{ port: 1, endPort: 65535 }],
      expected: 'TCP:all',
    },
    {
      name: 'all three protocols in full is all',
      input: [{ protocol: 'TCP' }, { protocol: 'UDP' }, { protocol: 'SCTP' }],
      expected: 'all',
    },
    {
      name: 'named ports are kept, sorted, after numbers',
      input: [{ port: 'https' }, { port: 'http' }, { port: 8080 }],
      expected: 'TCP:8080,http,https',
    },
  ];
  it.each(cases)('$name', ({ input, expected }) => {
    expect(describePortSet(portSetFromPorts(input))).toBe(expected);
  });
});

describe('portSetToPorts', () => {
  it('emits explicit protocols, ranges with endPort, and nothing for all', () => {
    expect(portSetToPorts(ALL_PORTS)).toBeUndefined();
    expect(
      portSetToPorts(
        portSetFromPorts([{ port: 8000, endPort: 8100 }, { protocol: 'UDP' }, { port: 'dns' }]),
      ),
    ).toEqual([
      { protocol: 'TCP', port: 8000, endPort: 8100 },
      { protocol: 'TCP', port: 'dns' },
      { protocol: 'UDP' },
    ]);
  });
});

describe('set algebra', () => {
  it('intersects ranges, and a named port only with a full protocol', () => {
    const a = portSetFromPorts([{ port: 1, endPort: 100 }, { port: 'http' }]);
    const b = portSetFromPorts([{ port: 50, endPort: 150 }, { port: 'http' }, { protocol: 'UDP' }]);
    expect(describePortSet(intersectPortSets(a, b))).toBe('TCP:50-100,http');
    expect(
      describePortSet(
        intersectPortSets(portSetFromPorts([{ port: 80 }]), portSetFromPorts([{ port: 'http' }])),
      ),
    ).toBe('none');
    expect(
      describePortSet(intersectPortSets(ALL_PORTS, portSetFromPorts([{ port: 'http' }]))),
    ).toBe('TCP:http');
  });

  const portArb = fc.oneof(
    fc.record({
      protocol: fc.constantFrom('TCP' as const, 'UDP' as const),
      port: fc.integer({ min: 1, max: 40 }),
    }),
    fc.record({
      protocol: fc.constant('TCP' as const),
      port: fc.integer({ min: 1, max: 40 }),
      endPort: fc.integer({ min: 40, max: 60 }),
    }),
    fc.record({
      protocol: fc.constantFrom('TCP' as const, 'SCTP' as const),
      port: fc.constantFrom('http', 'dns'),
    }),
  );
  const setArb = fc
    .array(portArb, { maxLength: 6 })
    .map((ps) => (ps.length ? portSetFromPorts(ps) : NO_PORTS));
  const probe = fc.tuple(
    fc.constantFrom('TCP' as const, 'UDP' as const, 'SCTP' as const),
    fc.oneof(fc.integer({ min: 1, max: 70 }), fc.constantFrom('http', 'dns')),
  );

  it('union and intersection agree with membership', () => {
    fc.assert(
      fc.property(setArb, setArb, probe, (a, b, [protocol, port]) => {
        const inA = portSetContains(a, protocol, port);
        const inB = portSetContains(b, protocol, port);
        expect(portSetContains(unionPortSets(a, b), protocol, port)).toBe(inA || inB);
        expect(portSetContains(intersectPortSets(a, b), protocol, port)).toBe(inA && inB);
      }),
    );
  });

  it('portSetToPorts round-trips', () => {
    fc.assert(
      fc.property(setArb, (s) => {
        const ports = portSetToPorts(s);
        const back =
          ports === undefined ? ALL_PORTS : ports.length === 0 ? NO_PORTS : portSetFromPorts(ports);
        expect(describePortSet(back)).toBe(describePortSet(s));
      }),
    );
  });
});

describe('input the API server would reject contains no port', () => {
  it.each([
    { name: 'reversed range', input: [{ port: 100, endPort: 50 }] },
    { name: 'out of range', input: [{ port: 0 }, { port: 70000 }] },
    { name: 'not an integer', input: [{ port: 1.5 }, { port: Number.NaN }] },
    { name: 'a name without a letter', input: [{ port: '80' }] },
  ])('$name', ({ input }) => {
    expect(describePortSet(portSetFromPorts(input))).toBe('none');
  });
});
