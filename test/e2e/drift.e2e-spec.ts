import { NetworkingV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplication } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { KubeGateway, type KubeClient } from '../../src/infra/kube/index.js';
import { REDIS } from '../../src/infra/queue/queue.module.js';
import {
  DRIFT_SCHEDULER_ID,
  JOB_DRIFT_CHECK,
  ROLLOUT_QUEUE,
} from '../../src/infra/queue/queue.constants.js';
import { DriftService } from '../../src/modules/drift/drift.service.js';
import { PoliciesRepository } from '../../src/modules/policies/policies.repository.js';
import { RolloutService } from '../../src/modules/deployments/rollout.service.js';
import { uniqueName } from '../harness/cluster-admin.js';
import { testCluster, type TestCluster } from '../harness/kube-test-context.js';
import { TEST_ADMIN_TOKEN, createTestApp } from '../support/create-test-app.js';
import { registerTestCluster } from '../support/register-test-cluster.js';
import { waitFor } from '../support/wait-for.js';
import { loadExampleDocument } from '../support/example-document.js';

// The whole app as create-test-app builds it (AppModule wires every module).
const createDriftApp = (env: Record<string, string> = {}) => createTestApp(env);

const example = loadExampleDocument();
const OWNED = 'app.kubernetes.io/managed-by=gbp-netpol';

interface Manifest {
  metadata: { namespace: string; name: string; labels: Record<string, string> };
  spec: { ingress?: { ports?: { port: number }[] }[] };
}

interface DriftResult {
  apiRequests: number;
  selfHeal: { deploymentId?: string; error?: string } | null;
  clusters: {
    cluster: string;
    outcome: string;
    sync: string;
    syncReason: string | null;
    apiRequests: number;
    resources: {
      namespace: string;
      name: string;
      change: string;
      paths: string[];
      managers: string[];
      healable: boolean;
    }[];
  }[];
}

