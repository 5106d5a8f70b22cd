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

describe('loadConfig: secrets from files (*_FILE)', () => {
  const files: Record<string, string> = {
    '/run/secrets/database_url': 'postgres://gbp:pw-marker@db:5432/gbp\n',
    '/run/secrets/encryption_key': `${Buffer.alloc(32, 7).toString('base64')}\n`,
    '/run/secrets/api_tokens': 'admin:admin:token-marker-0123456789\n',
    '/run/secrets/redis_url': 'redis://:redis-marker@redis:6379',
    '/run/secrets/empty': ' \n',
    '/run/secrets/bad_key': 'key-marker-not-32-bytes\n',
  };
  const readFile = (path: string): string => {
    const text = files[path];
    if (text === undefined)
      throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' as const });
    return text;
  };
  const problemsOf = (env: Record<string, string | undefined>): string[] => {
    try {
      loadConfig(env, '/srv', { readFile });
    } catch (e) {
      if (e instanceof ConfigError) return e.problems;
      throw e;
    }
    return [];
  };

  it('reads every secret variable from its file, without the trailing newline', () => {
    const c = loadConfig(
      {
        DATABASE_URL_FILE: '/run/secrets/database_url',
        ENCRYPTION_KEY_FILE: '/run/secrets/encryption_key',
        API_TOKENS_FILE: '/run/secrets/api_tokens',
        REDIS_URL_FILE: '/run/secrets/redis_url',
      },
      '/srv',
      { readFile },
    );
    expect(c).toMatchObject({
      databaseUrl: 'postgres://gbp:pw-marker@db:5432/gbp',
      encryptionKey: Buffer.alloc(32, 7).toString('base64'),
      apiTokens: 'admin:admin:token-marker-0123456789',
      redisUrl: 'redis://:redis-marker@redis:6379',
    });
  });

  it.each([
    {
      name: 'the variable and its file together',
      env: { API_TOKENS: 'a:admin:0123456789abcdef', API_TOKENS_FILE: '/run/secrets/api_tokens' },
      expected: 'API_TOKENS and API_TOKENS_FILE are both set; set only one of them',
    },
    {
      name: 'a file that does not exist',
      env: { DATABASE_URL_FILE: '/run/secrets/missing' },
      expected: 'DATABASE_URL_FILE: cannot read /run/secrets/missing (ENOENT)',
    },
    {
      name: 'an empty file',
      env: { ENCRYPTION_KEY_FILE: '/run/secrets/empty' },
      expected: 'ENCRYPTION_KEY_FILE: /run/secrets/empty is empty',
    },
    {
      name: 'a file holding a key that is not 32 bytes',
      env: { ENCRYPTION_KEY_FILE: '/run/secrets/bad_key' },
      expected:
        'ENCRYPTION_KEY (read from ENCRYPTION_KEY_FILE) must be 32 bytes, as base64 (44 characters) or hex (64 characters)',
    },
  ])('refuses $name', ({ env, expected }) => {
    expect(problemsOf(env)).toEqual([expected]);
  });

  it('lists every problem at once and never shows a secret value', () => {
    const problems = problemsOf({
      ENCRYPTION_KEY: 'key-marker-not-32-bytes',
      DATABASE_URL: 'mysql://root:pw-marker@db/x',
      REDIS_URL: 'http://:redis-marker@r',
      API_TOKENS: 'admin:boss:token-marker-0123456789',
      PORT: 'eighty',
    });
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/ENCRYPTION_KEY must be 32 bytes/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL must be a postgres/);
    expect(problems.join('\n')).toMatch(/REDIS_URL must be a redis/);
    for (const marker of ['key-marker', 'pw-marker', 'redis-marker', 'token-marker'])
      expect(problems.join('\n')).not.toContain(marker);
  });
});

describe('loadConfig: logging and the operators settings', () => {
  it('logs pretty on a terminal and JSON elsewhere, unless LOG_FORMAT says', () => {
    expect(loadConfig({}, '/srv', { stdoutIsTty: true }).logFormat).toBe('pretty');
    expect(loadConfig({}, '/srv', { stdoutIsTty: false }).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'json' }, '/srv', { stdoutIsTty: true }).logFormat).toBe(
      'json',
    );
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT must be pretty or json/);
  });

  it('reads METRICS_PORT, the webhook settings and the build', () => {
    const c = loadConfig({
      METRICS_PORT: '9464',
      ALLOW_INSECURE_WEBHOOK_URLS: 'true',
      WEBHOOK_ATTEMPTS: '3',
      BUILD_COMMIT: 'abc1234',
    });
    expect(c).toMatchObject({
      metricsPort: 9464,
      allowInsecureWebhookUrls: true,
      allowSpecialWebhookAddresses: false,
      webhookAttempts: 3,
      webhookTimeoutMs: 15_000,
      webhookConcurrency: 8,
      build: { commit: 'abc1234' },
    });
    expect(loadConfig({}).metricsPort).toBeUndefined();
    expect(() => loadConfig({ PORT: '9000', METRICS_PORT: '9000' })).toThrow(
      /METRICS_PORT must differ from PORT/,
    );
  });
});
