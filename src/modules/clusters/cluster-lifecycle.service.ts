import { Injectable, Logger } from '@nestjs/common';
import { httpProblem } from '../../common/http-problems.js';
import { DeploymentsService } from '../deployments/deployments.service.js';
import type { ClusterView } from './cluster-view.js';
import { ClustersService } from './clusters.service.js';
import { safeErrorMessage } from './connection-state.js';
import type { CheckClusterDto } from './dto/check-cluster.dto.js';
import type { ClusterCheckDto } from './dto/cluster-check.dto.js';
import type { CreateClusterDto } from './dto/create-cluster.dto.js';
import type { UpdateClusterDto } from './dto/update-cluster.dto.js';

/**
 * The cluster use cases that reach into deployments: a registration deploys every policy
 * whose selector matches the new cluster, and a removal with prune first has the worker remove
 * every object of ours from it. Lives in the API module, above both the clusters and the
 * deployments modules, so neither calls back into the other.
 */
@Injectable()
export class ClusterLifecycleService {
  private readonly logger = new Logger(ClusterLifecycleService.name);

  constructor(
    private readonly clusters: ClustersService,
    private readonly deployments: DeploymentsService,
  ) {}

  /** Registers the cluster, then deploys matching policies; that failing is logged, never surfaced. */
  async register(dto: CreateClusterDto): Promise<ClusterView> {
    const cluster = await this.clusters.create(dto);
    try {
      await this.deployments.deployToNewCluster(cluster);
    } catch (error) {
      this.logger.warn(
        `deploying matching policies to new cluster ${dto.name} failed: ${safeErrorMessage(error, await this.clusters.secretsOf(dto.name))}`,
      );
    }
    return cluster;
  }

  /**
   * Changes a cluster; when that changes the networks its objects are compiled with (PATCH of
   * podCIDRs/serviceCIDRs, or a new detection), every policy it holds is applied again.
   */
  async update(name: string, dto: UpdateClusterDto): Promise<ClusterView> {
    const before = await this.clusters.get(name);
    return this.redeployIfNetworksChanged(before, await this.clusters.update(name, dto));
  }

  /** Checks the connection and permissions (detecting the networks again), as ClustersService.check. */
  async check(name: string, dto: CheckClusterDto): Promise<ClusterCheckDto> {
    const before = await this.clusters.get(name);
    const result = await this.clusters.check(name, dto);
    await this.redeployIfNetworksChanged(before, await this.clusters.get(name));
    return result;
  }

  private async redeployIfNetworksChanged(
    before: ClusterView,
    after: ClusterView,
  ): Promise<ClusterView> {
    const used = (v: ClusterView) => JSON.stringify([v.networks.podCIDRs, v.networks.serviceCIDRs]);
    if (used(before) !== used(after)) {
      const policies = await this.deployments.redeployCluster(after.name);
      if (policies.length > 0)
        this.logger.log(
          { cluster: after.name, policies },
          'the cluster networks changed: its policies are applied again',
        );
    }
    return after;
  }

  /** Removes the cluster; with `prune`, its objects must be removed first (else 502, nothing removed). */
  async remove(name: string, prune: boolean): Promise<void> {
    if (prune) {
      await this.clusters.get(name); // 404 before anything is queued
      try {
        await this.deployments.pruneCluster(name);
      } catch (error) {
        const message = safeErrorMessage(error, await this.clusters.secretsOf(name));
        this.logger.warn(`pruning cluster ${name} failed: ${message}`);
        throw httpProblem('CLUSTER_PRUNE_FAILED', { name, message });
      }
    }
    await this.clusters.remove(name);
  }
}
