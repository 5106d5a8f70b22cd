import {
  DEFAULT_OPTIONS,
  type DocumentOptions,
  type NormalisedContract,
  type NormalisedDocument,
} from '../document/policy-document.types.js';
import { describePortSet } from '../ports/port-set.js';
import { computeDocumentGrants } from './network-grants.js';

const tcp = (port: number) => ({ protocol: 'TCP' as const, port });

function doc(
  contracts: Partial<NormalisedContract>[],
  options: Partial<DocumentOptions> = {},
): NormalisedDocument {
  const full = contracts.map((c, i) => ({
    name: c.name ?? `c${i}`,
    providers: c.providers ?? [],
    consumers: c.consumers ?? [],
    ports: c.ports ?? [],
    providerAccess: c.providerAccess ?? options.providerAccess ?? 'full',
  }));
  const networks = [...new Set(full.flatMap((c) => [...c.providers, ...c.consumers]))].sort();
  return {
    namespaces: ['ns'],
    networks,
    contracts: full,
    expose: [],
    options: { ...DEFAULT_OPTIONS, ...options },
  };
}

/** Renders grants as `dst<-src: ports [reasons]` lines, sorted, for readable expectations. */
function table(d: NormalisedDocument): string[] {
  const g = computeDocumentGrants(d);
  const lines: string[] = [];
  for (const [dst, sources] of g.ingress) {
    for (const [src, grant] of sources)
      lines.push(`${dst}<-${src}: ${describePortSet(grant.ports)} [${grant.reasons.join(' ')}]`);
  }
  return lines.sort();
}

describe('truth table rules 1-3', () => {
  const cases: { name: string; input: NormalisedDocument; expected: string[] }[] = [
    {
      name: 'rule 1: members reach each other; rule 2: consumers reach providers on the ports; rule 3: providers reach consumers on all',
      input: doc([{ name: 'c', providers: ['db'], consumers: ['web'], ports: [tcp(5432)] }]),
      expected: [
        'db<-db: all [intra-network]',
        'db<-web: TCP:5432 [/contracts/c]',
        'web<-db: all [/contracts/c]',
        'web<-web: all [intra-network]',
      ],
    },
    {
      name: 'rule 2 without ports: every port',
      input: doc([{ name: 'c', providers: ['db'], consumers: ['web'] }]),
      expected: [
        'db<-db: all [intra-network]',
        'db<-web: all [/contracts/c]',
        'web<-db: all [/contracts/c]',
        'web<-web: all [intra-network]',
      ],
    },
    {
      name: 'rule 3 with provider_access none: providers reach nothing on consumers',
      input: doc([
        {
          name: 'c',
          providers: ['db'],
          consumers: ['web'],
          ports: [tcp(5432)],
          providerAccess: 'none',
        },
      ]),
      expected: [
        'db<-db: all [intra-network]',
        'db<-web: TCP:5432 [/contracts/c]',
        'web<-web: all [intra-network]',
      ],
    },
    {
      name: 'a network that both provides and consumes accepts the other providers on the contract ports only',
      input: doc(
        [{ name: 'mesh', providers: ['a', 'b'], consumers: ['a', 'b'], ports: [tcp(7000)] }],
        { intraNetwork: 'isolate' },
      ),
      expected: ['a<-b: TCP:7000 [/contracts/mesh]', 'b<-a: TCP:7000 [/contracts/mesh]'],
    },
    {
      name: 'isolate removes a network reaching itself even through a contract',
      input: doc([{ name: 'self', providers: ['a'], consumers: ['a'], ports: [tcp(1)] }], {
        intraNetwork: 'isolate',
      }),
      expected: [],
    },
    {
      name: 'grants from several contracts add up and keep every reason',
      input: doc(
        [
          { name: 'c1', providers: ['db'], consumers: ['web'], ports: [tcp(5432)] },
          { name: 'c2', providers: ['db'], consumers: ['web'], ports: [tcp(5433)] },
        ],
        { intraNetwork: 'isolate', providerAccess: 'none' },
      ),
      expected: ['db<-web: TCP:5432-5433 [/contracts/c1 /contracts/c2]'],
    },
    {
      name: 'unrelated networks get nothing from each other',
      input: doc(
        [
          { name: 'c1', providers: ['a'], consumers: ['b'], ports: [tcp(1)] },
          { name: 'c2', providers: ['x'], consumers: ['y'], ports: [tcp(2)] },
        ],
        { intraNetwork: 'isolate' },
      ),
      expected: [
        'a<-b: TCP:1 [/contracts/c1]',
        'b<-a: all [/contracts/c1]',
        'x<-y: TCP:2 [/contracts/c2]',
        'y<-x: all [/contracts/c2]',
      ],
    },
    {
      name: 'a contract-level provider_access overrides the option',
      input: doc(
        [
          {
            name: 'c',
            providers: ['p'],
            consumers: ['q'],
            ports: [tcp(9)],
            providerAccess: 'full',
          },
        ],
        { providerAccess: 'none', intraNetwork: 'isolate' },
      ),
      expected: ['p<-q: TCP:9 [/contracts/c]', 'q<-p: all [/contracts/c]'],
    },
  ];
  it.each(cases)('$name', ({ input, expected }) => {
    expect(table(input)).toEqual(expected);
  });
});

describe('rule 4: expose', () => {
  it('lists expose rules per destination with their ports', () => {
    const d: NormalisedDocument = {
      ...doc([]),
      networks: ['web'],
      expose: [
        { index: 0, network: 'web', cidr: '0.0.0.0/0', except: ['10.0.0.0/8'], ports: [tcp(443)] },
      ],
    };
    const g = computeDocumentGrants(d);
    const e = g.expose.get('web')!;
    expect(e.map((x) => [x.reason, describePortSet(x.ports), x.expose.cidr])).toEqual([
      ['/expose/0', 'TCP:443', '0.0.0.0/0'],
    ]);
  });
});
