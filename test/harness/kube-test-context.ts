import type { KubeConfig } from '@kubernetes/client-node';
import { inject, onTestFinished } from 'vitest';
import {
  ClusterAdmin,
  type LeastPrivilegeIdentity,
  type LeastPrivilegeOptions,
} from './cluster-admin.js';
import { sendControl } from './cluster-control.js';
import type { AdminAccess } from './kubeconfig.js';
import type { SharedClusterInfo } from './provided-context.js';

/** A shared cluster as seen from a test file (the processes belong to the global setup). */
export interface TestCluster {
  readonly index: number;
  readonly name: string;
  readonly server: string;
  readonly caData: string;
  readonly kubernetesVersion: string;
  /** Admin credentials; shaped so they can be passed to KubeGateway.connect as they are. */
  readonly adminAccess: AdminAccess;
  readonly adminKubeconfig: string;
  readonly adminKubeConfig: KubeConfig;
  readonly admin: ClusterAdmin;
  createNamespace(prefix: string): Promise<string>;
  deleteNamespace(name: string): Promise<void>;
  leastPrivilegeIdentity(
    namespaces: string[],
    opts?: LeastPrivilegeOptions,
  ): Promise<LeastPrivilegeIdentity>;
  grant(identity: LeastPrivilegeIdentity, namespaces: string[]): Promise<LeastPrivilegeIdentity>;
  deleteIdentity(identity: LeastPrivilegeIdentity): Promise<void>;
  /**
   * Stops/starts this shared cluster's kube-apiserver in the owning process. Every test file
   * using the cluster sees the outage, so prefer a private `startCluster()` for fault tests
   * unless the file runs alone.
   */
  stopApiServer(): Promise<void>;
  startApiServer(): Promise<void>;
}

export function sharedClusters(): SharedClusterInfo[] {
  const clusters = inject('gbpKubeClusters');
  if (!clusters?.length) {
    throw new Error(
      'no shared test clusters: run this file in the integration or e2e Vitest project',
    );
  }
  return clusters;
}

export function clusterCount(): number {
  return sharedClusters().length;
}

/** Handle to shared cluster `index` (0-based), re-hydrated from the data the global setup provided. */
export function testCluster(index = 0): TestCluster {
  const clusters = sharedClusters();
  const info = clusters[index];
  if (!info)
    throw new Error(
      `shared cluster ${index} does not exist; there are ${clusters.length} (GBP_TEST_CLUSTERS)`,
    );
  const adminAccess: AdminAccess = {
    name: info.name,
    server: info.server,
    caData: info.caData,
    clientCertificateData: info.clientCertificateData,
    clientKeyData: info.clientKeyData,
  };
  const admin = new ClusterAdmin(adminAccess);
  const control = inject('gbpKubeControl');
  return {
    index,
    name: info.name,
    server: info.server,
    caData: info.caData,
    kubernetesVersion: info.kubernetesVersion,
    adminAccess,
    adminKubeconfig: info.adminKubeconfig,
    adminKubeConfig: admin.kubeConfig,
    admin,
    createNamespace: (prefix) => admin.createNamespace(prefix),
    deleteNamespace: (name) => admin.deleteNamespace(name),
    leastPrivilegeIdentity: (namespaces, opts) => admin.leastPrivilegeIdentity(namespaces, opts),
    grant: (identity, namespaces) => admin.grant(identity, namespaces),
    deleteIdentity: (identity) => admin.deleteIdentity(identity),
    stopApiServer: () => sendControl(control, index, 'stop-apiserver'),
    startApiServer: () => sendControl(control, index, 'start-apiserver'),
  };
}

interface NamespaceOwner {
  createNamespace(prefix: string): Promise<string>;
  deleteNamespace(name: string): Promise<void>;
}

interface IdentityOwner {
  leastPrivilegeIdentity(
    namespaces: string[],
    opts?: LeastPrivilegeOptions,
  ): Promise<LeastPrivilegeIdentity>;
  deleteIdentity(identity: LeastPrivilegeIdentity): Promise<void>;
}

/** A unique namespace that is deleted (for real) when the current test finishes. Call inside a test. */
export async function useNamespace(cluster: NamespaceOwner, prefix: string): Promise<string> {
  const name = await cluster.createNamespace(prefix);
  onTestFinished(() => cluster.deleteNamespace(name));
  return name;
}

/** A least-privilege identity that is revoked when the current test finishes. Call inside a test. */
export async function useIdentity(
  cluster: IdentityOwner,
  namespaces: string[],
  opts?: LeastPrivilegeOptions,
): Promise<LeastPrivilegeIdentity> {
  const identity = await cluster.leastPrivilegeIdentity(namespaces, opts);
  onTestFinished(() => cluster.deleteIdentity(identity));
  return identity;
}
