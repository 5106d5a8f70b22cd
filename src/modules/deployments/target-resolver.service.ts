import { Injectable } from '@nestjs/common';
import { httpProblem } from '../../common/http-problems.js';
import type { PolicyTargets } from '../../core/reconcile/targets.js';
import { ClusterConnector } from '../clusters/cluster-connector.service.js';

/** Turns a revision's targets into the registered clusters they name today. */
@Injectable()
export class TargetResolver {
  constructor(private readonly clusters: ClusterConnector) {}

  /** Registered named clusters and selector matches (`resolved`), and named ones not registered (`unknown`). */
  async resolveNames(targets: PolicyTargets): Promise<{ resolved: string[]; unknown: string[] }> {
    const names = new Set<string>();
    let unknown: string[] = [];
    if (targets.clusters?.length) {
      const existing = new Set(await this.clusters.existingNames(targets.clusters));
      unknown = targets.clusters.filter((c) => !existing.has(c));
      for (const c of targets.clusters) if (existing.has(c)) names.add(c);
    }
    if (targets.clusterSelector)
      for (const c of await this.clusters.namesMatching(targets.clusterSelector)) names.add(c);
    return { resolved: [...names].sort(), unknown };
  }

  /** Like resolveNames, but a named cluster that is not registered is a 400 naming its path. */
  async resolve(targets: PolicyTargets): Promise<string[]> {
    const { resolved, unknown } = await this.resolveNames(targets);
    if (unknown.length > 0) {
      throw httpProblem(
        'UNKNOWN_CLUSTER',
        { names: unknown },
        {
          errors: unknown.map((c) => ({
            path: `/targets/clusters/${targets.clusters!.indexOf(c)}`,
            code: 'UNKNOWN_CLUSTER',
            message: `cluster ${c} is not registered`,
          })),
        },
      );
    }
    return resolved;
  }
}
