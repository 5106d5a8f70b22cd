import { nodeVersionSupported, serviceVersion } from './service-version.js';
import { startupSummary } from './startup-summary.js';

describe('startupSummary', () => {
  it.each([
    {
      name: 'PostgreSQL and Redis with credentials',
      config: {
        role: 'api' as const,
        databaseUrl: 'postgres://gbp:db-secret@db.example:6432/gbp',
        dataDir: '/data',
        redisUrl: 'rediss://user:redis-secret@redis.example:6380/2',
      },
      expected:
        'gbp-netpol 1.2.3 serving on http://0.0.0.0:8080 as api: database PostgreSQL at db.example:6432/gbp, Redis redis.example:6380/2 (TLS)',
    },
    {
      name: 'PGlite, the default Redis and a metrics port',
      config: {
        role: 'all' as const,
        dataDir: '/srv/data',
        redisUrl: 'redis://127.0.0.1:6379',
        metricsPort: 9464,
      },
      expected:
        'gbp-netpol 1.2.3 serving on http://0.0.0.0:8080 as all: database PGlite in /srv/data, Redis 127.0.0.1:6379, metrics on :9464',
    },
  ])('$name', ({ config, expected }) => {
    const summary = startupSummary(config, 'http://0.0.0.0:8080', '1.2.3');
    expect(summary.message).toBe(expected);
    expect(JSON.stringify(summary)).not.toMatch(/secret/);
  });
});

describe('serviceVersion and nodeVersionSupported', () => {
  it('reads the version of package.json', () => {
    expect(serviceVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
  it.each([
    ['20.19.0', false],
    ['22.22.3', false],
    ['24.14.9', false],
    ['v24.15.0', true],
    ['25.1.0', false],
    ['26.0.0', true],
  ])('node %s supported: %s', (version, expected) => {
    expect(nodeVersionSupported(version)).toBe(expected);
  });
});
