import { randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import { loadConfig } from '../../src/config/app-config.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { compileDocument } from '../../src/core/compiler/compile-document.js';
import { contentHash } from '../../src/core/reconcile/canonical-json.js';
import { DATABASE, DatabaseModule } from '../../src/infra/database/database.module.js';
import { createTestDatabase, type TestDatabase } from '../../src/infra/database/test-database.js';
import { KubeGateway } from '../../src/infra/kube/index.js';
import { QueueModule } from '../../src/infra/queue/queue.module.js';
import { ClustersModule } from '../../src/modules/clusters/clusters.module.js';
import { ClustersService } from '../../src/modules/clusters/clusters.service.js';
import { DeploymentsModule } from '../../src/modules/deployments/deployments.module.js';
import { DeploymentsRepository } from '../../src/modules/deployments/deployments.repository.js';
import { RolloutService } from '../../src/modules/deployments/rollout.service.js';
import {
  ClusterDiffService,
  type ResourceDiff,
} from '../../src/modules/diff/cluster-diff.service.js';
import { PoliciesRepository } from '../../src/modules/policies/policies.repository.js';
import { testCluster, useIdentity, useNamespace } from '../harness/kube-test-context.js';

const cluster = testCluster(0);

/** What each planned action becomes when the rollout runs it. */
const OUTCOME_OF: Record<string, string> = {
  create: 'created',
  update: 'updated',
  delete: 'deleted',
  unchanged: 'unchanged',
  conflict: 'conflict',
  error: 'failed',
};

// The rollout service on real PostgreSQL, Redis and a real kube-apiserver, without HTTP and
// without a worker: one reconcile of one cluster at a time, with its plan beside it.
describe('RolloutService (PostgreSQL, Redis, kube-apiserver)', () => {
  let db: TestDatabase;
  let moduleRef: TestingModule;
  let rollout: RolloutService;
  let differ: ClusterDiffService;
  let policies: PoliciesRepository;
  let deployments: DeploymentsRepository;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    const config = loadConfig({
      DATABASE_URL: db.options.databaseUrl,
      QUEUE_PREFIX: `gbp-service-${randomUUID().slice(0, 8)}`,
      ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      LOG_LEVEL: 'silent',
    });
    moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        QueueModule,
        ClustersModule,
        DeploymentsModule,
      ],
      providers: [ClusterDiffService],
    })
      .overrideProvider(DATABASE)
      .useValue(db)
      .compile();
    await moduleRef.init();
    rollout = moduleRef.get(RolloutService);
    differ = moduleRef.get(ClusterDiffService);
    policies = moduleRef.get(PoliciesRepository);
    deployments = moduleRef.get(DeploymentsRepository);
  });
  afterAll(async () => {
    await moduleRef?.close();
    await db?.dispose();
  });

  async function storeAndPlan(policyName: string, clusterName: string, document: object) {
    const compiled = compileDocument(document, { policyName });
    if (!compiled.ok) throw new Error('fixture does not compile');
    const targets = { clusters: [clusterName] };
    const stored = await policies.storeRevision(
      policyName,
      undefined,
      {
        document,
        targets,
        objects: compiled.objects,
        contentHash: contentHash({ objects: compiled.objects, targets }),
      },
      (tx, policy, revision) =>
        deployments.insertDeployment(tx, policy, revision.number, 'apply', [
          { clusterName, action: 'apply' },
        ]),
    );
    if (!stored.created) throw new Error('expected a new revision');
    const diff = await differ.diff({
      cluster: clusterName,
      policyName,
      action: 'apply',
      objects: compiled.objects,
      revision: stored.revision.number,
      lastApplied: await rollout.possiblyApplied(
        stored.policy,
        clusterName,
        stored.revision.number,
      ),
    });
    return { deploymentId: stored.stored.deployment.id, policy: stored.policy, diff };
  }

  const planned = (resources: ResourceDiff[]) =>
    resources.map((r) => `${r.namespace}/${r.name} ${OUTCOME_OF[r.action]}`);

  it('does what its plan showed: creates, then updates and prunes, then nothing; and records the state', async () => {
    const ns = await useNamespace(cluster, 'svc-rollout');
    const identity = await useIdentity(cluster, [ns]);
    const clusterName = `c-${randomUUID().slice(0, 8)}`;
    await moduleRef.get(ClustersService).create({
      name: clusterName,
      server: identity.server,
      caData: identity.caData,
      token: identity.token,
    });
    const admin = new KubeGateway().connect(cluster.adminAccess);
    const doc = (networks: string[], port: number) => ({
      namespaces: [ns],
      contracts: {
        c: { provide_networks: networks, consume_networks: ['web'], ports: [{ port }] },
      },
    });

    const runs = [doc(['db', 'cache'], 5432), doc(['db'], 6379), doc(['db'], 6379)];
    const seen: string[][] = [];
    for (const [i, document] of runs.entries()) {
      const r =
        i === 2
          ? await (async () => {
              // Same content: a sync of revision 2.
              const policy = (await policies.findPolicy('svc-p1'))!;
              const { deployment } = await deployments.createDeployment(policy, 2, 'sync', [
                { clusterName, action: 'apply' },
              ]);
              const diff = await differ.diff({
                cluster: clusterName,
                policyName: 'svc-p1',
                action: 'apply',
                objects: (await policies.findRevision(policy.id, 2))!.objects,
                revision: 2,
                lastApplied: await rollout.possiblyApplied(policy, clusterName, 2),
              });
              return { deploymentId: deployment.id, policy, diff };
            })()
          : await storeAndPlan('svc-p1', clusterName, document);
      expect(r.diff.error).toBeNull();
      await rollout.runTarget(r.deploymentId, clusterName, { attempt: 1 });
      const target = await deployments.findTarget(r.deploymentId, clusterName);
      expect(target?.phase).toBe('Succeeded');
      const outcomes = target!.resources.map((o) => `${o.namespace}/${o.name} ${o.action}`);
      // The plan is what the rollout did, object by object.
      expect(outcomes).toEqual(planned(r.diff.resources));
      seen.push(outcomes);
      const state = await deployments.findState(r.policy.id, clusterName);
      expect(state).toMatchObject({
        sync: 'Synced',
        syncReason: null,
        appliedRevision: i === 0 ? 1 : 2,
      });
    }
    expect(seen).toEqual([
      [`${ns}/cache created`, `${ns}/db created`, `${ns}/web created`],
      [`${ns}/cache deleted`, `${ns}/db updated`, `${ns}/web updated`],
      [`${ns}/db unchanged`, `${ns}/web unchanged`],
    ]);
    const live = await admin.listNetworkPolicies(ns, 'gbp-netpol.io/policy=svc-p1');
    expect(live.map((o) => o.metadata.name).sort()).toEqual(['db', 'web']);
  });

  it('reports an object it does not own as a conflict, in the plan and in the rollout, and never touches it', async () => {
    const ns = await useNamespace(cluster, 'svc-conflict');
    const identity = await useIdentity(cluster, [ns]);
    const clusterName = `c-${randomUUID().slice(0, 8)}`;
    await moduleRef.get(ClustersService).create({
      name: clusterName,
      server: identity.server,
      caData: identity.caData,
      token: identity.token,
    });
    const admin = new KubeGateway().connect(cluster.adminAccess);
    const foreign = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'db', namespace: ns, labels: { team: 'theirs' } },
      spec: { podSelector: {}, policyTypes: ['Ingress' as const] },
    };
    await admin.applyNetworkPolicy(foreign, { force: true });
    const r = await storeAndPlan('svc-p2', clusterName, {
      namespaces: [ns],
      contracts: { c: { provide_networks: ['db'], consume_networks: ['web'] } },
    });
    expect(planned(r.diff.resources)).toEqual([`${ns}/db conflict`, `${ns}/web created`]);
    await rollout.runTarget(r.deploymentId, clusterName, { attempt: 1 });
    const target = await deployments.findTarget(r.deploymentId, clusterName);
    expect(target).toMatchObject({ phase: 'Failed' });
    expect(target!.resources.map((o) => `${o.namespace}/${o.name} ${o.action}`)).toEqual(
      planned(r.diff.resources),
    );
    expect(await deployments.findState(r.policy.id, clusterName)).toMatchObject({
      sync: 'OutOfSync',
      syncReason: 'Conflict',
    });
    const still = await admin.getNetworkPolicy(ns, 'db');
    expect(still?.metadata.labels).toEqual({ team: 'theirs' });
  });
});
