import { Inject, Injectable } from '@nestjs/common';
import { and, asc, desc, eq, gt, sql } from 'drizzle-orm';
import type { NetworkPolicy } from '../../core/kube/network-policy.types.js';
import type { PolicyTargets } from '../../core/reconcile/targets.js';
import { MapsDatabaseErrors } from '../../infra/database/database-errors.js';
import { DATABASE } from '../../infra/database/database.module.js';
import type { Database, DatabaseHandle } from '../../infra/database/database.js';
import {
  policies,
  revisions,
  type PolicyRow,
  type RevisionRow,
} from '../../infra/database/schema.js';

export interface NewRevision {
  document: unknown;
  targets: PolicyTargets;
  objects: NetworkPolicy[];
  contentHash: string;
  /** The connectivity view (or its refusal), computed once and stored with the revision. */
  connectivity?: unknown;
}

/** The result of storing a POST: the revision, and what `onStored` returned when one was created. */
export type StoreResult<T> =
  | { created: true; policy: PolicyRow; revision: RevisionRow; stored: T }
  | { created: false; policy: PolicyRow; revision: RevisionRow };

/** Database I/O of the policies aggregate: policies and their revisions. */
@Injectable()
@MapsDatabaseErrors()
export class PoliciesRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  private get db(): Database {
    return this.handle.db;
  }

  async findPolicy(name: string): Promise<PolicyRow | undefined> {
    return this.db.query.policies.findFirst({ where: eq(policies.name, name) });
  }

  async findPolicyById(id: string): Promise<PolicyRow | undefined> {
    return this.db.query.policies.findFirst({ where: eq(policies.id, id) });
  }

  async listPolicies(limit: number, after?: string): Promise<PolicyRow[]> {
    return this.db
      .select()
      .from(policies)
      .where(after ? gt(policies.name, after) : undefined)
      .orderBy(asc(policies.name))
      .limit(limit);
  }

  async allPolicies(): Promise<PolicyRow[]> {
    return this.db.select().from(policies).orderBy(asc(policies.name));
  }

  async findRevision(policyId: string, number: number): Promise<RevisionRow | undefined> {
    return this.db.query.revisions.findFirst({
      where: and(eq(revisions.policyId, policyId), eq(revisions.number, number)),
    });
  }

  async listRevisions(policyId: string, limit: number, before?: number): Promise<RevisionRow[]> {
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
   * Stores a new revision unless the latest one has the same content hash, all in one
   * transaction with what `onStored` writes (the deployment). The policy row is locked first,
   * so concurrent POSTs for one policy (from any number of API processes) get consecutive
   * revision numbers.
   */
  async storeRevision<T>(
    name: string,
    selfHeal: boolean | undefined,
    revision: NewRevision,
    onStored: (tx: Database, policy: PolicyRow, revision: RevisionRow) => Promise<T>,
  ): Promise<StoreResult<T>> {
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
          created: false as const,
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
      return {
        created: true as const,
        policy: updated,
        revision: stored,
        stored: await onStored(tx, updated, stored),
      };
    });
  }

  /** Stores the connectivity view of a revision stored before it was computed at creation. */
  async saveConnectivity(policyId: string, number: number, connectivity: unknown): Promise<void> {
    await this.db
      .update(revisions)
      .set({ connectivity })
      .where(and(eq(revisions.policyId, policyId), eq(revisions.number, number)));
  }

  /** Marks the policy as being deleted, in the caller's transaction. */
  async markDeleting(tx: Database, policyId: string): Promise<void> {
    await tx.update(policies).set({ deleting: true }).where(eq(policies.id, policyId));
  }

  async deletePolicy(policyId: string): Promise<void> {
    await this.db.delete(policies).where(eq(policies.id, policyId));
  }
}
