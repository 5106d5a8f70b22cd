import { reduceKubeconfig } from './reduce-kubeconfig.js';

const kubeconfig = (user: Record<string, unknown>, cluster: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'prod',
    clusters: [
      {
        name: 'c-prod',
        cluster: { server: 'https://prod:6443', 'certificate-authority-data': 'Q0E=', ...cluster },
      },
      { name: 'c-dev', cluster: { server: 'https://dev:6443' } },
    ],
    users: [
      { name: 'u-prod', user },
      { name: 'u-dev', user: { token: 'dev-token' } },
    ],
    contexts: [
      { name: 'prod', context: { cluster: 'c-prod', user: 'u-prod' } },
      { name: 'dev', context: { cluster: 'c-dev', user: 'u-dev' } },
    ],
  });

describe('reduceKubeconfig', () => {
  it('reduces to the current context with inline credentials', () => {
    expect(reduceKubeconfig(kubeconfig({ token: 't0k' }), undefined)).toEqual({
      ok: true,
      connection: {
        context: 'prod',
        server: 'https://prod:6443',
        caData: 'Q0E=',
        token: 't0k',
        insecureSkipTlsVerify: undefined,
        clientCertificateData: undefined,
        clientKeyData: undefined,
      },
    });
  });

  it('uses the named context', () => {
    const r = reduceKubeconfig(kubeconfig({ token: 'x' }), 'dev');
    expect(r.ok && r.connection).toMatchObject({
      context: 'dev',
      server: 'https://dev:6443',
      token: 'dev-token',
    });
  });

  const rejected: {
    name: string;
    user?: Record<string, unknown>;
    cluster?: Record<string, unknown>;
    path: string;
  }[] = [
    {
      name: 'exec',
      user: { exec: { command: 'rm', args: ['-rf', '/'] } },
      path: '/kubeconfig/users/0/user/exec',
    },
    {
      name: 'auth-provider',
      user: { 'auth-provider': { name: 'gcp' } },
      path: '/kubeconfig/users/0/user/auth-provider',
    },
    {
      name: 'tokenFile',
      user: { tokenFile: '/etc/shadow' },
      path: '/kubeconfig/users/0/user/tokenFile',
    },
    {
      name: 'client-key file',
      user: { 'client-key': '/home/app/.ssh/id_rsa' },
      path: '/kubeconfig/users/0/user/client-key',
    },
    {
      name: 'CA file',
      user: {},
      cluster: { 'certificate-authority': '/etc/passwd' },
      path: '/kubeconfig/clusters/0/cluster/certificate-authority',
    },
  ];
  it.each(rejected)('rejects $name, naming the field', ({ user, cluster, path }) => {
    const r = reduceKubeconfig(kubeconfig(user ?? {}, cluster), undefined);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors.map((e) => [e.path, e.code])).toEqual([[path, 'KUBECONFIG_FORBIDDEN_FIELD']]);
  });

  it.each([
    { name: 'not YAML', text: '{{{', context: undefined },
    { name: 'a list', text: '[1, 2]', context: undefined },
    { name: 'unknown context', text: kubeconfig({}), context: 'nope' },
    { name: 'a depth bomb (flow)', text: `a: ${'['.repeat(200_000)}`, context: undefined },
    {
      name: 'a depth bomb (block)',
      text: Array.from({ length: 5_000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n'),
      context: undefined,
    },
  ])('reports $name as INVALID_KUBECONFIG', ({ text, context }) => {
    const r = reduceKubeconfig(text, context);
    expect(!r.ok && r.errors[0].code).toBe('INVALID_KUBECONFIG');
  });

  it('refuses a depth bomb before parsing it, naming the bound', () => {
    const r = reduceKubeconfig(`${'['.repeat(1_000_000)}`, undefined);
    expect(r).toEqual({
      ok: false,
      errors: [expect.objectContaining({ path: '/kubeconfig', code: 'INVALID_KUBECONFIG' })],
    });
    expect(!r.ok && r.errors[0].message).toMatch(/deeper than 64 levels/);
  });
});
