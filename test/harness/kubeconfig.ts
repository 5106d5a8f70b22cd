import { stringify } from 'yaml';

/** Everything needed to act as the cluster admin (client certificate in group system:masters). */
export interface AdminAccess {
  /** Cluster name, used for the kubeconfig context. */
  name: string;
  server: string;
  /** base64 of the CA PEM. */
  caData: string;
  /** base64 of the admin client certificate PEM. */
  clientCertificateData: string;
  /** base64 of the admin client key PEM. */
  clientKeyData: string;
}

export const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
export const unb64 = (data: string): string => Buffer.from(data, 'base64').toString('utf8');

type KubeconfigUser =
  { 'client-certificate-data': string; 'client-key-data': string } | { token: string };

function kubeconfigYaml(
  name: string,
  server: string,
  caData: string,
  userName: string,
  user: KubeconfigUser,
): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, 'certificate-authority-data': caData } }],
    users: [{ name: userName, user }],
    contexts: [{ name, context: { cluster: name, user: userName } }],
    'current-context': name,
  });
}

export function adminKubeconfig(access: AdminAccess): string {
  return kubeconfigYaml(access.name, access.server, access.caData, `${access.name}-admin`, {
    'client-certificate-data': access.clientCertificateData,
    'client-key-data': access.clientKeyData,
  });
}

export function tokenKubeconfig(
  name: string,
  server: string,
  caData: string,
  token: string,
): string {
  return kubeconfigYaml(name, server, caData, `${name}-gbp-netpol`, { token });
}
