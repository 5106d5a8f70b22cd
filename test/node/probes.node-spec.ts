import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeCell, ProbeReport } from '../../src/core/probes/probe-run.js';
import { startNodeCluster, type NodeCluster } from '../harness/node-cluster.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { loadExampleDocument } from '../support/example-document.js';
import { rawDocumentArbitrary, type RawDocument } from '../support/policy-document.arbitrary.js';
import { waitFor } from '../support/wait-for.js';

// The service's own probe runs on a real node (containerd, the CNI bridge, kube-router as the
// enforcer): the test pods measure every pair on every probe port and report through their
// termination messages, and the report must show measured = expected on every cell.

// The answer of GET …/probes: the pods, and the run's report as the core builds it.
interface ProbesAnswer {
  pods: { name: string; namespace: string; phase: string | null }[];
  run: ProbeReport | null;
}

let cluster: NodeCluster;
let testApp: TestApp;
let clusterName: string;
const namespaces: string[] = [];
const http = () => testApp.http();
const timings: { doc: string; probesMs: number; runMs: number }[] = [];

async function waitSynced(policy: string, revision: number): Promise<void> {
  await waitFor(
    `${policy} revision ${revision} Synced`,
    async () => {
      const s = (await http().get(`/v1/policies/${policy}/status`).expect(200)).body as {
        clusters: {
          sync: { status: string };
          appliedRevision: number | null;
          operation: { phase: string; error: string | null } | null;
        }[];
      };
      const c = s.clusters[0];
      if (c?.operation?.phase === 'Failed') throw new Error(`rollout failed: ${c.operation.error}`);
      return c?.sync.status === 'Synced' && c.appliedRevision === revision ? true : undefined;
    },
    120_000,
  );
}

/** Test pods created and running, then one probe run, until its report is complete. */
async function probeRun(policy: string, label: string): Promise<NonNullable<ProbesAnswer['run']>> {
  const started = Date.now();
  await http()
    .post(`/v1/policies/${policy}/probes`)
    .send({ cluster: clusterName, image: cluster.images.probe })
    .expect(201);
  await waitFor(
    'test pods Running',
    async () => {
      const view = (
        await http().get(`/v1/policies/${policy}/probes?cluster=${clusterName}`).expect(200)
      ).body as ProbesAnswer;
      return view.pods.length > 0 && view.pods.every((p) => p.phase === 'Running')
        ? true
        : undefined;
    },
    120_000,
  );
  const probesMs = Date.now() - started;
  await http().post(`/v1/policies/${policy}/probes/run`).send({ cluster: clusterName }).expect(202);
  const run = await waitFor(
    'the probe run complete',
    async () => {
      const view = (
        await http().get(`/v1/policies/${policy}/probes?cluster=${clusterName}`).expect(200)
      ).body as ProbesAnswer;
      if (view.run && ['failed', 'timed-out'].includes(view.run.state))
        throw new Error(`probe run ${view.run.state}: ${view.run.problems.join('; ')}`);
      if (process.env.GBP_PROBE_DEBUG)
        process.stderr.write(
          `[probes] ${JSON.stringify({ state: view.run?.state, summary: view.run?.summary, problems: view.run?.problems?.slice(0, 3) })}\n`,
        );
      return view.run?.state === 'complete' ? view.run : undefined;
    },
    300_000,
    1000,
  );
  timings.push({ doc: label, probesMs, runMs: Date.now() - started - probesMs });
  return run;
}

async function removeProbes(policy: string): Promise<void> {
  await http().delete(`/v1/policies/${policy}/probes?cluster=${clusterName}`).expect(200);
  await waitFor(
    'test pods gone',
    async () => {
      for (const ns of namespaces)
        if ((await cluster.admin.core.listNamespacedPod({ namespace: ns })).items.length > 0)
          return undefined;
      return true;
    },
    120_000,
  );
}

