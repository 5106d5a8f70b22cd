import request from 'supertest';
import { KubeGateway, type KubeClient } from '../../src/infra/kube/index.js';
import { uniqueName } from '../harness/cluster-admin.js';
import { freePort } from '../harness/free-port.js';
import { testCluster } from '../harness/kube-test-context.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { loadExampleDocument } from '../support/example-document.js';
import { registerTestCluster } from '../support/register-test-cluster.js';
import { waitFor } from '../support/wait-for.js';

const example = loadExampleDocument();

/** The samples of a Prometheus exposition text: `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/**
 * GET /metrics after a real rollout to the test kube-apiserver and a drift: the sync state per
 * policy and cluster, the rollout duration histogram, apply requests by result, drift
 * detections, queue depth, and HTTP durations labelled with route patterns; a reader token on
 * the API port, none on METRICS_PORT.
 */
describe('Prometheus metrics (e2e, real kube-apiserver, Redis and PGlite)', () => {
  let testApp: TestApp;
  let metricsPort: number;
  let admin: KubeClient;
  let clusterName: string;
  const ns = uniqueName('metrics');
  const policy = uniqueName('metrics');
  const http = () => testApp.http();

  beforeAll(async () => {
    metricsPort = await freePort();
    testApp = await createTestApp({ METRICS_PORT: String(metricsPort) });
    const cluster = testCluster(0);
    admin = new KubeGateway().connect(cluster.adminAccess);
    clusterName = await registerTestCluster(http(), cluster, [ns], 'metrics');
  });

  afterAll(async () => {
    await testApp?.close();
    await testCluster(0)
      .deleteNamespace(ns)
      .catch(() => undefined);
  });

  it('reports the rollout, its objects, the sync state, the queue and the routes after a rollout', async () => {
    const created = await http()
      .post('/v1/policies')
      .send({
        name: policy,
        targets: { clusters: [clusterName] },
        document: { ...example, namespaces: [ns] },
      })
      .expect(202);
    const status = await waitFor('the policy Synced', async () => {
      const res = await http().get(`/v1/policies/${policy}/status`).expect(200);
      const [c] = res.body.clusters as {
        sync: { status: string };
        counts: Record<string, number>;
      }[];
      return c?.sync.status === 'Synced' ? c : undefined;
    });
    const objects = status.counts.created ?? 0;
    expect(objects).toBeGreaterThan(0);
    await waitFor('the deployment closed', async () => {
      const d = await http()
        .get(`/v1/deployments/${created.body.deploymentId as string}`)
        .expect(200);
      return d.body.finishedAt ? true : undefined;
    });

    await request(testApp.app.getHttpServer()).get('/metrics').expect(401);
    // The duration is observed once the worker's event listener has read the deployment.
    const res = await waitFor('the rollout observed', async () => {
      const r = await http().get('/metrics').expect(200);
      return samples(r.text).get('gbp_netpol_rollout_duration_seconds_count{result="Succeeded"}')
        ? r
        : undefined;
    });
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = samples(res.text);
    const sync = (status: string) =>
      m.get(
        `gbp_netpol_policy_sync_status{policy="${policy}",cluster="${clusterName}",status="${status}"}`,
      );
    expect([sync('Synced'), sync('OutOfSync'), sync('Unknown')]).toEqual([1, 0, 0]);
    expect(m.get('gbp_netpol_rollout_duration_seconds_count{result="Succeeded"}')).toBe(1);
    expect(m.get('gbp_netpol_rollout_duration_seconds_bucket{le="+Inf",result="Succeeded"}')).toBe(
      1,
    );
    expect(m.get('gbp_netpol_apply_requests_total{result="created"}')).toBe(objects);
    for (const queue of ['rollout', 'webhooks'])
      for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed'])
        expect(
          m.get(`gbp_netpol_queue_jobs{queue="${queue}",state="${state}"}`),
          `${queue} ${state}`,
        ).toBeGreaterThanOrEqual(0);
    // The rollout job completed (kept for an hour).
    expect(
      m.get('gbp_netpol_queue_jobs{queue="rollout",state="completed"}'),
    ).toBeGreaterThanOrEqual(1);
    // The route pattern, never the raw URL: no policy name inside a route label.
    expect(
      m.get(
        'gbp_netpol_http_request_duration_seconds_count{method="GET",route="/v1/policies/:name/status",status="200"}',
      ),
    ).toBeGreaterThanOrEqual(1);
    expect(
      m.get(
        'gbp_netpol_http_request_duration_seconds_count{method="GET",route="/metrics",status="401"}',
      ),
    ).toBe(1);
    expect(
      m.get(
        'gbp_netpol_http_request_duration_seconds_count{method="POST",route="/v1/policies",status="202"}',
      ),
    ).toBe(1);
    const routes = [...m.keys()].filter((k) =>
      k.startsWith('gbp_netpol_http_request_duration_seconds_count'),
    );
    for (const key of routes) expect(key).not.toContain(policy);
    expect(m.get('process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('counts a drift detection, and serves the same metrics on METRICS_PORT without a token', async () => {
    const [first] = await admin.listNetworkPolicies(ns, `gbp-netpol.io/policy=${policy}`);
    await admin.deleteNetworkPolicy(ns, first.metadata.name);
    const check = await http().post(`/v1/policies/${policy}/drift-check`).expect(200);
    expect(check.body.clusters[0].outcome).toBe('drifted');

    const open = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(open.status).toBe(200);
    const m = samples(await open.text());
    await waitFor('the drift counted', async () =>
      samples(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()).get(
        `gbp_netpol_drift_detections_total{policy="${policy}",cluster="${clusterName}"}`,
      ) === 1
        ? true
        : undefined,
    );
    expect(
      m.get(
        `gbp_netpol_policy_sync_status{policy="${policy}",cluster="${clusterName}",status="OutOfSync"}`,
      ),
    ).toBe(1);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/v1/policies`)).status).toBe(404);
  });

  it('serves no /metrics on the API port of a worker, which has no tokens (METRICS_PORT is its way)', async () => {
    const worker = await createTestApp({ ROLE: 'worker' });
    try {
      await request(worker.app.getHttpServer()).get('/metrics').expect(404);
      await request(worker.app.getHttpServer()).get('/version').expect(200);
    } finally {
      await worker.close();
    }
  });
});
