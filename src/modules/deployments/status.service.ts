import { Injectable } from '@nestjs/common';
import { httpProblem } from '../../common/http-problems.js';
import type {
  DeploymentTargetRow,
  PolicyClusterStateRow,
  SyncState,
} from '../../infra/database/schema.js';
import { ClusterConnector, type ClusterView } from '../clusters/cluster-connector.service.js';
import { PolicyReader } from '../policies/policy-reader.service.js';
import { DeploymentsRepository } from './deployments.repository.js';

function operationView(t: DeploymentTargetRow | undefined) {
  if (!t) return null;
  return {
    deploymentId: t.deploymentId,
    action: t.action,
    phase: t.phase,
    attempt: t.attempt,
    nextRetryAt: t.nextRetryAt,
    error: t.error,
    warnings: t.warnings,
    startedAt: t.startedAt,
    finishedAt: t.finishedAt,
  };
}

/**
 * What the operator sees. An unreachable or unauthorized cluster never reads as Synced: its
 * sync is Unknown until a call succeeds again, and a rollout in progress is OutOfSync.
 */
export function effectiveSync(
  state: PolicyClusterStateRow | undefined,
  connection: ClusterView['connection']['state'] | undefined,
  operation: DeploymentTargetRow | undefined,
): { sync: SyncState; reason: string | null } {
  if (connection === undefined) return { sync: 'Unknown', reason: 'ClusterNotRegistered' };
  if (connection === 'Unreachable' || connection === 'Unauthorized')
    return { sync: 'Unknown', reason: `Cluster${connection}` };
  if (operation && ['Queued', 'Running', 'Retrying'].includes(operation.phase))
    return { sync: 'OutOfSync', reason: 'Progressing' };
  if (!state) return { sync: 'Unknown', reason: 'NeverApplied' };
  return { sync: state.sync, reason: state.syncReason };
}

@Injectable()
export class StatusService {
  constructor(
    private readonly repo: DeploymentsRepository,
    private readonly policies: PolicyReader,
    private readonly clusters: ClusterConnector,
  ) {}

  async policyStatus(name: string) {
    const policy = await this.policies.mustFind(name);
    const [states, latest] = await Promise.all([
      this.repo.states(policy.id),
      this.repo.latestTargets(policy.id),
    ]);
    const names = [
      ...new Set([...states.map((s) => s.clusterName), ...latest.map((t) => t.clusterName)]),
    ].sort();
    const views = new Map((await this.clusters.views(names)).map((c) => [c.name, c]));
    const clusters = names.map((clusterName) => {
      const state = states.find((s) => s.clusterName === clusterName);
      const op = latest.find((t) => t.clusterName === clusterName);
      const cluster = views.get(clusterName);
      const { sync, reason } = effectiveSync(state, cluster?.connection.state, op);
      return {
        cluster: clusterName,
        connection: cluster?.connection ?? null,
        sync: { status: sync, reason, drift: state?.drift ?? null },
        operation: operationView(op),
        appliedRevision: state?.appliedRevision ?? null,
        resources: op?.resources ?? [],
      };
    });
    const summary: Record<string, number> = {};
    for (const c of clusters) {
      summary[c.sync.status] = (summary[c.sync.status] ?? 0) + 1;
      if (c.operation) summary[c.operation.phase] = (summary[c.operation.phase] ?? 0) + 1;
    }
    return {
      policy: policy.name,
      latestRevision: policy.latestRevision,
      deleting: policy.deleting,
      summary,
      clusters,
    };
  }

  async deployment(id: string) {
    const deployment = /^[0-9a-f-]{36}$/.test(id) ? await this.repo.findDeployment(id) : undefined;
    if (!deployment) throw httpProblem('DEPLOYMENT_NOT_FOUND', { id });
    const targets = await this.repo.listTargets(id);
    return {
      id: deployment.id,
      policy: deployment.policyName,
      revision: deployment.revision,
      kind: deployment.kind,
      createdAt: deployment.createdAt,
      finishedAt: deployment.finishedAt,
      clusters: targets.map((t) => ({
        cluster: t.clusterName,
        ...operationView(t),
        resources: t.resources,
        updatedAt: t.updatedAt,
      })),
    };
  }
}
