import { stringify } from 'yaml';
import {
  authModeOf,
  checkServerUrl,
  labelProblems,
  resolveRegistration,
  resolveUpdate,
  secretStrings,
  touchesConnection,
  type ClusterConnection,
} from './cluster-input.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const CA = b64('-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n');
const CERT = b64('-----BEGIN CERTIFICATE-----\nMIIBclient\n-----END CERTIFICATE-----\n');
const KEY = b64(
  // A fake PEM marker, split so that secret scanners do not take it for a key.
  '-----BEGIN EC PRIVATE ' +
    'KEY-----\nMHcCAQEEIsecretkeymaterial\n-----END EC PRIVATE ' +
    'KEY-----\n',
);
const TOKEN = 'abc.def-ghi_jkl';
const strict = { allowInsecureClusterUrls: false };
const codes = (r: { ok: boolean; errors?: { path: string; code: string }[] }) =>
  r.ok ? [] : (r.errors ?? []).map((e) => `${e.path} ${e.code}`);

describe('checkServerUrl', () => {
  it('accepts https and normalises the URL', () => {
    expect(checkServerUrl('https://Example.COM:6443/', '/server', false)).toEqual({
      ok: true,
      value: 'https://example.com:6443',
    });
    expect(checkServerUrl('https://rancher.example/k8s/clusters/c-1//', '/server', false)).toEqual({
      ok: true,
      value: 'https://rancher.example/k8s/clusters/c-1',
    });
  });

  it('rejects http unless allowed, other schemes, user info, queries; never echoing the URL', () => {
    expect(codes(checkServerUrl('http://10.0.0.1', '/server', false))).toEqual([
      '/server INSECURE_SERVER_URL',
    ]);
    expect(checkServerUrl('http://10.0.0.1', '/server', true)).toEqual({
      ok: true,
      value: 'http://10.0.0.1',
    });
    expect(codes(checkServerUrl('ftp://10.0.0.1', '/server', true))).toEqual([
      '/server INVALID_SERVER_URL',
    ]);
    expect(codes(checkServerUrl('not a url', '/server', false))).toEqual([
      '/server INVALID_SERVER_URL',
    ]);
    const userInfo = checkServerUrl('https://admin:hunter2@10.0.0.1', '/server', false);
    expect(codes(userInfo)).toEqual(['/server INVALID_SERVER_URL']);
    expect(JSON.stringify(userInfo)).not.toContain('hunter2');
    expect(codes(checkServerUrl('https://10.0.0.1/?x=1', '/server', false))).toEqual([
      '/server INVALID_SERVER_URL',
    ]);
  });

  it.each([
    ['https://169.254.169.254', '169.254.169.254', 'link-local'],
    ['https://2852039166:6443', '169.254.169.254', 'link-local'],
    ['https://0xA9FEA9FE', '169.254.169.254', 'link-local'],
    ['https://0251.0376.0251.0376', '169.254.169.254', 'link-local'],
    ['https://169.254.43518', '169.254.169.254', 'link-local'],
    ['https://[::ffff:169.254.169.254]', '[::ffff:a9fe:a9fe]', 'link-local'],
    ['https://[fe80::1]', '[fe80::1]', 'link-local'],
    ['https://0.0.0.0:6443', '0.0.0.0', 'unspecified'],
    ['https://0', '0.0.0.0', 'unspecified'],
    ['https://[::]', '[::]', 'unspecified'],
    ['https://224.0.0.251', '224.0.0.251', 'multicast'],
    ['https://[ff02::1]', '[ff02::1]', 'multicast'],
  ])('refuses %s (%s, %s) unless link-local URLs are allowed', (url, address, kind) => {
    const refused = checkServerUrl(url, '/server', false);
    expect(codes(refused)).toEqual(['/server SERVER_ADDRESS_REFUSED']);
    expect(refused.ok ? '' : refused.errors[0].message).toContain(
      `points at ${address}, a ${kind} address`,
    );
    expect(checkServerUrl(url, '/server', false, true).ok).toBe(true);
  });

  it('accepts loopback and private addresses, where test and on-premises clusters are', () => {
    for (const url of ['https://127.0.0.1:6443', 'https://[::1]', 'https://10.0.0.1']) {
      expect(checkServerUrl(url, '/server', false).ok).toBe(true);
    }
  });

  it('refuses them in a kubeconfig and in a PATCH too', () => {
    const text = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'k', cluster: { server: 'https://2852039166' } }],
      users: [{ name: 'u', user: { token: 'abc' } }],
      contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
      'current-context': 'c',
    });
    expect(codes(resolveRegistration({ kubeconfig: text }, strict))).toEqual([
      '/kubeconfig SERVER_ADDRESS_REFUSED',
    ]);
    const current = {
      server: 'https://10.0.0.1',
      insecureSkipTlsVerify: false,
      secrets: { token: TOKEN },
    };
    expect(
      codes(resolveUpdate(current, { server: 'https://0xA9FEA9FE', token: TOKEN }, strict)),
    ).toEqual(['/server SERVER_ADDRESS_REFUSED']);
  });
});

