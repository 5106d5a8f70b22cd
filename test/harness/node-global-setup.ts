import { locateNodeBinaries } from './locate-kube-binaries.js';
import { nodePrerequisiteProblems } from './node-cluster.js';
import { reapStaleNodeCluster } from './node-lock.js';
import { reapOrphanedClusters } from './process-registry.js';

/**
 * Vitest global setup of the `node` project: fails fast, with the install command, when the
 * machine cannot run a node cluster, and cleans up after a node cluster whose process died.
 * The clusters themselves are started by the test files (startNodeCluster), one at a time.
 */
export default function setup(): void {
  const problems = nodePrerequisiteProblems();
  if (problems.length > 0) {
    throw new Error(`the node tests cannot run on this machine:\n  ${problems.join('\n  ')}`);
  }
  locateNodeBinaries();
  const reaped = reapStaleNodeCluster();
  if (reaped) process.stderr.write(`[node harness] ${reaped}\n`);
  // Its control plane (etcd, kube-apiserver) lives in an ordinary test-cluster dir.
  reapOrphanedClusters();
}
