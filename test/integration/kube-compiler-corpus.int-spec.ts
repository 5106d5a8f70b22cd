import { compileDocument } from '../../src/core/compiler/compile-document.js';
import type { NetworkPolicy } from '../../src/core/kube/network-policy.types.js';
import { KubeGateway } from '../../src/infra/kube/index.js';
import { useNamespace, testCluster } from '../harness/kube-test-context.js';
import { NAMESPACE_POOL, documentCorpus } from '../support/policy-document.arbitrary.js';

// Ties the compiler's validity claim to the real API server: every object compiled from the
// property-test corpus must pass a server-side dry-run apply (validation, defaulting, SSA).
describe('the compiler corpus against a real kube-apiserver', () => {
  const gateway = new KubeGateway({ requestTimeoutMs: 30_000 });
  const cluster = testCluster(0);
  const admin = gateway.connect(cluster.adminAccess);

  it('every compiled object of 300 random documents is accepted by a server-side dry-run', async () => {
    // The corpus uses a fixed pool of namespace names; map each to a fresh namespace here.
    const realNamespace = new Map<string, string>();
    for (const ns of NAMESPACE_POOL) realNamespace.set(ns, await useNamespace(cluster, 'corpus'));

    const objects: NetworkPolicy[] = [];
    for (const raw of documentCorpus(300)) {
      const result = compileDocument(raw, { policyName: 'corpus' });
      expect(result.ok).toBe(true);
      if (!result.ok) continue;
      for (const o of result.objects)
        objects.push({
          ...o,
          metadata: { ...o.metadata, namespace: realNamespace.get(o.metadata.namespace)! },
        });
    }
    expect(objects.length).toBeGreaterThan(1000);

    const rejected: string[] = [];
    const queue = [...objects];
    const worker = async () => {
      for (let o = queue.shift(); o; o = queue.shift()) {
        try {
          const back = await admin.applyNetworkPolicy(o, { dryRun: true });
          // The dry-run answer is the defaulted object; nothing was stored.
          expect(back.metadata?.name).toBe(o.metadata.name);
        } catch (e) {
          rejected.push(
            `${o.metadata.namespace}/${o.metadata.name}: ${(e as Error).message}\n${JSON.stringify(o.spec)}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(rejected).toEqual([]);
    for (const ns of realNamespace.values())
      expect(await admin.listNetworkPolicies(ns)).toEqual([]);
  }, 600_000);
});
