import { Inject, Injectable } from '@nestjs/common';
import { and, asc, desc, eq, gt, inArray, or, sql, type SQL } from 'drizzle-orm';
import { MapsDatabaseErrors } from '../../infra/database/database-errors.js';
import { DATABASE } from '../../infra/database/database.module.js';
import type { Database, DatabaseHandle } from '../../infra/database/database.js';
import {
  clusters,
  deployments,
  deploymentTargets,
  policies,
  policyClusterState,
  type ClusterRow,
  type DeploymentTargetRow,
  type PolicyClusterStateRow,
  type TargetPhase,
} from '../../infra/database/schema.js';

/** A target as status shows it: everything but its per-object outcomes (paged separately). */
export type TargetSummary = Omit<DeploymentTargetRow, 'resources' | 'updatedAt'> & {
  revision: number;
};

/** The connection columns of a cluster row (null: the cluster is not registered any more). */
export type ConnectionColumns = Pick<
  ClusterRow,
  'connection' | 'connectionMessage' | 'connectionCheckedAt' | 'serverVersion'
>;

/** One policy × cluster pair of the fleet, with what its status answer needs. */
export interface FleetRow {
  policy: string;
  latestRevision: number;
  deleting: boolean;
  state: PolicyClusterStateRow;
  connection: ConnectionColumns | null;
  operation: TargetSummary | null;
}

/** One per-object outcome of the latest operation of a policy on a cluster, with its place. */
export interface OutcomeRow {
  cluster: string;
  /** 1-based position in the operation's (sorted) outcomes. */
  position: number;
  namespace: string;
  name: string;
  action: string;
  message?: string;
}

const targetSummaryColumns = {
  deploymentId: deploymentTargets.deploymentId,
  clusterName: deploymentTargets.clusterName,
  action: deploymentTargets.action,
  phase: deploymentTargets.phase,
  attempt: deploymentTargets.attempt,
  nextRetryAt: deploymentTargets.nextRetryAt,
  error: deploymentTargets.error,
  counts: deploymentTargets.counts,
  startedAt: deploymentTargets.startedAt,
  finishedAt: deploymentTargets.finishedAt,
  revision: deployments.revision,
};

const connectionColumns = {
  connection: clusters.connection,
  connectionMessage: clusters.connectionMessage,
  connectionCheckedAt: clusters.connectionCheckedAt,
  serverVersion: clusters.serverVersion,
};

/**
 * The read side of status (GET /v1/policies/{name}/status[/resources], GET /v1/status): a few
 * indexed queries per answer, never the per-object outcomes unless they are asked for. The
 * clusters table is only read, for the connection state a status shows.
 */
