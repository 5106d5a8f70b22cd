// `npm run bench:rollout`: the service's rollouts against plain server-side apply, on the same
// real clusters, from this one process.
//
// ratio (3 clusters, 200 networks x 3 namespaces = 600 NetworkPolicies per cluster): in each
// round, on fresh namespaces and in rotating order,
//   - baseline: plain server-side apply of the same objects, 32 requests in flight per cluster,
//     keep-alive HTTPS with the same least-privilege token (bench-support.ts plainApply);
//   - the service (ROLE=all, PGlite) from POST /v1/policies to the deployment finished, with
//     its first-rollout dry run (the default), and a second service with FIRST_ROLLOUT_DRY_RUN
//     off, to show what that safety costs;
// then a new revision that changes every object (updates: no dry run) against plain apply of
// the same updates. Medians and ratios, then the API-server requests of a no-op resync and of
// a drift pass, from each kube-apiserver's own /metrics.
//
// fleet (10 clusters, 1,000 networks x 3 namespaces = 3,000 per cluster, 30,000 in all): the
// service as ROLE=api + ROLE=worker on PostgreSQL, POST to finished, and the worker's peak RSS.
//
// BENCH_ROLLOUT=ratio|fleet picks one part (default both); BENCH_ROUNDS (default 3).
import { rawRequest } from '../test/harness/https-request.js';
import type { KubeCluster } from '../test/harness/kube-cluster.js';
import { unb64 } from '../test/harness/kubeconfig.js';
import {
  benchDocument,
  benchObjects,
  median,
  peakRssMb,
  plainApply,
  register,
  seconds,
  startClusters,
  startService,
  type ClusterAccess,
  type Service,
} from './bench-support.js';

const PARTS = (process.env.BENCH_ROLLOUT ?? 'ratio,fleet').split(',');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const NETWORKS = 200;
const FLEET_NETWORKS = 1000;
const FLEET_CLUSTERS = 10;

type Counts = Map<string, number>;

