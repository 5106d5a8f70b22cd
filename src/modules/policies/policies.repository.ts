import { Inject, Injectable } from '@nestjs/common';
import { and, asc, desc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { NetworkPolicy } from '../../core/kube/network-policy.types.js';
import { DATABASE } from '../../infra/database/database.module.js';
import type { Database, DatabaseHandle } from '../../infra/database/database.js';
import {
  deployments,
  deploymentTargets,
  policies,
  policyClusterState,
  revisions,
  type DeploymentKind,
  type DeploymentRow,
  type DeploymentTargetRow,
  type PolicyClusterStateRow,
  type PolicyRow,
  type PolicyTargets,
  type ResourceOutcome,
  type RevisionRow,
  type SyncState,
  type TargetAction,
  type TargetPhase,
} from '../../infra/database/schema.js';

export const UNFINISHED_PHASES: TargetPhase[] = ['Queued', 'Running', 'Retrying'];
export const FINISHED_PHASES: TargetPhase[] = ['Succeeded', 'Failed', 'Superseded'];

export interface NewRevision {
  document: unknown;
  targets: PolicyTargets;
  objects: NetworkPolicy[];
  contentHash: string;
}

export interface TargetPlan {
  clusterName: string;
  action: TargetAction;
}

/** The result of storing a POST: the revision, and the deployment when one was created. */
export type StoreResult =
  | {
      created: true;
      policy: PolicyRow;
      revision: RevisionRow;
      deployment: DeploymentRow;
      targets: DeploymentTargetRow[];
    }
  | { created: false; policy: PolicyRow; revision: RevisionRow };

/** All database I/O of policies, revisions, deployments and per-cluster state. */
@Injectable()
export class PoliciesRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  private get db(): Database {
    return this.handle.db;
  }

  findPolicy(name: string): Promise<PolicyRow | undefined> {
    return this.db.query.policies.findFirst({ where: eq(policies.name, name) });
  }

  listPolicies(limit: number, after?: string): Promise<PolicyRow[]> {
    return this.db
      .select()
      .from(policies)
      .where(after ? gt(policies.name, after) : undefined)
      .orderBy(asc(policies.name))
      .limit(limit);
  }

  allPolicies(): Promise<PolicyRow[]> {
    return this.db.select().from(policies).orderBy(asc(policies.name));
  }

  findRevision(policyId: string, number: number): Promise<RevisionRow | undefined> {
    return this.db.query.revisions.findFirst({
      where: and(eq(revisions.policyId, policyId), eq(revisions.number, number)),
    });
  }

  listRevisions(policyId: string, limit: number, before?: number): Promise<RevisionRow[]> {
    return this.db
      .select()
      .from(revisions)
      .where(
        and(
          eq(revisions.policyId, policyId),
          before !== undefined ? sql`${revisions.number} < ${before}` : undefined,
        ),
      )
      .orderBy(desc(revisions.number))
      .limit(limit);
  }

  /**
   * Stores a new revision unless the latest one has the same content hash, and creates its
   * deployment, all in one transaction. The policy row is locked first, so concurrent POSTs
   * for one policy (from any number of API processes) get consecutive revision numbers.
   */
  storeRevision(
    name: string,
    selfHeal: boolean | undefined,
    revision: NewRevision,
    planTargets: (previous: PolicyClusterStateRow[]) => TargetPlan[],
  ): Promise<StoreResult> {
    return this.db.transaction(async (tx) => {
      await tx
        .insert(policies)
        .values({ name, selfHeal: selfHeal ?? false })
        .onConflictDoNothing({ target: policies.name });
      const [policy] = await tx
        .select()
        .from(policies)
        .where(eq(policies.name, name))
        .for('update');
      const latest = policy.latestRevision
        ? await tx.query.revisions.findFirst({
            where: and(
              eq(revisions.policyId, policy.id),
              eq(revisions.number, policy.latestRevision),
            ),
          })
        : undefined;
      if (latest && latest.contentHash === revision.contentHash && !policy.deleting) {
        if (selfHeal !== undefined && selfHeal !== policy.selfHeal) {
          await tx.update(policies).set({ selfHeal }).where(eq(policies.id, policy.id));
        }
        return {
          created: false,
          policy: { ...policy, selfHeal: selfHeal ?? policy.selfHeal },
          revision: latest,
        };
      }
      const number = policy.latestRevision + 1;
      const [updated] = await tx
        .update(policies)
        .set({
          latestRevision: number,
          deleting: false,
          ...(selfHeal !== undefined ? { selfHeal } : {}),
        })
        .where(eq(policies.id, policy.id))
        .returning();
      const [stored] = await tx
        .insert(revisions)
        .values({ policyId: policy.id, number, ...revision })
        .returning();
      const previous = await tx
        .select()
        .from(policyClusterState)
        .where(eq(policyClusterState.policyId, policy.id));
      const { deployment, targets } = await this.insertDeployment(
        tx,
        policy,
        number,
        'apply',
        planTargets(previous),
      );
      return { created: true, policy: updated, revision: stored, deployment, targets };
    });
  }

  /** Creates a deployment of an existing revision (sync, delete, a newly matching cluster). */
  createDeployment(
    policy: PolicyRow,
    revision: number,
    kind: DeploymentKind,
    targets: TargetPlan[],
  ): Promise<{ deployment: DeploymentRow; targets: DeploymentTargetRow[] }> {
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

  private async insertDeployment(
    tx: Database,
    policy: PolicyRow,
    revision: number,
    kind: DeploymentKind,
    plan: TargetPlan[],
  ) {
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
        'phase' | 'attempt' | 'nextRetryAt' | 'error' | 'resources' | 'startedAt' | 'finishedAt'
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
    return done.length > 0;
  }

  states(policyId: string): Promise<PolicyClusterStateRow[]> {
    return this.db
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

  async deletePolicy(policyId: string): Promise<void> {
    await this.db.delete(policies).where(eq(policies.id, policyId));
  }

  findPolicyById(id: string): Promise<PolicyRow | undefined> {
    return this.db.query.policies.findFirst({ where: eq(policies.id, id) });
  }

  /** The latest target of each cluster for this policy (what `status` shows as the operation). */
  async latestTargets(
    policyId: string,
  ): Promise<
    (DeploymentTargetRow & { revision: number; kind: DeploymentKind; createdAt: Date })[]
  > {
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
    const out: (DeploymentTargetRow & {
      revision: number;
      kind: DeploymentKind;
      createdAt: Date;
    })[] = [];
    for (const r of rows) {
      if (seen.has(r.target.clusterName)) continue;
      seen.add(r.target.clusterName);
      out.push({ ...r.target, revision: r.revision, kind: r.kind, createdAt: r.createdAt });
    }
    return out;
  }

  async recordResources(
    deploymentId: string,
    clusterName: string,
    resources: ResourceOutcome[],
  ): Promise<void> {
    await this.updateTarget(deploymentId, clusterName, { resources });
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