function describeMismatches(cells: readonly ProbeCell[]): string {
  return cells
    .slice(0, 20)
    .map(
      (c) =>
        `${c.source} -> ${c.destination} ${c.protocol}/${c.port}: expected ${c.expected}, measured ${c.measured}`,
    )
    .join('\n');
}

describe('probe runs on a real node (kube-router)', () => {
  beforeAll(async () => {
    cluster = await startNodeCluster({ name: 'probes' });
    for (const prefix of ['probe-a', 'probe-b'])
      namespaces.push(await cluster.admin.createNamespace(prefix));
    testApp = await createTestApp({ JOB_BACKOFF_MS: '200', JOB_ATTEMPTS: '3' });
    const identity = await cluster.admin.leastPrivilegeIdentity(namespaces);
    clusterName = 'node';
    await http()
      .post('/v1/clusters')
      .send({
        name: clusterName,
        server: identity.server,
        caData: identity.caData,
        token: identity.token,
      })
      .expect(201);
  });

  afterAll(async () => {
    await testApp?.close();
    if (timings.length > 0)
      process.stderr.write(
        `[probes] ${timings.map((t) => `${t.doc}: pods ${t.probesMs} ms, run ${t.runMs} ms`).join('; ')}\n`,
      );
    await cluster?.stop();
  });

  it('the hole, on packets: with the pod network unknown an untagged pod reaches a port exposed to 0.0.0.0/0; once it is known, it does not', async () => {
    const document = {
      namespaces: [namespaces[0]],
      contracts: {
        c: { provide_networks: ['db'], consume_networks: ['web'], ports: [{ port: 5432 }] },
      },
      expose: [{ network: 'web', cidr: '0.0.0.0/0', ports: [{ port: 443 }] }],
    };
    await http()
      .post('/v1/policies')
      .send({ name: 'hole', targets: { clusters: [clusterName] }, document })
      .expect(202);
    await waitSynced('hole', 1);
    const status = await http().get('/v1/policies/hole/status').expect(200);
    expect(status.body.clusters[0].operation.warnings.map((w: { code: string }) => w.code)).toEqual(
      ['POD_NETWORKS_UNKNOWN'],
    );
    const untaggedToWeb = (run: NonNullable<ProbesAnswer['run']>) =>
      run.cells.find(
        (c) =>
          c.source === `${namespaces[0]}/${namespaces[0]}-out` &&
          c.destination === `${namespaces[0]}/web-pod` &&
          c.protocol === 'TCP' &&
          c.port === 443,
      );

    const open = await probeRun('hole', 'hole, pod network unknown');
    expect(open.summary.allMatch, describeMismatches(open.mismatches)).toBe(true);
    // Measured on packets: the untagged pod gets in, although the truth table denies it.
    expect(untaggedToWeb(open)).toMatchObject({ measured: 'allowed', expected: 'allowed' });
    await removeProbes('hole');

    await http()
      .patch(`/v1/clusters/${clusterName}`)
      .send({ podCIDRs: [cluster.podCidr] })
      .expect(200);
    await waitFor('the per-cluster objects applied', async () => {
      const s = await http().get('/v1/policies/hole/status').expect(200);
      const c = s.body.clusters[0];
      return c.sync.status === 'Synced' && c.operation.warnings.length === 0 ? true : undefined;
    });
    const closed = await probeRun('hole', 'hole, pod network known');
    expect(closed.summary.allMatch, describeMismatches(closed.mismatches)).toBe(true);
    expect(untaggedToWeb(closed)).toMatchObject({ measured: 'denied', expected: 'denied' });
    await removeProbes('hole');
    await http().delete('/v1/policies/hole').expect(202);
  }, 600_000);

  it('the shared example: measured equals expected on every cell', async () => {
    const example = loadExampleDocument();
    await http()
      .post('/v1/policies')
      .send({
        name: 'example',
        targets: { clusters: [clusterName] },
        document: { ...example, namespaces: [namespaces[0]] },
      })
      .expect(202);
    await waitSynced('example', 1);
    const run = await probeRun('example', 'shared example');
    expect(run.summary.measured).toBe(run.summary.cells);
    expect(run.summary.allMatch, describeMismatches(run.mismatches)).toBe(true);
    // The worked example's cells, on packets (src/core/README.md).
    const cell = (src: string, dst: string, port: number) =>
      run.cells.find(
        (c) =>
          c.source.endsWith(`/${src}`) &&
          c.destination.endsWith(`/${dst}`) &&
          c.protocol === 'TCP' &&
          c.port === port,
      );
    expect(cell('hangwe-inst-network03-pod', 'hangwe-inst-network01-pod', 23)?.measured).toBe(
      'allowed',
    );
    expect(cell('hangwe-inst-network03-pod', 'hangwe-inst-network01-pod', 80)?.measured).toBe(
      'denied',
    );
    expect(cell('hangwe-inst-network01-pod', 'hangwe-inst-network02-pod', 3306)?.measured).toBe(
      'allowed',
    );
    expect(cell(`${namespaces[0]}-out`, 'hangwe-inst-network01-pod', 80)?.measured).toBe('denied');
    expect(run.external?.length).toBeGreaterThan(0);
    expect(run.external!.every((c) => c.measured === 'allowed')).toBe(true);
    await removeProbes('example');
    await http().delete('/v1/policies/example').expect(202);
  }, 600_000);

  it('20 random documents (every option): measured equals expected on every cell', async () => {
    const docs = fc.sample(rawDocumentArbitrary, { numRuns: 20, seed: 20261201 });
    const options = new Set<string>();
    let revision = 0;
    let measuredDocuments = 0;
    for (const [i, raw] of docs.entries()) {
      // The pools' namespaces on the node cluster's two; ns-c shares the second.
      const mapped: RawDocument = {
        ...raw,
        namespaces: [
          ...new Set(raw.namespaces.map((n) => (n === 'ns-a' ? namespaces[0] : namespaces[1]))),
        ],
      };
      for (const [k, v] of Object.entries(raw.options ?? {})) options.add(`${k}=${String(v)}`);
      const res = await http()
        .post('/v1/policies')
        .send({ name: 'random', targets: { clusters: [clusterName] }, document: mapped });
      expect([200, 202], res.text).toContain(res.status);
      if (res.status === 202) revision = res.body.revision as number;
      await waitSynced('random', revision);
      const run = await probeRun('random', `random #${i}`);
      expect(run.summary.measured, `document #${i}: ${run.problems.join('; ')}`).toBe(
        run.summary.cells,
      );
      if (run.summary.cells === 0) {
        // No network: one untagged pod per namespace and nothing between them to measure,
        // which the report says instead of "all match".
        expect(run.summary.allMatch).toBe(false);
        expect(run.problems).toContain(
          'there is no pair of test pods to measure (the document names no network)',
        );
        await removeProbes('random');
        continue;
      }
      measuredDocuments++;
      expect(
        run.summary.allMatch,
        `document #${i} ${JSON.stringify(mapped)}\n${describeMismatches(run.mismatches)}`,
      ).toBe(true);
      await removeProbes('random');
    }
    expect(measuredDocuments).toBeGreaterThanOrEqual(18);
    // Every option and value was exercised.
    for (const o of [
      'egress=enforce',
      'egress=unrestricted',
      'intra_network=isolate',
      'intra_network=allow',
      'peer_namespaces=listed',
      'provider_access=none',
    ])
      expect([...options]).toContain(o);
    await http().delete('/v1/policies/random').expect(202);
    // Measured on the 2-core CI machine: 8-100 s per document, 13.5 min for the 20 (a budget,
    // not a check of speed: npm run bench:probes measures that).
  }, 2_400_000);
});
