import { ApiException, FetchError } from '@kubernetes/client-node';
import { KubeTransportError, NOT_KUBERNETES_MESSAGE } from './kube-transport.js';

export type KubeApiErrorKind =
  'unreachable' | 'unauthorized' | 'forbidden' | 'invalid' | 'conflict' | 'notFound' | 'other';

export interface KubeStatusCause {
  field?: string;
  reason?: string;
  message?: string;
}

/** A failed Kubernetes API call. Its message never contains credentials. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';

  constructor(
    message: string,
    /** HTTP status, or undefined when no HTTP answer arrived (network, TLS, timeout). */
    readonly status: number | undefined,
    /** Kubernetes Status `reason`, e.g. Invalid, Forbidden, Conflict, AlreadyExists, NotFound. */
    readonly reason: string | undefined,
    readonly kind: KubeApiErrorKind,
    /** Field-level causes of a Status (e.g. of a 422 Invalid). */
    readonly causes: readonly KubeStatusCause[] = [],
    /** System error code of a network failure, e.g. ECONNREFUSED. */
    readonly code?: string,
    /** The answer's Retry-After in seconds (a 429 from API Priority and Fairness sends one). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  /** Worth retrying later: the cluster was unreachable, overloaded or failing. */
  get retryable(): boolean {
    if (this.kind === 'invalid') return false;
    return this.status === undefined || this.status === 429 || this.status >= 500;
  }
}

export interface KubeCallContext {
  /** What was attempted, e.g. "apply NetworkPolicy team-a/allow-dns". */
  operation: string;
  /** The API server URL (without credentials). */
  server: string;
  /** Credential strings to scrub from anything copied into the message. */
  secrets?: readonly string[];
}

interface KubeStatus {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: KubeStatusCause[] };
}

const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/gi;
const PEM_BLOCK = /-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g;

/** Scrubs the given secrets and anything that looks like a token or a PEM block. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('[REDACTED]');
  return out
    .replace(PEM_BLOCK, '[REDACTED PEM]')
    .replace(BEARER, '$1 [REDACTED]')
    .replace(JWT, '[REDACTED JWT]');
}

/** The Status object of an error answer; undefined when there is no body, 'foreign' when it is not JSON. */
function parseStatus(body: unknown): KubeStatus | 'foreign' | undefined {
  if (body && typeof body === 'object') return body as KubeStatus;
  if (typeof body !== 'string' || body.trim() === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed && typeof parsed === 'object' ? (parsed as KubeStatus) : 'foreign';
  } catch {
    return 'foreign';
  }
}

export function kindForStatus(
  status: number | undefined,
  reason: string | undefined,
): KubeApiErrorKind {
  if (status === undefined) return 'unreachable';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 422 || reason === 'Invalid') return 'invalid';
  if (status === 409) return 'conflict';
  if (status === 404) return 'notFound';
  return 'other';
}

// Server-side apply answers an object that does not fit the schema (e.g. an unknown field) with
// a 500 "failed to create typed patch object ... field not declared in schema": a client error.
const SSA_SCHEMA_ERROR = /failed to create typed patch object/;

const DEFAULT_REASON: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  422: 'Invalid',
  429: 'TooManyRequests',
};

/** Retry-After as delay-seconds (the form kube-apiserver sends); undefined when absent or not a number. */
function retryAfterOf(headers: Record<string, string> | undefined): number | undefined {
  const raw = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
  if (raw === undefined || !/^\s*\d+\s*$/.test(raw)) return undefined;
  return Number(raw);
}

function fromHttp(error: ApiException<unknown>, ctx: KubeCallContext): KubeApiError {
  const status = error.code;
  const parsed = parseStatus(error.body);
  // Only a Kubernetes Status may speak in our messages: any other body (an HTML page of a
  // proxy, another protocol's banner) could carry anything, so it is never copied.
  if (parsed === 'foreign') return notKubernetes(ctx);
  const reason = parsed?.reason || DEFAULT_REASON[status];
  const causes = parsed?.details?.causes ?? [];
  let detail = parsed?.message ?? '';
  if (status === 401 && !detail) detail = 'the API server rejected the credentials';
  // Status messages usually embed the causes already; append the ones they don't mention.
  const missing = causes.filter(
    (c) => c.message && !(detail.includes(c.message) && (!c.field || detail.includes(c.field))),
  );
  if (missing.length > 0) {
    const list = missing.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join('; ');
    detail = detail ? `${detail} (${list})` : list;
  }
  const message = `${ctx.operation} on ${ctx.server} failed: HTTP ${status}${reason ? ` ${reason}` : ''}${detail ? `: ${detail}` : ''}`;
  const kind = SSA_SCHEMA_ERROR.test(detail) ? 'invalid' : kindForStatus(status, reason);
  return new KubeApiError(
    redact(message, ctx.secrets),
    status,
    reason,
    kind,
    causes,
    undefined,
    retryAfterOf(error.headers),
  );
}

function notKubernetes(ctx: KubeCallContext): KubeApiError {
  return new KubeApiError(
    redact(`${ctx.operation} on ${ctx.server} failed: ${NOT_KUBERNETES_MESSAGE}`, ctx.secrets),
    503,
    undefined,
    'other',
    [],
    'NOT_KUBERNETES',
  );
}

function fromTransport(error: KubeTransportError, ctx: KubeCallContext): KubeApiError {
  if (error.status === undefined) return fromNetwork(error, ctx);
  const message = `${ctx.operation} on ${ctx.server} failed: ${error.message}`;
  return new KubeApiError(
    redact(message, ctx.secrets),
    error.status,
    undefined,
    kindForStatus(error.status, undefined),
    [],
    error.code,
  );
}

function fromNetwork(error: Error & { code?: string }, ctx: KubeCallContext): KubeApiError {
  const message = `${ctx.operation} on ${ctx.server} failed: API server unreachable: ${error.message}`;
  return new KubeApiError(
    redact(message, ctx.secrets),
    undefined,
    undefined,
    'unreachable',
    [],
    error.code,
  );
}

export function timeoutError(timeoutMs: number, ctx: KubeCallContext): KubeApiError {
  const message = `${ctx.operation} on ${ctx.server} failed: API server unreachable: no answer within ${timeoutMs} ms`;
  return new KubeApiError(
    redact(message, ctx.secrets),
    undefined,
    undefined,
    'unreachable',
    [],
    'ETIMEDOUT',
  );
}

/**
 * Converts what client-node and the transport throw into a KubeApiError: ApiException (an HTTP
 * answer with a Kubernetes Status body), KubeTransportError (no usable answer) or node-fetch's
 * FetchError (no answer). Anything else is returned as is.
 */
export function toKubeApiError(error: unknown, ctx: KubeCallContext): unknown {
  if (error instanceof KubeApiError) return error;
  if (error instanceof ApiException) return fromHttp(error as ApiException<unknown>, ctx);
  if (error instanceof KubeTransportError) return fromTransport(error, ctx);
  if (error instanceof FetchError) return fromNetwork(error, ctx);
  return error;
}
