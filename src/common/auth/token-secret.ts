import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isRole, ROLES, type Role } from './roles.js';

/** Prefix of generated tokens, so that secret scanners and people recognise them. */
export const TOKEN_PREFIX = 'gbpn_';

/** Token names: short, plain, safe in URLs, logs and audit rows. */
export const TOKEN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** API_TOKENS secrets: at least this long (generated ones are 48 characters). */
export const MIN_SECRET_LENGTH = 16;
export const MAX_SECRET_LENGTH = 512;

const HASH_SCHEME = 'sha256';
const DIGEST_BYTES = 32;

/** A new secret: `gbpn_` + 32 random bytes in base64url (256 bits of entropy). */
export function generateTokenSecret(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** The SHA-256 digest of a secret (what authentication compares). */
export function secretDigest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/**
 * What `api_tokens.secret_hash` stores: `sha256:<hex>`. A fast hash suffices because every
 * secret is high-entropy (256 random bits when generated, at least 16 characters from
 * API_TOKENS); the scheme prefix allows a stronger one later without ambiguity.
 */
export function hashSecret(secret: string): string {
  return `${HASH_SCHEME}:${secretDigest(secret).toString('hex')}`;
}

/** The digest inside a stored hash, or undefined when it is not one of ours. */
export function digestOfStoredHash(stored: string): Buffer | undefined {
  const [scheme, hex] = stored.split(':');
  if (scheme !== HASH_SCHEME || !hex || !/^[0-9a-f]{64}$/.test(hex)) return undefined;
  return Buffer.from(hex, 'hex');
}

/** Constant-time comparison of two digests (false, without comparing, when their lengths differ). */
export function digestsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === DIGEST_BYTES && b.length === DIGEST_BYTES && timingSafeEqual(a, b);
}

/** True when `secret` hashes to `stored`, compared in constant time. */
export function secretMatches(secret: string, stored: string): boolean {
  const digest = digestOfStoredHash(stored);
  return digest !== undefined && digestsEqual(secretDigest(secret), digest);
}

/**
 * The token of an `Authorization: Bearer <token>` header: undefined when there is no header,
 * `null` when there is one that is not a usable bearer token.
 */
export function parseBearer(header: string | string[] | undefined): string | null | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string') return null;
  const match = /^Bearer +([\x21-\x7E]+) *$/i.exec(header);
  const token = match?.[1];
  return token && token.length <= MAX_SECRET_LENGTH ? token : null;
}

/** One `name:role:secret` entry of API_TOKENS. */
export interface ConfiguredToken {
  name: string;
  role: Role;
  secret: string;
}

/** API_TOKENS is malformed; the message names entries by position and name, never by secret. */
export class ApiTokensError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid API_TOKENS:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ApiTokensError';
  }
}

/**
 * Parses API_TOKENS (`name:role:secret,...`; the secret may contain `:`). Every problem is
 * collected before failing; messages never contain a secret, nor a value that might be one
 * (a malformed entry is named by its position only).
 */
export function parseApiTokens(raw: string): ConfiguredToken[] {
  const problems: string[] = [];
  const tokens: ConfiguredToken[] = [];
  const entries = raw.split(',').map((e) => e.trim());
  const seenNames = new Map<string, number>();
  const seenDigests = new Map<string, number>();
  entries.forEach((entry, i) => {
    if (entry === '') return; // tolerate "a:b:c," and surrounding blanks
    const at = `entry ${i + 1}`;
    const first = entry.indexOf(':');
    const second = first < 0 ? -1 : entry.indexOf(':', first + 1);
    if (second < 0) {
      problems.push(`${at} is not name:role:secret`);
      return;
    }
    const name = entry.slice(0, first);
    const role = entry.slice(first + 1, second);
    const secret = entry.slice(second + 1);
    if (!TOKEN_NAME_PATTERN.test(name)) {
      problems.push(`${at}: the name must match ${TOKEN_NAME_PATTERN.source}`);
      return;
    }
    const named = `${at} ("${name}")`;
    let ok = true;
    if (!isRole(role)) {
      problems.push(`${named}: the role must be one of ${ROLES.join(', ')}`);
      ok = false;
    }
    if (
      secret.length < MIN_SECRET_LENGTH ||
      secret.length > MAX_SECRET_LENGTH ||
      !/^[\x21-\x7E]+$/.test(secret)
    ) {
      problems.push(
        `${named}: the secret must be ${MIN_SECRET_LENGTH}-${MAX_SECRET_LENGTH} printable characters without spaces`,
      );
      ok = false;
    }
    const earlier = seenNames.get(name);
    if (earlier !== undefined) {
      problems.push(`${named}: the name is already used by entry ${earlier}`);
      ok = false;
    }
    const digest = secretDigest(secret).toString('hex');
    const sameSecret = seenDigests.get(digest);
    if (sameSecret !== undefined) {
      problems.push(
        `${named}: the secret is the same as entry ${sameSecret}'s; every token needs its own`,
      );
      ok = false;
    }
    if (earlier === undefined) seenNames.set(name, i + 1);
    if (sameSecret === undefined) seenDigests.set(digest, i + 1);
    if (ok) tokens.push({ name, role: role as Role, secret });
  });
  if (problems.length > 0) throw new ApiTokensError(problems);
  return tokens;
}
