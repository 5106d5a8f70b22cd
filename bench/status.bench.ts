// `npm run bench:status`: the status routes under a steady 500 requests/s (autocannon), on
// PostgreSQL (ROLE=api + ROLE=worker) and on PGlite (ROLE=all), after a real rollout of 200
// networks x 3 namespaces (600 NetworkPolicies) to each of 10 clusters: 6,000 outcomes.
// Prints p50/p99 latency and what was served, per route: a policy's status, the fleet view,
// a page of outcomes, a policy's status revalidated with If-None-Match (304), and as a control
// a one-row read (GET /v1/clusters/{name}) through the same pipeline. The clusters
// are stopped once both rollouts are done: status never calls them, and 10 idle
// kube-apiservers would take CPU from the service being measured.
//
// BENCH_STATUS_DB=postgres|pglite picks one database (default both); BENCH_STATUS_SECONDS
// (default 20) is the length of each run; BENCH_STATUS_RATE (default 500) the request rate.
import autocannon from 'autocannon';
import {
  benchDocument,
  register,
  seconds,
  startClusters,
  startService,
  type ClusterAccess,
  type Service,
} from './bench-support.js';

const DATABASES = (process.env.BENCH_STATUS_DB ?? 'postgres,pglite').split(',');
const DURATION = Number(process.env.BENCH_STATUS_SECONDS ?? 20);
const RATE = Number(process.env.BENCH_STATUS_RATE ?? 500);
const CLUSTERS = 10;
const NETWORKS = 200;

interface Run {
  route: string;
  p50: number;
  p99: number;
  max: number;
  rps: number;
  statuses: string;
}

async function load(
  url: string,
  token: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<Run> {
  const result = await autocannon({
    url: `${url}${path}`,
    connections: 25,
    overallRate: RATE,
    duration: DURATION,
    headers: { authorization: `Bearer ${token}`, ...headers },
  });
  const statuses = Object.entries({
    '2xx': result['2xx'],
    '3xx': result['3xx'],
    '4xx': result['4xx'],
    '5xx': result['5xx'],
    errors: result.errors,
    timeouts: result.timeouts,
  })
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return {
    route: path,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    rps: result.requests.average,
    statuses,
  };
}

/** Rolls the benchmark policy out through a service; its figures are measured later. */
async function rollOut(
  db: 'postgres' | 'pglite',
  accesses: ClusterAccess[],
  namespaces: string[],
): Promise<Service> {
  const service = await startService({ postgres: db === 'postgres' });
  await register(service, accesses);
  const t0 = performance.now();
  const posted = await service.call('POST', '/v1/policies', {
    name: 'bench',
    targets: { clusters: accesses.map((a) => a.name) },
    document: benchDocument(NETWORKS, namespaces),
  });
  const done = await service.finished(posted.deploymentId as string);
  if (done.clusters.some((c) => c.phase !== 'Succeeded'))
    throw new Error(`the rollout did not succeed everywhere: ${JSON.stringify(done.clusters)}`);
  console.log(
    `${db}: rollout of ${NETWORKS * 3} objects to ${CLUSTERS} clusters in ${seconds(performance.now() - t0)}`,
  );
  return service;
}

async function measure(db: string, service: Service): Promise<void> {
  const status = await service.call('GET', '/v1/policies/bench/status');
  const outcomes = (status.clusters as { counts: Record<string, number> }[]).reduce(
    (n, c) => n + Object.values(c.counts).reduce((a, b) => a + b, 0),
    0,
  );
  console.log(
    `\n== ${db}: ${outcomes} outcomes recorded; ${RATE} requests/s for ${DURATION} s per route`,
  );
  const etag = (
    await fetch(`${service.url}/v1/policies/bench/status`, {
      headers: { authorization: `Bearer ${service.secret}` },
    })
  ).headers.get('etag')!;
  const runs = [
    await load(service.url, service.secret, '/v1/policies/bench/status'),
    await load(service.url, service.secret, '/v1/status'),
    await load(service.url, service.secret, '/v1/policies/bench/status/resources?limit=100'),
    await load(service.url, service.secret, '/v1/policies/bench/status', {
      'if-none-match': etag,
    }),
    // The floor on this machine: a one-row read through the same guards, pipes and logger.
    await load(service.url, service.secret, '/v1/clusters/status0'),
  ];
  console.log(
    'route                                              p50 (ms)  p99 (ms)  max (ms)  req/s  answers',
  );
  for (const r of runs)
    console.log(
      `${(r.route + (r === runs[3] ? ' (If-None-Match)' : r === runs[4] ? ' (control)' : '')).padEnd(50)} ${String(r.p50).padStart(8)}  ${String(r.p99).padStart(8)}  ${String(r.max).padStart(8)}  ${r.rps.toFixed(0).padStart(5)}  ${r.statuses}`,
    );
}

console.log(`status benchmark (node ${process.version}, autocannon)`);
const t0 = performance.now();
const clusters = await startClusters(CLUSTERS, 'status', 2);
console.log(`${CLUSTERS} clusters ready in ${seconds(performance.now() - t0)}`);
const services = new Map<string, Service>();
try {
  const all = DATABASES.flatMap((db) => ['a', 'b', 'c'].map((x) => `status-${db}-${x}`));
  const accesses = await Promise.all(
    clusters.map(async (c, i) => {
      for (const ns of all) await c.admin.ensureNamespace(ns);
      const id = await c.leastPrivilegeIdentity(all, { expirationSeconds: 6 * 3600 });
      return { name: `status${i}`, server: id.server, caData: id.caData, token: id.token };
    }),
  );
  for (const db of DATABASES as ('postgres' | 'pglite')[])
    services.set(
      db,
      await rollOut(
        db,
        accesses,
        ['a', 'b', 'c'].map((x) => `status-${db}-${x}`),
      ),
    );
  await Promise.all(clusters.map((c) => c.stop()));
  for (const [db, service] of services) await measure(db, service);
} finally {
  for (const service of services.values()) await service.stop();
  await Promise.all(clusters.map((c) => c.stop()));
}
