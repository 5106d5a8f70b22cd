import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { httpProblem } from '../../common/http-problems.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import type { SecretBox } from '../../infra/crypto/secret-box.js';
import type { ClusterRow } from '../../infra/database/schema.js';
import { DomainEvents } from '../../infra/events/domain-events.js';
import {
  KubeApiError,
  KubeGateway,
  type KubeClient,
  type KubeVersionInfo,
} from '../../infra/kube/index.js';
import { secretStrings, type ClusterSecrets } from './cluster-input.js';
import { SECRET_BOX, tryOpenSecrets } from './cluster-secrets.js';
import { toClusterView, type ClusterView } from './cluster-view.js';
import {
  classifyConnectionError,
  concernsConnection,
  CONNECT_TIMEOUT_MS,
  safeErrorMessage,
  type ConnectionOutcome,
} from './connection-state.js';
import { ClustersRepository } from './clusters.repository.js';

export type { ClusterView, ConnectionView } from './cluster-view.js';

export interface ConnectedCluster {
  client: KubeClient;
  cluster: ClusterView;
}

/**
 * The clusters module's API for other modules (e.g. the rollout worker): authenticated
 * clients for registered clusters, their connection state, and selection by name or labels.
 */
@Injectable()
export class ClusterConnector {
  private readonly logger = new Logger(ClusterConnector.name);

  constructor(
    private readonly repository: ClustersRepository,
    private readonly gateway: KubeGateway,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly events?: DomainEvents,
  ) {}

  /**
   * Loads the cluster, decrypts its credentials and returns a client (nothing is sent yet) with
   * the cluster's view. ProblemException 404 when it does not exist; 500 when its credentials
   * do not decrypt; 409 when its server is http:// and ALLOW_INSECURE_CLUSTER_URLS is off.
   */
  async connect(name: string): Promise<ConnectedCluster> {
    const { client, secrets, row } = await this.clientFor(name);
    return { client, cluster: toClusterView(row, secrets) };
  }

  /** Records a successful call (e.g. of a rollout): state Reachable, and the version when given. */
  async recordConnectionSuccess(name: string, version?: string | KubeVersionInfo): Promise<void> {
    const serverVersion = typeof version === 'string' ? version : version?.gitVersion;
    await this.record(name, { state: 'Reachable', message: null, serverVersion });
  }

  /**
   * Records a failed call: Unauthorized when the API server rejected the credentials
   * (KubeApiError unauthorized/forbidden), Unreachable for anything else. An error about the
   * request itself (KubeApiError invalid, conflict, notFound) proves the server was reached with
   * valid credentials and leaves the state as it is. Does nothing for an unknown cluster.
   */
  async recordConnectionFailure(name: string, error: unknown): Promise<void> {
    if (!concernsConnection(error)) return;
    const row = await this.repository.findByName(name);
    if (!row) return;
    const secrets = tryOpenSecrets(this.box, row.name, row.credentials);
    await this.record(name, classifyConnectionError(error, secretStrings(secrets)));
  }

  /** Names of the clusters whose labels include every `matchLabels` entry (all of them when empty), sorted. */
  namesMatching(selector: { matchLabels: Record<string, string> }): Promise<string[]> {
    return this.repository.namesMatching(selector.matchLabels ?? {});
  }

  /** Those of `names` that are registered, sorted and without duplicates. */
  existingNames(names: string[]): Promise<string[]> {
    return this.repository.existingNames(names);
  }

  /** The view of one registered cluster (404 problem when it is not registered). */
  async view(name: string): Promise<ClusterView> {
    const [view] = await this.views([name]);
    if (!view) throw httpProblem('CLUSTER_NOT_FOUND', { name });
    return view;
  }

  /** The views of those of `names` that are registered, sorted by name. */
  async views(names: string[]): Promise<ClusterView[]> {
    const rows = await this.repository.findByNames(names);
    return rows.map((row) =>
      toClusterView(row, tryOpenSecrets(this.box, row.name, row.credentials)),
    );
  }

