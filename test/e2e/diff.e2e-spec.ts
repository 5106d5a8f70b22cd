import { readFileSync } from 'node:fs';
import {
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1NetworkPolicyIngressRule,
} from '@kubernetes/client-node';
import { ok, type ApiClient, type components } from '../../src/client/api-client.js';
import { compileDocument } from '../../src/core/compiler/compile-document.js';
import { buildConnectivityMatrix } from '../../src/core/connectivity/connectivity-matrix.js';
import { portSetFromJson } from '../../src/core/diff/connectivity-change.js';
import {
  NO_PORTS,
  intersectPortSets,
  isEmptyPortSet,
  portSetsEqual,
  unionPortSets,
  type PortSet,
} from '../../src/core/ports/port-set.js';
import { KubeGateway, type KubeClient } from '../../src/infra/kube/index.js';
import { uniqueName, type LeastPrivilegeIdentity } from '../harness/cluster-admin.js';
import { testCluster, type TestCluster } from '../harness/kube-test-context.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { waitFor } from '../support/wait-for.js';

const example = JSON.parse(
  readFileSync(
    new URL('../../src/core/compiler/golden/example.document.json', import.meta.url),
    'utf8',
  ),
) as {
  namespaces: string[];
  contracts: Record<string, { ports?: { protocol: string; port: string }[] }>;
  expose: { ports?: { protocol: string; port: string }[] }[];
};
const N = (n: number) => `hangwe-inst-network0${n}`;

interface Env {
  cluster: TestCluster;
  admin: KubeClient;
  name: string;
  identity: LeastPrivilegeIdentity;
}

// The answers' shapes, as the typed client (generated from openapi.json) has them.
type ClusterResult = components['schemas']['ClusterDiff'];
type Delta = components['schemas']['ConnectivityDelta'];

