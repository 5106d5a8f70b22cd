import type { ClusterRow, ConnectionState } from '../../infra/database/schema.js';
import { authModeOf, type AuthMode, type ClusterSecrets } from './cluster-input.js';
import { networksView, type NetworksView } from './cluster-networks.js';

/** What the API tells about a cluster's connection. */
export interface ConnectionView {
  state: ConnectionState;
  message?: string;
  /** ISO 8601 time of the last check. */
  checkedAt?: string;
  serverVersion?: string;
}

/** A registered cluster as every answer shows it: never a credential. */
export interface ClusterView {
  name: string;
  server: string;
  labels: Record<string, string>;
  insecureSkipTlsVerify: boolean;
  warnings: string[];
  connection: ConnectionView;
  auth: AuthMode;
  /** The pod and Service networks the cluster's objects are compiled with, and their sources. */
  networks: NetworksView;
  createdAt: string;
  updatedAt: string;
}

export const CLUSTER_WARNINGS = {
  insecureSkipTlsVerify: 'TLS verification is disabled for this cluster',
  plainHttp: 'The API server URL uses http://: credentials travel unencrypted',
  noCredentials: 'No credentials are configured: requests to this cluster are anonymous',
  unreadableCredentials:
    'The stored credentials cannot be decrypted (ENCRYPTION_KEY changed, or the row was altered); set them again with PATCH',
} as const;

export function connectionView(
  row: Pick<
    ClusterRow,
    'connection' | 'connectionMessage' | 'connectionCheckedAt' | 'serverVersion'
  >,
): ConnectionView {
  const view: ConnectionView = { state: row.connection };
  if (row.connectionMessage) view.message = row.connectionMessage;
  if (row.connectionCheckedAt) view.checkedAt = row.connectionCheckedAt.toISOString();
  if (row.serverVersion) view.serverVersion = row.serverVersion;
  return view;
}

/** The view of a row; `secrets` undefined means they could not be decrypted. */
export function toClusterView(row: ClusterRow, secrets: ClusterSecrets | undefined): ClusterView {
  const warnings: string[] = [];
  if (row.insecureSkipTlsVerify) warnings.push(CLUSTER_WARNINGS.insecureSkipTlsVerify);
  if (row.server.startsWith('http://')) warnings.push(CLUSTER_WARNINGS.plainHttp);
  if (!secrets) warnings.push(CLUSTER_WARNINGS.unreadableCredentials);
  const auth = secrets ? authModeOf(secrets) : 'none';
  if (secrets && auth === 'none') warnings.push(CLUSTER_WARNINGS.noCredentials);
  return {
    name: row.name,
    server: row.server,
    labels: row.labels,
    insecureSkipTlsVerify: row.insecureSkipTlsVerify,
    warnings,
    connection: connectionView(row),
    auth,
    networks: networksView(row),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
