import { createHash } from 'node:crypto';
import { canonicalJson } from '../../core/reconcile/canonical-json.js';
import { httpProblem } from '../../common/http-problems.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY_PATTERN = /^[\x20-\x7E]{1,200}$/;

/** The Idempotency-Key header's value; 400 when it is not 1-200 printable ASCII characters. */
export function parseIdempotencyKey(header: string | string[]): string {
  const value = Array.isArray(header) ? header.join(', ') : header;
  if (!KEY_PATTERN.test(value)) {
    throw httpProblem('INVALID_IDEMPOTENCY_KEY', {});
  }
  return value;
}

/** What makes two requests "the same": method, path with query, and the body's canonical JSON. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()}\n${path}\n${canonicalJson(body ?? null)}`)
    .digest('hex');
}
