import { Inject, Injectable } from '@nestjs/common';
import { eq, inArray, sql, type SQL } from 'drizzle-orm';
import { MapsDatabaseErrors } from '../../infra/database/database-errors.js';
import { DATABASE } from '../../infra/database/database.module.js';
import { pgErrorCode, type Database, type DatabaseHandle } from '../../infra/database/database.js';
import { clusters, type ClusterRow, type ConnectionState } from '../../infra/database/schema.js';

export type NewClusterRow = Pick<
  typeof clusters.$inferInsert,
  | 'name'
  | 'server'
  | 'labels'
  | 'credentials'
  | 'insecureSkipTlsVerify'
  | 'podCidrs'
  | 'serviceCidrs'
>;

/** What a PATCH may change on a row. */
export type ClusterChanges = Partial<
  Pick<
    ClusterRow,
    | 'server'
    | 'labels'
    | 'credentials'
    | 'insecureSkipTlsVerify'
    | 'connection'
    | 'connectionMessage'
    | 'connectionCheckedAt'
    | 'serverVersion'
    | 'podCidrs'
    | 'serviceCidrs'
  >
>;

export interface ConnectionRecord {
  connection: ConnectionState;
  connectionMessage: string | null;
  connectionCheckedAt: Date;
  /** Left as stored when undefined. */
  serverVersion?: string | null;
  /** The networks found by a detection (left as stored when undefined). */
  detectedPodCidrs?: string[] | null;
  detectedServiceCidrs?: string[] | null;
  networksDetectedAt?: Date;
  networksDetectionMessage?: string | null;
}

// Byte order, so that the order (and the cursor) do not depend on the database's locale.
const byName: SQL = sql`${clusters.name} collate "C"`;

/** Database I/O of the clusters table; nothing else. */
@Injectable()
@MapsDatabaseErrors()
export class ClustersRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  private get db(): Database {
    return this.handle.db;
  }

  /** The new row, or null when a cluster of that name exists. */
  async insert(values: NewClusterRow): Promise<ClusterRow | null> {
    try {
      const [row] = await this.db.insert(clusters).values(values).returning();
      return row;
    } catch (err) {
      if (pgErrorCode(err) === '23505') return null;
      throw err;
    }
  }

  async findByName(name: string): Promise<ClusterRow | undefined> {
    const [row] = await this.db.select().from(clusters).where(eq(clusters.name, name)).limit(1);
    return row;
  }

  /** Up to `limit` rows sorted by name, starting after `after`. */
  async list(after: string | undefined, limit: number): Promise<ClusterRow[]> {
    return this.db
      .select()
      .from(clusters)
      .where(after === undefined ? undefined : sql`${byName} > ${after}`)
      .orderBy(byName)
      .limit(limit);
  }

  /**
   * Changes one row under a row lock: `change` sees the current row and returns the changes
   * (or throws, which rolls back). Undefined when the cluster does not exist.
   */
  async update(
    name: string,
    change: (row: ClusterRow) => ClusterChanges | Promise<ClusterChanges>,
  ): Promise<ClusterRow | undefined> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.select().from(clusters).where(eq(clusters.name, name)).for('update');
      if (!row) return undefined;
      const changes = await change(row);
      if (Object.keys(changes).length === 0) return row;
      const [updated] = await tx
        .update(clusters)
        .set(changes)
        .where(eq(clusters.name, name))
        .returning();
      return updated;
    });
  }

  /**
   * Stores the outcome of a connection attempt; `updatedAt` keeps telling when the configuration
   * last changed. The row comes back with the state it had before (read under its row lock), so
   * that a change of state is known exactly.
   */
  recordConnection(
    name: string,
    record: ConnectionRecord,
  ): Promise<(ClusterRow & { previousConnection: ConnectionState }) | undefined> {
    return this.db.transaction(async (tx) => {
      const [before] = await tx
        .select({ connection: clusters.connection })
        .from(clusters)
        .where(eq(clusters.name, name))
        .for('update');
      if (!before) return undefined;
      const [row] = await tx
        .update(clusters)
        .set({ ...record, updatedAt: sql`${clusters.updatedAt}` })
        .where(eq(clusters.name, name))
        .returning();
      return row && { ...row, previousConnection: before.connection };
    });
  }

  /** Whether a row was deleted. */
  async delete(name: string): Promise<boolean> {
    const rows = await this.db
      .delete(clusters)
      .where(eq(clusters.name, name))
      .returning({ name: clusters.name });
    return rows.length > 0;
  }

  /** Names of the clusters whose labels contain all of `matchLabels` (all clusters when it is empty), sorted. */
  async namesMatching(matchLabels: Record<string, string>): Promise<string[]> {
    const rows = await this.db
      .select({ name: clusters.name })
      .from(clusters)
      .where(sql`${clusters.labels} @> ${JSON.stringify(matchLabels)}::jsonb`)
      .orderBy(byName);
    return rows.map((r) => r.name);
  }

  /** The rows of those of `names` that are registered, sorted by name. */
  async findByNames(names: readonly string[]): Promise<ClusterRow[]> {
    if (names.length === 0) return [];
    return this.db
      .select()
      .from(clusters)
      .where(inArray(clusters.name, [...new Set(names)]))
      .orderBy(byName);
  }

  /** Those of `names` that are registered, sorted. */
  async existingNames(names: readonly string[]): Promise<string[]> {
    if (names.length === 0) return [];
    const rows = await this.db
      .select({ name: clusters.name })
      .from(clusters)
      .where(inArray(clusters.name, [...new Set(names)]))
      .orderBy(byName);
    return rows.map((r) => r.name);
  }
}
