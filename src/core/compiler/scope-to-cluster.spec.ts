import type {
  IPBlock,
  NetworkPolicy,
  NetworkPolicyIngressRule,
} from '../kube/network-policy.types.js';
import { contentHash } from '../reconcile/canonical-json.js';
import { compileDocument } from './compile-document.js';
import { scopeToCluster, type ClusterNetworks } from './scope-to-cluster.js';
import { validateNetworkPolicy } from './validate-network-policy.js';

const SOURCES = 'gbp-netpol.io/ingress-sources';

/** A policy with one ingress rule per block (and an extra selector rule first). */
function exposed(blocks: IPBlock[], extraPeers = false): NetworkPolicy {
  const ingress: NetworkPolicyIngressRule[] = [
    { from: [{ podSelector: { matchLabels: { net: 'web' } }, namespaceSelector: {} }] },
    ...blocks.map((ipBlock) => ({
      from: [
        { ipBlock },
        ...(extraPeers ? [{ ipBlock: { cidr: '203.0.113.0/24' } } as const] : []),
      ],
      ports: [{ protocol: 'TCP' as const, port: 443 }],
    })),
  ];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: 'web',
      namespace: 'mms',
      annotations: {
        [SOURCES]: JSON.stringify([['intra-network'], ...blocks.map((_, i) => [`/expose/${i}`])]),
      },
    },
    spec: { podSelector: { matchLabels: { net: 'web' } }, policyTypes: ['Ingress'], ingress },
  };
}

const K8S: ClusterNetworks = {
  podCIDRs: ['10.244.0.0/16', 'fd00:10:244::/56'],
  serviceCIDRs: ['10.96.0.0/12', 'fd00:10:96::/112'],
};

/** The ipBlocks of rule 1 onwards, or 'dropped' for a rule that is gone. */
function blocksAfter(np: NetworkPolicy): (IPBlock | string)[] {
  return (np.spec.ingress ?? []).slice(1).map((r) => r.from?.[0]?.ipBlock ?? 'not an ipBlock');
}

describe('scopeToCluster: one ipBlock against the cluster networks', () => {
  const cases: {
    name: string;
    block: IPBlock;
    networks?: ClusterNetworks;
    /** The block after scoping, or `dropped`. */
    expected: IPBlock | 'dropped';
    warning?: string;
  }[] = [
    {
      name: 'the whole IPv4 space: both cluster networks become excepts, sorted',
      block: { cidr: '0.0.0.0/0' },
      expected: { cidr: '0.0.0.0/0', except: ['10.96.0.0/12', '10.244.0.0/16'] },
    },
    {
      name: 'the pod network inside the expose cidr, an except kept',
      block: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] },
      expected: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.96.0.0/12', '10.244.0.0/16'] },
    },
    {
      name: 'disjoint from the cluster: unchanged',
      block: { cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] },
      expected: { cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] },
    },
    {
      name: 'a cidr fully inside the pod network: dropped',
      block: { cidr: '10.244.3.0/24' },
      expected: 'dropped',
      warning: "lies inside the cluster's pod network 10.244.0.0/16",
    },
    {
      name: 'a cidr equal to the service network: dropped',
      block: { cidr: '10.96.0.0/12' },
      expected: 'dropped',
      warning: "lies inside the cluster's service network 10.96.0.0/12",
    },
    {
      name: 'an except that already covers the pod network: unchanged',
      block: { cidr: '10.0.0.0/8', except: ['10.96.0.0/12', '10.244.0.0/14'] },
      expected: { cidr: '10.0.0.0/8', except: ['10.96.0.0/12', '10.244.0.0/14'] },
    },
    {
      name: 'two excepts that together cover the pod network: unchanged',
      block: { cidr: '10.0.0.0/8', except: ['10.96.0.0/12', '10.244.0.0/17', '10.244.128.0/17'] },
      expected: {
        cidr: '10.0.0.0/8',
        except: ['10.96.0.0/12', '10.244.0.0/17', '10.244.128.0/17'],
      },
    },
    {
      name: 'excepts made redundant by a bigger new except are dropped',
      block: { cidr: '10.0.0.0/8', except: ['10.244.1.0/24', '10.244.7.0/24', '10.5.0.0/16'] },
      expected: { cidr: '10.0.0.0/8', except: ['10.5.0.0/16', '10.96.0.0/12', '10.244.0.0/16'] },
    },
    {
      name: 'IPv6: both cluster networks inside fd00::/8; an except inside the pod network goes',
      block: { cidr: 'fd00::/8', except: ['fd00:10:244:1::/64'] },
      expected: { cidr: 'fd00::/8', except: ['fd00:10:96::/112', 'fd00:10:244::/56'] },
    },
    {
      name: 'IPv6 ::/0',
      block: { cidr: '::/0' },
      expected: { cidr: '::/0', except: ['fd00:10:96::/112', 'fd00:10:244::/56'] },
    },
    {
      name: 'mixed families: an IPv6 block is untouched by IPv4 cluster networks',
      block: { cidr: '2001:db8::/32' },
      networks: { podCIDRs: ['10.244.0.0/16'], serviceCIDRs: ['10.96.0.0/12'] },
      expected: { cidr: '2001:db8::/32' },
    },
    {
      name: 'cluster networks that with the excepts cover the whole cidr: dropped',
      block: { cidr: '10.0.0.0/24', except: ['10.0.0.0/26'] },
      networks: { podCIDRs: ['10.0.0.64/26', '10.0.0.128/25'], serviceCIDRs: [] },
      expected: 'dropped',
      warning:
        "is covered by its excepts and the cluster's pod network 10.0.0.64/26, pod network 10.0.0.128/25",
    },
    {
      name: 'a cluster network given with host bits is read canonically',
      block: { cidr: '10.0.0.0/8' },
      networks: { podCIDRs: ['10.244.1.1/16'], serviceCIDRs: [] },
      expected: { cidr: '10.0.0.0/8', except: ['10.244.0.0/16'] },
    },
  ];

  it.each(cases)('$name', ({ block, networks, expected, warning }) => {
    const input = exposed([block]);
    const before = structuredClone(input);
    const r = scopeToCluster([input], networks ?? K8S);
    expect(input).toEqual(before); // never mutated
    const out = r.objects[0];
    expect(validateNetworkPolicy(out)).toEqual([]);
    if (expected === 'dropped') {
      expect(blocksAfter(out)).toEqual([]);
      expect(JSON.parse(out.metadata.annotations![SOURCES])).toEqual([['intra-network']]);
      expect(r.warnings).toHaveLength(1);
      expect(r.warnings[0]).toMatchObject({ path: '/expose/0', code: 'IPBLOCK_INSIDE_CLUSTER' });
      expect(r.warnings[0].message).toContain(warning);
      expect(r.warnings[0].message).toContain(`ipBlock ${block.cidr} of expose rule /expose/0`);
    } else {
      expect(blocksAfter(out)).toEqual([expected]);
      expect(r.warnings).toEqual([]);
      if (JSON.stringify(expected) === JSON.stringify(block)) expect(out).toBe(input);
    }
  });
});

