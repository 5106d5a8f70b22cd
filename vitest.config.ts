import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC compiles the tests so that Nest's decorator metadata (emitDecoratorMetadata) exists,
// exactly as `nest build` (tsc) produces it.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    globals: true,
    root: './',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.spec.ts', 'test/harness/**/*.spec.ts', 'test/support/**/*.spec.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.int-spec.ts'],
          globalSetup: ['test/harness/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        // The medium tier: repositories and services on real PostgreSQL, PGlite, Redis and
        // kube-apiservers, without HTTP, so that a refactor of the layers stays safe.
        extends: true,
        test: {
          name: 'service',
          include: ['test/service/**/*.service-spec.ts'],
          globalSetup: ['test/harness/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e-spec.ts'],
          globalSetup: ['test/harness/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: {
          // A cluster with one real node (test/harness/node-cluster.ts): opt-in per file by
          // living here. It programs the host's iptables, so it runs after the other projects
          // (groupOrder), one file at a time, and startNodeCluster holds a machine-wide lock.
          name: 'node',
          include: ['test/node/**/*.node-spec.ts'],
          globalSetup: ['test/harness/node-global-setup.ts'],
          sequence: { groupOrder: 1 },
          fileParallelism: false,
          testTimeout: 180_000,
          // Starting may wait up to 10 min for another run's node cluster on this machine.
          hookTimeout: 720_000,
        },
      },
    ],
  },
});
