import { Inject, Injectable, Optional } from '@nestjs/common';
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { SyncState } from '../../core/reconcile/settle-target.js';
import type { TargetPlan } from '../../core/reconcile/targets.js';
import { MapsDatabaseErrors } from '../../infra/database/database-errors.js';
import { DATABASE } from '../../infra/database/database.module.js';
import type { Database, DatabaseHandle } from '../../infra/database/database.js';
import { DomainEvents } from '../../infra/events/domain-events.js';
import {
  deployments,
  deploymentTargets,
  policies,
  policyClusterState,
  type DeploymentKind,
  type DeploymentRow,
  type DeploymentTargetRow,
  type PolicyClusterStateRow,
  type PolicyRow,
  type TargetPhase,
} from '../../infra/database/schema.js';

export const UNFINISHED_PHASES: TargetPhase[] = ['Queued', 'Running', 'Retrying'];
export const FINISHED_PHASES: TargetPhase[] = ['Succeeded', 'Failed', 'Superseded'];

/** A deployment as created, with its targets. */
export interface NewDeployment {
  deployment: DeploymentRow;
  targets: DeploymentTargetRow[];
}

/** A target with what status shows of its deployment. */
export type LatestTarget = DeploymentTargetRow & {
  revision: number;
  kind: DeploymentKind;
  createdAt: Date;
};

/** Database I/O of the deployments aggregate: deployments, their per-cluster targets, and each policy's state per cluster. */
@Injectable()
@MapsDatabaseErrors()
export class DeploymentsRepository {
  constructor(
    @Inject(DATABASE) private readonly handle: DatabaseHandle,
    @Optional() private readonly events?: DomainEvents,
  ) {}

  private get db(): Database {
    return this.handle.db;
  }

  /** Creates a deployment of an existing revision (sync, delete, a newly matching cluster). */
  createDeployment(
    policy: PolicyRow,
    revision: number,
    kind: DeploymentKind,
    targets: TargetPlan[],
  ): Promise<NewDeployment> {
    return this.db.transaction(async (tx) => {
      await tx
        .select({ id: policies.id })
        .from(policies)
        .where(eq(policies.id, policy.id))
        .for('update');
      if (kind === 'delete')
        await tx.update(policies).set({ deleting: true }).where(eq(policies.id, policy.id));
      return this.insertDeployment(tx, policy, revision, kind, targets);
    });
  }

  /**
   * Inserts a deployment with its targets in the caller's transaction (which holds the
   * policy's row lock), and marks every target cluster Progressing.
   */
  async insertDeployment(
    tx: Database,
    policy: PolicyRow,
    revision: number,
    kind: DeploymentKind,
    plan: TargetPlan[],
  ): Promise<NewDeployment> {
    const policyId = policy.id;
    // clock_timestamp(), not now(): now() is when the transaction began, and transactions may
    // get the policy's row lock in another order; deployments must be ordered as locked.
    const [deployment] = await tx
      .insert(deployments)
      .values({
        policyId,
        policyName: policy.name,
        revision,
        kind,
        createdAt: sql`clock_timestamp()`,
      })
      .returning();
    const targets =
      plan.length === 0
        ? []
        : await tx
            .insert(deploymentTargets)
            .values(
              plan.map((t) => ({
                deploymentId: deployment.id,
                clusterName: t.clusterName,
                action: t.action,
                phase: 'Queued' as const,
              })),
            )
            .returning();
    if (plan.length === 0)
      await tx
        .update(deployments)
        .set({ finishedAt: new Date() })
        .where(eq(deployments.id, deployment.id));
    // A cluster we are about to touch is remembered, so that a later revision prunes it
    // even if this rollout never finishes.
    for (const t of plan) {
      await tx
        .insert(policyClusterState)
        .values({
          policyId,
          clusterName: t.clusterName,
          sync: 'OutOfSync',
          syncReason: 'Progressing',
        })
        .onConflictDoUpdate({
          target: [policyClusterState.policyId, policyClusterState.clusterName],
          set: { sync: 'OutOfSync', syncReason: 'Progressing' },
        });
    }
    return { deployment, targets };
  }

