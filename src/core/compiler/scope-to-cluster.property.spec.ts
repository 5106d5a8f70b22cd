import fc from 'fast-check';
import { rawDocumentArbitrary } from '../../../test/support/policy-document.arbitrary.js';
import { parsePolicyDocument } from '../document/parse-policy-document.js';
import type { NormalisedDocument } from '../document/policy-document.types.js';
import { createEvaluator } from '../evaluator/evaluate-network-policies.js';
import type { EvalPod, EvalSource } from '../evaluator/evaluator.types.js';
import { cidrContainsIp, formatIp, parseCidr, parseIp, type Cidr } from '../net/cidr.js';
import { cidrCovers, firstAddressOutside } from '../net/cidr-set.js';
import {
  describePortSet,
  intersectPortSets,
  portSetFromSpecs,
  portSetsEqual,
} from '../ports/port-set.js';
import { compileNetworkPolicies } from './compile-network-policies.js';
import { scopeToCluster, type ClusterNetworks } from './scope-to-cluster.js';
import { expected, OUTSIDE_NS, worldAddresses, worldPods } from './truth-table.oracle.js';
import { validateNetworkPolicy } from './validate-network-policy.js';

// Pod and Service networks chosen against the expose CIDRs of the document arbitrary
// (0.0.0.0/0, 10.0.0.0/8, 172.16.0.0/12, 2001:db8::/32, 198.51.100.0/24 and their excepts):
// inside an expose cidr, equal to one, equal to an except, halves that cover one together,
// disjoint, and IPv6.
const POD_POOL = [
  '10.244.0.0/16',
  '10.0.0.0/8',
  '172.16.5.0/24',
  '192.168.0.0/16',
  '198.51.100.0/25',
  '198.51.100.128/25',
  '100.64.0.0/10',
  'fd00:10:244::/56',
  '2001:db8:1::/48',
  '2001:db8::/32',
] as const;
const SERVICE_POOL = ['10.96.0.0/12', '172.20.0.0/16', 'fd00:10:96::/112', '2001:db8:2::/112'];

const networksArb: fc.Arbitrary<ClusterNetworks> = fc.record({
  podCIDRs: fc.subarray([...POD_POOL], { minLength: 1, maxLength: 3 }),
  serviceCIDRs: fc.subarray(SERVICE_POOL, { maxLength: 2 }),
});

function parseOk(raw: unknown): NormalisedDocument {
  const r = parsePolicyDocument(raw);
  if (!r.ok) throw new Error(`generator produced an invalid document: ${JSON.stringify(r.errors)}`);
  return r.document;
}

/** The `n`-th address after a CIDR's network address (wrapping inside it). */
function addressIn(c: Cidr, n: number): string {
  const size = 1n << BigInt((c.family === 4 ? 32 : 128) - c.prefix);
  return formatIp(c.family, c.network + (BigInt(n + 1) % size));
}

/** Every pod of the truth table's world, each with an address in one of the pod networks. */
function podsWithIps(doc: NormalisedDocument, pods: readonly Cidr[]): EvalPod[] {
  return worldPods(doc).map((p, i) => ({ ...p, ip: addressIn(pods[i % pods.length], i) }));
}

describe('scopeToCluster properties', () => {
  it('scoped objects, evaluated with pods that have IPs in the pod network, give exactly the truth table', () => {
    fc.assert(
      fc.property(rawDocumentArbitrary, networksArb, (raw, networks) => {
        const doc = parseOk(raw);
        const { objects, warnings } = scopeToCluster(compileNetworkPolicies(doc), networks);
        for (const o of objects) expect(validateNetworkPolicy(o)).toEqual([]);
        for (const w of warnings) expect(w.code).toBe('IPBLOCK_INSIDE_CLUSTER');

        const cluster = [...networks.podCIDRs, ...networks.serviceCIDRs].map((c) => parseCidr(c)!);
        const pods = podsWithIps(
          doc,
          networks.podCIDRs.map((c) => parseCidr(c)!),
        );
        // Addresses outside every cluster network are outside the cluster: rule 4 must hold.
        const outside = worldAddresses(doc).filter(
          (ip) => !cluster.some((c) => cidrContainsIp(c, parseIp(ip)!)),
        );
        const evaluator = createEvaluator(
          objects,
          [...doc.namespaces, OUTSIDE_NS, 'kube-system'].map((name) => ({ name, labels: {} })),
        );
        const sources: EvalSource[] = [
          ...pods.map((pod) => ({ kind: 'pod' as const, pod })),
          ...outside.map((ip) => ({ kind: 'external' as const, ip })),
        ];
        for (const src of sources) {
          for (const dst of pods) {
            const got = describePortSet(evaluator.allowedPorts(src, dst));
            const want = describePortSet(expected(doc, src, dst));
            if (got !== want)
              throw new Error(
                `${JSON.stringify(src)} → ${JSON.stringify(dst)}: scoped objects allow ${got}, the truth table ${want}`,
              );
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('unscoped objects show the hole whenever an expose cidr overlaps the pod network, and scoping closes it', () => {
    let holes = 0;
    fc.assert(
      fc.property(rawDocumentArbitrary, networksArb, (raw, networks) => {
        const doc = parseOk(raw);
        const unscoped = compileNetworkPolicies(doc);
        const scoped = scopeToCluster(unscoped, networks).objects;
        const namespaces = doc.namespaces.map((name) => ({ name, labels: {} }));
        const before = createEvaluator(unscoped, namespaces);
        const after = createEvaluator(scoped, namespaces);
        const key = doc.options.labelKey;
        for (const e of doc.expose) {
          const cidr = parseCidr(e.cidr)!;
          const except = e.except.map((x) => parseCidr(x)!);
          for (const podCidr of networks.podCIDRs.map((c) => parseCidr(c)!)) {
            // Where the expose cidr and the pod network meet, outside the excepts.
            const meet = cidrCovers(cidr, podCidr)
              ? podCidr
              : cidrCovers(podCidr, cidr)
                ? cidr
                : undefined;
            const free = meet && firstAddressOutside(meet, except);
            if (free === undefined) continue;
            holes++;
            const ip = formatIp(meet!.family, free);
            const untagged: EvalSource = {
              kind: 'pod',
              pod: { namespace: doc.namespaces[0], labels: {}, ip },
            };
            const member: EvalPod = { namespace: doc.namespaces[0], labels: { [key]: e.network } };
            const ports = portSetFromSpecs(e.ports);
            const open = before.allowedPorts(untagged, member);
            expect(portSetsEqual(intersectPortSets(open, ports), ports)).toBe(true);
            expect(describePortSet(after.allowedPorts(untagged, member))).toBe('none');
          }
        }
      }),
      { numRuns: 200 },
    );
    expect(holes).toBeGreaterThan(20);
  });
});
