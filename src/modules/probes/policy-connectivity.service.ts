import { Injectable } from '@nestjs/common';
import type { ConnectivityMatrix } from '../../core/connectivity/connectivity-matrix.js';
import type { Problem } from '../../core/problems/problem.js';
import { answerConnectivity, DocumentCompiler } from '../compile/document-compiler.service.js';
import { ClusterConnector } from '../clusters/cluster-connector.service.js';
import { clusterNetworks } from '../clusters/cluster-networks.js';
import { PoliciesRepository } from '../policies/policies.repository.js';
import { PolicyReader } from '../policies/policy-reader.service.js';

/**
 * The connectivity of a stored policy: the view stored with its latest revision (computed once,
 * when the revision was stored; for an older revision, computed now and stored).
 */
@Injectable()
export class PolicyConnectivityService {
  constructor(
    private readonly reader: PolicyReader,
    private readonly policies: PoliciesRepository,
    private readonly compiler: DocumentCompiler,
    private readonly clusters: ClusterConnector,
  ) {}

  async connectivity(
    name: string,
    cluster?: string,
  ): Promise<ConnectivityMatrix & { warnings: Problem[]; policy: string; revision: number }> {
    const policy = await this.reader.mustFind(name);
    const revision = await this.reader.latestOf(policy);
    if (!revision) throw this.reader.noRevision(name);
    if (cluster) {
      const view = await this.clusters.view(cluster);
      const matrix = await this.compiler.clusterConnectivity(
        name,
        revision,
        clusterNetworks(view.networks),
      );
      return { policy: policy.name, revision: revision.number, ...matrix };
    }
    const { stored, computed } = await this.compiler.storedConnectivity(name, revision);
    if (computed) await this.policies.saveConnectivity(policy.id, revision.number, stored);
    return { policy: policy.name, revision: revision.number, ...answerConnectivity(stored) };
  }
}