describe('drift detection, self-heal and rollback (e2e, real kube-apiserver, Redis and PGlite)', () => {
  let testApp: Awaited<ReturnType<typeof createDriftApp>>;
  let app: INestApplication;
  let cluster: TestCluster;
  let admin: KubeClient;
  let networking: NetworkingV1Api;
  let clusterName: string;
  const nsA = uniqueName('drift-a');
  const nsB = uniqueName('drift-b');
  const policy = uniqueName('drift');
  const http = () =>
    request.agent(app.getHttpServer()).set({ Authorization: `Bearer ${TEST_ADMIN_TOKEN}` });
  const doc = (mutate: (d: typeof example) => void = () => undefined) => {
    const d = structuredClone(example);
    d.namespaces = [nsA, nsB];
    mutate(d);
    return d;
  };

  async function driftCheck(): Promise<DriftResult> {
    return (await http().post(`/v1/policies/${policy}/drift-check`).expect(200))
      .body as DriftResult;
  }

  async function clusterStatus() {
    const res = await http().get(`/v1/policies/${policy}/status`).expect(200);
    return res.body.clusters[0] as {
      sync: {
        status: string;
        reason: string | null;
        drift: { checkedAt: string; resources: unknown[] } | null;
      };
      operation: { phase: string; deploymentId: string } | null;
      appliedRevision: number | null;
    };
  }

  async function waitDeployment(id: string) {
    return waitFor(`deployment ${id} finished`, async () => {
      const d = (await http().get(`/v1/deployments/${id}`).expect(200)).body as {
        finishedAt: string | null;
        clusters: { phase: string }[];
      };
      return d.finishedAt ? d : undefined;
    });
  }

  async function manifests(revision: number): Promise<Manifest[]> {
    return (await http().get(`/v1/policies/${policy}/revisions/${revision}/manifests`).expect(200))
      .body.items as Manifest[];
  }

  async function ours(ns: string) {
    return (await admin.listNetworkPolicies(ns, `${OWNED},gbp-netpol.io/policy=${policy}`))
      .map((o) => o.metadata.name)
      .sort();
  }

  /** A merge patch by another field manager, as `kubectl edit` makes it. */
  async function editByHand(ns: string, name: string, body: object, fieldManager = 'kubectl-edit') {
    await networking.patchNamespacedNetworkPolicy(
      { namespace: ns, name, body, fieldManager },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  beforeAll(async () => {
    testApp = await createDriftApp({
      DRIFT_INTERVAL_MS: '3600000',
      JOB_BACKOFF_MS: '200',
      JOB_ATTEMPTS: '3',
    });
    app = testApp.app;
    cluster = testCluster(0);
    clusterName = await registerTestCluster(http(), cluster, [nsA, nsB], 'drift-c');
    admin = new KubeGateway().connect(cluster.adminAccess);
    networking = cluster.adminKubeConfig.makeApiClient(NetworkingV1Api);
    const res = await http()
      .post('/v1/policies')
      .send({ name: policy, targets: { clusters: [clusterName] }, document: doc() })
      .expect(202);
    await waitDeployment(res.body.deploymentId);
    expect((await clusterStatus()).sync.status).toBe('Synced');
  });

  afterAll(async () => {
    await testApp?.close();
    for (const ns of [nsA, nsB]) await cluster?.deleteNamespace(ns).catch(() => undefined);
  });

  it('registers the drift job scheduler on the rollout queue, every DRIFT_INTERVAL_MS', async () => {
    const queue = app.get<Queue>(getQueueToken(ROLLOUT_QUEUE));
    const scheduler = await waitFor(
      'drift scheduler',
      async () => (await queue.getJobScheduler(DRIFT_SCHEDULER_ID)) ?? undefined,
    );
    expect(scheduler).toMatchObject({ name: JOB_DRIFT_CHECK, every: 3_600_000 });
  });

  it('a clean cluster stays Synced, with one list request per namespace and no write', async () => {
    const counter = app.get(DriftService);
    const before = counter.apiRequestCount;
    const result = await driftCheck();
    expect(result.clusters).toHaveLength(1);
    expect(result.clusters[0]).toMatchObject({
      cluster: clusterName,
      outcome: 'in-sync',
      sync: 'Synced',
      syncReason: null,
      resources: [],
      apiRequests: 2,
    });
    // 6 objects in 2 namespaces: 2 requests.
    expect(result.apiRequests).toBe(2);
    expect(counter.apiRequestCount - before).toBe(2);
    expect(result.selfHeal).toBeNull();
    expect((await clusterStatus()).sync).toEqual({ status: 'Synced', reason: null, drift: null });
  });

  it('a hand edit by another field manager and a hand deletion are Drifted, naming the path and the manager', async () => {
    const live = await admin.getNetworkPolicy(nsA, 'hangwe-inst-network02');
    const ingress = structuredClone(live!.spec!.ingress!) as { ports?: { port: number }[] }[];
    const rule = ingress.findIndex((r) => r.ports?.length);
    ingress[rule].ports![0].port = 2323;
    await editByHand(nsA, 'hangwe-inst-network02', {
      metadata: { labels: { edited: 'by-hand' } },
      spec: { ingress },
    });
    await admin.deleteNetworkPolicy(nsB, 'hangwe-inst-network03');

    const result = await driftCheck();
    const c = result.clusters[0];
    expect(c).toMatchObject({
      outcome: 'drifted',
      sync: 'OutOfSync',
      syncReason: 'Drifted',
      apiRequests: 2,
    });
    expect(c.resources).toEqual([
      expect.objectContaining({
        namespace: nsA,
        name: 'hangwe-inst-network02',
        change: 'modified',
        managers: ['kubectl-edit'],
        healable: true,
      }),
      expect.objectContaining({
        namespace: nsB,
        name: 'hangwe-inst-network03',
        change: 'missing',
        paths: [],
        healable: true,
      }),
    ]);
    const paths = c.resources[0].paths;
    expect(paths).toContain(`/spec/ingress/${rule}/ports/0/port`);
    expect(paths).toContain('/metadata/labels/edited');
    expect(result.selfHeal).toBeNull(); // selfHeal is off

    const status = await clusterStatus();
    expect(status.sync.status).toBe('OutOfSync');
    expect(status.sync.reason).toBe('Drifted');
    expect(status.sync.drift?.resources).toEqual(c.resources);
    expect(Date.parse(status.sync.drift!.checkedAt)).not.toBeNaN();
    // Nothing was written to the cluster.
    expect(await ours(nsB)).toEqual(['hangwe-inst-network01', 'hangwe-inst-network02']);
  });

  it('with selfHeal the drift is re-applied: specs equal the desired ones again, a stray owned object is pruned, Synced again', async () => {
    await http()
      .post('/v1/policies')
      .send({ name: policy, targets: { clusters: [clusterName] }, document: doc(), selfHeal: true })
      .expect(200);
    // An object carrying this policy's labels that no revision has: extra.
    await networking.createNamespacedNetworkPolicy({
      namespace: nsA,
      fieldManager: 'kubectl-create',
      body: {
        metadata: {
          name: 'stray',
          labels: { 'app.kubernetes.io/managed-by': 'gbp-netpol', 'gbp-netpol.io/policy': policy },
        },
        spec: { podSelector: {}, policyTypes: ['Ingress'] },
      },
    });
    const result = await driftCheck();
    expect(result.clusters[0].resources.map((r) => `${r.change} ${r.name}`)).toEqual([
      'modified hangwe-inst-network02',
      'extra stray',
      'missing hangwe-inst-network03',
    ]);
    expect(result.clusters[0].resources[1].managers).toEqual(['kubectl-create']);
    const deploymentId = result.selfHeal?.deploymentId;
    expect(deploymentId).toBeDefined();
    const deployment = await waitDeployment(deploymentId!);
    expect(deployment.clusters.map((c) => c.phase)).toEqual(['Succeeded']);

    for (const m of await manifests(1)) {
      const live = await admin.getNetworkPolicy(m.metadata.namespace, m.metadata.name);
      expect(live?.spec).toEqual(m.spec);
    }
    expect(await ours(nsA)).toEqual([
      'hangwe-inst-network01',
      'hangwe-inst-network02',
      'hangwe-inst-network03',
    ]);
    expect(await ours(nsB)).toEqual([
      'hangwe-inst-network01',
      'hangwe-inst-network02',
      'hangwe-inst-network03',
    ]);
    const status = await clusterStatus();
    expect(status.sync).toEqual({ status: 'Synced', reason: null, drift: null });
  });

  it('a label another manager added cannot be undone by apply: Drifted but not healable, no re-apply; removing it by hand makes the next check Synced', async () => {
    // Server-side apply never removes a field another manager owns: the label survived the re-apply.
    expect(
      (await admin.getNetworkPolicy(nsA, 'hangwe-inst-network02'))?.metadata.labels?.edited,
    ).toBe('by-hand');
    const result = await driftCheck();
    expect(result.clusters[0].resources).toEqual([
      {
        namespace: nsA,
        name: 'hangwe-inst-network02',
        change: 'modified',
        paths: ['/metadata/labels/edited'],
        managers: ['kubectl-edit'],
        healable: false,
      },
    ]);
    expect(result.selfHeal).toBeNull();
    expect((await clusterStatus()).sync.reason).toBe('Drifted');

    await editByHand(nsA, 'hangwe-inst-network02', { metadata: { labels: { edited: null } } });
    const clean = await driftCheck();
    expect(clean.clusters[0]).toMatchObject({
      outcome: 'in-sync',
      sync: 'Synced',
      syncReason: null,
      resources: [],
    });
    expect((await clusterStatus()).sync).toEqual({ status: 'Synced', reason: null, drift: null });
  });

  it('rollback to revision 1 after a revision 2 restores revision 1 exactly; rolling back to the same content changes nothing', async () => {
    const changed = doc((d) => {
      delete (d.contracts as Record<string, unknown>).hangwe_inst_constract02;
      d.contracts.hangwe_inst_constract01.ports = [{ protocol: 'TCP', port: '2323' }];
      d.expose = [];
    });
    const r2 = await http()
      .post('/v1/policies')
      .send({ name: policy, targets: { clusters: [clusterName] }, document: changed })
      .expect(202);
    expect(r2.body.revision).toBe(2);
    await waitDeployment(r2.body.deploymentId);
    expect(await ours(nsA)).toEqual(['hangwe-inst-network01', 'hangwe-inst-network02']);

    const back = await http()
      .post(`/v1/policies/${policy}/rollback`)
      .send({ revision: 1 })
      .expect(202);
    expect(back.body).toMatchObject({ revision: 3, rolledBackTo: 1 });
    expect(back.headers.location).toBe(`/v1/deployments/${back.body.deploymentId}`);
    await waitDeployment(back.body.deploymentId);

    const [one, three] = [
      await http().get(`/v1/policies/${policy}/revisions/1`).expect(200),
      await http().get(`/v1/policies/${policy}/revisions/3`).expect(200),
    ];
    expect(three.body.document).toEqual(one.body.document);
    expect(three.body.targets).toEqual(one.body.targets);
    expect(three.body.contentHash).toBe(one.body.contentHash);
    const wanted = await manifests(1);
    for (const m of wanted) {
      const live = await admin.getNetworkPolicy(m.metadata.namespace, m.metadata.name);
      expect(live?.spec).toEqual(m.spec);
      expect(live?.metadata.annotations?.['gbp-netpol.io/revision']).toBe('3');
    }
    for (const ns of [nsA, nsB])
      expect(await ours(ns)).toEqual(
        wanted
          .filter((m) => m.metadata.namespace === ns)
          .map((m) => m.metadata.name)
          .sort(),
      );
    expect((await http().get(`/v1/policies/${policy}`).expect(200)).body.selfHeal).toBe(true);

    const same = await http()
      .post(`/v1/policies/${policy}/rollback`)
      .send({ revision: 1 })
      .expect(200);
    expect(same.body).toMatchObject({ revision: 3, unchanged: true, deploymentId: null });
  });

  it('the drift-check job, run by the rollout worker, checks every policy and self-heals', async () => {
    await admin.deleteNetworkPolicy(nsB, 'hangwe-inst-network01');
    const queue = app.get<Queue>(getQueueToken(ROLLOUT_QUEUE));
    const job = await queue.add(JOB_DRIFT_CHECK, {});
    const state = await waitFor('drift job finished', async () => {
      const s = await queue.getJobState(job.id!);
      return s === 'completed' || s === 'failed' ? s : undefined;
    });
    if (state === 'failed')
      throw new Error(`drift job failed: ${(await queue.getJob(job.id!))?.failedReason}`);
    await waitFor('object restored by self-heal', async () =>
      (await ours(nsB)).includes('hangwe-inst-network01') ? true : undefined,
    );
    await waitFor('Synced again', async () =>
      (await clusterStatus()).sync.status === 'Synced' ? true : undefined,
    );
  });

  it('skips a cluster while a rollout of the policy holds its lock, without reading it', async () => {
    const { id } = (await app.get(PoliciesRepository).findPolicy(policy))!;
    const redis = app.get<Redis>(REDIS);
    const key = app.get(RolloutService).lockKey(id, clusterName);
    expect(await redis.set(key, 'held-by-test', 'PX', 10_000, 'NX')).toBe('OK');
    try {
      const result = await driftCheck();
      expect(result.clusters[0]).toMatchObject({
        outcome: 'skipped',
        apiRequests: 0,
        message: 'a rollout of this policy is running on this cluster',
      });
    } finally {
      await redis.del(key);
    }
  });

  it('answers problem+json for an unknown policy or revision and a bad body', async () => {
    const unknown = await http()
      .post(`/v1/policies/${uniqueName('nope')}/drift-check`)
      .expect(404);
    expect(unknown.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(
      (await http().post(`/v1/policies/${policy}/rollback`).send({ revision: 99 }).expect(404)).body
        .type,
    ).toBe('urn:gbp-netpol:problem:revision-not-found');
    const bad = await http()
      .post(`/v1/policies/${policy}/rollback`)
      .send({ revision: 'one', extra: 1 })
      .expect(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['/revision', '/extra']),
    );
  });
});