@Injectable()
@MapsDatabaseErrors()
export class StatusRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  private get db(): Database {
    return this.handle.db;
  }

  /** The policy's state on each cluster it reached, with the cluster's connection. */
  states(
    policyId: string,
  ): Promise<{ state: PolicyClusterStateRow; connection: ConnectionColumns | null }[]> {
    return this.db
      .select({ state: policyClusterState, connection: connectionColumns })
      .from(policyClusterState)
      .leftJoin(clusters, eq(clusters.name, policyClusterState.clusterName))
      .where(eq(policyClusterState.policyId, policyId))
      .orderBy(asc(policyClusterState.clusterName));
  }

  /** The latest target of each cluster for this policy, without its outcomes. */
  latestTargets(policyId: string): Promise<TargetSummary[]> {
    return this.db
      .selectDistinctOn([deploymentTargets.clusterName], targetSummaryColumns)
      .from(deploymentTargets)
      .innerJoin(deployments, eq(deployments.id, deploymentTargets.deploymentId))
      .where(eq(deployments.policyId, policyId))
      .orderBy(asc(deploymentTargets.clusterName), desc(deployments.createdAt));
  }

  /** The connection columns of these clusters (absent: not registered). */
  async connections(names: string[]): Promise<Map<string, ConnectionColumns>> {
    if (names.length === 0) return new Map();
    const rows = await this.db
      .select({ name: clusters.name, ...connectionColumns })
      .from(clusters)
      .where(inArray(clusters.name, names));
    return new Map(rows.map(({ name, ...c }) => [name, c]));
  }

  /**
   * A page of the latest operation's per-object outcomes of a policy, by cluster then position
   * (the outcomes are stored sorted by namespace and name), after `after`, at most `limit`.
   */
  async outcomes(
    policyId: string,
    filter: { cluster?: string; action?: string; after?: { cluster: string; position: number } },
    limit: number,
  ): Promise<OutcomeRow[]> {
    const { cluster, action, after } = filter;
    const result = await this.db.execute(sql`
      with latest as (
        select distinct on (t.cluster_name) t.deployment_id, t.cluster_name
        from ${deploymentTargets} t
        join ${deployments} d on d.id = t.deployment_id
        where d.policy_id = ${policyId}
          ${cluster === undefined ? sql`` : sql`and t.cluster_name = ${cluster}`}
        order by t.cluster_name, d.created_at desc
      )
      select l.cluster_name as cluster, r.ord::int as position, r.value as outcome
      from latest l
      join ${deploymentTargets} t
        on t.deployment_id = l.deployment_id and t.cluster_name = l.cluster_name
      cross join lateral jsonb_array_elements(t.resources) with ordinality as r(value, ord)
      where true
        ${action === undefined ? sql`` : sql`and r.value->>'action' = ${action}`}
        ${after === undefined ? sql`` : sql`and (l.cluster_name, r.ord) > (${after.cluster}, ${after.position})`}
      order by l.cluster_name, r.ord
      limit ${limit}`);
    return (
      result as unknown as {
        rows: {
          cluster: string;
          position: number;
          outcome: Omit<OutcomeRow, 'cluster' | 'position'>;
        }[];
      }
    ).rows.map((r) => ({ cluster: r.cluster, position: Number(r.position), ...r.outcome }));
  }

  /**
   * A page of the fleet: every policy × cluster pair a policy is on (or being rolled out to),
   * by policy then cluster name, after `after`, at most `limit`, with its latest operation.
   */
  async fleet(
    filter: {
      policy?: string;
      cluster?: string;
      phase?: TargetPhase;
      after?: { policy: string; cluster: string };
    },
    limit: number,
  ): Promise<FleetRow[]> {
    const latest = this.db
      .select(targetSummaryColumns)
      .from(deployments)
      .innerJoin(
        deploymentTargets,
        and(
          eq(deploymentTargets.deploymentId, deployments.id),
          eq(deploymentTargets.clusterName, policyClusterState.clusterName),
        ),
      )
      .where(eq(deployments.policyId, policyClusterState.policyId))
      .orderBy(desc(deployments.createdAt))
      .limit(1)
      .as('latest');
    const conditions: SQL[] = [];
    if (filter.policy !== undefined) conditions.push(eq(policies.name, filter.policy));
    if (filter.cluster !== undefined)
      conditions.push(eq(policyClusterState.clusterName, filter.cluster));
    if (filter.phase !== undefined) conditions.push(eq(latest.phase, filter.phase));
    if (filter.after)
      conditions.push(
        or(
          gt(policies.name, filter.after.policy),
          and(
            eq(policies.name, filter.after.policy),
            gt(policyClusterState.clusterName, filter.after.cluster),
          ),
        )!,
      );
    const rows = await this.db
      .select({
        policy: policies.name,
        latestRevision: policies.latestRevision,
        deleting: policies.deleting,
        state: policyClusterState,
        connection: connectionColumns,
        operation: {
          deploymentId: latest.deploymentId,
          clusterName: latest.clusterName,
          action: latest.action,
          phase: latest.phase,
          attempt: latest.attempt,
          nextRetryAt: latest.nextRetryAt,
          error: latest.error,
          counts: latest.counts,
          startedAt: latest.startedAt,
          finishedAt: latest.finishedAt,
          revision: latest.revision,
        },
      })
      .from(policyClusterState)
      .innerJoin(policies, eq(policies.id, policyClusterState.policyId))
      .leftJoin(clusters, eq(clusters.name, policyClusterState.clusterName))
      .leftJoinLateral(latest, sql`true`)
      .where(and(...conditions))
      .orderBy(asc(policies.name), asc(policyClusterState.clusterName))
      .limit(limit);
    return rows;
  }
}