  findDeployment(id: string): Promise<DeploymentRow | undefined> {
    return this.db.query.deployments.findFirst({ where: eq(deployments.id, id) });
  }

  listTargets(deploymentId: string): Promise<DeploymentTargetRow[]> {
    return this.db
      .select()
      .from(deploymentTargets)
      .where(eq(deploymentTargets.deploymentId, deploymentId))
      .orderBy(asc(deploymentTargets.clusterName));
  }

  /** The targets' phases only (what the event stream polls), not their outcomes. */
  listTargetPhases(
    deploymentId: string,
  ): Promise<Pick<DeploymentTargetRow, 'clusterName' | 'phase' | 'attempt' | 'error'>[]> {
    return this.db
      .select({
        clusterName: deploymentTargets.clusterName,
        phase: deploymentTargets.phase,
        attempt: deploymentTargets.attempt,
        error: deploymentTargets.error,
      })
      .from(deploymentTargets)
      .where(eq(deploymentTargets.deploymentId, deploymentId))
      .orderBy(asc(deploymentTargets.clusterName));
  }

  findTarget(deploymentId: string, clusterName: string): Promise<DeploymentTargetRow | undefined> {
    return this.db.query.deploymentTargets.findFirst({
      where: and(
        eq(deploymentTargets.deploymentId, deploymentId),
        eq(deploymentTargets.clusterName, clusterName),
      ),
    });
  }

  /** Every target whose job may still have to run (for the reconcile after a Redis loss). */
  unfinishedTargets(): Promise<DeploymentTargetRow[]> {
    return this.db
      .select()
      .from(deploymentTargets)
      .where(inArray(deploymentTargets.phase, UNFINISHED_PHASES));
  }

  /** Unfinished targets of older deployments of this policy on these clusters. */
  async olderUnfinishedTargets(
    newerThan: DeploymentRow,
    clusterNames: string[],
  ): Promise<DeploymentTargetRow[]> {
    const policyId = newerThan.policyId;
    if (clusterNames.length === 0 || !policyId) return [];
    const rows = await this.db
      .select({ target: deploymentTargets })
      .from(deploymentTargets)
      .innerJoin(deployments, eq(deployments.id, deploymentTargets.deploymentId))
      .where(
        and(
          eq(deployments.policyId, policyId),
          // Compared in SQL: a JS Date has milliseconds, the column has microseconds.
          sql`${deployments.createdAt} < (select d.created_at from deployments d where d.id = ${newerThan.id})`,
          inArray(deploymentTargets.clusterName, clusterNames),
          inArray(deploymentTargets.phase, ['Queued', 'Retrying']),
        ),
      );
    return rows.map((r) => r.target);
  }

  /** True when a deployment of this policy newer than `deployment` targets this cluster. */
  async hasNewerDeployment(deployment: DeploymentRow, clusterName: string): Promise<boolean> {
    if (!deployment.policyId) return false;
    const rows = await this.db
      .select({ id: deployments.id })
      .from(deployments)
      .innerJoin(deploymentTargets, eq(deploymentTargets.deploymentId, deployments.id))
      .where(
        and(
          eq(deployments.policyId, deployment.policyId),
          sql`${deployments.createdAt} > (select d.created_at from deployments d where d.id = ${deployment.id})`,
          eq(deploymentTargets.clusterName, clusterName),
        ),
      )
      .limit(1);
    return rows.length > 0;
  }

  async updateTarget(
    deploymentId: string,
    clusterName: string,
    patch: Partial<
      Pick<
        DeploymentTargetRow,
        | 'phase'
        | 'attempt'
        | 'nextRetryAt'
        | 'error'
        | 'resources'
        | 'counts'
        | 'startedAt'
        | 'finishedAt'
        | 'warnings'
      >
    >,
  ): Promise<void> {
    await this.db
      .update(deploymentTargets)
      .set(patch)
      .where(
        and(
          eq(deploymentTargets.deploymentId, deploymentId),
          eq(deploymentTargets.clusterName, clusterName),
        ),
      );
    this.events?.targetUpdated(deploymentId, clusterName, patch);
  }