describe('labelProblems', () => {
  it('accepts Kubernetes labels and reports each bad key or value at its path', () => {
    expect(labelProblems({ env: 'prod', 'example.com/team': 'a_b.c', empty: '' })).toEqual([]);
    const errors = labelProblems({
      'a/b/c': 'x',
      ok: '-bad',
      n: 5 as unknown as string,
      long: 'v'.repeat(64),
    });
    expect(errors.map((e) => `${e.path} ${e.code}`)).toEqual([
      '/labels/a~1b~1c INVALID_LABEL_KEY',
      '/labels/ok INVALID_LABEL_VALUE',
      '/labels/n TYPE_MISMATCH',
      '/labels/long INVALID_LABEL_VALUE',
    ]);
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
    expect(labelProblems(many).map((e) => e.code)).toEqual(['TOO_MANY_ITEMS']);
  });
});

describe('resolveRegistration', () => {
  it('takes server and credentials from the fields', () => {
    const r = resolveRegistration({ server: 'https://k:6443/', caData: CA, token: TOKEN }, strict);
    expect(r).toEqual({
      ok: true,
      value: {
        server: 'https://k:6443',
        insecureSkipTlsVerify: false,
        secrets: { caData: CA, token: TOKEN },
      },
    });
  });

  it('reports every problem at once, never with the secret', () => {
    const r = resolveRegistration(
      { caData: 'bm9wZQ==', token: 'has space', clientKeyData: KEY, context: 'x' },
      strict,
    );
    expect(codes(r).sort()).toEqual([
      '/caData INVALID_PEM',
      '/clientKeyData REQUIRES_FIELD',
      '/context REQUIRES_FIELD',
      '/server REQUIRED',
      '/token INVALID_TOKEN',
    ]);
    expect(JSON.stringify(r)).not.toContain('has space');
    expect(JSON.stringify(r)).not.toContain(KEY);
  });

  const kubeconfig = (user: Record<string, unknown>, server = 'https://k2:6443') =>
    stringify({
      clusters: [
        { name: 'one', cluster: { server: 'https://k1:6443', 'certificate-authority-data': CA } },
        {
          name: 'two',
          cluster: { server, 'certificate-authority-data': CA, 'insecure-skip-tls-verify': true },
        },
      ],
      users: [
        { name: 'u1', user: { token: 'first-token' } },
        { name: 'u2', user },
      ],
      contexts: [
        { name: 'a', context: { cluster: 'one', user: 'u1' } },
        { name: 'b', context: { cluster: 'two', user: 'u2' } },
      ],
      'current-context': 'a',
    });

  it('reduces a kubeconfig to the named context, or its current-context', () => {
    const text = kubeconfig({ 'client-certificate-data': CERT, 'client-key-data': KEY });
    expect(resolveRegistration({ kubeconfig: text, context: 'b' }, strict)).toEqual({
      ok: true,
      value: {
        server: 'https://k2:6443',
        insecureSkipTlsVerify: true,
        secrets: { caData: CA, clientCertificateData: CERT, clientKeyData: KEY },
      },
    });
    expect(resolveRegistration({ kubeconfig: text }, strict)).toEqual({
      ok: true,
      value: {
        server: 'https://k1:6443',
        insecureSkipTlsVerify: false,
        secrets: { caData: CA, token: 'first-token' },
      },
    });
  });

  it('rejects exec and auth-provider users, http servers and fields next to a kubeconfig', () => {
    expect(
      codes(
        resolveRegistration(
          { kubeconfig: kubeconfig({ exec: { command: 'x' } }), context: 'b' },
          strict,
        ),
      ),
    ).toEqual(['/kubeconfig/users/1/user/exec KUBECONFIG_FORBIDDEN_FIELD']);
    expect(
      codes(
        resolveRegistration(
          { kubeconfig: kubeconfig({ 'auth-provider': { name: 'gcp' } }), context: 'b' },
          strict,
        ),
      ),
    ).toEqual(['/kubeconfig/users/1/user/auth-provider KUBECONFIG_FORBIDDEN_FIELD']);
    const http = resolveRegistration(
      { kubeconfig: kubeconfig({ token: TOKEN }, 'http://k2'), context: 'b' },
      strict,
    );
    expect(codes(http)).toEqual(['/kubeconfig INSECURE_SERVER_URL']);
    expect(http.ok ? '' : http.errors[0].message).toMatch(/^the server of context b uses http/);
    expect(
      codes(
        resolveRegistration(
          {
            kubeconfig: kubeconfig({ token: TOKEN }),
            server: 'https://x',
            insecureSkipTlsVerify: false,
          },
          strict,
        ),
      ),
    ).toEqual(['/server CONFLICTING_FIELDS', '/insecureSkipTlsVerify CONFLICTING_FIELDS']);
    expect(codes(resolveRegistration({ kubeconfig: 'a: [' }, strict))).toEqual([
      '/kubeconfig INVALID_KUBECONFIG',
    ]);
  });
});

