// `npm run dev:clusters`: two throw-away clusters for trying gbp-netpol by hand. Prints their
// admin kubeconfigs and a least-privilege token per cluster (printing it is the point here),
// and stops everything on Ctrl-C / SIGTERM.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startCluster, type KubeCluster } from './kube-cluster.js';
import { tokenKubeconfig } from './kubeconfig.js';
import { locateKubeBinaries } from './locate-kube-binaries.js';

const DEMO_NAMESPACE = 'demo';
const CLUSTERS = 2;

const clusters: KubeCluster[] = [];
let stopping = false;

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${signal}: stopping ${clusters.length} cluster(s)…\n`);
  await Promise.allSettled(clusters.map((c) => c.stop()));
  process.stdout.write('stopped; temp dirs removed.\n');
  process.exit(0);
}

// Registered before any process starts, so these own the shutdown (see process-registry.ts).
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => void shutdown(signal));

async function main(): Promise<void> {
  const binaries = locateKubeBinaries();
  const started = Date.now();
  const results = await Promise.allSettled(
    Array.from({ length: CLUSTERS }, (_, i) => startCluster({ name: `dev-${i}`, binaries })),
  );
  for (const r of results) if (r.status === 'fulfilled') clusters.push(r.value);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled(clusters.map((c) => c.stop()));
    throw failed.reason;
  }

  const lines = [
    `${CLUSTERS} clusters (Kubernetes ${binaries.kubernetesVersion}) ready in ${Date.now() - started} ms\n`,
  ];
  for (const cluster of clusters) {
    await cluster.admin.ensureNamespace(DEMO_NAMESPACE);
    const identity = await cluster.leastPrivilegeIdentity([DEMO_NAMESPACE]);
    const tokenConfigPath = join(cluster.dir, 'gbp-netpol.kubeconfig');
    await writeFile(
      tokenConfigPath,
      tokenKubeconfig(
        `${cluster.name}-gbp-netpol`,
        identity.server,
        identity.caData,
        identity.token,
      ),
      { mode: 0o600 },
    );
    const memory = await cluster.memory();
    lines.push(
      `== ${cluster.name} ==`,
      `server:            ${cluster.server}`,
      `admin kubeconfig:  ${cluster.adminKubeconfigPath}`,
      `  try: KUBECONFIG=${cluster.adminKubeconfigPath} kubectl get ns`,
      `least-privilege identity (ServiceAccount ${identity.serviceAccount.namespace}/${identity.serviceAccount.name}, namespaces: ${identity.namespaces.join(', ')}):`,
      `  kubeconfig: ${tokenConfigPath}`,
      `  server:     ${identity.server}`,
      `  token:      ${identity.token}`,
      `  caData:     ${identity.caData}`,
      `start: etcd ready ${cluster.timings.etcdReadyMs} ms, kube-apiserver ready ${cluster.timings.apiServerReadyMs} ms; ` +
        `RSS etcd ${memory.etcdRssKiB} KiB, kube-apiserver ${memory.apiServerRssKiB} KiB`,
      '',
    );
  }
  lines.push('Ctrl-C to stop.');
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch(async (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  await Promise.allSettled(clusters.map((c) => c.stop()));
  process.exit(1);
});