  /** Marks a deployment finished when none of its targets can still change. Returns true when it did. */
  async finishDeploymentIfDone(deploymentId: string): Promise<boolean> {
    const open = await this.db
      .select({ c: sql<number>`count(*)::int` })
      .from(deploymentTargets)
      .where(
        and(
          eq(deploymentTargets.deploymentId, deploymentId),
          inArray(deploymentTargets.phase, UNFINISHED_PHASES),
        ),
      );
    if (open[0].c > 0) return false;
    const done = await this.db
      .update(deployments)
      .set({ finishedAt: new Date() })
      .where(and(eq(deployments.id, deploymentId), isNull(deployments.finishedAt)))
      .returning();
    if (done.length > 0) this.events?.emit('deployment.finished', { deploymentId });
    return done.length > 0;
  }

  /** The policy's state on every cluster it reached (in the caller's transaction when given). */
  states(policyId: string, tx: Database = this.db): Promise<PolicyClusterStateRow[]> {
    return tx
      .select()
      .from(policyClusterState)
      .where(eq(policyClusterState.policyId, policyId))
      .orderBy(asc(policyClusterState.clusterName));
  }

  findState(policyId: string, clusterName: string): Promise<PolicyClusterStateRow | undefined> {
    return this.db.query.policyClusterState.findFirst({
      where: and(
        eq(policyClusterState.policyId, policyId),
        eq(policyClusterState.clusterName, clusterName),
      ),
    });
  }

  statesForCluster(clusterName: string): Promise<PolicyClusterStateRow[]> {
    return this.db
      .select()
      .from(policyClusterState)
      .where(eq(policyClusterState.clusterName, clusterName));
  }

  async saveState(
    policyId: string,
    clusterName: string,
    state: {
      appliedRevision?: number | null;
      appliedHash?: string | null;
      sync: SyncState;
      syncReason: string | null;
      drift?: unknown;
    },
  ): Promise<void> {
    await this.db
      .insert(policyClusterState)
      .values({ policyId, clusterName, ...state })
      .onConflictDoUpdate({
        target: [policyClusterState.policyId, policyClusterState.clusterName],
        set: state,
      });
  }

  async deleteState(policyId: string, clusterName: string): Promise<void> {
    await this.db
      .delete(policyClusterState)
      .where(
        and(
          eq(policyClusterState.policyId, policyId),
          eq(policyClusterState.clusterName, clusterName),
        ),
      );
  }

  /** The latest target of each cluster for this policy (what `status` shows as the operation). */
  async latestTargets(policyId: string): Promise<LatestTarget[]> {
    const rows = await this.db
      .select({
        target: deploymentTargets,
        revision: deployments.revision,
        kind: deployments.kind,
        createdAt: deployments.createdAt,
      })
      .from(deploymentTargets)
      .innerJoin(deployments, eq(deployments.id, deploymentTargets.deploymentId))
      .where(eq(deployments.policyId, policyId))
      .orderBy(desc(deployments.createdAt));
    const seen = new Set<string>();
    const out: LatestTarget[] = [];
    for (const r of rows) {
      if (seen.has(r.target.clusterName)) continue;
      seen.add(r.target.clusterName);
      out.push({ ...r.target, revision: r.revision, kind: r.kind, createdAt: r.createdAt });
    }
    return out;
  }

  /**
   * Drift: records a check's outcome on one cluster unless a rollout started since the check
   * read the state (a new deployment marks it Progressing without taking the rollout lock).
   * Returns false when nothing was written.
   */
  async recordDriftCheck(
    policyId: string,
    clusterName: string,
    state: { sync: SyncState; syncReason: string | null; drift: unknown },
  ): Promise<boolean> {
    const rows = await this.db
      .update(policyClusterState)
      .set(state)
      .where(
        and(
          eq(policyClusterState.policyId, policyId),
          eq(policyClusterState.clusterName, clusterName),
          sql`${policyClusterState.syncReason} IS DISTINCT FROM 'Progressing'`,
        ),
      )
      .returning({ clusterName: policyClusterState.clusterName });
    return rows.length > 0;
  }
}
