import { readFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';
import { parsePolicyDocument } from '../document/parse-policy-document.js';
import type { NormalisedDocument } from '../document/policy-document.types.js';
import { createEvaluator } from '../evaluator/evaluate-network-policies.js';
import type { EvalPod, EvalSource } from '../evaluator/evaluator.types.js';
import type { NetworkPolicy } from '../kube/network-policy.types.js';
import { describePortSet } from '../ports/port-set.js';
import { compileDocument } from './compile-document.js';
import {
  compileNetworkPolicies,
  INGRESS_SOURCES_ANNOTATION,
  EGRESS_SOURCES_ANNOTATION,
} from './compile-network-policies.js';

const golden = (name: string) => readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8');
const exampleDocument = JSON.parse(golden('example.document.json')) as unknown;

function compileOk(
  raw: unknown,
  policyName?: string,
): { doc: NormalisedDocument; objects: NetworkPolicy[] } {
  const parsed = parsePolicyDocument(raw);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return { doc: parsed.document, objects: compileNetworkPolicies(parsed.document, { policyName }) };
}

function toYaml(objects: NetworkPolicy[]): string {
  return objects
    .map((o) => `---\n${stringify(o, { aliasDuplicateObjects: false, lineWidth: 0 })}`)
    .join('');
}

describe('the shared MMS example', () => {
  it('compiles to the golden canonical output', () => {
    const r = compileDocument(exampleDocument);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings).toEqual([]);
    expect(toYaml(r.objects)).toBe(golden('example.compiled.yaml'));
  });

  it('allows and denies exactly what the original expected policies do', () => {
    const original = parseAllDocuments(golden('example.original-expected.yaml')).map(
      (d) => d.toJS() as NetworkPolicy,
    );
    expect(original).toHaveLength(3);
    const { objects } = compileOk(exampleDocument);
    const namespaces = ['mms', 'other'].map((name) => ({ name, labels: {} }));
    const ours = createEvaluator(objects, namespaces);
    const theirs = createEvaluator(original, namespaces);
    const nets = [
      'hangwe-inst-network01',
      'hangwe-inst-network02',
      'hangwe-inst-network03',
      'unrelated',
    ];
    const pods: EvalPod[] = ['mms', 'other'].flatMap((namespace) => [
      ...nets.map((n) => ({ namespace, labels: { mms_network_tag: n } })),
      { namespace, labels: {} },
    ]);
    const sources: EvalSource[] = [
      ...pods.map((pod) => ({ kind: 'pod' as const, pod })),
      { kind: 'external', ip: '203.0.113.9' },
      { kind: 'external', ip: '10.0.0.1' },
    ];
    let compared = 0;
    for (const src of sources) {
      for (const dst of pods) {
        expect(
          describePortSet(ours.allowedPorts(src, dst)),
          `${JSON.stringify(src)} -> ${JSON.stringify(dst)}`,
        ).toBe(describePortSet(theirs.allowedPorts(src, dst)));
        compared++;
      }
    }
    expect(compared).toBe(sources.length * pods.length);
  });
});

