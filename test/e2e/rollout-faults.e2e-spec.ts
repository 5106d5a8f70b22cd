import { KubeGateway } from '../../src/infra/kube/index.js';
import { uniqueName } from '../harness/cluster-admin.js';
import { startCluster, type KubeCluster } from '../harness/kube-cluster.js';
import { testCluster } from '../harness/kube-test-context.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { waitFor } from '../support/wait-for.js';
import { loadExampleDocument } from '../support/example-document.js';

const example = loadExampleDocument();

interface ClusterStatus {
  cluster: string;
  connection: { state: string } | null;
  sync: { status: string; reason: string | null };
  operation: {
    phase: string;
    attempt: number;
    nextRetryAt: string | null;
    error: string | null;
  } | null;
}

// A private cluster, so that stopping its kube-apiserver disturbs no other test file.
describe('a cluster that goes away during a rollout (e2e)', () => {
  let testApp: TestApp;
  let flaky: KubeCluster;
  const healthy = testCluster(0);
  const ns = uniqueName('faults');
  const policy = uniqueName('pol');
  const names = { healthy: uniqueName('ok'), flaky: uniqueName('flaky') };
  const http = () => testApp.http();

  const statusOf = async (cluster: string): Promise<ClusterStatus> => {
    const res = await http().get(`/v1/policies/${policy}/status`).expect(200);
    return (res.body.clusters as ClusterStatus[]).find((c) => c.cluster === cluster)!;
  };

  beforeAll(async () => {
    flaky = await startCluster({ name: 'flaky' });
    testApp = await createTestApp({ JOB_ATTEMPTS: '4', JOB_BACKOFF_MS: '400' });
    for (const [name, cluster] of [
      [names.healthy, healthy],
      [names.flaky, flaky],
    ] as const) {
      await cluster.admin.ensureNamespace(ns);
      const id = await cluster.leastPrivilegeIdentity([ns]);
      await http()
        .post('/v1/clusters')
        .send({ name, server: id.server, caData: id.caData, token: id.token })
        .expect(201);
    }
  });

  afterAll(async () => {
    await testApp?.close();
    await flaky?.stop();
    await healthy.deleteNamespace(ns).catch(() => undefined);
  });

  it('a kube-apiserver killed mid-rollout recovers to Synced by itself when it is back, while retries remain', async () => {
    const slow = await createTestApp({ JOB_ATTEMPTS: '8', JOB_BACKOFF_MS: '1000' });
    try {
      const http2 = () => slow.http();
      const name = uniqueName('flaky2');
      const id = await flaky.leastPrivilegeIdentity([ns]);
      await http2()
        .post('/v1/clusters')
        .send({ name, server: id.server, caData: id.caData, token: id.token })
        .expect(201);
      const pol = uniqueName('auto');
      await flaky.stopApiServer();
      await http2()
        .post('/v1/policies')
        .send({
          name: pol,
          targets: { clusters: [name] },
          document: {
            namespaces: [ns],
            contracts: { c: { provide_networks: ['auto-db'], consume_networks: ['auto-web'] } },
          },
        })
        .expect(202);
      const statusOf2 = async () =>
        (
          (await http2().get(`/v1/policies/${pol}/status`).expect(200)).body
            .clusters as ClusterStatus[]
        )[0];
      await waitFor('Retrying', async () =>
        (await statusOf2())?.operation?.phase === 'Retrying' ? true : undefined,
      );
      await flaky.startApiServer();
      const back = await waitFor(
        'Synced without any manual step',
        async () => {
          const s = await statusOf2();
          return s?.sync.status === 'Synced' ? s : undefined;
        },
        90_000,
      );
      expect(back.operation?.phase).toBe('Succeeded');
      expect(back.operation?.attempt).toBeGreaterThan(1);
    } finally {
      await slow.close();
    }
  });

  it('goes Retrying then Failed on the stopped cluster while the other is Synced, and recovers to Synced', async () => {
    await flaky.stopApiServer();
    await http()
      .post('/v1/policies')
      .send({
        name: policy,
        targets: { clusters: [names.healthy, names.flaky] },
        document: { ...example, namespaces: [ns] },
      })
      .expect(202);

    const retrying = await waitFor('a Retrying phase', async () => {
      const s = await statusOf(names.flaky);
      return s.operation?.phase === 'Retrying' ? s : undefined;
    });
    expect(retrying.operation?.nextRetryAt).not.toBeNull();
    expect(retrying.operation?.error).toMatch(/unreachable|ECONNREFUSED|connect/i);
    expect(retrying.sync.status).not.toBe('Synced');

    const failed = await waitFor('the Failed phase after the last attempt', async () => {
      const s = await statusOf(names.flaky);
      return s.operation?.phase === 'Failed' ? s : undefined;
    });
    expect(failed.operation?.attempt).toBe(4);
    expect(failed.connection?.state).toBe('Unreachable');
    expect(failed.sync).toMatchObject({ status: 'Unknown', reason: 'ClusterUnreachable' });
    const ok = await statusOf(names.healthy);
    expect(ok.operation?.phase).toBe('Succeeded');
    expect(ok.sync.status).toBe('Synced');

    await flaky.startApiServer();
    await http().post(`/v1/policies/${policy}/sync`).send({}).expect(202);
    const recovered = await waitFor('Synced after the restart', async () => {
      const s = await statusOf(names.flaky);
      return s.sync.status === 'Synced' ? s : undefined;
    });
    expect(recovered.connection?.state).toBe('Reachable');
    const objects = await new KubeGateway()
      .connect(flaky.adminAccess)
      .listNetworkPolicies(ns, `gbp-netpol.io/policy=${policy}`);
    expect(objects.map((o) => o.metadata.name).sort()).toEqual([
      'hangwe-inst-network01',
      'hangwe-inst-network02',
      'hangwe-inst-network03',
    ]);
  });
});
