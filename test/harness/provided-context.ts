import type { AdminAccess } from './kubeconfig.js';

/** What a test worker gets about one shared cluster (everything is structured-clone serializable). */
export interface SharedClusterInfo extends AdminAccess {
  index: number;
  kubernetesVersion: string;
  /** The admin kubeconfig (client certificate, group system:masters). */
  adminKubeconfig: string;
  adminKubeconfigPath: string;
}

/** A loopback HTTP endpoint in the process that owns the clusters, to stop/start their kube-apiservers. */
export interface ClusterControlInfo {
  url: string;
  secret: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    gbpKubeClusters: SharedClusterInfo[];
    gbpKubeControl: ClusterControlInfo;
  }
}
