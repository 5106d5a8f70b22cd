import { isAbsolute, resolve } from 'node:path';
import { ApiTokensError, parseApiTokens } from '../common/auth/token-secret.js';

export type ProcessRole = 'api' | 'worker' | 'all';

/** The whole configuration, read once from the environment at start. */
export interface AppConfig {
  port: number;
  role: ProcessRole;
  logLevel: string;
  /** PostgreSQL URL; when absent, embedded PGlite in `dataDir` is used. */
  databaseUrl?: string;
  dataDir: string;
  redisUrl: string;
  /** Prefix of every BullMQ key, so that several deployments can share one Redis. */
  queuePrefix: string;
  /** 32-byte key (base64 or hex) for cluster credentials; generated into dataDir when absent. */
  encryptionKey?: string;
  /** `name:role:secret` triples from API_TOKENS. */
  apiTokens: string;
  allowInsecureClusterUrls: boolean;
  bodyLimitBytes: number;
  workerConcurrency: number;
  jobAttempts: number;
  jobBackoffMs: number;
  driftIntervalMs: number;
  reconcileIntervalMs: number;
  shutdownTimeoutMs: number;
  rateLimitPerMinute: number;
  /** Largest body of the routes that take a policy document (policies, plan, compile). */
  documentLimitBytes: number;
  /** Rollout jobs of one cluster a worker runs at once (more wait, delayed, without using an attempt). */
  clusterJobLimit: number;
  /** A worker's job slots that clusters recorded Unreachable may hold at once. */
  unreachableClusterJobLimit: number;
  /** Dry-run every object before the first write of a policy to a cluster (README, Rollouts). */
  firstRolloutDryRun: boolean;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

/**
 * Parses the environment into a typed AppConfig, collecting every problem before failing,
 * so that a misconfigured deployment learns everything at once.
 */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): AppConfig {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
      return fallback;
    }
    return n;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (['true', '1', 'yes'].includes(raw.toLowerCase())) return true;
    if (['false', '0', 'no'].includes(raw.toLowerCase())) return false;
    problems.push(`${name} must be true or false, got "${raw}"`);
    return fallback;
  };
  const role = (env.ROLE ?? 'all') as ProcessRole;
  if (!['api', 'worker', 'all'].includes(role))
    problems.push(`ROLE must be api, worker or all, got "${role}"`);
  const dataDir = env.DATA_DIR ?? './data';

  const config: AppConfig = {
    port: int('PORT', 8080, 0, 65535),
    role,
    logLevel: env.LOG_LEVEL ?? 'info',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(cwd, dataDir),
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
    queuePrefix: env.QUEUE_PREFIX || 'gbp-netpol',
    encryptionKey: env.ENCRYPTION_KEY || undefined,
    apiTokens: env.API_TOKENS ?? '',
    allowInsecureClusterUrls: bool('ALLOW_INSECURE_CLUSTER_URLS', false),
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    workerConcurrency: int('WORKER_CONCURRENCY', 4, 1, 256),
    jobAttempts: int('JOB_ATTEMPTS', 5, 1, 100),
    jobBackoffMs: int('JOB_BACKOFF_MS', 1000, 1, 3_600_000),
    driftIntervalMs: int('DRIFT_INTERVAL_MS', 5 * 60_000, 1000, 86_400_000),
    reconcileIntervalMs: int('RECONCILE_INTERVAL_MS', 60_000, 1000, 86_400_000),
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 25_000, 0, 600_000),
    rateLimitPerMinute: int('RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    documentLimitBytes: int('DOCUMENT_LIMIT_BYTES', 16 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    clusterJobLimit: int('CLUSTER_JOB_LIMIT', 2, 1, 256),
    unreachableClusterJobLimit: 1, // set below, from workerConcurrency
    firstRolloutDryRun: bool('FIRST_ROLLOUT_DRY_RUN', true),
  };
  // Half of the worker's slots by default, so that dead clusters never hold all of them.
  config.unreachableClusterJobLimit = int(
    'UNREACHABLE_CLUSTER_JOB_LIMIT',
    Math.max(1, Math.floor(config.workerConcurrency / 2)),
    1,
    256,
  );
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(config.logLevel)) {
    problems.push(
      `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "${config.logLevel}"`,
    );
  }
  try {
    parseApiTokens(config.apiTokens);
  } catch (err) {
    if (!(err instanceof ApiTokensError)) throw err;
    problems.push(...err.problems.map((p) => `API_TOKENS ${p}`));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
