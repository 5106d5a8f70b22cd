import { NetworkingV1Api } from '@kubernetes/client-node';
import { KubeGateway, type KubeClient } from '../../src/infra/kube/index.js';
import { uniqueName } from '../harness/cluster-admin.js';
import { testCluster, type TestCluster } from '../harness/kube-test-context.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { waitFor } from '../support/wait-for.js';
import { loadExampleDocument } from '../support/example-document.js';

const example = loadExampleDocument();
const OWNED = 'app.kubernetes.io/managed-by=gbp-netpol';

interface Env {
  cluster: TestCluster;
  admin: KubeClient;
  name: string;
  token: string;
}

describe('multi-cluster rollout (e2e, real kube-apiservers, Redis and PGlite)', () => {
  let testApp: TestApp;
  const gateway = new KubeGateway();
  const envs: Env[] = [];
  const nsA = uniqueName('mms');
  const nsB = uniqueName('shop');
  const nsC = uniqueName('edge');
  const policyName = uniqueName('pol');
  const http = () => testApp.http();
  const seenBodies: string[] = [];

  const doc = (namespaces: string[], mutate: (d: typeof example) => void = () => undefined) => {
    const d = structuredClone(example);
    d.namespaces = namespaces;
    mutate(d);
    return d;
  };

  type Outcome = { namespace: string; name: string; action: string; message?: string };

  /** Every per-object outcome of a cluster, read page by page from the paged route. */
  async function resourcesOf(cluster: string): Promise<Outcome[]> {
    const out: (Outcome & { cluster: string })[] = [];
    let cursor: string | undefined;
    do {
      const res = await http()
        .get(`/v1/policies/${policyName}/status/resources`)
        .query({ cluster, limit: 4, ...(cursor ? { cursor } : {}) })
        .expect(200);
      seenBodies.push(res.text);
      out.push(...(res.body.items as (Outcome & { cluster: string })[]));
      cursor = res.body.nextCursor as string | undefined;
    } while (cursor);
    expect(out.every((o) => o.cluster === cluster)).toBe(true);
    return out.map(({ cluster: _c, ...o }) => o);
  }

  async function status() {
    const res = await http().get(`/v1/policies/${policyName}/status`).expect(200);
    seenBodies.push(res.text);
    const body = res.body as {
      clusters: {
        cluster: string;
        sync: { status: string; reason: string | null };
        operation: { phase: string; error: string | null } | null;
        appliedRevision: number | null;
        counts: Record<string, number>;
      }[];
    };
    // The outcomes are no longer in the status answer: they come from the paged route.
    return {
      clusters: await Promise.all(
        body.clusters.map(async (c) => ({ ...c, resources: await resourcesOf(c.cluster) })),
      ),
    };
  }

  async function waitSettled(revision: number) {
    return waitFor(`revision ${revision} settled on every cluster`, async () => {
      const s = await status();
      const done = s.clusters.every(
        (c) => c.operation && ['Succeeded', 'Failed'].includes(c.operation.phase),
      );
      return done && s.clusters.length > 0 ? s : undefined;
    });
  }

  async function ours(env: Env, ns: string) {
    return (await env.admin.listNetworkPolicies(ns, `${OWNED},gbp-netpol.io/policy=${policyName}`))
      .map((o) => o.metadata.name)
      .sort();
  }

  beforeAll(async () => {
    testApp = await createTestApp({ JOB_BACKOFF_MS: '200', JOB_ATTEMPTS: '3' });
    for (const index of [0, 1]) {
      const cluster = testCluster(index);
      for (const ns of [nsA, nsB]) await cluster.admin.ensureNamespace(ns);
      if (index === 0) await cluster.admin.ensureNamespace(nsC);
      const identity = await cluster.leastPrivilegeIdentity(
        index === 0 ? [nsA, nsB, nsC] : [nsA, nsB],
      );
      const name = uniqueName(`c${index}`);
      const res = await http()
        .post('/v1/clusters')
        .send({
          name,
          server: identity.server,
          caData: identity.caData,
          token: identity.token,
          labels: { suite: policyName },
        });
      expect(res.status).toBe(201);
      seenBodies.push(res.text);
      envs.push({
        cluster,
        admin: gateway.connect(cluster.adminAccess),
        name,
        token: identity.token,
      });
    }
  });

  afterAll(async () => {
    await testApp?.close();
    for (const env of envs)
      for (const ns of [nsA, nsB, nsC])
        await env.cluster.deleteNamespace(ns).catch(() => undefined);
  });

  it('applies the shared example to both clusters: Synced, with exactly the compiled objects', async () => {
    const res = await http()
      .post('/v1/policies')
      .send({
        name: policyName,
        targets: { clusters: envs.map((e) => e.name) },
        document: doc([nsA, nsB]),
      })
      .expect(202);
    seenBodies.push(res.text);
    expect(res.body.revision).toBe(1);
    expect(res.headers.location).toBe(`/v1/deployments/${res.body.deploymentId}`);
    const settled = await waitSettled(1);
    for (const c of settled.clusters) {
      expect(c.sync.status).toBe('Synced');
      expect(c.appliedRevision).toBe(1);
      expect(c.resources.map((r) => r.action)).toEqual(Array(6).fill('created'));
    }
    const manifests = (
      await http().get(`/v1/policies/${policyName}/revisions/1/manifests`).expect(200)
    ).body.items as { metadata: { namespace: string; name: string }; spec: unknown }[];
    expect(manifests).toHaveLength(6);
    for (const env of envs) {
      for (const m of manifests) {
        const live = await env.admin.getNetworkPolicy(m.metadata.namespace, m.metadata.name);
        expect(live?.spec).toEqual(m.spec);
        expect(live?.metadata.labels?.['gbp-netpol.io/policy']).toBe(policyName);
        expect(live?.metadata.annotations?.['gbp-netpol.io/revision']).toBe('1');
      }
    }
    const deployment = await http().get(res.headers.location).expect(200);
    expect(deployment.body.clusters.map((c: { phase: string }) => c.phase)).toEqual([
      'Succeeded',
      'Succeeded',
    ]);
    expect(deployment.body.finishedAt).not.toBeNull();
  });

  it('POSTing identical content creates no revision and no deployment; a sync writes nothing', async () => {
    const before = await Promise.all(envs.map((e) => e.admin.listNetworkPolicies(nsA)));
    const res = await http()
      .post('/v1/policies')
      .send({
        name: policyName,
        targets: { clusters: envs.map((e) => e.name).reverse() },
        document: doc([nsB, nsA]),
      })
      .expect(200);
    expect(res.body).toMatchObject({ revision: 1, unchanged: true, deploymentId: null });
    const sync = await http().post(`/v1/policies/${policyName}/sync`).send({}).expect(202);
    await waitFor('sync finished', async () =>
      (await http().get(`/v1/deployments/${sync.body.deploymentId}`)).body.finishedAt
        ? true
        : undefined,
    );
    const after = await Promise.all(envs.map((e) => e.admin.listNetworkPolicies(nsA)));
    expect(after.map((l) => l.map((o) => o.metadata.resourceVersion))).toEqual(
      before.map((l) => l.map((o) => o.metadata.resourceVersion)),
    );
    const s = await status();
    for (const c of s.clusters)
      expect(new Set(c.resources.map((r) => r.action))).toEqual(new Set(['unchanged']));
  });

  it('a changed revision (network removed, port changed, namespace dropped) is updated and pruned in both clusters', async () => {
    const changed = doc([nsA], (d) => {
      delete d.contracts.hangwe_inst_constract02;
      d.contracts.hangwe_inst_constract01.ports = [{ protocol: 'TCP', port: '2323' }];
      d.expose = [];
    });
    const res = await http()
      .post('/v1/policies')
      .send({ name: policyName, targets: { clusters: envs.map((e) => e.name) }, document: changed })
      .expect(202);
    expect(res.body.revision).toBe(2);
    const settled = await waitSettled(2);
    for (const c of settled.clusters) {
      expect(c.sync.status).toBe('Synced');
      const byAction = (a: string) =>
        c.resources
          .filter((r) => r.action === a)
          .map((r) => `${r.namespace === nsA ? 'A' : 'B'}/${r.name}`)
          .sort();
      expect(byAction('deleted')).toEqual([
        'A/hangwe-inst-network03',
        'B/hangwe-inst-network01',
        'B/hangwe-inst-network02',
        'B/hangwe-inst-network03',
      ]);
      expect(byAction('updated')).toEqual(['A/hangwe-inst-network01', 'A/hangwe-inst-network02']);
    }
    for (const env of envs) {
      expect(await ours(env, nsA)).toEqual(['hangwe-inst-network01', 'hangwe-inst-network02']);
      expect(await ours(env, nsB)).toEqual([]);
      const n2 = await env.admin.getNetworkPolicy(nsA, 'hangwe-inst-network02');
      expect(JSON.stringify(n2?.spec)).toContain('"port":2323');
      expect(JSON.stringify(n2?.spec)).not.toContain('"port":23,');
    }
  });

  it('never overwrites an unowned NetworkPolicy (conflict, with its owner) and reports a missing namespace while applying the rest', async () => {
    // Created by "someone else" (another field manager), as kubectl would.
    const foreign = await envs[0].cluster.adminKubeConfig
      .makeApiClient(NetworkingV1Api)
      .createNamespacedNetworkPolicy({
        namespace: nsC,
        fieldManager: 'kubectl-create',
        body: {
          metadata: { name: 'hangwe-inst-network01', labels: { team: 'edge' } },
          spec: { podSelector: {}, policyTypes: ['Ingress'] },
        },
      });
    await http()
      .post('/v1/policies')
      .send({
        name: policyName,
        targets: { clusters: envs.map((e) => e.name) },
        document: doc([nsA, nsC]),
      })
      .expect(202);
    const settled = await waitSettled(3);
    const [c0, c1] = envs.map((e) => settled.clusters.find((c) => c.cluster === e.name)!);
    const conflict = c0.resources.find(
      (r) => r.namespace === nsC && r.name === 'hangwe-inst-network01',
    )!;
    expect(conflict.action).toBe('conflict');
    expect(conflict.message).toMatch(/not managed by gbp-netpol; field managers: kubectl-create/);
    expect(c0.operation?.phase).toBe('Failed');
    expect(c0.sync).toMatchObject({ status: 'OutOfSync', reason: 'Conflict' });
    const untouched = await envs[0].admin.getNetworkPolicy(nsC, 'hangwe-inst-network01');
    expect(untouched?.metadata.resourceVersion).toBe(foreign.metadata?.resourceVersion);
    expect(untouched?.metadata.labels).toEqual({ team: 'edge' });
    expect(await ours(envs[0], nsC)).toEqual(['hangwe-inst-network02', 'hangwe-inst-network03']);

    const missing = c1.resources.filter((r) => r.namespace === nsC);
    expect(missing.map((r) => r.action)).toEqual(['failed', 'failed', 'failed']);
    expect(missing[0].message).toMatch(new RegExp(`namespace ${nsC} does not exist`));
    expect(c1.operation?.error).toMatch(/3 of 6 resources not applied/);
    expect(await ours(envs[1], nsA)).toEqual([
      'hangwe-inst-network01',
      'hangwe-inst-network02',
      'hangwe-inst-network03',
    ]);
  });

  it('DELETE removes the objects from both clusters, keeps unowned ones, and the deletion stays visible', async () => {
    const res = await http().delete(`/v1/policies/${policyName}`).expect(202);
    await waitFor('policy gone', async () =>
      (await http().get(`/v1/policies/${policyName}`)).status === 404 ? true : undefined,
    );
    for (const env of envs)
      for (const ns of [nsA, nsB, nsC]) expect(await ours(env, ns)).toEqual([]);
    expect(
      (await envs[0].admin.getNetworkPolicy(nsC, 'hangwe-inst-network01'))?.metadata.labels,
    ).toEqual({ team: 'edge' });
    const deletion = await http().get(`/v1/deployments/${res.body.deploymentId}`).expect(200);
    expect(deletion.body).toMatchObject({ kind: 'delete', policy: policyName });
    expect(deletion.body.clusters.every((c: { phase: string }) => c.phase === 'Succeeded')).toBe(
      true,
    );
  });

  it('a cluster registered later that matches a clusterSelector receives the policy', async () => {
    const label = uniqueName('late');
    const late = uniqueName('selpol');
    const res = await http()
      .post('/v1/policies')
      .send({
        name: late,
        targets: { clusterSelector: { matchLabels: { wave: label } } },
        document: {
          namespaces: [nsB],
          contracts: { c: { provide_networks: ['late-db'], consume_networks: ['late-web'] } },
        },
      })
      .expect(202);
    expect(res.body.clusters).toEqual([]);
    const cluster = testCluster(1);
    const identity = await cluster.leastPrivilegeIdentity([nsB]);
    const name = uniqueName('later');
    await http()
      .post('/v1/clusters')
      .send({
        name,
        server: identity.server,
        caData: identity.caData,
        token: identity.token,
        labels: { wave: label },
      })
      .expect(201);
    await waitFor('the new cluster Synced', async () => {
      const s = (await http().get(`/v1/policies/${late}/status`).expect(200)).body as {
        clusters: { cluster: string; sync: { status: string } }[];
      };
      return s.clusters.find((c) => c.cluster === name)?.sync.status === 'Synced'
        ? true
        : undefined;
    });
    const live = await envs[1].admin.listNetworkPolicies(nsB, `gbp-netpol.io/policy=${late}`);
    expect(live.map((o) => o.metadata.name).sort()).toEqual(['late-db', 'late-web']);
    await http().delete(`/v1/policies/${late}`).expect(202);
    await waitFor('late policy deleted', async () =>
      (await http().get(`/v1/policies/${late}`)).status === 404 ? true : undefined,
    );
  });

  it('never shows a cluster token in any answer', () => {
    expect(seenBodies.length).toBeGreaterThan(5);
    for (const env of envs) for (const body of seenBodies) expect(body).not.toContain(env.token);
  });
});
