import { Injectable } from '@nestjs/common';
import { DEFAULT_PAGE_SIZE, type Page } from '../../common/pagination.js';
import { httpProblem } from '../../common/http-problems.js';
import type { PolicyClusterStateRow, SyncState } from '../../infra/database/schema.js';
import { connectionView } from '../clusters/cluster-view.js';
import type { ClusterView } from '../clusters/cluster-connector.service.js';
import { PolicyReader } from '../policies/policy-reader.service.js';
import { DeploymentsRepository } from './deployments.repository.js';
import type { FleetStatusQueryDto, StatusResourcesQueryDto } from './dto/status-query.dto.js';
import { decodeStatusCursor, encodeStatusCursor } from './status-cursor.js';
import {
  StatusRepository,
  type ConnectionColumns,
  type OutcomeRow,
  type StateColumns,
  type TargetSummary,
} from './status.repository.js';

function operationView(t: TargetSummary | undefined | null) {
  if (!t) return null;
  return {
    deploymentId: t.deploymentId,
    revision: t.revision,
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
  state: Pick<PolicyClusterStateRow, 'sync' | 'syncReason'> | undefined,
  connection: ClusterView['connection']['state'] | undefined,
  operation: Pick<TargetSummary, 'phase'> | undefined | null,
): { sync: SyncState; reason: string | null } {
  if (connection === undefined) return { sync: 'Unknown', reason: 'ClusterNotRegistered' };
  if (connection === 'Unreachable' || connection === 'Unauthorized')
    return { sync: 'Unknown', reason: `Cluster${connection}` };
  if (operation && ['Queued', 'Running', 'Retrying'].includes(operation.phase))
    return { sync: 'OutOfSync', reason: 'Progressing' };
  if (!state) return { sync: 'Unknown', reason: 'NeverApplied' };
  return { sync: state.sync, reason: state.syncReason };
}

/** One policy on one cluster, as status and the fleet view show it: no per-object outcomes. */
function pairView(
  clusterName: string,
  state: StateColumns | undefined,
  connection: ConnectionColumns | null | undefined,
  op: TargetSummary | null | undefined,
) {
  const { sync, reason } = effectiveSync(state, connection?.connection, op);
  return {
    cluster: clusterName,
    connection: connection ? connectionView(connection) : null,
    sync: { status: sync, reason, drift: state?.drift ?? null },
    operation: operationView(op),
    appliedRevision: state?.appliedRevision ?? null,
    /** How many objects the latest operation left in each outcome (created, updated, ...). */
    counts: op?.counts ?? {},
  };
}

/** Scanned per query while the fleet view looks for rows in the asked sync state. */
const FLEET_BATCH = 500;

/** Status answers, from the database only (never a call to a cluster). */
@Injectable()
export class StatusService {
  constructor(
    private readonly repo: DeploymentsRepository,
    private readonly status: StatusRepository,
    private readonly policies: PolicyReader,
  ) {}

  /**
   * GET /v1/policies/{name}/status: per cluster, connection, sync, the latest operation and
   * the count of objects per outcome; the outcomes themselves are paged (policyResources).
   */
  async policyStatus(name: string) {
    const found = await this.status.policyStatus(name);
    if (!found) throw httpProblem('POLICY_NOT_FOUND', { name });
    const { policy } = found;
    const clusters = found.clusters.map((c) =>
      pairView(c.clusterName, c.state ?? undefined, c.connection, c.operation),
    );
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

  /** GET /v1/policies/{name}/status/resources: the latest operation's per-object outcomes, paged. */
  async policyResources(name: string, query: StatusResourcesQueryDto): Promise<Page<Outcome>> {
    const after = decodeStatusCursor(query.cursor, ['string', 'number'] as const);
    const policy = await this.policies.mustFind(name);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.status.outcomes(
      policy.id,
      {
        cluster: query.cluster,
        action: query.action,
        after: after && { cluster: after[0], position: after[1] },
      },
      limit + 1,
    );
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(({ position: _p, ...o }) => o),
      ...(rows.length > limit
        ? { nextCursor: encodeStatusCursor([last.cluster, last.position]) }
        : {}),
    };
  }

  /**
   * GET /v1/status: every policy × cluster pair, by policy then cluster, filtered. The sync
   * filter applies to the sync status shows (effectiveSync), so it is applied here, on batches
   * read in key order, until the page is full.
   */
  async fleet(query: FleetStatusQueryDto) {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const cursor = decodeStatusCursor(query.cursor, ['string', 'string'] as const);
    let after = cursor && { policy: cursor[0], cluster: cursor[1] };
    const items: (ReturnType<typeof pairView> & { policy: string; latestRevision: number })[] = [];
    for (;;) {
      const batch = query.sync ? Math.max(FLEET_BATCH, limit + 1) : limit + 1;
      const rows = await this.status.fleet(
        { policy: query.policy, cluster: query.cluster, phase: query.phase, after },
        batch,
      );
      for (const r of rows) {
        const view = pairView(r.state.clusterName, r.state, r.connection, r.operation);
        if (query.sync && view.sync.status !== query.sync) continue;
        items.push({ policy: r.policy, latestRevision: r.latestRevision, ...view });
        if (items.length > limit) break;
      }
      if (items.length > limit || rows.length < batch) break;
      const last = rows[rows.length - 1];
      after = { policy: last.policy, cluster: last.state.clusterName };
    }
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page,
      ...(items.length > limit
        ? { nextCursor: encodeStatusCursor([last.policy, last.cluster]) }
        : {}),
    };
  }

  /** A deployment's phase per cluster, without outcomes (what the event stream polls). */
  async deploymentProgress(id: string) {
    const deployment = /^[0-9a-f-]{36}$/.test(id) ? await this.repo.findDeployment(id) : undefined;
    if (!deployment) throw httpProblem('DEPLOYMENT_NOT_FOUND', { id });
    const targets = await this.repo.listTargetPhases(id);
    return {
      id: deployment.id,
      finishedAt: deployment.finishedAt,
      clusters: targets.map((t) => ({
        cluster: t.clusterName,
        phase: t.phase,
        attempt: t.attempt,
        error: t.error,
      })),
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
        deploymentId: t.deploymentId,
        action: t.action,
        phase: t.phase,
        attempt: t.attempt,
        nextRetryAt: t.nextRetryAt,
        error: t.error,
        startedAt: t.startedAt,
        finishedAt: t.finishedAt,
        counts: t.counts,
        resources: t.resources,
        updatedAt: t.updatedAt,
      })),
    };
  }
}

/** One per-object outcome of a page of GET /v1/policies/{name}/status/resources. */
export type Outcome = Omit<OutcomeRow, 'position'>;
