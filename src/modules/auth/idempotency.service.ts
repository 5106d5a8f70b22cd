import { Inject, Injectable, Logger } from '@nestjs/common';
import { and, eq, lt, sql } from 'drizzle-orm';
import { MapsDatabaseErrors } from '../../infra/database/database-errors.js';
import { DATABASE } from '../../infra/database/database.module.js';
import { pgErrorCode, type Database, type DatabaseHandle } from '../../infra/database/database.js';
import type { SecretBox } from '../../infra/crypto/secret-box.js';
import { idempotencyKeys } from '../../infra/database/schema.js';

/** Injection token of the SecretBox that seals stored answers (they may hold a new token's secret). */
export const IDEMPOTENCY_BOX = Symbol('IDEMPOTENCY_BOX');

/** `status` of a placeholder row: the first request is still running. */
const PENDING = 0;
/** How long an answer is kept and replayed. */
const RETENTION = sql.raw(`interval '24 hours'`);
/** A placeholder older than this belongs to a process that died: another request may take it over. */
const ABANDONED = sql.raw(`interval '5 minutes'`);
const PRUNE_EVERY_MS = 10 * 60_000;

export interface IdempotentRequest {
  tokenName: string;
  key: string;
  method: string;
  path: string;
  requestHash: string;
}

/** An answer exactly as it was sent. */
export interface StoredAnswer {
  status: number;
  contentType: string;
  body: string;
  encoding: 'utf8' | 'base64';
  /** The Location header of a 201/202, if any. */
  location?: string;
}

export type IdempotencyClaim =
  | { kind: 'new' }
  | { kind: 'replay'; answer: StoredAnswer }
  | { kind: 'mismatch' }
  | { kind: 'in-progress' };

/**
 * The idempotency_keys table. A first request claims its key by inserting a placeholder (the
 * primary key (token, key) lets one request win); its answer replaces the placeholder, or, for
 * a 5xx, the placeholder is removed so that a retry runs again. Answers are sealed with the
 * SecretBox: the answer to POST /v1/tokens holds a secret that must not rest in clear.
 */
@Injectable()
@MapsDatabaseErrors()
export class IdempotencyService {
  private readonly logger = new Logger(IdempotencyService.name);
  private lastPrune = 0;

  constructor(
    @Inject(DATABASE) private readonly handle: DatabaseHandle,
    @Inject(IDEMPOTENCY_BOX) private readonly box: SecretBox,
  ) {}

  private get db(): Database {
    return this.handle.db;
  }

  async claim(r: IdempotentRequest): Promise<IdempotencyClaim> {
    this.pruneNowAndThen();
    for (let attempt = 0; attempt < 3; attempt++) {
      const inserted = await this.db
        .insert(idempotencyKeys)
        .values({ ...r, status: PENDING, response: {} })
        .onConflictDoNothing()
        .returning({ key: idempotencyKeys.key });
      if (inserted.length > 0) return { kind: 'new' };
      const [row] = await this.db
        .select({
          requestHash: idempotencyKeys.requestHash,
          status: idempotencyKeys.status,
          response: idempotencyKeys.response,
          expired: sql<boolean>`${idempotencyKeys.createdAt} < now() - ${RETENTION}`,
          abandoned: sql<boolean>`${idempotencyKeys.createdAt} < now() - ${ABANDONED}`,
        })
        .from(idempotencyKeys)
        .where(this.byKey(r));
      if (!row) continue; // the first attempt failed (5xx) and let go of the key meanwhile
      if (row.expired) {
        await this.db
          .delete(idempotencyKeys)
          .where(and(this.byKey(r), sql`${idempotencyKeys.createdAt} < now() - ${RETENTION}`));
        continue;
      }
      if (row.requestHash !== r.requestHash) return { kind: 'mismatch' };
      if (row.status !== PENDING) return { kind: 'replay', answer: this.unseal(r, row.response) };
      if (row.abandoned) {
        const taken = await this.db
          .update(idempotencyKeys)
          .set({ createdAt: sql`now()` })
          .where(
            and(
              this.byKey(r),
              eq(idempotencyKeys.status, PENDING),
              sql`${idempotencyKeys.createdAt} < now() - ${ABANDONED}`,
            ),
          )
          .returning({ key: idempotencyKeys.key });
        if (taken.length > 0) return { kind: 'new' };
      }
      return { kind: 'in-progress' };
    }
    return { kind: 'in-progress' };
  }

  /** Stores the first answer (2xx-4xx), for replay. */
  async complete(r: IdempotentRequest, answer: StoredAnswer): Promise<void> {
    await this.db
      .update(idempotencyKeys)
      .set({
        status: answer.status,
        response: { sealed: this.box.seal(JSON.stringify(answer), this.aad(r)) },
      })
      .where(and(this.byKey(r), eq(idempotencyKeys.status, PENDING)));
  }

  /** Lets go of the key (after a 5xx): the next retry runs the request again. */
  async release(r: IdempotentRequest): Promise<void> {
    await this.db
      .delete(idempotencyKeys)
      .where(and(this.byKey(r), eq(idempotencyKeys.status, PENDING)));
  }

  private unseal(r: IdempotentRequest, response: unknown): StoredAnswer {
    const sealed = (response as { sealed?: unknown } | null)?.sealed;
    if (typeof sealed !== 'string') throw new Error('stored idempotent answer has no sealed body');
    return JSON.parse(this.box.open(sealed, this.aad(r))) as StoredAnswer;
  }

  private aad(r: IdempotentRequest): string {
    return `idempotency:${r.tokenName}:${r.key}`;
  }

  private byKey(r: IdempotentRequest) {
    return and(eq(idempotencyKeys.tokenName, r.tokenName), eq(idempotencyKeys.key, r.key));
  }

  private pruneNowAndThen(): void {
    const now = Date.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    this.db
      .delete(idempotencyKeys)
      .where(lt(idempotencyKeys.createdAt, sql`now() - ${RETENTION}`))
      .then(
        () => undefined,
        (err: unknown) =>
          this.logger.warn(
            `Could not prune old idempotency keys (${pgErrorCode(err) ?? 'no SQLSTATE'})`,
          ),
      );
  }
}
