import { requestPath } from '../../common/auth/route-pattern.js';
import { escapeControlCharacters } from '../../common/control-characters.js';

export type AuditResult = 'ok' | 'denied' | 'error';

/** What one audit row says; never a body, a header or a query string. */
export interface AuditEntry {
  tokenName: string | null;
  method: string;
  route: string;
  target: string | null;
  status: number;
  result: AuditResult;
}

/** Status a write gets in the audit log when the client left before the answer was complete. */
export const CLIENT_CLOSED_STATUS = 499;

const MAX_TEXT = 200;

/** ok for 1xx-3xx; denied for 401, 403 and 429 (no token, role too low, rate limited); error otherwise. */
export function auditResult(status: number): AuditResult {
  if (status < 400) return 'ok';
  if (status === 401 || status === 403 || status === 429) return 'denied';
  return 'error';
}

/**
 * Client input made safe to store and show: control characters (a NUL, which PostgreSQL
 * refuses in text and so lost the whole row, or terminal escapes) as `\uXXXX`, cut short.
 */
function safeText(value: string): string {
  return escapeControlCharacters(value).slice(0, MAX_TEXT);
}

/** The object a route acts on: its `:name` or `:id` parameter, else its last one. */
export function auditTarget(params: Record<string, unknown> | undefined): string | null {
  if (!params) return null;
  const value = params.name ?? params.id ?? Object.values(params).at(-1);
  return typeof value === 'string' && value !== '' ? safeText(value) : null;
}

/**
 * The audit row of a request.
 *
 * @param route the pattern of the route that handled it, undefined when none matched (then the
 *   path is recorded, cut short and without its query string: it is client input)
 */
export function auditEntry(
  req: { method: string; originalUrl?: string; url?: string; params?: Record<string, unknown> },
  route: string | undefined,
  status: number,
  tokenName: string | undefined,
): AuditEntry {
  return {
    tokenName: tokenName ?? null,
    method: req.method,
    route: route ?? safeText(requestPath(req)),
    target: route !== undefined ? auditTarget(req.params) : null,
    status,
    result: auditResult(status),
  };
}
