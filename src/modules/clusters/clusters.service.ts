import { Inject, Injectable } from '@nestjs/common';
import {
  DEFAULT_PAGE_SIZE,
  decodeCursor,
  toPage,
  type Page,
  type PageQueryDto,
} from '../../common/pagination.js';
import { httpProblem } from '../../common/http-problems.js';
import { invalidRequest } from '../../common/validation.pipe.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import type { SecretBox } from '../../infra/crypto/secret-box.js';
import type { ClusterRow } from '../../infra/database/schema.js';
import { KubeApiError, type KubeClient } from '../../infra/kube/index.js';
import {
  labelProblems,
  resolveRegistration,
  resolveUpdate,
  secretStrings,
  touchesConnection,
  type InputOptions,
} from './cluster-input.js';
import { ClusterConnector } from './cluster-connector.service.js';
import { checkNetworksInput } from './cluster-networks.js';
import { SECRET_BOX, sealSecrets, tryOpenSecrets } from './cluster-secrets.js';
import { toClusterView, type ClusterView } from './cluster-view.js';
import { CONNECT_TIMEOUT_MS, safeErrorMessage } from './connection-state.js';
import { ClustersRepository, type ClusterChanges } from './clusters.repository.js';
import {
  CHECKED_VERBS,
  type ClusterCheckDto,
  type NamespaceCheckDto,
} from './dto/cluster-check.dto.js';
import type { CheckClusterDto } from './dto/check-cluster.dto.js';
import type { CreateClusterDto } from './dto/create-cluster.dto.js';
import type { UpdateClusterDto } from './dto/update-cluster.dto.js';

/** Namespaces examined at once by a check (each costs six API calls). */
const CHECK_CONCURRENCY = 5;

