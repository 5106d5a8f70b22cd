import { Inject, Injectable } from '@nestjs/common';
import { asc, sql } from 'drizzle-orm';
import { MapsDatabaseErrors } from '../database/database-errors.js';
import { DATABASE } from '../database/database.module.js';
import type { DatabaseHandle } from '../database/database.js';
import { installation } from '../database/schema.js';

/** The one row of `installation`: the id of this installation, which its database defines. */
@Injectable()
@MapsDatabaseErrors()
export class InstallationRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  /** This installation's id, created on the first start (once, also when processes start together). */
  async installationId(): Promise<string> {
    return this.handle.db.transaction(async (tx) => {
      // Serialises concurrent first starts on one PostgreSQL: one inserts, the others read it.
      await tx.execute(sql`lock table ${installation} in share row exclusive mode`);
      const [row] = await tx
        .select({ id: installation.id })
        .from(installation)
        .orderBy(asc(installation.createdAt), asc(installation.id))
        .limit(1);
      if (row) return row.id;
      const [created] = await tx.insert(installation).values({}).returning({ id: installation.id });
      return created.id;
    });
  }
}
