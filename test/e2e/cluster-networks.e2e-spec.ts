import { KubeGateway } from '../../src/infra/kube/index.js';
import { uniqueName } from '../harness/cluster-admin.js';
import { testCluster } from '../harness/kube-test-context.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { waitFor } from '../support/wait-for.js';

const cluster = testCluster(0);

interface NetworkPolicyLike {
  metadata: { name: string };
  spec: { ingress?: { from?: { ipBlock?: { cidr: string; except?: string[] } }[] }[] };
}

const ipBlocksOf = (o: NetworkPolicyLike) =>
  (o.spec.ingress ?? [])
    .flatMap((r) => r.from ?? [])
    .flatMap((p) => (p.ipBlock ? [p.ipBlock] : []));

// Issue 9 §1: objects are compiled for each cluster, with its pod and Service networks taken
// out of expose ipBlocks; unknown pod networks are said out loud.
describe('cluster networks (e2e, real kube-apiserver)', () => {
  let testApp: TestApp;
  const ns = uniqueName('nets');
  const http = () => testApp.http();
  const document = {
    namespaces: [ns],
    contracts: { c: { provide_networks: ['db'], consume_networks: ['web'] } },
    expose: [{ network: 'web', cidr: '0.0.0.0/0', ports: [{ port: 443 }] }],
  };

  beforeAll(async () => {
    testApp = await createTestApp({ JOB_BACKOFF_MS: '200', JOB_ATTEMPTS: '3' });
    await cluster.admin.ensureNamespace(ns);
  });
  afterAll(async () => {
    await testApp?.close();
    await cluster.deleteNamespace(ns).catch(() => undefined);
  });

  it('validates configured networks, and shows configured and detected ones apart', async () => {
    const bad = await http()
      .post('/v1/clusters')
      .send({
        name: 'bad-nets',
        server: cluster.server,
        podCIDRs: ['10.244.0.0/33', '::ffff:10.0.0.0/104', 'x'],
      })
      .expect(400);
    expect(
      bad.body.errors.map((e: { path: string; code: string }) => `${e.path} ${e.code}`),
    ).toEqual([
      '/podCIDRs/0 INVALID_CIDR',
      '/podCIDRs/1 CIDR_IPV4_MAPPED',
      '/podCIDRs/2 INVALID_CIDR',
    ]);
    // The admin identity may list nodes (there are none: no node network in these clusters)
    // and ServiceCIDRs (kube-apiserver makes the default one from its service range).
    const res = await http()
      .post('/v1/clusters')
      .send({
        name: 'admin-view',
        kubeconfig: cluster.adminKubeconfig,
        podCIDRs: ['10.244.1.7/16'],
      })
      .expect(201);
    expect(res.body.networks).toMatchObject({
      podCIDRs: ['10.244.0.0/16'],
      serviceCIDRs: ['10.0.0.0/24'],
      configured: { podCIDRs: ['10.244.0.0/16'], serviceCIDRs: null },
      detected: {
        podCIDRs: null,
        serviceCIDRs: ['10.0.0.0/24'],
        message: expect.stringContaining('no node has spec.podCIDRs'),
      },
    });
    expect(res.body.networks.detected.detectedAt).toEqual(expect.any(String));
    const cleared = await http()
      .patch('/v1/clusters/admin-view')
      .send({ podCIDRs: null })
      .expect(200);
    expect(cleared.body.networks).toMatchObject({ podCIDRs: null, configured: { podCIDRs: null } });
    await http().delete('/v1/clusters/admin-view').expect(204);
  });

  it('rolls out per-cluster objects: unknown pod networks warn; once known, they are taken out of the ipBlock on the cluster', async () => {
    const id = await cluster.leastPrivilegeIdentity([ns]);
    const name = uniqueName('nets');
    const registered = await http()
      .post('/v1/clusters')
      .send({ name, server: id.server, caData: id.caData, token: id.token })
      .expect(201);
    // A least-privilege identity may not list nodes: the pod networks stay unknown, and why.
    expect(registered.body.networks.podCIDRs).toBeNull();
    expect(registered.body.networks.detected.message).toMatch(/list nodes/);

    await http()
      .post('/v1/policies')
      .send({ name: 'nets', targets: { clusters: [name] }, document })
      .expect(202);
    const admin = new KubeGateway().connect(cluster.adminAccess);
    const liveWeb = async () =>
      (await admin.getNetworkPolicy(ns, 'web')) as unknown as NetworkPolicyLike | null;
    await waitFor('web applied', async () => ((await liveWeb()) ? true : undefined));
    const status = await http().get('/v1/policies/nets/status').expect(200);
    const op = status.body.clusters[0].operation;
    expect(op.warnings.map((w: { code: string }) => w.code)).toEqual(['POD_NETWORKS_UNKNOWN']);
    expect(ipBlocksOf((await liveWeb())!)).toEqual([{ cidr: '0.0.0.0/0' }]);

    // The plan and the compile route show the same per-cluster objects and warnings.
    const plan = await http().post('/v1/policies/nets/plan').send({ document }).expect(200);
    expect(plan.body.clusters[0].warnings[0].code).toBe('POD_NETWORKS_UNKNOWN');

    await http()
      .patch(`/v1/clusters/${name}`)
      .send({ podCIDRs: ['10.244.0.0/16'], serviceCIDRs: ['10.96.0.0/12'] })
      .expect(200);
    await waitFor('web narrowed to outside the cluster networks', async () => {
      const web = await liveWeb();
      return web && ipBlocksOf(web)[0]?.except ? web : undefined;
    });
    expect(ipBlocksOf((await liveWeb())!)).toEqual([
      { cidr: '0.0.0.0/0', except: ['10.96.0.0/12', '10.244.0.0/16'] },
    ]);
    const manifests = await http()
      .get(`/v1/policies/nets/revisions/1/manifests?cluster=${name}`)
      .expect(200);
    const web = (manifests.body.items as NetworkPolicyLike[]).find(
      (o) => o.metadata.name === 'web',
    )!;
    expect(ipBlocksOf(web)).toEqual([
      { cidr: '0.0.0.0/0', except: ['10.96.0.0/12', '10.244.0.0/16'] },
    ]);
    expect(manifests.body.warnings).toEqual([]);
    const compiled = await http().post(`/v1/compile?cluster=${name}`).send(document).expect(200);
    expect(
      ipBlocksOf(
        (compiled.body.items as NetworkPolicyLike[]).find((o) => o.metadata.name === 'web')!,
      ),
    ).toEqual([{ cidr: '0.0.0.0/0', except: ['10.96.0.0/12', '10.244.0.0/16'] }]);
    // The cluster-independent answer is unchanged.
    const plain = await http().post('/v1/compile').send(document).expect(200);
    expect(
      ipBlocksOf((plain.body.items as NetworkPolicyLike[]).find((o) => o.metadata.name === 'web')!),
    ).toEqual([{ cidr: '0.0.0.0/0' }]);
    const drift = await http().post('/v1/policies/nets/drift-check').expect(200);
    expect(drift.body.clusters[0]).toMatchObject({ outcome: 'in-sync' });
    await http().delete('/v1/policies/nets').expect(202);
  });
});
