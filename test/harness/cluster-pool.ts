import { startControlServer, type ControlServer } from './cluster-control.js';
import { startCluster, type KubeCluster } from './kube-cluster.js';
import { locateKubeBinaries } from './locate-kube-binaries.js';
import type { ClusterControlInfo, SharedClusterInfo } from './provided-context.js';

// Vitest runs the global setup once per project (integration, e2e) and imports it through each
// project's own module runner, so module-level state is NOT shared between the two. The pool
// therefore lives on globalThis of the main Vitest process and is reference counted: the first
// acquire starts the clusters, the last release stops them.

export interface SharedPool {
  clusters: SharedClusterInfo[];
  control: ClusterControlInfo;
  startedInMs: number;
}

interface PoolState {
  refs: number;
  ready: Promise<{ pool: SharedPool; clusters: KubeCluster[]; control: ControlServer }>;
}

const KEY = Symbol.for('gbp-netpol.test-harness.cluster-pool');
type GlobalWithPool = typeof globalThis & { [KEY]?: PoolState };

export const DEFAULT_CLUSTER_COUNT = 2;

export function clusterCountFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): number {
  const raw = env['GBP_TEST_CLUSTERS'];
  if (raw === undefined || raw === '') return DEFAULT_CLUSTER_COUNT;
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 1 || count > 16) {
    throw new Error(`GBP_TEST_CLUSTERS must be an integer between 1 and 16, got "${raw}"`);
  }
  return count;
}

export function toSharedInfo(cluster: KubeCluster, index: number): SharedClusterInfo {
  return {
    ...cluster.adminAccess,
    index,
    kubernetesVersion: cluster.kubernetesVersion,
    adminKubeconfig: cluster.adminKubeconfig,
    adminKubeconfigPath: cluster.adminKubeconfigPath,
  };
}

async function startPool(
  count: number,
): Promise<{ pool: SharedPool; clusters: KubeCluster[]; control: ControlServer }> {
  const started = Date.now();
  const binaries = locateKubeBinaries();
  const results = await Promise.allSettled(
    Array.from({ length: count }, (_, i) => startCluster({ name: `cluster-${i}`, binaries })),
  );
  const clusters = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await Promise.allSettled(clusters.map((c) => c.stop()));
    throw failure.reason;
  }
  const control = await startControlServer(clusters);
  return {
    pool: {
      clusters: clusters.map(toSharedInfo),
      control: control.info,
      startedInMs: Date.now() - started,
    },
    clusters,
    control,
  };
}

/** Starts the shared clusters on first use; later callers (e.g. the second project's setup) share them. */
export async function acquireClusterPool(count = clusterCountFromEnv()): Promise<SharedPool> {
  const g = globalThis as GlobalWithPool;
  if (!g[KEY]) {
    const ready = startPool(count);
    g[KEY] = { refs: 0, ready };
    // A failed start must not poison a later acquire (e.g. in watch mode).
    ready.catch(() => {
      if (g[KEY]?.ready === ready) delete g[KEY];
    });
  }
  const state = g[KEY];
  const { pool } = await state.ready;
  state.refs++;
  return pool;
}

/** Stops the clusters when the last holder releases them. */
export async function releaseClusterPool(): Promise<void> {
  const g = globalThis as GlobalWithPool;
  const state = g[KEY];
  if (!state) return;
  state.refs--;
  if (state.refs > 0) return;
  delete g[KEY];
  const { clusters, control } = await state.ready;
  await control.close();
  await Promise.all(clusters.map((c) => c.stop()));
}

/** The live handles, for code running in the process that owns the pool. */
export async function ownedClusters(): Promise<KubeCluster[] | undefined> {
  const state = (globalThis as GlobalWithPool)[KEY];
  return state ? (await state.ready).clusters : undefined;
}
