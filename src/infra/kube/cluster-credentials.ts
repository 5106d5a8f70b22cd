import { KubeConfig } from '@kubernetes/client-node';

/** How to reach and authenticate to one cluster. PEM material is base64, as in a kubeconfig. */
export interface ClusterCredentials {
  /** API server URL, e.g. https://10.0.0.1:6443. */
  server: string;
  /** base64 of the CA bundle PEM (certificate-authority-data). */
  caData?: string;
  /** ServiceAccount (or other) bearer token. */
  token?: string;
  /** base64 of the client certificate PEM (client-certificate-data). */
  clientCertificateData?: string;
  /** base64 of the client key PEM (client-key-data). */
  clientKeyData?: string;
  insecureSkipTlsVerify?: boolean;
}

const NAME = 'gbp-netpol';

/** Validates credentials and returns a problem description (never echoing secrets), or undefined. */
export function credentialsProblem(creds: ClusterCredentials): string | undefined {
  let url: URL;
  try {
    url = new URL(creds.server);
  } catch {
    return 'server is not a valid URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return `server must be an http(s) URL, got ${url.protocol}`;
  if (url.username || url.password) return 'server URL must not contain user info';
  if (Boolean(creds.clientCertificateData) !== Boolean(creds.clientKeyData)) {
    return 'clientCertificateData and clientKeyData must be given together';
  }
  return undefined;
}

/** The secret strings of these credentials, to scrub from any text that leaves the gateway. */
export function secretsOf(creds: ClusterCredentials): string[] {
  const secrets = [creds.token, creds.clientKeyData];
  if (creds.clientKeyData)
    secrets.push(Buffer.from(creds.clientKeyData, 'base64').toString('utf8'));
  return secrets.filter((s): s is string => typeof s === 'string' && s.length >= 8);
}

/** A client-node KubeConfig with exactly one cluster and user, built without touching disk or env. */
export function toKubeConfig(creds: ClusterCredentials): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(
    {
      name: NAME,
      server: creds.server.replace(/\/+$/, ''),
      caData: creds.caData,
      skipTLSVerify: creds.insecureSkipTlsVerify ?? false,
    },
    {
      name: NAME,
      token: creds.token,
      certData: creds.clientCertificateData,
      keyData: creds.clientKeyData,
    },
  );
  return kc;
}
