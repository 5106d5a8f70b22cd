// `npm run dev:node-cluster`: a cluster with one real node (see node-cluster.ts) for trying
// things by hand: prints the admin kubeconfig and the node's addresses, and stops everything
// (and undoes its host changes) on Ctrl-C / SIGTERM.
import { startNodeCluster, type NodeCluster } from './node-cluster.js';

let cluster: NodeCluster | undefined;
let stopping = false;

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${signal}: stopping the node cluster…\n`);
  try {
    await cluster?.stop();
    process.stdout.write('stopped; host changes undone.\n');
    process.exit(0);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}

// Registered before any process starts, so these own the shutdown (see process-registry.ts).
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => void shutdown(signal));

async function main(): Promise<void> {
  cluster = await startNodeCluster({ name: 'dev-node' });
  const lines = [
    `node cluster (Kubernetes ${cluster.kubernetesVersion}) ready in ${cluster.timings.totalMs} ms`,
    `server:           ${cluster.server}`,
    `admin kubeconfig: ${cluster.adminKubeconfigPath}`,
    `  try: KUBECONFIG=${cluster.adminKubeconfigPath} kubectl get nodes -o wide`,
    `node:             ${cluster.nodeName} ${cluster.nodeIp}, pod CIDR ${cluster.podCidr}, bridge ${cluster.bridge} (${cluster.gatewayIp})`,
    `outside source:   ${cluster.outside.ip} in netns ${cluster.outside.netns} (ip netns exec ${cluster.outside.netns} …)`,
    `images:           ${cluster.images.pause}, ${cluster.images.probe} (imagePullPolicy: Never)`,
    `node dir:         ${cluster.dir} (logs in logs/)`,
    'Ctrl-C to stop.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch(async (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  await cluster?.stop().catch(() => undefined);
  process.exit(1);
});