describe('diffs and plans (e2e, real kube-apiservers, Redis and PGlite)', () => {
  let testApp: TestApp;
  let api: ApiClient;
  const gateway = new KubeGateway();
  const envs: Env[] = [];
  const nsA = uniqueName('mms');
  const nsB = uniqueName('shop');
  const nsC = uniqueName('edge');
  const nsD = uniqueName('locked');
  const policyName = uniqueName('pol');
  const http = () => testApp.http();

  const doc = (namespaces: string[], mutate: (d: typeof example) => void = () => undefined) => {
    const d = structuredClone(example);
    d.namespaces = namespaces;
    mutate(d);
    return d;
  };
  const withoutNetwork03 = (namespaces: string[]) =>
    doc(namespaces, (d) => delete d.contracts.hangwe_inst_constract02);

  /** resourceVersion of every NetworkPolicy in the suite's namespaces, on both clusters. */
  async function resourceVersions(): Promise<Record<string, string | undefined>> {
    const out: Record<string, string | undefined> = {};
    for (const env of envs) {
      for (const ns of [nsA, nsB, nsC, nsD]) {
        for (const o of await env.admin.listNetworkPolicies(ns))
          out[`${env.name}/${ns}/${o.metadata.name}`] = o.metadata.resourceVersion;
      }
    }
    return out;
  }

  async function waitSettled(revision: number) {
    return waitFor(`revision ${revision} settled on every cluster`, async () => {
      const s = await ok(
        api.GET('/v1/policies/{name}/status', { params: { path: { name: policyName } } }),
      );
      const done = s.clusters.every(
        (c) =>
          c.appliedRevision === revision &&
          c.operation &&
          ['Succeeded', 'Failed'].includes(c.operation.phase),
      );
      return done && s.clusters.length > 0 ? s : undefined;
    });
  }

  /** The policy's diff, on one cluster or on every target. */
  function diff(cluster?: string) {
    return ok(
      api.GET('/v1/policies/{name}/diff', {
        params: { path: { name: policyName }, query: cluster ? { cluster } : {} },
      }),
    );
  }

  const byCluster = (clusters: ClusterResult[], env: Env) =>
    clusters.find((c) => c.cluster === env.name)!;
  const actions = (c: ClusterResult, ns?: string) =>
    c.resources
      .filter((r) => !ns || r.namespace === ns)
      .map(
        (r) =>
          `${r.namespace === nsA ? 'A' : r.namespace === nsB ? 'B' : r.namespace === nsC ? 'C' : r.namespace === nsD ? 'D' : r.namespace}/${r.name.replace('hangwe-inst-', '')} ${r.action}`,
      );

  beforeAll(async () => {
    testApp = await createTestApp({ JOB_BACKOFF_MS: '200', JOB_ATTEMPTS: '3' });
    api = await testApp.client();
    for (const index of [0, 1]) {
      const cluster = testCluster(index);
      for (const ns of [nsA, nsB, nsC, nsD]) await cluster.admin.ensureNamespace(ns);
      // Cluster 0 may manage A, B and C; cluster 1 only A and B, and may merely read C. Nobody may touch D.
      const identity = await cluster.leastPrivilegeIdentity(
        index === 0 ? [nsA, nsB, nsC] : [nsA, nsB],
      );
      if (index === 1) {
        const name = `read-only-${identity.id}`;
        await cluster.admin.rbac.createNamespacedRole({
          namespace: nsC,
          body: {
            metadata: { name },
            rules: [
              {
                apiGroups: ['networking.k8s.io'],
                resources: ['networkpolicies'],
                verbs: ['get', 'list'],
              },
            ],
          },
        });
        await cluster.admin.rbac.createNamespacedRoleBinding({
          namespace: nsC,
          body: {
            metadata: { name },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
            subjects: [{ kind: 'ServiceAccount', ...identity.serviceAccount }],
          },
        });
      }
      const name = uniqueName(`c${index}`);
      await ok(
        api.POST('/v1/clusters', {
          body: { name, server: identity.server, caData: identity.caData, token: identity.token },
        }),
      );
      envs.push({ cluster, admin: gateway.connect(cluster.adminAccess), name, identity });
    }
  });

  afterAll(async () => {
    await testApp?.close();
    for (const env of envs) {
      for (const ns of [nsA, nsB, nsC, nsD])
        await env.cluster.deleteNamespace(ns).catch(() => undefined);
      await env.cluster.deleteIdentity(env.identity).catch(() => undefined);
    }
  });

  it('plans a policy that does not exist yet: creates everywhere, connectivity versus no policy, and nothing is stored or written', async () => {
    const before = await resourceVersions();
    const plan = await ok(
      api.POST('/v1/policies/{name}/plan', {
        params: { path: { name: policyName } },
        body: {
          targets: { clusters: envs.map((e) => e.name) },
          document: doc([nsA, nsB]) as components['schemas']['PolicyDocument'],
        },
      }),
    );
    expect(plan).toMatchObject({
      policy: policyName,
      exists: false,
      unchanged: false,
      revision: 1,
      baseRevision: null,
    });
    expect(plan.document).toEqual([
      { op: 'add', path: '', value: expect.objectContaining({ namespaces: [nsA, nsB] }) },
    ]);
    for (const env of envs) {
      const c = byCluster(plan.clusters, env);
      expect(c).toMatchObject({
        action: 'apply',
        error: null,
        summary: { create: 6, update: 0, delete: 0, unchanged: 0, conflict: 0, error: 0 },
      });
      for (const r of c.resources) {
        expect(r.patch).toEqual([
          { op: 'add', path: '', value: expect.objectContaining({ kind: 'NetworkPolicy' }) },
        ]);
        const created = r.patch[0].value as { metadata: Record<string, unknown> };
        // The dry-run's answer, without server fields.
        expect(Object.keys(created.metadata).sort()).toEqual([
          'annotations',
          'labels',
          'name',
          'namespace',
        ]);
        expect(r.unified).toMatch(
          new RegExp(
            `^--- live/${r.namespace}/${r.name}\\n\\+\\+\\+ desired/${r.namespace}/${r.name}\\n@@ -0,0 `,
          ),
        );
      }
    }
    // Versus no policy at all, a first document only restricts.
    expect(plan.connectivity.gained).toEqual([]);
    expect(plan.connectivity.lost).toContainEqual(
      expect.objectContaining({
        namespace: nsA,
        source: 'untagged',
        destination: N(1),
        ports: 'all',
      }),
    );
    await http().get(`/v1/policies/${policyName}`).expect(404);
    expect(await resourceVersions()).toEqual(before);
  });

  it('right after a Synced rollout the diff is empty on both clusters: no noise from server defaults', async () => {
    await http()
      .post('/v1/policies')
      .send({
        name: policyName,
        targets: { clusters: envs.map((e) => e.name) },
        document: doc([nsA, nsB]),
      })
      .expect(202);
    const settled = await waitSettled(1);
    expect(settled.clusters.map((c) => c.sync.status)).toEqual(['Synced', 'Synced']);
    const d = await diff();
    expect(d.revision).toBe(1);
    expect(d.clusters.map((c) => c.cluster)).toEqual(envs.map((e) => e.name).sort());
    for (const c of d.clusters) {
      expect(c.error).toBeNull();
      expect(c.resources).toHaveLength(6);
      for (const r of c.resources)
        expect(r).toMatchObject({ action: 'unchanged', patch: [], unified: '', owners: [] });
    }
  });

  it('a hand edit by another field manager is an update naming the changed path and its owner; a sync takes it back', async () => {
    const [env] = envs;
    const live = (await env.admin.getNetworkPolicy(nsA, N(2)))!;
    const ingress = structuredClone(live.spec!.ingress!) as V1NetworkPolicyIngressRule[];
    const ruleIndex = ingress.findIndex((r) => r.ports?.some((p) => p.port === 3306));
    const portIndex = ingress[ruleIndex].ports!.findIndex((p) => p.port === 3306);
    ingress[ruleIndex].ports![portIndex].port = 3307;
    // As `kubectl edit` would: a JSON merge patch, recorded under another field manager.
    await env.cluster.adminKubeConfig
      .makeApiClient(NetworkingV1Api)
      .patchNamespacedNetworkPolicy(
        { namespace: nsA, name: N(2), fieldManager: 'kubectl-edit', body: { spec: { ingress } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );

    const d = await diff(env.name);
    expect(d.clusters.map((c) => c.cluster)).toEqual([env.name]);
    const [c] = d.clusters;
    expect(actions(c)).toEqual([
      'A/network01 unchanged',
      'A/network02 update',
      'A/network03 unchanged',
      'B/network01 unchanged',
      'B/network02 unchanged',
      'B/network03 unchanged',
    ]);
    const edited = c.resources.find((r) => r.action === 'update')!;
    const path = `/spec/ingress/${ruleIndex}/ports/${portIndex}/port`;
    expect(edited.patch).toEqual([{ op: 'replace', path, value: 3306 }]);
    expect(edited.owners).toEqual([{ path, manager: 'kubectl-edit' }]);
    expect(edited.unified).toContain(`--- live/${nsA}/${N(2)}\n+++ desired/${nsA}/${N(2)}\n`);
    expect(edited.unified).toMatch(/^-\s+- port: 3307$/m);
    expect(edited.unified).toMatch(/^\+\s+- port: 3306$/m);
    expect(edited.widening).toBe(false);
    // The other cluster is untouched.
    expect(byCluster((await diff()).clusters, envs[1]).summary).toMatchObject({
      unchanged: 6,
      update: 0,
    });

    const sync = await http().post(`/v1/policies/${policyName}/sync`).send({}).expect(202);
    await waitFor('sync finished', async () =>
      (await http().get(`/v1/deployments/${sync.body.deploymentId}`)).body.finishedAt
        ? true
        : undefined,
    );
    for (const cl of (await diff()).clusters)
      expect(cl.summary).toMatchObject({ unchanged: 6, update: 0 });
  });

  it('a plan that removes a network lists its prunes and the connectivity it loses, and changes nothing', async () => {
    const before = await resourceVersions();
    const res = await http()
      .post(`/v1/policies/${policyName}/plan`)
      .send({ document: withoutNetwork03([nsA, nsB]) });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      exists: true,
      unchanged: false,
      revision: 2,
      baseRevision: 1,
      targets: { clusters: envs.map((e) => e.name).sort() },
    });
    expect(res.body.document).toEqual([
      { op: 'remove', path: '/contracts/hangwe_inst_constract02' },
    ]);
    for (const env of envs) {
      const c: ClusterResult = byCluster(res.body.clusters, env);
      expect(c.error).toBeNull();
      expect(actions(c)).toEqual([
        'A/network01 update',
        'A/network02 unchanged',
        'A/network03 delete',
        'B/network01 update',
        'B/network02 unchanged',
        'B/network03 delete',
      ]);
      const prune = c.resources.find((r) => r.action === 'delete')!;
      expect(prune.patch).toEqual([{ op: 'remove', path: '' }]);
      expect(prune.unified).toMatch(/^--- live\/.*\n\+\+\+ desired\/.*\n@@ -1,\d+ \+0,0 @@\n/);
      const narrowed = c.resources.find((r) => r.action === 'update')!;
      expect(narrowed.widening).toBe(false);
      expect(narrowed.patch.some((op) => op.path.startsWith('/spec/ingress'))).toBe(true);
      expect(narrowed.owners.every((o) => o.manager === 'gbp-netpol')).toBe(true);
    }
    for (const ns of [nsA, nsB]) {
      expect(res.body.connectivity.lost).toContainEqual({
        namespace: ns,
        source: `network:${N(3)}`,
        destination: N(1),
        ports: 'TCP:23',
        allowed: [{ protocol: 'TCP', ports: ['23'] }],
      });
    }
    // The pods of the removed network are selected by no policy any more: open to everyone.
    expect(res.body.connectivity.gained).toContainEqual(
      expect.objectContaining({
        namespace: nsA,
        source: 'untagged',
        destination: N(3),
        ports: 'all',
      }),
    );
    expect(await resourceVersions()).toEqual(before);
    expect((await http().get(`/v1/policies/${policyName}`).expect(200)).body.latestRevision).toBe(
      1,
    );
  });

  it('a plan reports a clash with an unowned NetworkPolicy as a conflict and RBAC denials per resource, and changes nothing', async () => {
    await envs[0].cluster.adminKubeConfig
      .makeApiClient(NetworkingV1Api)
      .createNamespacedNetworkPolicy({
        namespace: nsC,
        fieldManager: 'kubectl-create',
        body: {
          metadata: { name: N(1), labels: { team: 'edge' } },
          spec: { podSelector: {}, policyTypes: ['Ingress'] },
        },
      });
    const before = await resourceVersions();
    const res = await http()
      .post(`/v1/policies/${policyName}/plan`)
      .send({ document: doc([nsA, nsC, nsD]) });
    expect(res.status, res.text).toBe(200);
    const [c0, c1]: ClusterResult[] = envs.map((e) => byCluster(res.body.clusters, e));

    expect(actions(c0, nsC)).toEqual([
      'C/network01 conflict',
      'C/network02 create',
      'C/network03 create',
    ]);
    const conflict = c0.resources.find((r) => r.action === 'conflict')!;
    expect(conflict.owner).toBe('not managed by gbp-netpol; field managers: kubectl-create');
    expect(conflict.owners).toContainEqual({ path: '/spec/ingress', manager: null });
    expect(conflict.patch).toContainEqual(
      expect.objectContaining({ path: '/metadata/labels/team', op: 'remove' }),
    );
    // Dropped namespace B: its objects are pruned (it was applied there); A is unchanged.
    expect(actions(c0, nsB)).toEqual([
      'B/network01 delete',
      'B/network02 delete',
      'B/network03 delete',
    ]);
    expect(actions(c0, nsA)).toEqual([
      'A/network01 unchanged',
      'A/network02 unchanged',
      'A/network03 unchanged',
    ]);

    // Cluster 1 may read C but not write there: the dry-run apply is refused (403).
    for (const r of c1.resources.filter((x) => x.namespace === nsC)) {
      expect(r).toMatchObject({
        action: 'error',
        intended: 'create',
        error: { kind: 'forbidden', status: 403, reason: 'Forbidden' },
      });
      expect(r.error!.message).toMatch(/dry-run apply NetworkPolicy/);
    }
    // Neither identity may even list D: every object there is an error, never a create.
    for (const c of [c0, c1]) {
      const locked = c.resources.filter((x) => x.namespace === nsD);
      expect(locked).toHaveLength(3);
      for (const r of locked)
        expect(r).toMatchObject({
          action: 'error',
          intended: 'unknown',
          error: { kind: 'forbidden', status: 403 },
        });
      expect(c.summary.error).toBe(c === c0 ? 3 : 6);
    }
    expect(await resourceVersions()).toEqual(before);
    expect((await http().get(`/v1/policies/${policyName}`).expect(200)).body.latestRevision).toBe(
      1,
    );
  });

  it('a revision diff gives document ops, a manifest diff and the connectivity gained and lost the evaluator computes', async () => {
    const changed = doc([nsA, nsB], (d) => {
      d.contracts.hangwe_inst_constract01.ports = [
        { protocol: 'TCP', port: '23' },
        { protocol: 'TCP', port: '2323' },
      ];
      d.expose[0].ports = [
        { protocol: 'TCP', port: '80' },
        { protocol: 'TCP', port: '443' },
      ];
    });
    await http()
      .post('/v1/policies')
      .send({ name: policyName, targets: { clusters: envs.map((e) => e.name) }, document: changed })
      .expect(202);
    await waitSettled(2);

    const res = await http().get(`/v1/policies/${policyName}/revisions/1/diff/2`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ policy: policyName, from: 1, to: 2, targets: [] });
    expect(res.body.document).toEqual([
      { op: 'replace', path: '/contracts/hangwe_inst_constract01/ports/1/port', value: '2323' },
      { op: 'add', path: '/expose/0/ports/1', value: { port: '443', protocol: 'TCP' } },
    ]);
    const headers = (res.body.manifests as string).split('\n').filter((l) => l.startsWith('--- '));
    expect(headers).toEqual([
      `--- revision-1/${nsA}/${N(1)}`,
      `--- revision-1/${nsA}/${N(2)}`,
      `--- revision-1/${nsB}/${N(1)}`,
      `--- revision-1/${nsB}/${N(2)}`,
    ]);
    expect(res.body.manifests).toMatch(/^-\s+- port: 3306$/m);
    expect(res.body.manifests).toMatch(/^\+\s+- port: 2323$/m);

    // Compare with the evaluator directly: the two revisions' matrices, pair by pair.
    const [one, two] = [doc([nsA, nsB]), changed].map((d) => compileDocument(d, { policyName }));
    if (!one.ok || !two.ok) throw new Error('the example must compile');
    const cells = (m: ReturnType<typeof buildConnectivityMatrix>) =>
      new Map(
        m.cells.map((c) => [
          `${c.namespace} ${c.source} ${c.destination}`,
          portSetFromJson(c.allowed),
        ]),
      );
    const was = cells(buildConnectivityMatrix(one.document, one.objects));
    const now = cells(buildConnectivityMatrix(two.document, two.objects));
    const { gained, lost } = res.body.connectivity as { gained: Delta[]; lost: Delta[] };
    const reported = (list: Delta[]) =>
      new Map(
        list.map((d) => [
          `${d.namespace} ${d.source} ${d.destination}`,
          portSetFromJson(d.allowed),
        ]),
      );
    const [g, l] = [reported(gained), reported(lost)];
    for (const key of new Set([...was.keys(), ...now.keys()])) {
      const a: PortSet = was.get(key) ?? NO_PORTS;
      const b: PortSet = now.get(key) ?? NO_PORTS;
      const more = g.get(key) ?? NO_PORTS;
      const less = l.get(key) ?? NO_PORTS;
      expect(portSetsEqual(unionPortSets(a, more), unionPortSets(a, b)), `gained ${key}`).toBe(
        true,
      );
      expect(isEmptyPortSet(intersectPortSets(more, a)), `gained ${key} was allowed before`).toBe(
        true,
      );
      expect(portSetsEqual(unionPortSets(b, less), unionPortSets(a, b)), `lost ${key}`).toBe(true);
      expect(isEmptyPortSet(intersectPortSets(less, b)), `lost ${key} is still allowed`).toBe(true);
    }
    for (const key of [...g.keys(), ...l.keys()]) expect(was.has(key) || now.has(key)).toBe(true);
    expect(gained.map((d) => `${d.source} -> ${d.destination}: ${d.ports}`).sort()).toEqual(
      [`cidr:0.0.0.0/0 -> ${N(1)}: TCP:443`, `network:${N(1)} -> ${N(2)}: TCP:2323`]
        .flatMap((x) => [x, x])
        .sort(),
    );
    expect(lost.map((d) => `${d.namespace} ${d.source} -> ${d.destination}: ${d.ports}`)).toEqual(
      [nsA, nsB].map((ns) => `${ns} network:${N(1)} -> ${N(2)}: TCP:3306`),
    );

    // Objects whose content did not change keep revision 1 in the cluster: still no diff.
    for (const c of (await diff()).clusters) expect(c.summary).toMatchObject({ unchanged: 6 });
  });

  it('an unreachable cluster is reported with an error, never as unchanged', async () => {
    const url = new URL(envs[0].cluster.server);
    url.port = '1';
    const closed = uniqueName('closed');
    await http()
      .post('/v1/clusters')
      .send({
        name: closed,
        server: url.origin,
        caData: envs[0].cluster.caData,
        token: 'not-a-real-token',
      })
      .expect(201);
    const res = await http()
      .post(`/v1/policies/${policyName}/plan`)
      .send({ targets: { clusters: [envs[0].name, closed] }, document: doc([nsA, nsB]) });
    expect(res.status, res.text).toBe(200);
    const c: ClusterResult = res.body.clusters.find((x: ClusterResult) => x.cluster === closed);
    expect(c).toMatchObject({
      action: 'apply',
      error: { kind: 'unreachable', status: null },
      resources: [],
      summary: { unchanged: 0 },
    });
    expect(c.error!.message).toMatch(/ECONNREFUSED|unreachable/);
    // The cluster no longer targeted by this plan would be pruned.
    expect(byCluster(res.body.clusters, envs[1])).toMatchObject({
      action: 'prune',
      summary: { delete: 6 },
    });
    const d = await diff(closed);
    expect(d.clusters).toEqual([
      expect.objectContaining({
        cluster: closed,
        action: 'prune',
        error: expect.objectContaining({ kind: 'unreachable' }),
        resources: [],
      }),
    ]);
  });

  it('answers problems like POST /v1/policies: document errors under /document, unknown clusters and policies', async () => {
    const bad = {
      namespaces: ['Not_A_Label'],
      contracts: { x: { provide_networks: [], consume_networks: ['a'] } },
    };
    const plan = await http()
      .post(`/v1/policies/${policyName}/plan`)
      .send({ document: bad })
      .expect(400);
    const post = await http()
      .post('/v1/policies')
      .send({ name: policyName, targets: { clusters: [envs[0].name] }, document: bad })
      .expect(400);
    expect(plan.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(plan.body.type).toBe('urn:gbp-netpol:problem:invalid-document');
    expect(plan.body.errors).toEqual(post.body.errors);
    expect(plan.body.errors.every((e: { path: string }) => e.path.startsWith('/document/'))).toBe(
      true,
    );

    const unknown = await http()
      .post(`/v1/policies/${policyName}/plan`)
      .send({ targets: { clusters: ['nope'] }, document: doc([nsA]) })
      .expect(400);
    expect(unknown.body).toMatchObject({
      type: 'urn:gbp-netpol:problem:unknown-cluster',
      errors: [{ path: '/targets/clusters/0', code: 'UNKNOWN_CLUSTER' }],
    });
    const noTargets = await http()
      .post(`/v1/policies/${uniqueName('fresh')}/plan`)
      .send({ document: doc([nsA]) })
      .expect(400);
    expect(noTargets.body.type).toBe('urn:gbp-netpol:problem:no-targets');
    const extra = await http()
      .post(`/v1/policies/${policyName}/plan`)
      .send({ document: doc([nsA]), name: 'x' })
      .expect(400);
    expect(extra.body.errors).toContainEqual(
      expect.objectContaining({ path: '/name', code: 'UNKNOWN_FIELD' }),
    );

    await http().get('/v1/policies/no-such-policy/diff').expect(404);
    await http().get(`/v1/policies/${policyName}/diff?cluster=no-such-cluster`).expect(404);
    await http().get(`/v1/policies/${policyName}/revisions/1/diff/99`).expect(404);
    const badQuery = await http()
      .get(`/v1/policies/${policyName}/diff?cluster=Bad_Name`)
      .expect(400);
    expect(badQuery.body.errors).toContainEqual(expect.objectContaining({ path: '/cluster' }));

    const openapi = (await http().get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        '/v1/policies/{name}/diff',
        '/v1/policies/{name}/revisions/{a}/diff/{b}',
        '/v1/policies/{name}/plan',
      ]),
    );
    expect(Object.keys(openapi.components.schemas)).toEqual(
      expect.arrayContaining(['PlanRequest', 'Plan', 'PolicyDiff', 'RevisionDiff']),
    );
  });
});