/** The /v1/clusters use cases. */
@Injectable()
export class ClustersService {
  constructor(
    private readonly repository: ClustersRepository,
    private readonly connector: ClusterConnector,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get inputOptions(): InputOptions {
    return {
      allowInsecureClusterUrls: this.config.allowInsecureClusterUrls,
      allowLinkLocalClusterUrls: this.config.allowLinkLocalClusterUrls,
    };
  }

  /** Validates, stores (credentials sealed) and checks the connection. */
  async create(dto: CreateClusterDto): Promise<ClusterView> {
    const resolved = resolveRegistration(dto, this.inputOptions);
    const networks = checkNetworksInput(dto);
    const errors = [
      ...(resolved.ok ? [] : resolved.errors),
      ...labelProblems(dto.labels ?? {}),
      ...(networks.ok ? [] : networks.errors),
    ];
    if (!resolved.ok || !networks.ok || errors.length > 0) throw invalidRequest(errors);
    const { server, insecureSkipTlsVerify, secrets } = resolved.value;
    const row = await this.repository.insert({
      name: dto.name,
      server,
      insecureSkipTlsVerify,
      labels: dto.labels ?? {},
      credentials: sealSecrets(this.box, dto.name, secrets),
      podCidrs: networks.value.podCIDRs ?? null,
      serviceCidrs: networks.value.serviceCIDRs ?? null,
    });
    if (!row) throw httpProblem('CLUSTER_EXISTS', { name: dto.name });
    return (await this.connector.checkConnection(dto.name)).cluster;
  }

  async list(query: PageQueryDto): Promise<Page<ClusterView>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 'string');
    const rows = await this.repository.list(after, limit + 1);
    const page = toPage(rows, limit, (row) => row.name);
    const items = page.items.map((row) => this.view(row));
    return page.nextCursor ? { items, nextCursor: page.nextCursor } : { items };
  }

  async get(name: string): Promise<ClusterView> {
    const row = await this.repository.findByName(name);
    if (!row) throw httpProblem('CLUSTER_NOT_FOUND', { name });
    return this.view(row);
  }

  /** Changes labels and/or the connection; a changed connection is checked before answering. */
  async update(name: string, dto: UpdateClusterDto): Promise<ClusterView> {
    const recheck = touchesConnection(dto);
    const row = await this.repository.update(name, (current) => {
      const errors = dto.labels !== undefined ? labelProblems(dto.labels) : [];
      const changes: ClusterChanges = {};
      if (recheck) {
        const secrets = tryOpenSecrets(this.box, current.name, current.credentials) ?? {};
        const resolved = resolveUpdate(
          { server: current.server, insecureSkipTlsVerify: current.insecureSkipTlsVerify, secrets },
          dto,
          this.inputOptions,
        );
        if (!resolved.ok) {
          errors.push(...resolved.errors);
        } else {
          const next = resolved.value;
          Object.assign(changes, {
            server: next.server,
            insecureSkipTlsVerify: next.insecureSkipTlsVerify,
            credentials: sealSecrets(this.box, current.name, next.secrets),
            connection: 'Unknown',
            connectionMessage: null,
            connectionCheckedAt: null,
            ...(next.server !== current.server ? { serverVersion: null } : {}),
          } satisfies ClusterChanges);
        }
      }
      const networks = checkNetworksInput(dto);
      if (!networks.ok) errors.push(...networks.errors);
      else {
        if (networks.value.podCIDRs !== undefined) changes.podCidrs = networks.value.podCIDRs;
        if (networks.value.serviceCIDRs !== undefined)
          changes.serviceCidrs = networks.value.serviceCIDRs;
      }
      if (errors.length > 0) throw invalidRequest(errors);
      if (dto.labels !== undefined) changes.labels = dto.labels;
      return changes;
    });
    if (!row) throw httpProblem('CLUSTER_NOT_FOUND', { name });
    if (recheck) return (await this.connector.checkConnection(name)).cluster;
    return this.view(row);
  }

  /** Removes the cluster's registration (404 when there is none). */
  async remove(name: string): Promise<void> {
    if (!(await this.repository.delete(name))) throw httpProblem('CLUSTER_NOT_FOUND', { name });
  }

  /** The secrets of a registered cluster, to scrub from any message about it. */
  async secretsOf(name: string): Promise<string[]> {
    const row = await this.repository.findByName(name);
    return row ? secretStrings(tryOpenSecrets(this.box, row.name, row.credentials)) : [];
  }

  /** Connects (storing the connection state) and asks the API server what these credentials may do. */
  async check(name: string, dto: CheckClusterDto): Promise<ClusterCheckDto> {
    const { client, cluster } = await this.connector.checkConnection(name);
    const { connection } = cluster;
    if (connection.state !== 'Reachable') return { connection, namespaces: [] };
    const namespaces: NamespaceCheckDto[] = [];
    try {
      const requested = dto.namespaces ?? [];
      for (let i = 0; i < requested.length; i += CHECK_CONCURRENCY) {
        const batch = requested.slice(i, i + CHECK_CONCURRENCY);
        namespaces.push(...(await Promise.all(batch.map((ns) => checkNamespace(client, ns)))));
      }
    } catch (error) {
      await this.connector.recordConnectionFailure(name, error);
      throw httpProblem('CLUSTER_CHECK_FAILED', { name, message: safeErrorMessage(error) });
    }
    return { connection, serverVersion: connection.serverVersion, namespaces };
  }

  private view(row: ClusterRow): ClusterView {
    return toClusterView(row, tryOpenSecrets(this.box, row.name, row.credentials));
  }
}

async function checkNamespace(client: KubeClient, namespace: string): Promise<NamespaceCheckDto> {
  const signal = AbortSignal.timeout(CONNECT_TIMEOUT_MS);
  const exists = client.namespaceExists(namespace, { signal }).catch((error: unknown) => {
    if (error instanceof KubeApiError && error.kind === 'forbidden') return null;
    throw error;
  });
  const allowed = Promise.all(
    CHECKED_VERBS.map((verb) =>
      client.selfSubjectAccessReview(
        { namespace, verb, group: 'networking.k8s.io', resource: 'networkpolicies' },
        { signal },
      ),
    ),
  );
  const [found, verdicts] = await Promise.all([exists, allowed]);
  const permissions = { get: false, list: false, create: false, patch: false, delete: false };
  CHECKED_VERBS.forEach((verb, i) => (permissions[verb] = verdicts[i]));
  return {
    namespace,
    exists: found,
    permissions,
    missing: CHECKED_VERBS.filter((verb) => !permissions[verb]).map(
      (verb) => `networkpolicies/${verb}`,
    ),
  };
}
