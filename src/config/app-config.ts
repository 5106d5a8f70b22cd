import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { DEFAULT_COMPILE_LIMITS, type CompileLimits } from '../core/compiler/compile-limits.js';
import { DEFAULT_MAX_CONNECTIVITY_CELLS } from '../core/connectivity/connectivity-matrix.js';
import { ApiTokensError, parseApiTokens } from '../common/auth/token-secret.js';
import { decodeEncryptionKey, ENCRYPTION_KEY_RULE } from '../infra/crypto/secret-box.js';

export type ProcessRole = 'api' | 'worker' | 'all';

/** `pretty`: human-readable lines (pino-pretty); `json`: one JSON object per line (pino). */
export type LogFormat = 'pretty' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['pretty', 'json'];

/**
 * Variables that hold secrets. Each may instead be read from the file that `<NAME>_FILE` names
 * (Docker and Compose secrets, mounted Kubernetes Secrets); setting both is an error.
 */
export const SECRET_VARIABLES = [
  'DATABASE_URL',
  'REDIS_URL',
  'ENCRYPTION_KEY',
  'API_TOKENS',
] as const;

/** The whole configuration, read once from the environment at start. */
export interface AppConfig {
  port: number;
  role: ProcessRole;
  logLevel: string;
  logFormat: LogFormat;
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
  /** Worker threads for CPU-heavy work (compile, connectivity, revision diff). */
  computeThreads: number;
  /** The longest one such computation may run before it is stopped (422). */
  computeBudgetMs: number;
  /** The most cells a connectivity view lists (422 beyond). */
  connectivityMaxCells: number;
  /** Overrides of the compile limits (COMPILE_MAX_*); absent: the core's defaults. */
  compileLimits: Partial<CompileLimits>;
  /** Accept cluster servers at link-local, unspecified and multicast addresses (ALLOW_LINK_LOCAL_CLUSTER_URLS). */
  allowLinkLocalClusterUrls: boolean;
  /** The address the HTTP server listens on (HOST). */
  host: string;
  /** PEM certificate chain and private key files: the service speaks HTTPS when both are set. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** A second listener that serves only GET /metrics, without a token; absent: none. */
  metricsPort?: number;
  /** Accept http:// webhook URLs (tests, local receivers). */
  allowInsecureWebhookUrls: boolean;
  /** Accept webhook targets at link-local, unspecified, multicast and broadcast addresses. */
  allowSpecialWebhookAddresses: boolean;
  /** The deadline of one webhook delivery attempt: connect, TLS and the answer's status. */
  webhookTimeoutMs: number;
  webhookAttempts: number;
  webhookBackoffMs: number;
  /** Webhook deliveries a worker makes at once (their own queue, beside WORKER_CONCURRENCY). */
  webhookConcurrency: number;
  /** What the image build recorded (BUILD_COMMIT, BUILD_DATE); absent when run from source. */
  build: { commit?: string; date?: string };
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

/** The variables that override each compile limit. */
const COMPILE_LIMIT_VARIABLES: readonly (readonly [string, keyof CompileLimits])[] = [
  ['COMPILE_MAX_OBJECTS', 'objects'],
  ['COMPILE_MAX_RULES', 'rules'],
  ['COMPILE_MAX_PEERS', 'peers'],
  ['COMPILE_MAX_SELECTOR_VALUES', 'selectorValues'],
  ['COMPILE_MAX_GRANT_PAIRS', 'grantPairs'],
];

/** Every problem of the environment at once; main.ts prints them as a list and exits. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

/** What loadConfig needs from its host besides the environment (tests pass their own). */
export interface ConfigHost {
  /** Reads a `*_FILE` secret; default fs.readFileSync as UTF-8. */
  readFile?: (path: string) => string;
  /** Whether stdout is a terminal (the default LOG_FORMAT is pretty there, json elsewhere). */
  stdoutIsTty?: boolean;
}

/**
 * The environment with every `<NAME>_FILE` of SECRET_VARIABLES replaced by the file's content
 * (surrounding whitespace trimmed, so a trailing newline does not count). Problems name the
 * variable and the path, never the content.
 */
function withSecretFiles(
  env: Env,
  readFile: (path: string) => string,
  problems: string[],
): { env: Env; fromFile: Set<string> } {
  const out: Env = { ...env };
  const fromFile = new Set<string>();
  for (const name of SECRET_VARIABLES) {
    const path = env[`${name}_FILE`];
    if (path === undefined || path === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      problems.push(`${name} and ${name}_FILE are both set; set only one of them`);
      continue;
    }
    let text: string;
    try {
      text = readFile(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'unreadable';
      problems.push(`${name}_FILE: cannot read ${path} (${code})`);
      continue;
    }
    const value = text.trim();
    if (value === '') problems.push(`${name}_FILE: ${path} is empty`);
    else {
      out[name] = value;
      fromFile.add(name);
    }
  }
  return { env: out, fromFile };
}

/** True when `text` is a URL with one of `protocols`; the text is never echoed. */
function hasProtocol(text: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

/**
 * Parses the environment into a typed AppConfig, collecting every problem before failing,
 * so that a misconfigured deployment learns everything at once. Secret values never appear in
 * a problem.
 */
export function loadConfig(
  rawEnv: Env = process.env,
  cwd = process.cwd(),
  host: ConfigHost = {},
): AppConfig {
  const problems: string[] = [];
  const { env, fromFile } = withSecretFiles(
    rawEnv,
    host.readFile ?? ((path) => readFileSync(path, 'utf8')),
    problems,
  );
  // Where a secret came from, for a message that must not show its value.
  const source = (name: string): string =>
    fromFile.has(name) ? `${name} (read from ${name}_FILE)` : name;
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
    computeThreads: int('COMPUTE_THREADS', Math.max(1, Math.min(4, availableParallelism())), 1, 64),
    computeBudgetMs: int('COMPUTE_BUDGET_MS', 10_000, 100, 600_000),
    connectivityMaxCells: int(
      'CONNECTIVITY_MAX_CELLS',
      DEFAULT_MAX_CONNECTIVITY_CELLS,
      1,
      10_000_000,
    ),
    compileLimits: Object.fromEntries(
      COMPILE_LIMIT_VARIABLES.flatMap(([name, key]) =>
        env[name] === undefined || env[name] === ''
          ? []
          : [[key, int(name, DEFAULT_COMPILE_LIMITS[key], 1, 100_000_000)]],
      ),
    ) as Partial<CompileLimits>,
    allowLinkLocalClusterUrls: bool('ALLOW_LINK_LOCAL_CLUSTER_URLS', false),
    host: env.HOST || '0.0.0.0',
    tlsCertFile: env.TLS_CERT_FILE || undefined,
    tlsKeyFile: env.TLS_KEY_FILE || undefined,
    logFormat: (env.LOG_FORMAT ||
      ((host.stdoutIsTty ?? process.stdout.isTTY === true) ? 'pretty' : 'json')) as LogFormat,
    metricsPort: env.METRICS_PORT ? int('METRICS_PORT', 0, 1, 65535) : undefined,
    allowInsecureWebhookUrls: bool('ALLOW_INSECURE_WEBHOOK_URLS', false),
    allowSpecialWebhookAddresses: bool('ALLOW_SPECIAL_WEBHOOK_ADDRESSES', false),
    webhookTimeoutMs: int('WEBHOOK_TIMEOUT_MS', 15_000, 100, 120_000),
    webhookAttempts: int('WEBHOOK_ATTEMPTS', 8, 1, 50),
    webhookBackoffMs: int('WEBHOOK_BACKOFF_MS', 5_000, 1, 3_600_000),
    webhookConcurrency: int('WEBHOOK_CONCURRENCY', 8, 1, 256),
    build: {
      ...(env.BUILD_COMMIT ? { commit: env.BUILD_COMMIT } : {}),
      ...(env.BUILD_DATE ? { date: env.BUILD_DATE } : {}),
    },
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
  if (Boolean(config.tlsCertFile) !== Boolean(config.tlsKeyFile))
    problems.push('TLS_CERT_FILE and TLS_KEY_FILE must be set together (or neither, for HTTP)');
  if (!LOG_FORMATS.includes(config.logFormat))
    problems.push(`LOG_FORMAT must be pretty or json, got "${config.logFormat}"`);
  if (config.metricsPort !== undefined && config.metricsPort === config.port)
    problems.push(`METRICS_PORT must differ from PORT (${config.port})`);
  if (config.encryptionKey !== undefined && !decodeEncryptionKey(config.encryptionKey))
    problems.push(ENCRYPTION_KEY_RULE.replace('ENCRYPTION_KEY', source('ENCRYPTION_KEY')));
  if (
    config.databaseUrl !== undefined &&
    !hasProtocol(config.databaseUrl, ['postgres:', 'postgresql:'])
  )
    problems.push(`${source('DATABASE_URL')} must be a postgres:// or postgresql:// URL`);
  if (!hasProtocol(config.redisUrl, ['redis:', 'rediss:']))
    problems.push(`${source('REDIS_URL')} must be a redis:// or rediss:// URL`);
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(config.logLevel)) {
    problems.push(
      `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "${config.logLevel}"`,
    );
  }
  try {
    parseApiTokens(config.apiTokens);
  } catch (err) {
    if (!(err instanceof ApiTokensError)) throw err;
    problems.push(...err.problems.map((p) => `${source('API_TOKENS')} ${p}`));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
