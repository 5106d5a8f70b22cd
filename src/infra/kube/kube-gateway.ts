import { credentialsProblem, type ClusterCredentials } from './cluster-credentials.js';
import { KubeClient, type KubeClientOptions } from './kube-client.js';

export interface KubeGatewayOptions {
  /** Budget per API request (default 30 s). */
  requestTimeoutMs?: number;
  /** Sent as User-Agent, so audit logs show who changed what (default "gbp-netpol"). */
  userAgent?: string;
  /**
   * Connect to link-local, unspecified and multicast addresses (cloud metadata services live
   * there), as written in a server URL or as its host name resolves. Default false.
   */
  allowSpecialAddresses?: boolean;
}

/**
 * The single entry point to Kubernetes: the only module that talks to @kubernetes/client-node.
 * Plain class, usable with or without Nest.
 */
export class KubeGateway {
  readonly #options: KubeClientOptions;

  constructor(options: KubeGatewayOptions = {}) {
    this.#options = {
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      userAgent: options.userAgent ?? 'gbp-netpol',
      allowSpecialAddresses: options.allowSpecialAddresses ?? false,
    };
  }

  /** A client for one cluster. Nothing is sent until the first call. */
  connect(creds: ClusterCredentials): KubeClient {
    const problem = credentialsProblem(creds);
    if (problem) throw new TypeError(`invalid cluster credentials: ${problem}`);
    return new KubeClient(creds, this.#options);
  }
}
