import { Test } from '@nestjs/testing';
import { compileDocument } from '../../src/core/compiler/compile-document.js';
import { contentHash } from '../../src/core/reconcile/canonical-json.js';
import { DatabaseUnavailableError } from '../../src/infra/database/database.js';
import { DATABASE } from '../../src/infra/database/database.module.js';
import { createTestDatabase, type TestDatabase } from '../../src/infra/database/test-database.js';
import { ClustersRepository } from '../../src/modules/clusters/clusters.repository.js';
import { DeploymentsRepository } from '../../src/modules/deployments/deployments.repository.js';
import {
  PoliciesRepository,
  type NewRevision,
} from '../../src/modules/policies/policies.repository.js';

function revision(network: string): NewRevision {
  const document = {
    namespaces: ['shop'],
    contracts: { c: { provide_networks: [network], consume_networks: ['web'] } },
  };
  const compiled = compileDocument(document);
  if (!compiled.ok) throw new Error('fixture does not compile');
  const targets = { clusters: ['a', 'b'] };
  return {
    document,
    targets,
    objects: compiled.objects,
    contentHash: contentHash({ objects: compiled.objects, targets }),
  };
}

// The repositories against both drivers, as the worker and the API use them.
describe.each(['postgres', 'pglite'] as const)('repositories (%s)', (driver) => {
  let db: TestDatabase;
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
      ],
    }).compile();
    policies = moduleRef.get(PoliciesRepository);
    deployments = moduleRef.get(DeploymentsRepository);
    clusters = moduleRef.get(ClustersRepository);
  });
  afterAll(async () => {
    await db?.dispose();
  });

  const store = (name: string, r: NewRevision, plan = ['a', 'b']) =>
    policies.storeRevision(name, undefined, r, async (tx, policy, stored) =>
      deployments.insertDeployment(
        tx,
        policy,
        stored.number,
        'apply',
        plan.map((clusterName) => ({ clusterName, action: 'apply' as const })),
      ),
    );

  it('stores numbered revisions with their deployment in one transaction, and nothing for equal content', async () => {
    const first = await store('p1', revision('db'));
    expect(first.created).toBe(true);
    if (!first.created) return;
    expect(first.revision.number).toBe(1);
    expect(first.stored.targets.map((t) => [t.clusterName, t.phase])).toEqual([
      ['a', 'Queued'],
      ['b', 'Queued'],
    ]);
    // Every cluster about to be touched is remembered as Progressing.
    expect((await deployments.states(first.policy.id)).map((s) => s.syncReason)).toEqual([
      'Progressing',
      'Progressing',
    ]);
    const same = await store('p1', revision('db'));
    expect(same).toMatchObject({ created: false, revision: { number: 1 } });
    const second = await store('p1', revision('cache'));
    expect(second).toMatchObject({ created: true, revision: { number: 2 } });
  });

  it('stores nothing at all when the deployment part of the transaction fails', async () => {
    await expect(
      policies.storeRevision('p2', undefined, revision('db'), async () => {
        throw new Error('the deployment could not be stored');
      }),
    ).rejects.toThrow('the deployment could not be stored');
    expect(await policies.findPolicy('p2')).toBeUndefined();
  });

  it('orders deployments as locked: a newer one supersedes the unfinished targets of older ones', async () => {
    const older = await store('p3', revision('db'));
    const newer = await store('p3', revision('cache'), ['a']);
    if (!older.created || !newer.created) throw new Error('both revisions should be new');
    const stale = await deployments.olderUnfinishedTargets(newer.stored.deployment, ['a', 'b']);
    expect(stale.map((t) => t.clusterName).sort()).toEqual(['a', 'b']);
    expect(await deployments.hasNewerDeployment(older.stored.deployment, 'a')).toBe(true);
    expect(await deployments.hasNewerDeployment(older.stored.deployment, 'b')).toBe(false);
    expect(await deployments.hasNewerDeployment(newer.stored.deployment, 'a')).toBe(false);
    const latest = await deployments.latestTargets(newer.policy.id);
    expect(latest.map((t) => [t.clusterName, t.revision])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
  });

  it('closes a deployment once no target can change any more', async () => {
    const r = await store('p4', revision('db'));
    if (!r.created) throw new Error('expected a new revision');
    const id = r.stored.deployment.id;
    await deployments.updateTarget(id, 'a', { phase: 'Succeeded' });
    expect(await deployments.finishDeploymentIfDone(id)).toBe(false);
    await deployments.updateTarget(id, 'b', { phase: 'Failed' });
    expect(await deployments.finishDeploymentIfDone(id)).toBe(true);
    expect(await deployments.finishDeploymentIfDone(id)).toBe(false);
    expect((await deployments.findDeployment(id))?.finishedAt).toBeInstanceOf(Date);
  });

  it('does not overwrite a Progressing state with a drift check that started before it', async () => {
    const r = await store('p5', revision('db'));
    if (!r.created) throw new Error('expected a new revision');
    const written = await deployments.recordDriftCheck(r.policy.id, 'a', {
      sync: 'Synced',
      syncReason: null,
      drift: null,
    });
    expect(written).toBe(false);
    await deployments.saveState(r.policy.id, 'a', { sync: 'Synced', syncReason: null });
    expect(
      await deployments.recordDriftCheck(r.policy.id, 'a', {
        sync: 'OutOfSync',
        syncReason: 'Drifted',
        drift: { resources: [] },
      }),
    ).toBe(true);
  });

  it('finds clusters by name and by labels', async () => {
    for (const [name, labels] of [
      ['eu', { env: 'prod', region: 'eu' }],
      ['us', { env: 'prod', region: 'us' }],
      ['lab', { env: 'dev' }],
    ] as const)
      await clusters.insert({
        name,
        server: 'https://127.0.0.1:1',
        labels,
        credentials: 'sealed',
        insecureSkipTlsVerify: false,
      });
    expect(
      await clusters.insert({
        name: 'eu',
        server: 'https://x',
        labels: {},
        credentials: 'x',
        insecureSkipTlsVerify: false,
      }),
    ).toBeNull();
    expect(await clusters.namesMatching({ env: 'prod' })).toEqual(['eu', 'us']);
    expect(await clusters.existingNames(['us', 'nowhere', 'us'])).toEqual(['us']);
  });
});

describe('repositories after the database went away', () => {
  it('answer DatabaseUnavailableError, never a driver error with its query', async () => {
    const db = await createTestDatabase('postgres');
    const moduleRef = await Test.createTestingModule({
      providers: [{ provide: DATABASE, useValue: db }, PoliciesRepository, DeploymentsRepository],
    }).compile();
    await db.dispose();
    await expect(moduleRef.get(PoliciesRepository).findPolicy('p')).rejects.toBeInstanceOf(
      DatabaseUnavailableError,
    );
    await expect(moduleRef.get(DeploymentsRepository).unfinishedTargets()).rejects.toBeInstanceOf(
      DatabaseUnavailableError,
    );
  });
});
