import { ProblemException, problemType, titleFor, type ProblemBody } from './problem.exception.js';

/** One HTTP problem: its status and how its `detail` reads, from typed parameters. */
interface ProblemDef<P> {
  status: number;
  detail: (p: P) => string;
}

function def<P = Record<string, never>>(status: number, detail: (p: P) => string): ProblemDef<P> {
  return { status, detail };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Every problem type the API answers with (RFC 9457 `type` urn:gbp-netpol:problem:<code>):
 * its HTTP status and its detail template, in one place. Field-level codes inside `errors`
 * come from the core's PROBLEM_MESSAGES.
 */
export const HTTP_PROBLEMS = {
  // the request itself
  INVALID_REQUEST: def<{ count: number }>(
    400,
    (p) => `The request has ${plural(p.count, 'error')}.`,
  ),
  INVALID_DOCUMENT: def<{ count: number }>(
    400,
    (p) => `The policy document has ${plural(p.count, 'error')}.`,
  ),
  INVALID_JSON: def(400, () => 'The request body is not valid JSON.'),
  INVALID_YAML: def(400, () => 'The request body is not usable YAML.'),
  INVALID_CURSOR: def(
    400,
    () => 'The cursor is not one this list gave out; start again without a cursor.',
  ),
  /** Another body-parser refusal; its status (a 4xx) comes with it. */
  BAD_BODY: def<{ message: string }>(400, (p) => p.message),
  BODY_TOO_LARGE: def<{ limit: number | string }>(
    413,
    (p) =>
      `The request body is larger than the limit of ${p.limit} bytes (BODY_LIMIT_BYTES; DOCUMENT_LIMIT_BYTES for the routes that take a policy document).`,
  ),
  UNSUPPORTED_MEDIA_TYPE: def<{ contentType: string }>(
    415,
    (p) =>
      `The request body must be application/json or application/yaml (UTF-8), got ${p.contentType}.`,
  ),
  // authentication, limits, idempotency
  UNAUTHENTICATED: def(401, () => 'This API needs a token: send Authorization: Bearer <token>.'),
  INVALID_TOKEN: def(401, () => 'The API token is unknown or has been revoked.'),
  INSUFFICIENT_ROLE: def<{ need: string; token: string; role: string }>(
    403,
    (p) =>
      `This operation needs the ${p.need} role; the token "${p.token}" has the ${p.role} role.`,
  ),
  RATE_LIMITED: def<{ limit: number; seconds: number; who: string; retryAfter: number }>(
    429,
    (p) =>
      `More than ${p.limit} requests per ${p.seconds} s for ${p.who}; retry after ${p.retryAfter} s.`,
  ),
  INVALID_IDEMPOTENCY_KEY: def(
    400,
    () => 'The Idempotency-Key header must be 1-200 printable ASCII characters.',
  ),
  IDEMPOTENCY_KEY_REUSED: def(
    422,
    () =>
      'This Idempotency-Key was already used with a different request (method, path or body); use a new key.',
  ),
  IDEMPOTENCY_KEY_IN_PROGRESS: def(
    409,
    () => 'A request with this Idempotency-Key is still running; retry later.',
  ),
  TOKEN_EXISTS: def<{ name: string }>(
    409,
    (p) => `A token named "${p.name}" exists already; delete it first or choose another name.`,
  ),
  LAST_ADMIN_TOKEN: def<{ name: string }>(
    409,
    (p) => `"${p.name}" is the last admin token; create another admin token before deleting it.`,
  ),
  TOKEN_NOT_FOUND: def<{ name: string }>(404, (p) => `There is no token named "${p.name}".`),
  // policies, revisions, deployments
  POLICY_NOT_FOUND: def<{ name: string }>(404, (p) => `No policy named ${p.name}.`),
  REVISION_NOT_FOUND: def<{ name: string; number?: number }>(
    404,
    (p) => `Policy ${p.name} has no revision${p.number === undefined ? '' : ` ${p.number}`}.`,
  ),
  POLICY_HAS_NO_REVISION: def<{ name: string }>(
    409,
    (p) => `Policy ${p.name} has no revision to compare with.`,
  ),
  STORED_DOCUMENT_INVALID: def<{ name: string; number: number }>(
    409,
    (p) => `Revision ${p.number} of policy ${p.name} no longer parses; store a corrected revision.`,
  ),
  POLICY_NOT_SYNCABLE: def<{ name: string }>(
    409,
    (p) => `Policy ${p.name} has no revision to apply, or is being deleted.`,
  ),
  NO_TARGETS: def<{ name?: string }>(400, (p) =>
    p.name === undefined
      ? 'targets needs clusters or a clusterSelector.'
      : `Policy ${p.name} does not exist yet: give targets.`,
  ),
  UNKNOWN_CLUSTER: def<{ names: string[] }>(
    400,
    (p) =>
      `Unknown cluster${p.names.length > 1 ? 's' : ''}: ${p.names.join(', ')}. Register them first (POST /v1/clusters).`,
  ),
  DEPLOYMENT_NOT_FOUND: def<{ id: string }>(404, (p) => `No deployment ${p.id}.`),
  // clusters
  CLUSTER_NOT_FOUND: def<{ name: string }>(
    404,
    (p) => `No cluster named ${JSON.stringify(p.name)} is registered.`,
  ),
  CLUSTER_EXISTS: def<{ name: string }>(
    409,
    (p) =>
      `A cluster named ${JSON.stringify(p.name)} is already registered; change it with PATCH /v1/clusters/${p.name}.`,
  ),
  CLUSTER_CREDENTIALS_UNREADABLE: def<{ name: string }>(
    500,
    (p) =>
      `The stored credentials of cluster ${JSON.stringify(p.name)} cannot be decrypted (ENCRYPTION_KEY changed, or the row was altered); set them again with PATCH.`,
  ),
  CLUSTER_URL_INSECURE: def<{ name: string }>(
    409,
    (p) =>
      `Cluster ${JSON.stringify(p.name)} has an http:// server, which ALLOW_INSECURE_CLUSTER_URLS no longer permits; set an https:// server with PATCH.`,
  ),
  CLUSTER_PRUNE_FAILED: def<{ name: string; message: string }>(
    502,
    (p) =>
      `Pruning cluster ${JSON.stringify(p.name)} failed, so it was not removed: ${p.message}. Retry, or delete without prune=true.`,
  ),
  CLUSTER_CHECK_FAILED: def<{ name: string; message: string }>(
    502,
    (p) => `Checking the permissions on cluster ${JSON.stringify(p.name)} failed: ${p.message}`,
  ),
  CLUSTER_REQUEST_FAILED: def<{ name: string; message: string }>(
    502,
    (p) => `Cluster ${p.name}: ${p.message}`,
  ),
  // webhooks
  WEBHOOK_NOT_FOUND: def<{ id: string }>(404, (p) => `No webhook ${JSON.stringify(p.id)}.`),
  // probes
  PROBE_IMAGE_NEEDS_ADMIN: def<{ defaultImage: string }>(
    403,
    (p) =>
      `Only an admin token may choose the probe image; leave image out to use ${p.defaultImage}.`,
  ),
  PROBES_NOT_READY: def<{ policy: string; cluster: string }>(
    409,
    (p) =>
      `The test pods of policy ${p.policy} in cluster ${p.cluster} are not all running, so no probe run can start; see errors for each pod and why.`,
  ),
  PROBES_INCOMPLETE: def<{ failed: number; total: number; cluster: string; policy: string }>(
    502,
    (p) =>
      `${p.failed} of ${p.total} test pods could not be created in cluster ${p.cluster}; the others exist (DELETE /v1/policies/${p.policy}/probes?cluster=${p.cluster} removes them).`,
  ),
  // bounded work
  COMPILE_LIMIT_EXCEEDED: def<{ count: number }>(
    422,
    (p) =>
      `The compiled document would exceed ${p.count === 1 ? 'a limit' : `${p.count} limits`}; see errors for the limit, the count and the largest contributors.`,
  ),
  CONNECTIVITY_TOO_LARGE: def<{ count: number }>(
    422,
    () =>
      'The connectivity view would be too large to answer with (CONNECTIVITY_MAX_CELLS); the policy itself compiles and deploys.',
  ),
  COMPUTE_BUDGET_EXCEEDED: def<{ budgetMs: number }>(
    422,
    (p) =>
      `The computation took longer than its budget of ${p.budgetMs} ms (COMPUTE_BUDGET_MS) and was stopped.`,
  ),
  COMPUTE_BUSY: def(503, () => 'Too many computations are waiting; retry shortly.'),
  // the service itself
  DATABASE_UNAVAILABLE: def(
    503,
    () => 'The database is unavailable; retry later. /readyz reports the outage.',
  ),
  INTERNAL_ERROR: def(
    500,
    () => 'An internal error occurred; it has been logged with this request id.',
  ),
} as const;

export type HttpProblemCode = keyof typeof HTTP_PROBLEMS;

type ParamsOf<C extends HttpProblemCode> =
  (typeof HTTP_PROBLEMS)[C] extends ProblemDef<infer P> ? P : never;

/** The problem+json body of a catalogued problem (without `instance`, which the filter adds). */
export function problemBody<C extends HttpProblemCode>(
  code: C,
  params: ParamsOf<C>,
  extra: Partial<ProblemBody> = {},
): ProblemBody {
  const d = HTTP_PROBLEMS[code] as ProblemDef<ParamsOf<C>>;
  return {
    type: problemType(code),
    title: titleFor(d.status),
    status: d.status,
    detail: d.detail(params),
    ...extra,
  };
}

/** The exception that answers with a catalogued problem. */
export function httpProblem<C extends HttpProblemCode>(
  code: C,
  params: ParamsOf<C>,
  extra: Partial<ProblemBody> = {},
): ProblemException {
  return new ProblemException(problemBody(code, params, extra));
}