/** apiserver_request_total summed by verb and resource, from the server's own /metrics. */
async function requestCounts(cluster: KubeCluster): Promise<Counts> {
  const res = await rawRequest({
    url: `${cluster.server}/metrics`,
    ca: unb64(cluster.caData),
    clientCertPem: unb64(cluster.adminAccess.clientCertificateData),
    clientKeyPem: unb64(cluster.adminAccess.clientKeyData),
    timeoutMs: 30_000,
  });
  const counts: Counts = new Map();
  for (const line of res.text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = Object.fromEntries(
      [...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (!['networkpolicies', 'namespaces'].includes(labels.resource)) continue;
    const key = `${labels.verb}${labels.dry_run ? ' (dry run)' : ''} ${labels.resource}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(line.split(' ').pop()));
  }
  return counts;
}

function delta(before: Counts[], after: Counts[]): Record<string, number> {
  const out: Record<string, number> = {};
  after.forEach((a, i) => {
    for (const [k, v] of a) {
      const d = v - (before[i].get(k) ?? 0);
      if (d > 0) out[k] = (out[k] ?? 0) + d;
    }
  });
  return out;
}

/** Namespaces, the identity that may use them, and its access per cluster. */
async function prepare(
  clusters: KubeCluster[],
  namespaces: string[],
  prefix: string,
): Promise<ClusterAccess[]> {
  return Promise.all(
    clusters.map(async (c, i) => {
      for (const ns of namespaces) await c.admin.ensureNamespace(ns);
      const id = await c.leastPrivilegeIdentity(namespaces, { expirationSeconds: 6 * 3600 });
      return { name: `${prefix}${i}`, server: id.server, caData: id.caData, token: id.token };
    }),
  );
}

/** POST a revision and wait for its deployment; ms from POST to finished. */
async function rollout(
  service: Service,
  name: string,
  clusters: string[],
  document: Record<string, unknown>,
): Promise<number> {
  const t0 = performance.now();
  const posted = await service.call('POST', '/v1/policies', {
    name,
    targets: { clusters },
    document,
  });
  const done = await service.finished(posted.deploymentId as string);
  const ms = performance.now() - t0;
  const phases = done.clusters.map((c) => c.phase);
  if (phases.some((p) => p !== 'Succeeded'))
    throw new Error(`${name}: not every cluster Succeeded: ${phases.join(', ')}`);
  return ms;
}

async function ratioPart(): Promise<void> {
  const perCluster = NETWORKS * 3;
  console.log(
    `\n== ratio: ${NETWORKS} networks × 3 namespaces (${perCluster} NetworkPolicies) to each of 3 clusters, ${ROUNDS} rounds`,
  );
  const ns = (kind: string, round: number) => ['a', 'b', 'c'].map((x) => `${kind}-${round}-${x}`);
  const kinds = ['plain', 'svc', 'nodry'] as const;
  const clusters = await startClusters(3, 'bench');
  const services: Service[] = [];
  try {
    const accesses = await prepare(
      clusters,
      kinds.flatMap((k) => Array.from({ length: ROUNDS }, (_, r) => ns(k, r)).flat()),
      'bench',
    );
    const names = accesses.map((a) => a.name);
    const withDryRun = await startService();
    const withoutDryRun = await startService({ env: { FIRST_ROLLOUT_DRY_RUN: 'false' } });
    services.push(withDryRun, withoutDryRun);
    for (const s of services) await register(s, accesses);

    const first: Record<(typeof kinds)[number], number[]> = { plain: [], svc: [], nodry: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order = [...kinds.slice(round % 3), ...kinds.slice(0, round % 3)];
      for (const kind of order) {
        let ms: number;
        if (kind === 'plain') {
          const t0 = performance.now();
          await Promise.all(
            accesses.map((a) => plainApply(a, benchObjects(NETWORKS, ns('plain', round), 'plain'))),
          );
          ms = performance.now() - t0;
        } else {
          const service = kind === 'svc' ? withDryRun : withoutDryRun;
          ms = await rollout(
            service,
            `${kind}-${round}`,
            names,
            benchDocument(NETWORKS, ns(kind, round)),
          );
        }
        first[kind].push(ms);
      }
      console.log(
        `round ${round + 1}: plain ${seconds(first.plain[round])}, service ${seconds(first.svc[round])}, service without the first-rollout dry run ${seconds(first.nodry[round])}`,
      );
    }
    const [plain, svc, nodry] = kinds.map((k) => median(first[k]));
    const objects = perCluster * 3;
    console.log(
      `first rollout (creates), medians: plain server-side apply ${seconds(plain)} (${(objects / (plain / 1000)).toFixed(0)} objects/s); service ${seconds(svc)} = ${(svc / plain).toFixed(2)}× plain (its dry run sends every object twice); service without the dry run ${seconds(nodry)} = ${(nodry / plain).toFixed(2)}× plain`,
    );

    // A new revision that changes every object: updates, which are never dry-run.
    const updates: { plain: number[]; svc: number[] } = { plain: [], svc: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const shift = round + 1;
      const runPlain = async () => {
        const t0 = performance.now();
        await Promise.all(
          accesses.map((a) =>
            plainApply(a, benchObjects(NETWORKS, ns('plain', 0), 'plain', shift)),
          ),
        );
        updates.plain.push(performance.now() - t0);
      };
      const runService = async () =>
        updates.svc.push(
          await rollout(withDryRun, 'svc-0', names, benchDocument(NETWORKS, ns('svc', 0), shift)),
        );
      if (round % 2) await runService().then(runPlain);
      else await runPlain().then(runService);
    }
    const [uPlain, uSvc] = [median(updates.plain), median(updates.svc)];
    console.log(
      `new revision changing all ${objects} objects (updates), medians: plain ${seconds(uPlain)}; service ${seconds(uSvc)} = ${(uSvc / uPlain).toFixed(2)}× plain`,
    );

    let before = await Promise.all(clusters.map(requestCounts));
    const t1 = performance.now();
    const sync = await withDryRun.call('POST', '/v1/policies/svc-0/sync', {});
    await withDryRun.finished(sync.deploymentId as string);
    console.log(
      `no-op resync: ${seconds(performance.now() - t1)}; API-server requests (3 clusters): ${JSON.stringify(delta(before, await Promise.all(clusters.map(requestCounts))))}`,
    );
    before = await Promise.all(clusters.map(requestCounts));
    const t2 = performance.now();
    await withDryRun.call('POST', '/v1/policies/svc-0/drift-check', {});
    console.log(
      `drift pass over ${objects} objects: ${seconds(performance.now() - t2)}; API-server requests (3 clusters): ${JSON.stringify(delta(before, await Promise.all(clusters.map(requestCounts))))}`,
    );
  } finally {
    for (const s of services) await s.stop();
    await Promise.all(clusters.map((c) => c.stop()));
  }
}

async function fleetPart(): Promise<void> {
  const perCluster = FLEET_NETWORKS * 3;
  console.log(
    `\n== fleet: ${FLEET_NETWORKS} networks × 3 namespaces (${perCluster} NetworkPolicies) to each of ${FLEET_CLUSTERS} clusters (${perCluster * FLEET_CLUSTERS} in all); api + worker on PostgreSQL, WORKER_CONCURRENCY 4`,
  );
  const namespaces = ['fleet-a', 'fleet-b', 'fleet-c'];
  const t0 = performance.now();
  const clusters = await startClusters(FLEET_CLUSTERS, 'fleet', 2);
  console.log(`${FLEET_CLUSTERS} clusters ready in ${seconds(performance.now() - t0)}`);
  let service: Awaited<ReturnType<typeof startService>> | undefined;
  try {
    const accesses = await prepare(clusters, namespaces, 'fleet');
    service = await startService({ postgres: true });
    await register(service, accesses);
    const rssBefore = peakRssMb(service.worker.child.pid!);
    const ms = await rollout(
      service,
      'fleet',
      accesses.map((a) => a.name),
      benchDocument(FLEET_NETWORKS, namespaces),
    );
    const total = perCluster * FLEET_CLUSTERS;
    console.log(
      `POST to all ${FLEET_CLUSTERS} clusters finished: ${seconds(ms)} (${(total / (ms / 1000)).toFixed(0)} objects/s, with the first-rollout dry run); worker peak RSS ${peakRssMb(service.worker.child.pid!).toFixed(0)} MB (${rssBefore.toFixed(0)} MB before the rollout); api peak RSS ${peakRssMb(service.processes[0].child.pid!).toFixed(0)} MB`,
    );
  } finally {
    await service?.stop();
    await Promise.all(clusters.map((c) => c.stop()));
  }
}

console.log(`rollout benchmark (node ${process.version})`);
if (PARTS.includes('ratio')) await ratioPart();
if (PARTS.includes('fleet')) await fleetPart();
