import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateEcKeyPair, issueCertificate, privateKeyPem, publicKeyPem } from './x509.js';

/** The admin user of every test cluster; `system:masters` is bound to cluster-admin by RBAC bootstrap. */
export const ADMIN_USER = 'gbp-netpol-admin';
export const ADMIN_GROUP = 'system:masters';

export interface ClusterPki {
  caCertPem: string;
  /** Issues a client certificate from the cluster CA (the CA key itself stays in memory). */
  issueClientCertificate(user: string, groups?: readonly string[]): ClientCertificate;
  servingCertPem: string;
  servingKeyPem: string;
  adminCertPem: string;
  adminKeyPem: string;
  serviceAccountPublicKeyPem: string;
  serviceAccountPrivateKeyPem: string;
}

export interface ClientCertificate {
  certPem: string;
  keyPem: string;
}

export interface ClusterPkiFiles {
  caCert: string;
  servingCert: string;
  servingKey: string;
  serviceAccountPublicKey: string;
  serviceAccountPrivateKey: string;
}

/** A fresh CA, a serving certificate for 127.0.0.1/localhost, an admin client certificate and the service-account signing key pair. */
export function generateClusterPki(clusterName: string): ClusterPki {
  const ca = generateEcKeyPair();
  const caSubject = { commonName: `${clusterName}-ca` };
  const caCertPem = issueCertificate({
    subject: caSubject,
    publicKey: ca.publicKey,
    signingKey: ca.privateKey,
    isCa: true,
  });
  const issuer = { subject: caSubject, publicKey: ca.publicKey };

  const serving = generateEcKeyPair();
  const servingCertPem = issueCertificate({
    subject: { commonName: 'kube-apiserver' },
    publicKey: serving.publicKey,
    issuer,
    signingKey: ca.privateKey,
    isCa: false,
    extendedKeyUsages: ['serverAuth'],
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
    ipAddresses: ['127.0.0.1'],
  });

  // The client-certificate authenticator maps CN to the user name and O to groups.
  const admin = generateEcKeyPair();
  const adminCertPem = issueCertificate({
    subject: { commonName: ADMIN_USER, organizations: [ADMIN_GROUP] },
    publicKey: admin.publicKey,
    issuer,
    signingKey: ca.privateKey,
    isCa: false,
    extendedKeyUsages: ['clientAuth'],
  });

  const serviceAccount = generateEcKeyPair();
  const issueClientCertificate = (user: string, groups: readonly string[] = []) => {
    const key = generateEcKeyPair();
    const certPem = issueCertificate({
      subject: { commonName: user, organizations: groups },
      publicKey: key.publicKey,
      issuer,
      signingKey: ca.privateKey,
      isCa: false,
      extendedKeyUsages: ['clientAuth'],
    });
    return { certPem, keyPem: privateKeyPem(key.privateKey) };
  };
  return {
    caCertPem,
    issueClientCertificate,
    servingCertPem,
    servingKeyPem: privateKeyPem(serving.privateKey),
    adminCertPem,
    adminKeyPem: privateKeyPem(admin.privateKey),
    serviceAccountPublicKeyPem: publicKeyPem(serviceAccount.publicKey),
    serviceAccountPrivateKeyPem: privateKeyPem(serviceAccount.privateKey),
  };
}

export async function writeClusterPki(pki: ClusterPki, dir: string): Promise<ClusterPkiFiles> {
  const files: ClusterPkiFiles = {
    caCert: join(dir, 'ca.crt'),
    servingCert: join(dir, 'apiserver.crt'),
    servingKey: join(dir, 'apiserver.key'),
    serviceAccountPublicKey: join(dir, 'sa.pub'),
    serviceAccountPrivateKey: join(dir, 'sa.key'),
  };
  await Promise.all([
    writeFile(files.caCert, pki.caCertPem, { mode: 0o600 }),
    writeFile(files.servingCert, pki.servingCertPem, { mode: 0o600 }),
    writeFile(files.servingKey, pki.servingKeyPem, { mode: 0o600 }),
    writeFile(files.serviceAccountPublicKey, pki.serviceAccountPublicKeyPem, { mode: 0o600 }),
    writeFile(files.serviceAccountPrivateKey, pki.serviceAccountPrivateKeyPem, { mode: 0o600 }),
  ]);
  return files;
}
