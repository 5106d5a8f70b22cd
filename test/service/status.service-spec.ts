import { Test } from '@nestjs/testing';
import { compileDocument } from '../../src/core/compiler/compile-document.js';
import { contentHash } from '../../src/core/reconcile/canonical-json.js';
import { countOutcomes, type ResourceOutcome } from '../../src/core/reconcile/settle-target.js';
import { ProblemException } from '../../src/common/problem.exception.js';
import { DATABASE } from '../../src/infra/database/database.module.js';
import { createTestDatabase, type TestDatabase } from '../../src/infra/database/test-database.js';
import { ClustersRepository } from '../../src/modules/clusters/clusters.repository.js';
import { DeploymentsRepository } from '../../src/modules/deployments/deployments.repository.js';
import { StatusRepository } from '../../src/modules/deployments/status.repository.js';
import { StatusService } from '../../src/modules/deployments/status.service.js';
import { PoliciesRepository } from '../../src/modules/policies/policies.repository.js';
import { PolicyReader } from '../../src/modules/policies/policy-reader.service.js';

type Page<T> = { items: T[]; nextCursor?: string };

/** Every item of a paged list, following nextCursor. */
async function all<T>(page: (cursor?: string) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const p = await page(cursor);
    out.push(...p.items);
    cursor = p.nextCursor;
  } while (cursor);
  return out;
}

const outcomes = (n: number, failEvery = 0): ResourceOutcome[] =>
  Array.from({ length: n }, (_, i) => ({
    namespace: i % 2 ? 'b' : 'a',
    name: `np-${String(i).padStart(3, '0')}`,
    action: failEvery && i % failEvery === 0 ? 'failed' : 'created',
    ...(failEvery && i % failEvery === 0 ? { message: 'refused' } : {}),
  })).sort((x, y) => `${x.namespace}/${x.name}`.localeCompare(`${y.namespace}/${y.name}`));

