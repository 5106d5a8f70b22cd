import type { TestProject } from 'vitest/node';
import { acquireClusterPool, releaseClusterPool } from './cluster-pool.js';
import './provided-context.js';

/**
 * Vitest global setup of the integration and e2e projects. Vitest only runs a project's global
 * setup when that project has test files in the run, so `--project unit` never starts clusters.
 * Both projects share one pool (see cluster-pool.ts); the teardown runs even when tests fail.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const pool = await acquireClusterPool();
  if (process.env['GBP_TEST_HARNESS_DEBUG']) {
    process.stderr.write(
      `[kube harness] project ${project.name}: ${pool.clusters.length} cluster(s) ` +
        `${pool.clusters.map((c) => c.server).join(', ')} (pool start ${pool.startedInMs} ms, pid ${process.pid})\n`,
    );
  }
  project.provide('gbpKubeClusters', pool.clusters);
  project.provide('gbpKubeControl', pool.control);
  return releaseClusterPool;
}
