export { type ClusterCredentials } from './cluster-credentials.js';
export { KubeApiError, type KubeApiErrorKind, type KubeStatusCause } from './kube-api-error.js';
export {
  FIELD_MANAGER,
  KubeClient,
  type AccessQuery,
  type ApplyOptions,
  type CreateOptions,
  type DeleteOptions,
  type DeletePodOptions,
  type KubeVersionInfo,
  type NodeInfo,
  type NetworkPolicy,
  type Pod,
  type RequestOptions,
} from './kube-client.js';
export { KubeGateway, type KubeGatewayOptions } from './kube-gateway.js';
export { KubeModule, kubeGatewayProvider } from './kube.module.js';