// The status read side against both drivers: summaries without outcomes, outcomes paged from
// the stored jsonb, the fleet view with its filters, and cursors that refuse garbage.
describe.each(['postgres', 'pglite'] as const)('status (%s)', (driver) => {
  let db: TestDatabase;
  let status: StatusService;
  let policies: PoliciesRepository;
  let deployments: DeploymentsRepository;
  let clusters: ClustersRepository;

  beforeAll(async () => {
    db = await createTestDatabase(driver);
    const moduleRef = await Test.createTestingModule({
      providers: [
        { provide: DATABASE, useValue: db },
        PoliciesRepository,
        DeploymentsRepository,
        ClustersRepository,
        StatusRepository,
        PolicyReader,
        StatusService,
      ],
    }).compile();
    status = moduleRef.get(StatusService);
    policies = moduleRef.get(PoliciesRepository);
    deployments = moduleRef.get(DeploymentsRepository);
    clusters = moduleRef.get(ClustersRepository);
    for (const name of ['c1', 'c2', 'c3'])
      await clusters.insert({ name, server: `https://${name}.example:6443`, credentials: 'x' });
    await clusters.recordConnection('c1', {
      connection: 'Reachable',
      connectionMessage: null,
      connectionCheckedAt: new Date(),
    });
    await clusters.recordConnection('c2', {
      connection: 'Reachable',
      connectionMessage: null,
      connectionCheckedAt: new Date(),
    });
    await clusters.recordConnection('c3', {
      connection: 'Unreachable',
      connectionMessage: 'no answer',
      connectionCheckedAt: new Date(),
    });
    // p-a: applied on c1 (7 outcomes, 3 failed) and c2 (5 created); c3 still running.
    // p-b: applied on c1 and c2, both Synced.
    for (const [policy, plan] of [
      ['p-a', { c1: outcomes(7, 3), c2: outcomes(5), c3: null }],
      ['p-b', { c1: outcomes(2), c2: outcomes(2) }],
    ] as const) {
      const document = {
        namespaces: ['a', 'b'],
        contracts: { c: { provide_networks: ['db'], consume_networks: ['web'] } },
      };
      const compiled = compileDocument(document);
      if (!compiled.ok) throw new Error('fixture does not compile');
      const targets = { clusters: Object.keys(plan) };
      const stored = await policies.storeRevision(
        policy,
        undefined,
        {
          document,
          targets,
          objects: compiled.objects,
          contentHash: contentHash({ objects: compiled.objects, targets }),
        },
        (tx, p, revision) =>
          deployments.insertDeployment(
            tx,
            p,
            revision.number,
            'apply',
            Object.keys(plan).map((clusterName) => ({ clusterName, action: 'apply' as const })),
          ),
      );
      if (!stored.created) throw new Error('expected a revision');
      for (const [cluster, resources] of Object.entries(plan)) {
        const id = stored.stored.deployment.id;
        if (!resources) {
          await deployments.updateTarget(id, cluster, { phase: 'Running', attempt: 1 });
          continue;
        }
        const failed = resources.some((r) => r.action === 'failed');
        await deployments.updateTarget(id, cluster, {
          phase: failed ? 'Failed' : 'Succeeded',
          resources,
          counts: countOutcomes(resources),
          finishedAt: new Date(),
        });
        await deployments.saveState(stored.policy.id, cluster, {
          appliedRevision: 1,
          sync: failed ? 'OutOfSync' : 'Synced',
          syncReason: failed ? 'ApplyFailed' : null,
        });
      }
    }
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it('summarises each cluster with counts per outcome, and no outcomes', async () => {
    const s = await status.policyStatus('p-a');
    expect(s.summary).toEqual({
      OutOfSync: 1,
      Synced: 1,
      Unknown: 1,
      Failed: 1,
      Succeeded: 1,
      Running: 1,
    });
    expect(
      s.clusters.map((c) => [
        c.cluster,
        c.sync.status,
        c.sync.reason,
        c.operation?.phase,
        c.counts,
      ]),
    ).toEqual([
      ['c1', 'OutOfSync', 'ApplyFailed', 'Failed', { created: 4, failed: 3 }],
      ['c2', 'Synced', null, 'Succeeded', { created: 5 }],
      ['c3', 'Unknown', 'ClusterUnreachable', 'Running', {}],
    ]);
    expect(s.clusters[2].connection).toMatchObject({ state: 'Unreachable', message: 'no answer' });
    expect(JSON.stringify(s)).not.toContain('np-000');
  });

  it('pages the outcomes by cluster then namespace and name, with the same items at any page size', async () => {
    const whole = await all((cursor) => status.policyResources('p-a', { limit: 500, cursor }));
    expect(whole).toHaveLength(12);
    expect(whole.map((o) => o.cluster)).toEqual([...Array(7).fill('c1'), ...Array(5).fill('c2')]);
    expect(whole.slice(0, 7)).toEqual(outcomes(7, 3).map((o) => ({ cluster: 'c1', ...o })));
    for (const limit of [1, 2, 5, 7])
      expect(await all((cursor) => status.policyResources('p-a', { limit, cursor }))).toEqual(
        whole,
      );
    const failed = await all((cursor) =>
      status.policyResources('p-a', { limit: 2, cursor, action: 'failed' }),
    );
    expect(failed.map((o) => `${o.cluster} ${o.namespace}/${o.name}`)).toEqual(
      whole
        .filter((o) => o.action === 'failed')
        .map((o) => `${o.cluster} ${o.namespace}/${o.name}`),
    );
    expect(failed).toHaveLength(3);
    const onC2 = await status.policyResources('p-a', { cluster: 'c2' });
    expect(onC2.items).toHaveLength(5);
    expect(onC2.nextCursor).toBeUndefined();
  });

  it('lists the fleet by policy then cluster, filtered, the same at any page size', async () => {
    const fleet = await all((cursor) => status.fleet({ limit: 500, cursor }));
    expect(
      fleet.map((r) => `${r.policy}/${r.cluster} ${r.sync.status} ${r.operation?.phase}`),
    ).toEqual([
      'p-a/c1 OutOfSync Failed',
      'p-a/c2 Synced Succeeded',
      'p-a/c3 Unknown Running',
      'p-b/c1 Synced Succeeded',
      'p-b/c2 Synced Succeeded',
    ]);
    expect(fleet[0].counts).toEqual({ created: 4, failed: 3 });
    for (const limit of [1, 2, 3])
      expect(await all((cursor) => status.fleet({ limit, cursor }))).toEqual(fleet);
    const key = (rows: { policy: string; cluster: string }[]) =>
      rows.map((r) => `${r.policy}/${r.cluster}`);
    expect(key(await all((cursor) => status.fleet({ limit: 1, cursor, sync: 'Synced' })))).toEqual([
      'p-a/c2',
      'p-b/c1',
      'p-b/c2',
    ]);
    expect(key(await all((cursor) => status.fleet({ cursor, phase: 'Running' })))).toEqual([
      'p-a/c3',
    ]);
    expect(key(await all((cursor) => status.fleet({ cursor, cluster: 'c1' })))).toEqual([
      'p-a/c1',
      'p-b/c1',
    ]);
    expect(
      key(await all((cursor) => status.fleet({ cursor, policy: 'p-b', sync: 'Synced' }))),
    ).toEqual(['p-b/c1', 'p-b/c2']);
  });

  it('refuses a cursor it did not give out', async () => {
    for (const call of [
      () => status.fleet({ cursor: 'garbage!' }),
      () => status.policyResources('p-a', { cursor: 'garbage!' }),
      // A cursor of the other list has another shape.
      () => status.fleet({ cursor: Buffer.from('["c1",3]').toString('base64url') }),
    ])
      await expect(call()).rejects.toBeInstanceOf(ProblemException);
  });
});
