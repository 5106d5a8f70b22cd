import { compileDocument } from '../compiler/compile-document.js';
import type { ClusterNetworks } from '../compiler/scope-to-cluster.js';
import { HASH_ANNOTATION } from './plan-rollout.js';
import { objectsForCluster, scopeForCluster } from './cluster-objects.js';

const doc = {
  namespaces: ['mms'],
  contracts: { c: { provide_networks: ['db'], consume_networks: ['web'] } },
  expose: [{ network: 'web', cidr: '0.0.0.0/0', ports: [{ port: 443 }] }],
};
const compiled = compileDocument(doc);
if (!compiled.ok) throw new Error('fixture does not compile');
const web = (objects: typeof compiled.objects) => objects.find((o) => o.metadata.name === 'web')!;

describe('scopeForCluster / objectsForCluster', () => {
  it.each<{ name: string; networks: ClusterNetworks; except?: string[]; codes: string[] }>([
    {
      name: 'pod networks unknown: objects as written, with the warning that names the exposed cidrs',
      networks: { podCIDRs: [], serviceCIDRs: [] },
      except: undefined,
      codes: ['POD_NETWORKS_UNKNOWN'],
    },
    {
      name: 'pod and Service networks known: taken out of the ipBlock',
      networks: { podCIDRs: ['10.244.0.0/16'], serviceCIDRs: ['10.96.0.0/12'] },
      except: ['10.96.0.0/12', '10.244.0.0/16'],
      codes: [],
    },
    {
      name: 'only Service networks known: still warns about the pods',
      networks: { podCIDRs: [], serviceCIDRs: ['10.96.0.0/12'] },
      except: ['10.96.0.0/12'],
      codes: ['POD_NETWORKS_UNKNOWN'],
    },
  ])('$name', ({ networks, except, codes }) => {
    const scoped = scopeForCluster(compiled.objects, networks);
    expect(scoped.warnings.map((w) => w.code)).toEqual(codes);
    if (codes.includes('POD_NETWORKS_UNKNOWN'))
      expect(scoped.warnings[0].message).toContain('0.0.0.0/0');
    const block = web(scoped.objects).spec.ingress!.find((r) => r.from?.[0].ipBlock)!.from![0];
    expect(block.ipBlock).toEqual(except ? { cidr: '0.0.0.0/0', except } : { cidr: '0.0.0.0/0' });
  });

  it('says nothing about unknown pod networks when no object has an ipBlock', () => {
    const plain = compileDocument({ ...doc, expose: [] });
    if (!plain.ok) throw new Error('fixture does not compile');
    expect(scopeForCluster(plain.objects, { podCIDRs: [], serviceCIDRs: [] }).warnings).toEqual([]);
  });

  it('decorates the scoped objects for the rollout: the hash covers the per-cluster content', () => {
    const a = objectsForCluster(compiled.objects, 'p', 3, { podCIDRs: [], serviceCIDRs: [] });
    const b = objectsForCluster(compiled.objects, 'p', 3, {
      podCIDRs: ['10.244.0.0/16'],
      serviceCIDRs: [],
    });
    expect(web(a.objects).metadata.labels?.['gbp-netpol.io/policy']).toBe('p');
    expect(web(a.objects).metadata.annotations?.[HASH_ANNOTATION]).not.toBe(
      web(b.objects).metadata.annotations?.[HASH_ANNOTATION],
    );
    const db = (x: typeof a) => x.objects.find((o) => o.metadata.name === 'db')!;
    expect(db(a).metadata.annotations?.[HASH_ANNOTATION]).toBe(
      db(b).metadata.annotations?.[HASH_ANNOTATION],
    );
  });
});
