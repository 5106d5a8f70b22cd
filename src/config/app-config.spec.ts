import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c).toMatchObject({
      port: 8080,
      role: 'all',
      dataDir: '/srv/app/data',
      redisUrl: 'redis://127.0.0.1:6379',
      bodyLimitBytes: 1048576,
      allowInsecureClusterUrls: false,
      driftIntervalMs: 300000,
      documentLimitBytes: 16 * 1024 * 1024,
      clusterJobLimit: 2,
      unreachableClusterJobLimit: 2,
      firstRolloutDryRun: true,
    });
    expect(c.databaseUrl).toBeUndefined();
  });
  it('leaves half of the worker slots to reachable clusters unless told otherwise', () => {
    expect(loadConfig({ WORKER_CONCURRENCY: '9' }).unreachableClusterJobLimit).toBe(4);
    expect(loadConfig({ WORKER_CONCURRENCY: '1' }).unreachableClusterJobLimit).toBe(1);
    expect(
      loadConfig({ WORKER_CONCURRENCY: '9', UNREACHABLE_CLUSTER_JOB_LIMIT: '8' })
        .unreachableClusterJobLimit,
    ).toBe(8);
  });
  it('reads overrides', () => {
    const c = loadConfig({
      PORT: '9000',
      ROLE: 'worker',
      DATABASE_URL: 'postgres://x/y',
      ALLOW_INSECURE_CLUSTER_URLS: 'true',
    });
    expect(c).toMatchObject({
      port: 9000,
      role: 'worker',
      databaseUrl: 'postgres://x/y',
      allowInsecureClusterUrls: true,
    });
  });
  it('reports every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', ROLE: 'boss', JOB_ATTEMPTS: '0' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(3);
    expect((error as ConfigError).message).toContain('PORT');
    expect((error as ConfigError).message).toContain('ROLE');
  });
});
