import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { and, asc, count, eq, gt, notInArray, sql } from 'drizzle-orm';
import { attachPrincipal, type AuthPrincipal } from '../../common/auth/principal.js';
import type { Role } from '../../common/auth/roles.js';
import {
  digestOfStoredHash,
  digestsEqual,
  generateTokenSecret,
  hashSecret,
  parseApiTokens,
  parseBearer,
  secretDigest,
  type ConfiguredToken,
} from '../../common/auth/token-secret.js';
import { decodeCursor, DEFAULT_PAGE_SIZE, toPage, type Page } from '../../common/pagination.js';
import { httpProblem } from '../../common/http-problems.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { MapsDatabaseErrors } from '../../infra/database/database-errors.js';
import { DATABASE } from '../../infra/database/database.module.js';
import { pgErrorCode, type Database, type DatabaseHandle } from '../../infra/database/database.js';
import { apiTokens, type TokenSource } from '../../infra/database/schema.js';
import {
  AUTH_LOGGER,
  BOOTSTRAP_TOKEN_NAME,
  TOKEN_CACHE_RETRY_MS,
  TOKEN_CACHE_TTL_MS,
  type AuthLogger,
} from './auth.constants.js';
import { toDatabaseError } from '../../infra/database/database-errors.js';

interface CachedToken {
  name: string;
  role: Role;
  digest: Buffer;
}

/** A token as listed: never its secret, nor its hash. */
export interface TokenInfo {
  name: string;
  role: Role;
  source: TokenSource;
  createdAt: Date;
}

/** The answer to a creation: the only time the secret is shown. */
export interface CreatedToken {
  name: string;
  role: Role;
  token: string;
}

/**
 * The API tokens: synchronised from API_TOKENS and bootstrapped at start, managed through
 * /v1/tokens, and checked on every request against an in-memory copy of the table (reloaded
 * after each write in this process, and at most every 10 s so that processes agree).
 */
@Injectable()
@MapsDatabaseErrors()
export class ApiTokenService implements OnModuleInit {
  private cache: CachedToken[] = [];
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | undefined;
  private readonly identified = new WeakMap<object, Promise<AuthPrincipal | undefined>>();

  constructor(
    @Inject(DATABASE) private readonly handle: DatabaseHandle,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(AUTH_LOGGER) private readonly logger: AuthLogger,
  ) {}

  private get db(): Database {
    return this.handle.db;
  }

  async onModuleInit(): Promise<void> {
    const configured = parseApiTokens(this.config.apiTokens); // throws, naming no secret
    try {
      await this.syncConfigured(configured);
      if (configured.length === 0) await this.bootstrapIfEmpty();
      await this.reload();
    } catch (err) {
      throw toDatabaseError('Preparing the API tokens', err);
    }
  }

  /**
   * The principal of a request's bearer token, or undefined. Computed once per request (the
   * rate limiter and the guard both ask) and attached to the request for `principalOf`.
   */
  identify(req: {
    headers: Record<string, string | string[] | undefined>;
  }): Promise<AuthPrincipal | undefined> {
    let found = this.identified.get(req);
    if (!found) {
      found = this.resolve(req);
      this.identified.set(req, found);
    }
    return found;
  }

  private async resolve(req: {
    headers: Record<string, string | string[] | undefined>;
  }): Promise<AuthPrincipal | undefined> {
    const token = parseBearer(req.headers.authorization);
    if (!token) return undefined;
    const principal = await this.authenticate(token);
    if (principal) attachPrincipal(req, principal);
    return principal;
  }

  /** The token whose secret this is, compared in constant time against every known digest. */
  async authenticate(secret: string): Promise<AuthPrincipal | undefined> {
    await this.ensureFresh();
    const digest = secretDigest(secret);
    let match: CachedToken | undefined;
    for (const token of this.cache) {
      // No early exit: the time taken does not tell which entry matched.
      if (digestsEqual(token.digest, digest) && !match) match = token;
    }
    return match && { tokenName: match.name, role: match.role };
  }

  async create(name: string, role: Role): Promise<CreatedToken> {
    const token = generateTokenSecret();
    try {
      await this.db
        .insert(apiTokens)
        .values({ name, role, secretHash: hashSecret(token), source: 'api' });
    } catch (err) {
      if (pgErrorCode(err) === '23505') {
        throw httpProblem('TOKEN_EXISTS', { name });
      }
      throw toDatabaseError('Storing the token', err);
    }
    await this.reload();
    return { name, role, token };
  }

