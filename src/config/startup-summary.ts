import type { AppConfig } from './app-config.js';

/** The one log line a process writes once it serves: where, as what, on which stores. */
export interface StartupSummary {
  message: string;
  fields: {
    version: string;
    address: string;
    role: AppConfig['role'];
    database: string;
    redis: string;
    metricsPort?: number;
  };
}

/** `host:port/database` of a PostgreSQL URL, without user or password. */
function describeDatabase(config: Pick<AppConfig, 'databaseUrl' | 'dataDir'>): string {
  if (!config.databaseUrl) return `PGlite in ${config.dataDir}`;
  const url = new URL(config.databaseUrl);
  return `PostgreSQL at ${url.hostname}:${url.port || '5432'}${url.pathname}`;
}

/** `host:port[/db]` of a Redis URL, without user or password. */
function describeRedis(redisUrl: string): string {
  const url = new URL(redisUrl);
  const db = url.pathname.replace(/^\//, '');
  return `${url.hostname}:${url.port || '6379'}${db ? `/${db}` : ''}${url.protocol === 'rediss:' ? ' (TLS)' : ''}`;
}

/** What main.ts logs when the process is up; it never contains a credential. */
export function startupSummary(
  config: Pick<AppConfig, 'role' | 'databaseUrl' | 'dataDir' | 'redisUrl' | 'metricsPort'>,
  address: string,
  version: string,
): StartupSummary {
  const database = describeDatabase(config);
  const redis = describeRedis(config.redisUrl);
  const metrics = config.metricsPort ? `, metrics on :${config.metricsPort}` : '';
  return {
    message: `gbp-netpol ${version} serving on ${address} as ${config.role}: database ${database}, Redis ${redis}${metrics}`,
    fields: {
      version,
      address,
      role: config.role,
      database,
      redis,
      ...(config.metricsPort ? { metricsPort: config.metricsPort } : {}),
    },
  };
}