describe('emission', () => {
  const base = { namespaces: ['prod'] };
  const cases: {
    name: string;
    input: Record<string, unknown>;
    check: (objects: NetworkPolicy[]) => void;
  }[] = [
    {
      name: 'one object per network and namespace, sorted by namespace then name',
      input: {
        namespaces: ['b', 'a'],
        contracts: { c: { provide_networks: ['db'], consume_networks: ['web'] } },
      },
      check: (o) =>
        expect(o.map((x) => `${x.metadata.namespace}/${x.metadata.name}`)).toEqual([
          'a/db',
          'a/web',
          'b/db',
          'b/web',
        ]),
    },
    {
      name: 'peers that share ports are merged into one In selector',
      input: {
        ...base,
        contracts: {
          c: {
            provide_networks: ['db'],
            consume_networks: ['web', 'api'],
            ports: [{ port: 5432 }],
          },
        },
        options: { intra_network: 'isolate' },
      },
      check: (o) =>
        expect(o.find((x) => x.metadata.name === 'db')!.spec.ingress).toEqual([
          {
            from: [
              {
                podSelector: {
                  matchExpressions: [
                    { key: 'mms_network_tag', operator: 'In', values: ['api', 'web'] },
                  ],
                },
                namespaceSelector: {},
              },
            ],
            ports: [{ protocol: 'TCP', port: 5432 }],
          },
        ]),
    },
    {
      name: 'ports get explicit protocols, ranges use endPort, and policyTypes is explicit',
      input: {
        ...base,
        contracts: {
          c: {
            provide_networks: ['db'],
            consume_networks: ['web'],
            ports: [{ port: '8000-8100' }, { protocol: 'udp', port: 53 }, { protocol: 'sctp' }],
          },
        },
      },
      check: (o) => {
        const db = o.find((x) => x.metadata.name === 'db')!;
        expect(db.spec.policyTypes).toEqual(['Ingress']);
        expect(db.spec.ingress![0].ports).toEqual([
          { protocol: 'SCTP' },
          { protocol: 'TCP', port: 8000, endPort: 8100 },
          { protocol: 'UDP', port: 53 },
        ]);
      },
    },
    {
      name: 'ipBlocks are never mixed with selectors and carry their excepts',
      input: {
        ...base,
        contracts: {},
        expose: [
          { network: 'web', cidr: '0.0.0.0/0', except: ['10.0.0.0/8'], ports: [{ port: 443 }] },
        ],
        options: { intra_network: 'isolate' },
      },
      check: (o) =>
        expect(o[0].spec.ingress).toEqual([
          {
            from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }],
            ports: [{ protocol: 'TCP', port: 443 }],
          },
        ]),
    },
    {
      name: 'listed peers select the document namespaces by name',
      input: {
        namespaces: ['x', 'y'],
        contracts: { c: { provide_networks: ['db'], consume_networks: ['web'] } },
        options: { peer_namespaces: 'listed', intra_network: 'isolate', provider_access: 'none' },
      },
      check: (o) =>
        expect(o[0].spec.ingress![0].from![0].namespaceSelector).toEqual({
          matchExpressions: [
            { key: 'kubernetes.io/metadata.name', operator: 'In', values: ['x', 'y'] },
          ],
        }),
    },
    {
      name: 'egress enforce adds Egress, the accepted destinations and DNS',
      input: {
        ...base,
        contracts: {
          c: { provide_networks: ['db'], consume_networks: ['web'], ports: [{ port: 5432 }] },
        },
        options: { egress: 'enforce', intra_network: 'isolate', provider_access: 'none' },
      },
      check: (o) => {
        const web = o.find((x) => x.metadata.name === 'web')!;
        expect(web.spec.policyTypes).toEqual(['Ingress', 'Egress']);
        expect(web.spec.ingress).toBeUndefined();
        expect(web.spec.egress).toEqual([
          {
            to: [
              { podSelector: { matchLabels: { mms_network_tag: 'db' } }, namespaceSelector: {} },
            ],
            ports: [{ protocol: 'TCP', port: 5432 }],
          },
          {
            to: [
              {
                podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
                namespaceSelector: {
                  matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
                },
              },
            ],
            ports: [
              { protocol: 'TCP', port: 53 },
              { protocol: 'UDP', port: 53 },
            ],
          },
        ]);
        expect(JSON.parse(web.metadata.annotations![EGRESS_SOURCES_ANNOTATION])).toEqual([
          ['/contracts/c'],
          ['dns'],
        ]);
      },
    },
    {
      name: 'annotations trace each ingress rule to the document',
      input: {
        ...base,
        contracts: {
          'web/db': { provide_networks: ['db'], consume_networks: ['web'], ports: [{ port: 1 }] },
        },
      },
      check: (o) =>
        expect(
          JSON.parse(
            o.find((x) => x.metadata.name === 'db')!.metadata.annotations![
              INGRESS_SOURCES_ANNOTATION
            ],
          ),
        ).toEqual([['/contracts/web~1db'], ['intra-network']]),
    },
    {
      name: 'a network with no allowed source denies all ingress (no ingress field)',
      input: {
        ...base,
        contracts: { c: { provide_networks: ['db'], consume_networks: ['web'], action: 'deny' } },
        options: { intra_network: 'isolate' },
      },
      check: (o) => {
        expect(o).toHaveLength(2);
        for (const x of o)
          expect(x.spec).toEqual({
            podSelector: { matchLabels: { mms_network_tag: x.metadata.name } },
            policyTypes: ['Ingress'],
          });
      },
    },
  ];
  it.each(cases)('$name', ({ input, check }) => check(compileOk(input).objects));

  it('labels objects with the policy name when given', () => {
    const { objects } = compileOk(
      { namespaces: ['a'], contracts: { c: { provide_networks: ['x'], consume_networks: ['y'] } } },
      'shop',
    );
    expect(objects[0].metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'gbp-netpol',
      'gbp-netpol.io/network': 'x',
      'gbp-netpol.io/policy': 'shop',
    });
  });
});
