import { Inject, Injectable } from '@nestjs/common';
import { eq } from 'drizzle-orm';
import { MapsDatabaseErrors } from '../../infra/database/database-errors.js';
import { DATABASE } from '../../infra/database/database.module.js';
import type { DatabaseHandle } from '../../infra/database/database.js';
import { policies, policyClusterState, type SyncState } from '../../infra/database/schema.js';

/** The database reads of a scrape. */
@Injectable()
@MapsDatabaseErrors()
export class MetricsRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  /** Every (policy, cluster) pair the policy reached or targets, with its sync state. */
  syncStates(): Promise<{ policy: string; cluster: string; sync: SyncState }[]> {
    return this.handle.db
      .select({
        policy: policies.name,
        cluster: policyClusterState.clusterName,
        sync: policyClusterState.sync,
      })
      .from(policyClusterState)
      .innerJoin(policies, eq(policies.id, policyClusterState.policyId));
  }
}
