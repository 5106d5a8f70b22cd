import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './api-types.js';

export type { components, operations, paths };

/** The RFC 9457 body of every error answer of the API. */
export type Problem = components['schemas']['Problem'];
/** JSON answers: YAML and text are asked for with `parseAs: 'text'`, problems are thrown. */
export type ApiClient = Client<paths, 'application/json'>;

export interface ApiClientOptions {
  /** The service, e.g. `http://localhost:8080` (a trailing slash is ignored). */
  baseUrl: string;
  /** An API token, sent as `Authorization: Bearer`; never part of an error or its message. */
  token?: string;
  /** Another fetch (tests, proxies); the global one by default. */
  fetch?: typeof globalThis.fetch;
}

const PROBLEM_TYPE = /^application\/problem\+json\b/i;

/** An answer that was not 2xx, with its problem+json body (RFC 9457). */
export class ApiProblemError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`${status} ${problem.title}: ${problem.detail}`);
    this.name = 'ApiProblemError';
  }

  /** The problem as lines to show (problemLines). */
  lines(): string[] {
    return problemLines(this.problem);
  }
}

/** A problem as lines to show: `path: message` per item of `errors`, else its detail. */
export function problemLines(problem: Pick<Problem, 'detail' | 'errors'>): string[] {
  const items = problem.errors ?? [];
  if (items.length === 0) return [problem.detail];
  return items.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
}

/**
 * An answer that is not problem+json (a proxy's error page, say) is reported as RFC 9457's
 * `about:blank` problem of its status, so that callers handle one kind of error.
 */
async function problemOf(response: Response): Promise<Problem> {
  if (PROBLEM_TYPE.test(response.headers.get('content-type') ?? ''))
    return (await response.clone().json()) as Problem;
  return {
    type: 'about:blank',
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    detail: `The answer to ${new URL(response.url || 'http://unknown').pathname} is not application/problem+json.`,
  };
}

/** Every answer that is not 2xx (or 304) rejects the call with an ApiProblemError. */
const problemsAsErrors: Middleware = {
  async onResponse({ response }) {
    if (response.ok || response.status === 304) return undefined;
    throw new ApiProblemError(response.status, await problemOf(response));
  },
};

/**
 * A typed client of the gbp-netpol API (openapi-fetch over the types generated from
 * openapi.json): `api.GET('/v1/policies/{name}', { params: { path: { name } } })`. Calls whose
 * answer is not 2xx reject with ApiProblemError; `ok()` unwraps the body of the others.
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const client = createClient<paths, 'application/json'>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
  });
  client.use(problemsAsErrors);
  return client;
}

/** The body of a call made with createApiClient (its failures have rejected already). */
export async function ok<T>(call: Promise<{ data?: T; response: Response }>): Promise<T> {
  const { data } = await call;
  return data as T;
}