  async list(limit = DEFAULT_PAGE_SIZE, cursor?: string): Promise<Page<TokenInfo>> {
    const after = decodeCursor(cursor, 'string');
    const rows = await this.db
      .select({
        name: apiTokens.name,
        role: apiTokens.role,
        source: apiTokens.source,
        createdAt: apiTokens.createdAt,
      })
      .from(apiTokens)
      .where(typeof after === 'string' ? gt(apiTokens.name, after) : undefined)
      .orderBy(asc(apiTokens.name))
      .limit(limit + 1);
    return toPage(rows, limit, (r) => r.name);
  }

  /** Revokes a token at once in this process (other processes within 10 s). The last admin token stays. */
  async delete(name: string): Promise<void> {
    const deleted = await this.db
      .delete(apiTokens)
      .where(
        and(
          eq(apiTokens.name, name),
          sql`(${apiTokens.role} <> 'admin' or exists (select 1 from api_tokens other where other.role = 'admin' and other.name <> ${name}))`,
        ),
      )
      .returning({ name: apiTokens.name });
    if (deleted.length === 0) {
      const [exists] = await this.db
        .select({ name: apiTokens.name })
        .from(apiTokens)
        .where(eq(apiTokens.name, name));
      if (exists) {
        throw httpProblem('LAST_ADMIN_TOKEN', { name });
      }
      throw httpProblem('TOKEN_NOT_FOUND', { name });
    }
    await this.reload();
  }

  /** Upserts the API_TOKENS entries (source env) and removes env tokens no longer configured. */
  private async syncConfigured(configured: ConfiguredToken[]): Promise<void> {
    const names = configured.map((t) => t.name);
    const removed = await this.db.transaction(async (tx) => {
      for (const t of configured) {
        const secretHash = hashSecret(t.secret);
        await tx
          .insert(apiTokens)
          .values({ name: t.name, role: t.role, secretHash, source: 'env' })
          .onConflictDoUpdate({
            target: apiTokens.name,
            set: { role: t.role, secretHash, source: 'env' },
          });
      }
      return tx
        .delete(apiTokens)
        .where(
          and(
            eq(apiTokens.source, 'env'),
            names.length > 0 ? notInArray(apiTokens.name, names) : undefined,
          ),
        )
        .returning({ name: apiTokens.name });
    });
    if (configured.length > 0)
      this.logger.log(`API_TOKENS: ${configured.length} token(s) in effect: ${names.join(', ')}`);
    if (removed.length > 0) {
      this.logger.log(
        `API_TOKENS: removed ${removed.length} token(s) no longer configured: ${removed.map((r) => r.name).join(', ')}`,
      );
    }
  }

  /** With no token at all, creates `bootstrap-admin` and prints its secret once. */
  private async bootstrapIfEmpty(): Promise<void> {
    const secret = generateTokenSecret();
    const created = await this.db.transaction(async (tx) => {
      const [{ n }] = await tx.select({ n: count() }).from(apiTokens);
      if (n > 0) return false;
      const rows = await tx
        .insert(apiTokens)
        .values({
          name: BOOTSTRAP_TOKEN_NAME,
          role: 'admin',
          secretHash: hashSecret(secret),
          source: 'bootstrap',
        })
        .onConflictDoNothing() // another process bootstrapped at the same moment: it prints, we do not
        .returning({ name: apiTokens.name });
      return rows.length > 0;
    });
    if (!created) return;
    // The one place a secret is ever logged, by design: nobody could use the API otherwise.
    // On a line of its own, so that it stands out and copies cleanly.
    this.logger.warn(
      `No API token existed, so the admin token "${BOOTSTRAP_TOKEN_NAME}" was created. Store it now, it will not be shown again:\n\n` +
        `    ${secret}\n\n` +
        'Then create named tokens with POST /v1/tokens and delete this one, or configure API_TOKENS.',
    );
  }

  private async ensureFresh(): Promise<void> {
    if (Date.now() - this.loadedAt < TOKEN_CACHE_TTL_MS) return;
    this.loading ??= this.reload()
      .catch((err: unknown) => {
        // Keep the tokens we know (availability); try again shortly. Never the driver's message.
        this.loadedAt = Date.now() - TOKEN_CACHE_TTL_MS + TOKEN_CACHE_RETRY_MS;
        this.logger.warn(
          `Could not refresh the API tokens from the database (${pgErrorCode(err) ?? 'no SQLSTATE'}); using the cached ones`,
        );
      })
      .finally(() => {
        this.loading = undefined;
      });
    await this.loading;
  }

  private async reload(): Promise<void> {
    const rows = await this.db
      .select({ name: apiTokens.name, role: apiTokens.role, secretHash: apiTokens.secretHash })
      .from(apiTokens);
    this.cache = rows.flatMap((r) => {
      const digest = digestOfStoredHash(r.secretHash);
      return digest ? [{ name: r.name, role: r.role, digest }] : [];
    });
    this.loadedAt = Date.now();
  }
}
