import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { desc, lt } from 'drizzle-orm';
import { decodeCursor, DEFAULT_PAGE_SIZE, toPage, type Page } from '../../common/pagination.js';
import { MapsDatabaseErrors } from '../../infra/database/database-errors.js';
import { DATABASE } from '../../infra/database/database.module.js';
import { pgErrorCode, type DatabaseHandle } from '../../infra/database/database.js';
import { auditLog, type AuditLogRow } from '../../infra/database/schema.js';
import type { AuditEntry } from './audit-entry.js';

/**
 * The audit log of writes. Rows are inserted after the answer is sent, so that recording never
 * delays or fails a request; a failed insert is logged (by SQLSTATE only) and dropped.
 */
@Injectable()
@MapsDatabaseErrors()
export class AuditService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditService.name);
  private readonly pending = new Set<Promise<void>>();

  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  /** Records an entry in the background. */
  record(entry: AuditEntry): void {
    const write = this.insert(entry).finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  /** Resolves when every entry recorded so far is written (tests; shutdown). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  /** Newest first. */
  async list(limit = DEFAULT_PAGE_SIZE, cursor?: string): Promise<Page<AuditLogRow>> {
    const before = decodeCursor(cursor, 'number');
    const rows = await this.handle.db
      .select()
      .from(auditLog)
      .where(before !== undefined ? lt(auditLog.id, before) : undefined)
      .orderBy(desc(auditLog.id))
      .limit(limit + 1);
    return toPage(rows, limit, (r) => r.id);
  }

  private async insert(entry: AuditEntry): Promise<void> {
    try {
      await this.handle.db.insert(auditLog).values(entry);
    } catch (err) {
      this.logger.error(
        `Could not record the audit entry ${entry.method} ${entry.route} -> ${entry.status} (${pgErrorCode(err) ?? 'no SQLSTATE'})`,
      );
    }
  }
}
