import { readFileSync } from 'node:fs';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { uniqueName } from '../harness/cluster-admin.js';
import { testCluster, type TestCluster } from '../harness/kube-test-context.js';
import { TEST_ADMIN_TOKEN, createTestApp } from '../support/create-test-app.js';
import { registerTestCluster } from '../support/register-test-cluster.js';
import { waitFor } from '../support/wait-for.js';

const WRITER_TOKEN = 'gbpn_test-writer-token-for-probes-e2e-0000';

// The whole app as create-test-app builds it (AppModule wires every module).
const createProbesApp = (env: Record<string, string> = {}) => createTestApp(env);

const example = JSON.parse(
  readFileSync(
    new URL('../../src/core/compiler/golden/example.document.json', import.meta.url),
    'utf8',
  ),
) as { namespaces: string[] };
const N1 = 'hangwe-inst-network01';
const N2 = 'hangwe-inst-network02';
const N3 = 'hangwe-inst-network03';

interface ProbesView {
  revision: number;
  pods: { name: string; namespace: string; labels: Record<string, string>; phase: string | null }[];
  expected: { namespace: string; source: string; destination: string; allowed: unknown }[];
}

describe('test pods and stored connectivity (e2e, real kube-apiserver, Redis and PGlite)', () => {
  let testApp: Awaited<ReturnType<typeof createProbesApp>>;
  let app: INestApplication;
  let cluster: TestCluster;
  let clusterName: string;
  const nsA = uniqueName('probe-a');
  const nsB = uniqueName('probe-b');
  const policy = uniqueName('probe');
  const document = { ...structuredClone(example), namespaces: [nsA, nsB] };
  const http = () =>
    request.agent(app.getHttpServer()).set({ Authorization: `Bearer ${TEST_ADMIN_TOKEN}` });
  const podNames = async (ns: string, selector?: string) =>
    (await cluster.admin.core.listNamespacedPod({ namespace: ns, labelSelector: selector })).items
      .map((p) => p.metadata!.name!)
      .sort();

  beforeAll(async () => {
    testApp = await createProbesApp({
      API_TOKENS: `test-admin:admin:${TEST_ADMIN_TOKEN},test-writer:writer:${WRITER_TOKEN}`,
    });
    app = testApp.app;
    cluster = testCluster(0);
    clusterName = await registerTestCluster(http(), cluster, [nsA, nsB], 'probe-c');
    const res = await http()
      .post('/v1/policies')
      .send({ name: policy, targets: { clusters: [clusterName] }, document })
      .expect(202);
    await waitFor('rollout finished', async () =>
      (await http().get(`/v1/deployments/${res.body.deploymentId}`)).body.finishedAt
        ? true
        : undefined,
    );
  });

  afterAll(async () => {
    await testApp?.close();
    for (const ns of [nsA, nsB]) await cluster?.deleteNamespace(ns).catch(() => undefined);
  });

  it('creates one labelled pod per network and one untagged pod in every namespace of the document', async () => {
    // Someone else's pod, in the same namespace: it must survive everything below.
    await cluster.admin.core.createNamespacedPod({
      namespace: nsA,
      body: {
        metadata: {
          name: 'unrelated',
          labels: { mms_network_tag: N1, 'app.kubernetes.io/managed-by': 'gbp-netpol' },
        },
        spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
      },
    });

    const res = await http()
      .post(`/v1/policies/${policy}/probes`)
      .send({ cluster: clusterName })
      .expect(201);
    expect(res.body).toMatchObject({
      policy,
      cluster: clusterName,
      revision: 1,
      image: 'busybox:1.36',
    });
    // The document's ports, then a TCP and a UDP canary port that no rule names.
    expect(res.body.ports).toEqual([
      { protocol: 'TCP', port: 23 },
      { protocol: 'TCP', port: 80 },
      { protocol: 'TCP', port: 3306 },
      { protocol: 'TCP', port: 10999 },
      { protocol: 'UDP', port: 10999 },
    ]);
    expect(res.body.pods).toHaveLength(8);
    expect(new Set(res.body.pods.map((p: { result: string }) => p.result))).toEqual(
      new Set(['created']),
    );

    const selector = `app.kubernetes.io/managed-by=gbp-netpol,gbp-netpol.io/probe-for=${policy}`;
    for (const ns of [nsA, nsB])
      expect(await podNames(ns, selector)).toEqual(
        [`${N1}-pod`, `${N2}-pod`, `${N3}-pod`, `${ns}-out`].sort(),
      );
    const n2 = await cluster.admin.core.readNamespacedPod({ namespace: nsA, name: `${N2}-pod` });
    expect(n2.metadata?.labels).toEqual({
      mms_network_tag: N2,
      'app.kubernetes.io/managed-by': 'gbp-netpol',
      'gbp-netpol.io/probe-for': policy,
    });
    expect(n2.spec?.containers[0].image).toBe('busybox:1.36');
    expect(n2.spec?.containers[0].command?.join(' ')).toContain('nc -ll -p 3306 -e echo pong');
    const out = await cluster.admin.core.readNamespacedPod({ namespace: nsB, name: `${nsB}-out` });
    expect(out.metadata?.labels).toEqual({
      'app.kubernetes.io/managed-by': 'gbp-netpol',
      'gbp-netpol.io/probe-for': policy,
    });

    // Again: nothing new, nothing fails.
    const again = await http()
      .post(`/v1/policies/${policy}/probes`)
      .send({ cluster: clusterName, image: 'busybox:1.36' })
      .expect(201);
    expect(new Set(again.body.pods.map((p: { result: string }) => p.result))).toEqual(
      new Set(['exists']),
    );
  });

  it('lists the pods with the connectivity the document promises between them', async () => {
    const view = (
      await http().get(`/v1/policies/${policy}/probes`).query({ cluster: clusterName }).expect(200)
    ).body as ProbesView;
    expect(view.revision).toBe(1);
    expect(view.pods.map((p) => `${p.namespace}/${p.name}`)).toEqual(
      [nsA, nsB]
        .flatMap((ns) => [
          `${ns}/${N1}-pod`,
          `${ns}/${N2}-pod`,
          `${ns}/${N3}-pod`,
          `${ns}/${ns}-out`,
        ])
        .sort(),
    );
    expect(view.pods.every((p) => p.phase === 'Pending')).toBe(true); // no scheduler in the test clusters
    expect(view.pods.find((p) => p.name === `${N3}-pod`)?.labels.mms_network_tag).toBe(N3);

    const cell = (src: string, dst: string) =>
      view.expected.find((c) => c.source === src && c.destination === dst)?.allowed;
    const a = (pod: string) => `${nsA}/${pod}`;
    const b = (pod: string) => `${nsB}/${pod}`;
    // The worked example's truth table (README): rule 2, rule 3, rule 1 and the denials.
    expect(cell(a(`${N1}-pod`), a(`${N2}-pod`))).toEqual([
      { protocol: 'TCP', ports: ['23', '3306'] },
    ]);
    expect(cell(a(`${N3}-pod`), a(`${N1}-pod`))).toEqual([{ protocol: 'TCP', ports: ['23'] }]);
    expect(cell(a(`${N2}-pod`), a(`${N1}-pod`))).toBe('all');
    expect(cell(a(`${N1}-pod`), a(`${N3}-pod`))).toBe('all');
    expect(cell(a(`${N2}-pod`), a(`${N3}-pod`))).toBeUndefined();
    expect(cell(a(`${N3}-pod`), a(`${N2}-pod`))).toBeUndefined();
    expect(cell(a(`${nsA}-out`), a(`${N1}-pod`))).toBeUndefined();
    // peer_namespaces any: a member in another namespace is a member.
    expect(cell(b(`${N1}-pod`), a(`${N2}-pod`))).toEqual([
      { protocol: 'TCP', ports: ['23', '3306'] },
    ]);
    // Untagged pods are never restricted.
    expect(cell(a(`${N2}-pod`), b(`${nsB}-out`))).toBe('all');
    expect(view.expected.every((c) => c.namespace === c.destination.split('/')[0])).toBe(true);
  });

  it('the stored connectivity equals POST /v1/compile/connectivity for the same document', async () => {
    const stored = (await http().get(`/v1/policies/${policy}/connectivity`).expect(200))
      .body as Record<string, unknown>;
    const compiled = (await http().post('/v1/compile/connectivity').send(document).expect(200))
      .body as Record<string, unknown>;
    const { policy: p, revision, ...matrix } = stored;
    expect(p).toBe(policy);
    expect(revision).toBe(1);
    expect(matrix).toEqual(compiled);
    expect((matrix.cells as unknown[]).length).toBeGreaterThan(0);
  });

  it('DELETE removes exactly the probe pods; the unrelated pod survives', async () => {
    const res = await http()
      .delete(`/v1/policies/${policy}/probes`)
      .query({ cluster: clusterName })
      .expect(200);
    expect(res.body.deleted).toHaveLength(8);
    await waitFor('probe pods gone', async () =>
      (await podNames(nsA)).length === 1 && (await podNames(nsB)).length === 0 ? true : undefined,
    );
    expect(await podNames(nsA)).toEqual(['unrelated']);
    const empty = (
      await http().get(`/v1/policies/${policy}/probes`).query({ cluster: clusterName }).expect(200)
    ).body as ProbesView;
    expect(empty.pods).toEqual([]);
    expect(empty.expected).toEqual([]);
  });

  it('a writer may create probes with the default image only', async () => {
    const asWriter = () =>
      request.agent(app.getHttpServer()).set({ Authorization: `Bearer ${WRITER_TOKEN}` });
    const denied = await asWriter()
      .post(`/v1/policies/${policy}/probes`)
      .send({ cluster: clusterName, image: 'registry.example/tools:1' })
      .expect(403);
    expect(denied.body.type).toBe('urn:gbp-netpol:problem:probe-image-needs-admin');
    await asWriter()
      .post(`/v1/policies/${policy}/probes`)
      .send({ cluster: clusterName })
      .expect(201);
    await asWriter()
      .delete(`/v1/policies/${policy}/probes`)
      .query({ cluster: clusterName })
      .expect(200);
  });

  it('answers problem+json for an unknown cluster or policy and an invalid request', async () => {
    const unknownCluster = await http()
      .post(`/v1/policies/${policy}/probes`)
      .send({ cluster: 'no-such-cluster' })
      .expect(404);
    expect(unknownCluster.headers['content-type']).toMatch(/application\/problem\+json/);
    await http()
      .get(`/v1/policies/${uniqueName('nope')}/connectivity`)
      .expect(404);
    const bad = await http()
      .post(`/v1/policies/${policy}/probes`)
      .send({ cluster: 'Bad Name', image: 'busybox; rm -rf /' })
      .expect(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['/cluster', '/image']),
    );
    await http().get(`/v1/policies/${policy}/probes`).expect(400);
  });
});
