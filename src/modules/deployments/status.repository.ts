import { Inject, Injectable } from '@nestjs/common';
import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
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

/** What status shows of the policy's state on a cluster. */
export type StateColumns = Pick<
  PolicyClusterStateRow,
  'appliedRevision' | 'sync' | 'syncReason' | 'drift'
>;

/** A policy's status in one query: the policy, and each cluster it reached or is reaching. */
export interface PolicyStatusRows {
  policy: { name: string; latestRevision: number; deleting: boolean };
  clusters: {
    clusterName: string;
    state: StateColumns | null;
    connection: ConnectionColumns | null;
    operation: TargetSummary | null;
  }[];
}

const date = (v: unknown): Date | null =>
  v === null || v === undefined ? null : new Date(v as string);

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
  warnings: deploymentTargets.warnings,
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

  /**
   * Everything GET /v1/policies/{name}/status shows, in one round trip (the route is polled):
   * the policy, and for each cluster with a state or an operation of it, the state, the
   * cluster's connection and the latest operation without its outcomes. Undefined when there
   * is no such policy.
   */
  async policyStatus(name: string): Promise<PolicyStatusRows | undefined> {
    const result = await this.db.execute(sql`
      with pol as (
        select id, name, latest_revision, deleting from ${policies} where name = ${name}
      ),
      latest as (
        select distinct on (t.cluster_name)
          t.deployment_id, t.cluster_name, t.action, t.phase, t.attempt, t.next_retry_at,
          t.error, t.warnings, t.counts, t.started_at, t.finished_at, d.revision
        from ${deploymentTargets} t
        join ${deployments} d on d.id = t.deployment_id
        where d.policy_id = (select id from pol)
        order by t.cluster_name, d.created_at desc
      ),
      names as (
        select cluster_name from ${policyClusterState} where policy_id = (select id from pol)
        union
        select cluster_name from latest
      )
      select pol.name, pol.latest_revision, pol.deleting, n.cluster_name,
        s.policy_id is not null as has_state, s.applied_revision, s.sync, s.sync_reason, s.drift,
        c.name is not null as registered, c.connection, c.connection_message,
        c.connection_checked_at, c.server_version,
        l.deployment_id, l.action, l.phase, l.attempt, l.next_retry_at, l.error, l.warnings,
        l.counts,
        l.started_at, l.finished_at, l.revision
      from pol
      left join names n on true
      left join ${policyClusterState} s
        on s.policy_id = pol.id and s.cluster_name = n.cluster_name
      left join ${clusters} c on c.name = n.cluster_name
      left join latest l on l.cluster_name = n.cluster_name
      order by n.cluster_name collate "C"`);
    const rows = (result as unknown as { rows: Record<string, unknown>[] }).rows;
    if (rows.length === 0) return undefined;
    const [first] = rows;
    return {
      policy: {
        name: first.name as string,
        latestRevision: Number(first.latest_revision),
        deleting: Boolean(first.deleting),
      },
      clusters: rows
        .filter((r) => r.cluster_name !== null)
        .map((r) => ({
          clusterName: r.cluster_name as string,
          state: r.has_state
            ? {
                appliedRevision: r.applied_revision === null ? null : Number(r.applied_revision),
                sync: r.sync as StateColumns['sync'],
                syncReason: r.sync_reason as string | null,
                drift: r.drift,
              }
            : null,
          connection: r.registered
            ? {
                connection: r.connection as ConnectionColumns['connection'],
                connectionMessage: r.connection_message as string | null,
                connectionCheckedAt: date(r.connection_checked_at),
                serverVersion: r.server_version as string | null,
              }
            : null,
          operation:
            r.deployment_id === null
              ? null
              : {
                  deploymentId: r.deployment_id as string,
                  clusterName: r.cluster_name as string,
                  action: r.action as TargetSummary['action'],
                  phase: r.phase as TargetSummary['phase'],
                  attempt: Number(r.attempt),
                  nextRetryAt: date(r.next_retry_at),
                  error: r.error as string | null,
                  warnings: r.warnings as TargetSummary['warnings'],
                  counts: r.counts as Record<string, number>,
                  startedAt: date(r.started_at),
                  finishedAt: date(r.finished_at),
                  revision: Number(r.revision),
                },
        })),
    };
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
        ${after === undefined ? sql`` : sql`and (l.cluster_name collate "C", r.ord) > (${after.cluster}, ${after.position})`}
      order by l.cluster_name collate "C", r.ord
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
    // Names compare byte by byte ("C"), as the cursor and the clients' own sorting do.
    const policyName = sql`${policies.name} collate "C"`;
    const clusterName = sql`${policyClusterState.clusterName} collate "C"`;
    if (filter.after)
      conditions.push(
        sql`(${policyName}, ${clusterName}) > (${filter.after.policy}, ${filter.after.cluster})`,
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
          warnings: latest.warnings,
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
      .orderBy(asc(policyName), asc(clusterName))
      .limit(limit);
    return rows;
  }
}
