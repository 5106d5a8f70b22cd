import { Injectable } from '@nestjs/common';
import type { Problem } from '../../core/problems/problem.js';
import type { ClusterNetworks } from '../../core/compiler/scope-to-cluster.js';
import { ClusterConnector } from '../clusters/cluster-connector.service.js';
import { clusterNetworks } from '../clusters/cluster-networks.js';
import { DocumentCompiler } from './document-compiler.service.js';

/**
 * An answer already serialised as JSON (with its warnings, for the Warning headers), or a
 * value for the response interceptors (YAML).
 */
export type CompileAnswer = { json: string; warnings: Problem[] } | { answer: unknown };

/**
 * POST /v1/compile and /v1/compile/connectivity: compile (and evaluate) without storing
 * anything, cluster-independent or (`cluster`) as that cluster gets the objects. The whole
 * work, parse to serialised answer, runs in the compute pool.
 */
@Injectable()
export class CompileService {
  constructor(
    private readonly compiler: DocumentCompiler,
    private readonly clusters: ClusterConnector,
  ) {}

  /** `{items, warnings}`: the compiled objects; as data when the client asked for YAML. */
  async compile(body: unknown, yaml: boolean, cluster?: string): Promise<CompileAnswer> {
    return this.compiler.renderBody(
      body,
      'objects',
      yaml ? 'data' : 'json',
      await this.networks(cluster),
    );
  }

  /** The connectivity matrix of the compiled objects, with the warnings. */
  async connectivity(body: unknown, cluster?: string): Promise<CompileAnswer> {
    return this.compiler.renderBody(body, 'connectivity', 'json', await this.networks(cluster));
  }

  private async networks(cluster: string | undefined): Promise<ClusterNetworks | undefined> {
    return cluster ? clusterNetworks((await this.clusters.view(cluster)).networks) : undefined;
  }
}
