import { uniqueName } from '../harness/cluster-admin.js';
import { testCluster } from '../harness/kube-test-context.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { loadExampleDocument } from '../support/example-document.js';
import { waitFor } from '../support/wait-for.js';

const example = loadExampleDocument();

// Status for a fleet over HTTP (issue 13, 2): the summary, the paged outcomes, the fleet view,
// conditional reads (ETag, If-None-Match: 304) and cursors that refuse garbage.
describe('status for a fleet (e2e, real kube-apiservers)', () => {
  let testApp: TestApp;
  const ns = uniqueName('status');
  const policies = [uniqueName('st-a'), uniqueName('st-b')].sort();
  const clusters: string[] = [];
  const http = () => testApp.http();

  beforeAll(async () => {
    testApp = await createTestApp({ JOB_BACKOFF_MS: '200' });
    for (const index of [0, 1]) {
      const cluster = testCluster(index);
      await cluster.admin.ensureNamespace(ns);
      const id = await cluster.leastPrivilegeIdentity([ns]);
      const name = uniqueName(`s${index}`);
      clusters.push(name);
      await http()
        .post('/v1/clusters')
        .send({ name, server: id.server, caData: id.caData, token: id.token })
        .expect(201);
    }
    clusters.sort();
    for (const [i, policy] of policies.entries()) {
      const document = structuredClone(example);
      document.namespaces = [ns];
      // Each policy gets its own network names: objects of one name belong to one policy.
      document.contracts = {
        c: { provide_networks: [`db-${i}`], consume_networks: [`web-${i}`, `app-${i}`] },
      } as typeof document.contracts;
      document.expose = [];
      await http()
        .post('/v1/policies')
        .send({ name: policy, targets: { clusters }, document })
        .expect(202);
    }
    for (const policy of policies)
      await waitFor(`${policy} Synced`, async () => {
        const s = await http().get(`/v1/policies/${policy}/status`).expect(200);
        return (s.body.clusters as { sync: { status: string } }[]).every(
          (c) => c.sync.status === 'Synced',
        ) && s.body.clusters.length === 2
          ? true
          : undefined;
      });
  });

  afterAll(async () => {
    await testApp?.close();
    for (const index of [0, 1])
      await testCluster(index)
        .deleteNamespace(ns)
        .catch(() => undefined);
  });

  it('answers a summary per cluster: connection, sync, operation and counts, without outcomes', async () => {
    const res = await http().get(`/v1/policies/${policies[0]}/status`).expect(200);
    expect(res.body.summary).toEqual({ Synced: 2, Succeeded: 2 });
    for (const c of res.body.clusters) {
      expect(c).toMatchObject({
        connection: { state: 'Reachable' },
        sync: { status: 'Synced', reason: null },
        operation: { phase: 'Succeeded', revision: 1, attempt: 1 },
        appliedRevision: 1,
        counts: { created: 3 },
      });
      expect(c.resources).toBeUndefined();
    }
  });

  it('pages the outcomes, filtered by cluster and action', async () => {
    const first = await http()
      .get(`/v1/policies/${policies[0]}/status/resources`)
      .query({ limit: 4 })
      .expect(200);
    expect(first.body.items).toHaveLength(4);
    const second = await http()
      .get(`/v1/policies/${policies[0]}/status/resources`)
      .query({ limit: 4, cursor: first.body.nextCursor })
      .expect(200);
    expect(second.body.nextCursor).toBeUndefined();
    const items = [...first.body.items, ...second.body.items] as {
      cluster: string;
      name: string;
      action: string;
    }[];
    expect(items.map((o) => `${o.cluster} ${o.name} ${o.action}`)).toEqual(
      clusters.flatMap((c) => ['app-0', 'db-0', 'web-0'].map((n) => `${c} ${n} created`)),
    );
    const filtered = await http()
      .get(`/v1/policies/${policies[0]}/status/resources`)
      .query({ cluster: clusters[1], action: 'created' })
      .expect(200);
    expect(filtered.body.items.map((o: { cluster: string }) => o.cluster)).toEqual(
      Array(3).fill(clusters[1]),
    );
    const none = await http()
      .get(`/v1/policies/${policies[0]}/status/resources`)
      .query({ action: 'failed' })
      .expect(200);
    expect(none.body).toEqual({ items: [] });
  });

  it('lists the fleet, filtered by policy, cluster, sync and phase', async () => {
    const all = await http().get('/v1/status').query({ limit: 500 }).expect(200);
    const ours = (all.body.items as { policy: string; cluster: string }[]).filter((r) =>
      policies.includes(r.policy),
    );
    expect(ours.map((r) => `${r.policy}/${r.cluster}`)).toEqual(
      policies.flatMap((p) => clusters.map((c) => `${p}/${c}`)),
    );
    const one = await http()
      .get('/v1/status')
      .query({ policy: policies[1], cluster: clusters[0], sync: 'Synced', phase: 'Succeeded' })
      .expect(200);
    expect(one.body.items).toHaveLength(1);
    expect(one.body.items[0]).toMatchObject({
      policy: policies[1],
      cluster: clusters[0],
      latestRevision: 1,
      sync: { status: 'Synced' },
      operation: { phase: 'Succeeded' },
      counts: { created: 3 },
    });
    const paged = await http()
      .get('/v1/status')
      .query({ policy: policies[0], limit: 1 })
      .expect(200);
    expect(paged.body.items).toHaveLength(1);
    const next = await http()
      .get('/v1/status')
      .query({ policy: policies[0], limit: 1, cursor: paged.body.nextCursor })
      .expect(200);
    expect(next.body.items.map((r: { cluster: string }) => r.cluster)).toEqual([clusters[1]]);
    const outOfSync = await http()
      .get('/v1/status')
      .query({ policy: policies[0], sync: 'OutOfSync' })
      .expect(200);
    expect(outOfSync.body.items).toEqual([]);
  });

  it('answers 304 to If-None-Match while nothing changed, and a new ETag once something did', async () => {
    for (const path of [
      `/v1/policies/${policies[0]}/status`,
      `/v1/policies/${policies[0]}/status/resources`,
      `/v1/status?policy=${policies[0]}`,
    ]) {
      const first = await http().get(path).expect(200);
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^W\/".+"$/);
      const again = await http().get(path).set('If-None-Match', etag).expect(304);
      expect(again.text ?? '').toBe('');
      await http().get(path).set('If-None-Match', 'W/"something-else"').expect(200);
    }
    const before = (await http().get(`/v1/policies/${policies[0]}/status`)).headers.etag as string;
    const sync = await http().post(`/v1/policies/${policies[0]}/sync`).send({}).expect(202);
    await waitFor('the sync finished', async () =>
      (await http().get(`/v1/deployments/${sync.body.deploymentId}`)).body.finishedAt
        ? true
        : undefined,
    );
    const changed = await http()
      .get(`/v1/policies/${policies[0]}/status`)
      .set('If-None-Match', before)
      .expect(200);
    expect(changed.headers.etag).not.toBe(before);
    expect(changed.body.clusters[0].counts).toEqual({ unchanged: 3 });
  });

  it('refuses a garbage cursor with 400, and an unknown policy with 404', async () => {
    for (const path of [
      `/v1/status?cursor=not-a-cursor`,
      `/v1/policies/${policies[0]}/status/resources?cursor=%7Bgarbage`,
    ]) {
      const res = await http().get(path).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.type).toBe('urn:gbp-netpol:problem:invalid-cursor');
    }
    await http().get('/v1/policies/no-such-policy/status/resources').expect(404);
    const bad = await http().get('/v1/status?sync=Maybe').expect(400);
    expect(bad.body.errors[0].path).toBe('/sync');
  });
});
