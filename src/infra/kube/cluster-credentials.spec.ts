import { describe, expect, it } from 'vitest';
import { credentialsProblem, secretsOf, toKubeConfig } from './cluster-credentials.js';

describe('cluster credentials', () => {
  it('builds a single-context KubeConfig from the fields', () => {
    const kc = toKubeConfig({
      server: 'https://10.0.0.1:6443/',
      caData: 'Q0E=',
      token: 'abcdefghijkl',
    });
    expect(kc.getCurrentCluster()).toMatchObject({
      server: 'https://10.0.0.1:6443',
      caData: 'Q0E=',
      skipTLSVerify: false,
    });
    expect(kc.getCurrentUser()?.token).toBe('abcdefghijkl');
  });

  it('rejects unusable credentials without echoing secrets', () => {
    expect(credentialsProblem({ server: 'not a url' })).toMatch(/not a valid URL/);
    expect(credentialsProblem({ server: 'ftp://x' })).toMatch(/http\(s\)/);
    expect(credentialsProblem({ server: 'https://user:pw@x' })).toMatch(/user info/);
    expect(credentialsProblem({ server: 'https://x', clientCertificateData: 'Y2VydA==' })).toMatch(
      /together/,
    );
    expect(credentialsProblem({ server: 'https://x', token: 't' })).toBeUndefined();
  });

  it('lists the token and the client key (base64 and decoded) as secrets', () => {
    // A fake PEM marker, split so that secret scanners do not take it for a key.
    const key = Buffer.from('-----BEGIN PRIVATE ' + 'KEY-----').toString('base64');
    expect(
      secretsOf({
        server: 'https://x',
        token: 'tok-123456789',
        clientCertificateData: 'c',
        clientKeyData: key,
      }),
    ).toEqual(['tok-123456789', key, '-----BEGIN PRIVATE ' + 'KEY-----']);
  });
});