describe('resolveUpdate', () => {
  const current: ClusterConnection = {
    server: 'https://k:6443',
    insecureSkipTlsVerify: false,
    secrets: { caData: CA, token: TOKEN },
  };

  it('keeps what is not given and replaces what is', () => {
    expect(resolveUpdate(current, {}, strict)).toEqual({ ok: true, value: current });
    expect(
      resolveUpdate(
        current,
        { server: 'https://new/', insecureSkipTlsVerify: true, token: 'new-token' },
        strict,
      ),
    ).toEqual({
      ok: true,
      value: {
        ...current,
        server: 'https://new',
        insecureSkipTlsVerify: true,
        secrets: { caData: CA, token: 'new-token' },
      },
    });
    expect(resolveUpdate(current, { caData: null, token: TOKEN }, strict)).toEqual({
      ok: true,
      value: { ...current, secrets: { token: TOKEN } },
    });
  });

  it('sends stored credentials only where they were registered: moving them needs them again', () => {
    expect(
      codes(
        resolveUpdate(
          current,
          { server: 'https://listener/', caData: null, insecureSkipTlsVerify: true },
          strict,
        ),
      ),
    ).toEqual([
      '/server CREDENTIALS_REQUIRED',
      '/caData CREDENTIALS_REQUIRED',
      '/insecureSkipTlsVerify CREDENTIALS_REQUIRED',
    ]);
    expect(codes(resolveUpdate(current, { caData: CERT }, strict))).toEqual([
      '/caData CREDENTIALS_REQUIRED',
    ]);
    const withCert: ClusterConnection = {
      ...current,
      secrets: { caData: CA, clientCertificateData: CERT, clientKeyData: KEY },
    };
    const moved = resolveUpdate(withCert, { server: 'https://listener' }, strict);
    expect(codes(moved)).toEqual(['/server CREDENTIALS_REQUIRED']);
    expect(moved.ok ? '' : moved.errors[0].message).toContain('stored client certificate');
    // The same values are no change; new credentials, or none left to send, are fine.
    expect(
      resolveUpdate(
        current,
        { server: 'https://k:6443/', caData: CA, insecureSkipTlsVerify: false },
        strict,
      ).ok,
    ).toBe(true);
    expect(
      resolveUpdate(
        withCert,
        { server: 'https://new', clientCertificateData: CERT, clientKeyData: KEY },
        strict,
      ).ok,
    ).toBe(true);
    expect(resolveUpdate(current, { server: 'https://new', token: null }, strict)).toEqual({
      ok: true,
      value: { ...current, server: 'https://new', secrets: { caData: CA } },
    });
    const anonymous: ClusterConnection = { ...current, secrets: { caData: CA } };
    expect(resolveUpdate(anonymous, { server: 'https://new' }, strict).ok).toBe(true);
    // A kubeconfig replaces the whole connection, credentials included.
    const text = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'k', cluster: { server: 'https://other:6443' } }],
      users: [{ name: 'u', user: {} }],
      contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
      'current-context': 'c',
    });
    const replaced = resolveUpdate(current, { kubeconfig: text }, strict);
    expect(replaced.ok && replaced.value.secrets).toEqual({});
  });

  it('switches between token and client certificate authentication', () => {
    const cert = resolveUpdate(
      current,
      { clientCertificateData: CERT, clientKeyData: KEY },
      strict,
    );
    expect(cert).toEqual({
      ok: true,
      value: {
        ...current,
        secrets: { caData: CA, clientCertificateData: CERT, clientKeyData: KEY },
      },
    });
    const back = resolveUpdate(cert.ok ? cert.value : current, { token: 'new-token' }, strict);
    expect(back).toEqual({
      ok: true,
      value: { ...current, secrets: { caData: CA, token: 'new-token' } },
    });
    expect(codes(resolveUpdate(current, { clientCertificateData: CERT }, strict))).toEqual([
      '/clientCertificateData REQUIRES_FIELD',
    ]);
    expect(resolveUpdate(current, { token: null }, strict)).toEqual({
      ok: true,
      value: { ...current, secrets: { caData: CA } },
    });
  });

  it('validates only what changes', () => {
    const legacy: ClusterConnection = { ...current, server: 'http://legacy' };
    expect(resolveUpdate(legacy, { token: 'x-y' }, strict).ok).toBe(true);
    expect(codes(resolveUpdate(current, { server: 'http://k' }, strict))).toEqual([
      '/server INSECURE_SERVER_URL',
    ]);
    expect(codes(resolveUpdate(current, { context: 'x' }, strict))).toEqual([
      '/context REQUIRES_FIELD',
    ]);
  });
});

describe('small helpers', () => {
  it('derives the auth mode and the strings to scrub', () => {
    expect(authModeOf({ token: 't' })).toBe('token');
    expect(authModeOf({ clientCertificateData: CERT, clientKeyData: KEY })).toBe(
      'clientCertificate',
    );
    expect(authModeOf({ caData: CA })).toBe('none');
    const scrub = secretStrings({ token: TOKEN, clientKeyData: KEY, caData: CA });
    expect(scrub).toContain(TOKEN);
    expect(scrub).toContain(KEY);
    expect(scrub.some((s) => s.includes('secretkeymaterial'))).toBe(true);
    expect(scrub).not.toContain(CA);
  });

  it('tells which PATCHes touch the connection', () => {
    expect(touchesConnection({})).toBe(false);
    expect(touchesConnection({ token: null })).toBe(true);
    expect(touchesConnection({ insecureSkipTlsVerify: false })).toBe(true);
  });
});