  /**
   * Connects and asks the API server for its version (within CONNECT_TIMEOUT_MS), stores the
   * resulting connection state and returns the updated view with the client.
   */
  async checkConnection(name: string): Promise<ConnectedCluster> {
    const { client, secrets } = await this.clientFor(name);
    let outcome: ConnectionOutcome;
    let networks: DetectedNetworks | undefined;
    try {
      const version = await client.version({ signal: AbortSignal.timeout(CONNECT_TIMEOUT_MS) });
      outcome = { state: 'Reachable', message: null, serverVersion: version.gitVersion };
      networks = await detectNetworks(client, secretStrings(secrets));
    } catch (error) {
      outcome = classifyConnectionError(error, secretStrings(secrets));
    }
    const row = await this.record(name, outcome, networks);
    if (!row) throw httpProblem('CLUSTER_NOT_FOUND', { name });
    return { client, cluster: toClusterView(row, secrets) };
  }

  /** Logs a failure of some cluster operation without any credential of that cluster. */
  logFailure(what: string, name: string, error: unknown, secrets?: ClusterSecrets): void {
    this.logger.warn(
      `${what} for cluster ${name} failed: ${safeErrorMessage(error, secretStrings(secrets))}`,
    );
  }

  private async clientFor(
    name: string,
  ): Promise<{ client: KubeClient; secrets: ClusterSecrets; row: ClusterRow }> {
    const row = await this.repository.findByName(name);
    if (!row) throw httpProblem('CLUSTER_NOT_FOUND', { name });
    const secrets = tryOpenSecrets(this.box, row.name, row.credentials);
    if (!secrets) throw httpProblem('CLUSTER_CREDENTIALS_UNREADABLE', { name });
    if (row.server.startsWith('http://') && !this.config.allowInsecureClusterUrls)
      throw httpProblem('CLUSTER_URL_INSECURE', { name });
    const client = this.gateway.connect({
      server: row.server,
      insecureSkipTlsVerify: row.insecureSkipTlsVerify,
      ...secrets,
    });
    return { client, secrets, row };
  }

  private async record(
    name: string,
    outcome: ConnectionOutcome,
    networks?: DetectedNetworks,
  ): Promise<ClusterRow | undefined> {
    const row = await this.repository.recordConnection(name, {
      connection: outcome.state,
      connectionMessage: outcome.message,
      connectionCheckedAt: new Date(),
      ...(outcome.serverVersion ? { serverVersion: outcome.serverVersion } : {}),
      ...(networks
        ? {
            detectedPodCidrs: networks.podCIDRs,
            detectedServiceCidrs: networks.serviceCIDRs,
            networksDetectedAt: new Date(),
            networksDetectionMessage: networks.message,
          }
        : {}),
    });
    if (row && row.previousConnection !== row.connection)
      this.events?.emit('cluster.connection_changed', {
        cluster: name,
        previous: row.previousConnection,
        connection: row.connection,
        message: row.connectionMessage,
      });
    return row;
  }
}

/** What a detection found: the networks (null: unknown) and why something was not found. */
interface DetectedNetworks {
  podCIDRs: string[] | null;
  serviceCIDRs: string[] | null;
  message: string | null;
}

const uniqueSorted = (list: string[]): string[] | null =>
  list.length > 0 ? [...new Set(list)].sort() : null;

/**
 * Reads the cluster's pod networks (every node's spec.podCIDRs) and Service networks (the
 * ServiceCIDR objects of networking.k8s.io/v1), each within CONNECT_TIMEOUT_MS. What the
 * identity may not read, or the cluster does not have, stays unknown, with the reason.
 */
async function detectNetworks(client: KubeClient, secrets: string[]): Promise<DetectedNetworks> {
  const signal = () => AbortSignal.timeout(CONNECT_TIMEOUT_MS);
  const why: string[] = [];
  const read = async <T>(what: string, call: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof KubeApiError)) throw error;
      why.push(`${what}: ${safeErrorMessage(error, secrets)}`);
      return undefined;
    }
  };
  const nodes = await read('pod networks (list nodes)', () =>
    client.listNodes({ signal: signal() }),
  );
  const services = await read('Service networks (list ServiceCIDRs)', () =>
    client.listServiceCIDRs({ signal: signal() }),
  );
  const podCIDRs = nodes ? uniqueSorted(nodes.flatMap((n) => n.podCIDRs)) : null;
  if (nodes && !podCIDRs) why.push('pod networks: no node has spec.podCIDRs');
  const serviceCIDRs = services ? uniqueSorted(services) : null;
  if (services && !serviceCIDRs) why.push('Service networks: no ServiceCIDR object');
  return { podCIDRs, serviceCIDRs, message: why.length > 0 ? why.join('; ') : null };
}
