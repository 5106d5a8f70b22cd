import fc from 'fast-check';

/**
 * Random raw MMS documents exercising every option and port form, small enough that a
 * truth table over all their pods is cheap. Shared by the compiler's property tests and the
 * integration test that dry-runs the same corpus against a real kube-apiserver.
 */
export const NETWORK_POOL = ['alpha', 'beta', 'gamma_one', 'delta', 'eps'] as const;
export const NAMESPACE_POOL = ['ns-a', 'ns-b', 'ns-c'] as const;
export const CIDR_POOL = [
  { cidr: '0.0.0.0/0', excepts: ['10.0.0.0/8', '192.168.0.0/16'] },
  { cidr: '10.0.0.0/8', excepts: ['10.1.0.0/16', '10.2.3.0/24'] },
  { cidr: '172.16.0.0/12', excepts: ['172.16.5.0/24'] },
  { cidr: '2001:db8::/32', excepts: ['2001:db8:1::/48'] },
  { cidr: '198.51.100.7/24', excepts: [] }, // host bits set: canonicalised with a warning
] as const;

const nonEmptySubset = <T>(items: readonly T[]) => fc.subarray([...items], { minLength: 1 });

const protocolArb = fc.constantFrom('TCP', 'tcp', 'UDP', 'Udp', 'SCTP', undefined);
const portValueArb = fc.oneof(
  fc.integer({ min: 1, max: 65535 }),
  fc.integer({ min: 1, max: 100 }).map(String),
  fc
    .tuple(fc.integer({ min: 1000, max: 2000 }), fc.integer({ min: 0, max: 500 }))
    .map(([lo, d]) => `${lo}-${lo + d}`),
  fc.constantFrom('http', 'grpc-web', 'dns'),
  fc.constant(undefined),
);
const portArb = fc.tuple(protocolArb, portValueArb).map(([protocol, port]) => ({
  ...(protocol !== undefined ? { protocol } : {}),
  ...(port !== undefined ? { port } : {}),
}));
const portsArb = fc.oneof(fc.constant(undefined), fc.array(portArb, { maxLength: 4 }));

const contractArb = fc.record(
  {
    provide_networks: nonEmptySubset(NETWORK_POOL),
    consume_networks: nonEmptySubset(NETWORK_POOL),
    ports: portsArb,
    provider_access: fc.constantFrom('full', 'none'),
    action: fc.constantFrom('permit', 'deny'),
    established: fc.boolean(),
  },
  { requiredKeys: ['provide_networks', 'consume_networks'] },
);

const exposeArb = fc
  .tuple(fc.constantFrom(...NETWORK_POOL), fc.constantFrom(...CIDR_POOL), portsArb)
  .chain(([network, block, ports]) =>
    fc.subarray([...block.excepts]).map((except) => ({
      network,
      cidr: block.cidr,
      except,
      ...(ports !== undefined ? { ports } : {}),
    })),
  );

const optionsArb = fc.record(
  {
    label_key: fc.constantFrom('mms_network_tag', 'example.com/net'),
    provider_access: fc.constantFrom('full', 'none'),
    peer_namespaces: fc.constantFrom('any', 'listed'),
    intra_network: fc.constantFrom('allow', 'isolate'),
    egress: fc.constantFrom('unrestricted', 'enforce'),
  },
  { requiredKeys: [] },
);

export type RawDocument = {
  namespaces: string[];
  contracts: Record<string, unknown>;
  expose?: unknown[];
  options?: Record<string, unknown>;
};

export const rawDocumentArbitrary: fc.Arbitrary<RawDocument> = fc
  .record(
    {
      namespaces: nonEmptySubset(NAMESPACE_POOL),
      contracts: fc.dictionary(
        fc.constantFrom('web_to_db', 'c1', 'c2', 'mesh', 'ops/admin', 'x~y'),
        contractArb,
        { maxKeys: 4 },
      ),
      expose: fc.array(exposeArb, { maxLength: 3 }),
      options: optionsArb,
    },
    { requiredKeys: ['namespaces', 'contracts'] },
  )
  .map((d) => d as RawDocument);

/** A fixed, reproducible corpus of valid-looking documents (seeded). */
export function documentCorpus(size: number, seed = 20261126): RawDocument[] {
  return fc.sample(rawDocumentArbitrary, { numRuns: size, seed });
}