describe('scopeToCluster: rules, annotations and objects', () => {
  it('drops only the peer when the rule keeps another one', () => {
    const input = exposed([{ cidr: '10.244.0.0/20' }], true);
    const r = scopeToCluster([input], K8S);
    expect(r.objects[0].spec.ingress![1].from).toEqual([{ ipBlock: { cidr: '203.0.113.0/24' } }]);
    expect(r.objects[0].metadata.annotations![SOURCES]).toBe(input.metadata.annotations![SOURCES]);
    expect(r.warnings.map((w) => w.path)).toEqual(['/expose/0']);
  });

  it('drops a rule that loses all its peers, and its entry in the sources annotation', () => {
    const input = exposed([
      { cidr: '10.244.0.0/20' },
      { cidr: '0.0.0.0/0' },
      { cidr: '10.96.0.0/16' },
    ]);
    const r = scopeToCluster([input], K8S);
    const out = r.objects[0];
    expect(out.spec.ingress).toHaveLength(2);
    expect(out.spec.ingress![1].from![0].ipBlock).toEqual({
      cidr: '0.0.0.0/0',
      except: ['10.96.0.0/12', '10.244.0.0/16'],
    });
    expect(JSON.parse(out.metadata.annotations![SOURCES])).toEqual([
      ['intra-network'],
      ['/expose/1'],
    ]);
    expect(r.warnings.map((w) => w.path)).toEqual(['/expose/0', '/expose/2']);
  });

  it('removes ingress and its annotation when every rule is gone (deny all, as compiled)', () => {
    const input = exposed([{ cidr: '10.244.0.0/20' }]);
    input.spec.ingress = input.spec.ingress!.slice(1);
    input.metadata.annotations = { [SOURCES]: JSON.stringify([['/expose/0']]) };
    const out = scopeToCluster([input], K8S).objects[0];
    expect(out.spec).toEqual({
      podSelector: { matchLabels: { net: 'web' } },
      policyTypes: ['Ingress'],
    });
    expect(out.metadata).toEqual({ name: 'web', namespace: 'mms' });
  });

  it('names every expose rule of a rule that several share', () => {
    const input = exposed([{ cidr: '0.0.0.0/0' }], true);
    input.spec.ingress![1].from = [
      { ipBlock: { cidr: '0.0.0.0/0' } },
      { ipBlock: { cidr: '10.244.0.0/20' } },
    ];
    input.metadata.annotations = {
      [SOURCES]: JSON.stringify([['intra-network'], ['/expose/0', '/expose/1']]),
    };
    const r = scopeToCluster([input], K8S);
    expect(r.warnings.map((w) => w.path)).toEqual(['/expose/0', '/expose/1']);
    expect(r.warnings[0].message).toContain(
      'ipBlock 10.244.0.0/20 of the rule shared by expose rules /expose/0, /expose/1 lies inside',
    );
  });

  it('scopes egress ipBlocks too, keeping the egress annotation in step', () => {
    const np: NetworkPolicy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: 'web',
        namespace: 'mms',
        annotations: { 'gbp-netpol.io/egress-sources': '[["/a"],["/b"]]' },
      },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] },
          { to: [{ ipBlock: { cidr: '10.244.0.0/24' } }] },
        ],
      },
    };
    const r = scopeToCluster([np], K8S);
    expect(r.objects[0].spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.96.0.0/12', '10.244.0.0/16'] } }] },
    ]);
    expect(r.objects[0].metadata.annotations).toEqual({
      'gbp-netpol.io/egress-sources': '[["/a"]]',
    });
    // No /expose/ source: the warning names the object and rule.
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0].path).toBe('');
    expect(r.warnings[0].message).toContain('of mms/web egress rule 1 lies inside');
  });

  it('leaves objects without ipBlocks, and everything when no cluster network is known, as they are', () => {
    const compiled = compileDocument({
      namespaces: ['a', 'b'],
      contracts: { c: { provide_networks: ['db'], consume_networks: ['web'] } },
      expose: [{ network: 'web', cidr: '0.0.0.0/0', ports: [{ port: 443 }] }],
    });
    if (!compiled.ok) throw new Error('invalid');
    const r = scopeToCluster(compiled.objects, K8S);
    const db = compiled.objects.filter((o) => o.metadata.name === 'db');
    for (const o of db) expect(r.objects).toContain(o);
    expect(r.objects.map(contentHash)).not.toEqual(compiled.objects.map(contentHash));
    // One warning-free narrowing per namespace; nothing to report.
    expect(r.warnings).toEqual([]);
    const none = scopeToCluster(compiled.objects, { podCIDRs: [], serviceCIDRs: [] });
    none.objects.forEach((o, i) => expect(o).toBe(compiled.objects[i]));
  });

  it('reports a rule left out in every namespace once', () => {
    const compiled = compileDocument({
      namespaces: ['a', 'b', 'c'],
      contracts: {},
      expose: [{ network: 'web', cidr: '10.244.1.0/24' }],
    });
    if (!compiled.ok) throw new Error('invalid');
    const r = scopeToCluster(compiled.objects, K8S);
    expect(r.warnings.map((w) => [w.path, w.code])).toEqual([
      ['/expose/0', 'IPBLOCK_INSIDE_CLUSTER'],
    ]);
    for (const o of r.objects)
      expect(o.spec.ingress).toEqual([
        {
          from: [
            { podSelector: { matchLabels: { mms_network_tag: 'web' } }, namespaceSelector: {} },
          ],
        },
      ]);
  });

  it('reports cluster CIDRs it cannot read and ignores them', () => {
    const r = scopeToCluster([exposed([{ cidr: '0.0.0.0/0' }])], {
      podCIDRs: ['10.244.0.0/16', 'pods'],
      serviceCIDRs: ['::ffff:10.96.0.0/108'],
    });
    expect(r.warnings.map((w) => [w.path, w.code])).toEqual([
      ['/podCIDRs/1', 'INVALID_CIDR'],
      ['/serviceCIDRs/0', 'INVALID_CIDR'],
    ]);
    expect(blocksAfter(r.objects[0])).toEqual([{ cidr: '0.0.0.0/0', except: ['10.244.0.0/16'] }]);
  });

  it('leaves peers it cannot read (the API server would refuse them) alone', () => {
    const odd = exposed([{ cidr: 'not-a-cidr' }, { cidr: '0.0.0.0/0', except: ['bad'] }]);
    expect(scopeToCluster([odd], K8S).objects[0]).toBe(odd);
  });

  it('is deterministic and independent of the order of the cluster networks', () => {
    const input = [exposed([{ cidr: '0.0.0.0/0' }, { cidr: '::/0' }])];
    const a = scopeToCluster(input, K8S);
    const b = scopeToCluster(input, {
      podCIDRs: [...K8S.podCIDRs].reverse(),
      serviceCIDRs: [...K8S.serviceCIDRs].reverse(),
    });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});
