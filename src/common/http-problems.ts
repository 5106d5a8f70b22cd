import { ProblemException, problemType, titleFor, type ProblemBody } from './problem.exception.js';

/**
 * One HTTP problem: its status, how its `detail` reads from typed parameters, the extension
 * members it always carries, and an example occurrence (the OpenAPI document shows each
 * problem as `problemExample` renders it from this, so the documented body is a real one).
 */
interface ProblemDef<P> {
  status: number;
  detail: (p: P) => string;
  members?: (p: P) => Record<string, unknown>;
  example: { params: P; extra?: Partial<ProblemBody> };
}

function def<P = Record<string, never>>(
  status: number,
  detail: (p: P) => string,
  example: ProblemDef<P>['example'],
  members?: (p: P) => Record<string, unknown>,
): ProblemDef<P> {
  return { status, detail, example, ...(members ? { members } : {}) };
}

const NONE = { params: {} };

/** An example `errors` list of one item, as the pipes and the core parser fill it. */
const oneError = (path: string, code: string, message: string) => ({
  errors: [{ path, code, message }],
});

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
    {
      params: { count: 1 },
      extra: oneError(
        '/name',
        'IS_DNS1123_LABEL',
        'name must be a DNS-1123 label: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit',
      ),
    },
  ),
  INVALID_DOCUMENT: def<{ count: number }>(
    400,
    (p) => `The policy document has ${plural(p.count, 'error')}.`,
    {
      params: { count: 1 },
      extra: {
        ...oneError(
          '/contracts/web_to_db/ports/0/port',
          'PORT_OUT_OF_RANGE',
          'port 70000 is outside 1-65535',
        ),
        warnings: [],
      },
    },
  ),
  INVALID_JSON: def(400, () => 'The request body is not valid JSON.', {
    params: {},
    extra: oneError('', 'INVALID_JSON', 'the body is not valid JSON: Unexpected end of JSON input'),
  }),
  INVALID_YAML: def(400, () => 'The request body is not usable YAML.', {
    params: {},
    extra: oneError('', 'INVALID_YAML', 'the body is not valid UTF-8'),
  }),
  INVALID_CURSOR: def(
    400,
    () => 'The cursor is not one this list gave out; start again without a cursor.',
    NONE,
  ),
  /** Another body-parser refusal; its status (a 4xx) comes with it. */
  BAD_BODY: def<{ message: string }>(400, (p) => p.message, {
    params: { message: 'unsupported content encoding "br"' },
  }),
  BODY_TOO_LARGE: def<{ limit: number | string }>(
    413,
    (p) =>
      `The request body is larger than the limit of ${p.limit} bytes (BODY_LIMIT_BYTES; DOCUMENT_LIMIT_BYTES for the routes that take a policy document).`,
    { params: { limit: 1048576 } },
  ),
  UNSUPPORTED_MEDIA_TYPE: def<{ contentType: string }>(
    415,
    (p) =>
      `The request body must be application/json or application/yaml (UTF-8), got ${p.contentType}.`,
    { params: { contentType: 'text/plain' } },
  ),
  // authentication, limits, idempotency
  UNAUTHENTICATED: def(
    401,
    () => 'This API needs a token: send Authorization: Bearer <token>.',
    NONE,
  ),
  INVALID_TOKEN: def(401, () => 'The API token is unknown or has been revoked.', NONE),
  INSUFFICIENT_ROLE: def<{ need: string; token: string; role: string }>(
    403,
    (p) =>
      `This operation needs the ${p.need} role; the token "${p.token}" has the ${p.role} role.`,
    { params: { need: 'admin', token: 'ci-reader', role: 'reader' } },
    (p) => ({ requiredRole: p.need }),
  ),
  RATE_LIMITED: def<{ limit: number; seconds: number; who: string; retryAfter: number }>(
    429,
    (p) =>
      `More than ${p.limit} requests per ${p.seconds} s for ${p.who}; retry after ${p.retryAfter} s.`,
    { params: { limit: 600, seconds: 60, who: 'the token "ci-deployer"', retryAfter: 12 } },
  ),
  INVALID_IDEMPOTENCY_KEY: def(
    400,
    () => 'The Idempotency-Key header must be 1-200 printable ASCII characters.',
    NONE,
  ),
  IDEMPOTENCY_KEY_REUSED: def(
    422,
    () =>
      'This Idempotency-Key was already used with a different request (method, path or body); use a new key.',
    NONE,
  ),
  IDEMPOTENCY_KEY_IN_PROGRESS: def(
    409,
    () => 'A request with this Idempotency-Key is still running; retry later.',
    NONE,
  ),
  TOKEN_EXISTS: def<{ name: string }>(
    409,
    (p) => `A token named "${p.name}" exists already; delete it first or choose another name.`,
    { params: { name: 'ci-deployer' } },
  ),
  LAST_ADMIN_TOKEN: def<{ name: string }>(
    409,
    (p) => `"${p.name}" is the last admin token; create another admin token before deleting it.`,
    { params: { name: 'bootstrap-admin' } },
  ),
  TOKEN_NOT_FOUND: def<{ name: string }>(404, (p) => `There is no token named "${p.name}".`, {
    params: { name: 'ci-deployer' },
  }),
  // policies, revisions, deployments
  POLICY_NOT_FOUND: def<{ name: string }>(404, (p) => `No policy named ${p.name}.`, {
    params: { name: 'mms-example' },
  }),
  REVISION_NOT_FOUND: def<{ name: string; number?: number }>(
    404,
    (p) => `Policy ${p.name} has no revision${p.number === undefined ? '' : ` ${p.number}`}.`,
    { params: { name: 'mms-example', number: 7 } },
  ),
  POLICY_HAS_NO_REVISION: def<{ name: string }>(
    409,
    (p) => `Policy ${p.name} has no revision to compare with.`,
    { params: { name: 'mms-example' } },
  ),
  STORED_DOCUMENT_INVALID: def<{ name: string; number: number }>(
    409,
    (p) => `Revision ${p.number} of policy ${p.name} no longer parses; store a corrected revision.`,
    {
      params: { name: 'mms-example', number: 3 },
      extra: oneError(
        '/options/egress',
        'INVALID_ENUM',
        'must be one of unrestricted, enforce, got "open"',
      ),
    },
  ),
  POLICY_NOT_SYNCABLE: def<{ name: string }>(
    409,
    (p) => `Policy ${p.name} has no revision to apply, or is being deleted.`,
    { params: { name: 'mms-example' } },
  ),
  NO_TARGETS: def<{ name?: string }>(
    400,
    (p) =>
      p.name === undefined
        ? 'targets needs clusters or a clusterSelector.'
        : `Policy ${p.name} does not exist yet: give targets.`,
    {
      params: {},
      extra: oneError('/targets', 'NO_TARGETS', 'give clusters, a clusterSelector, or both'),
    },
  ),
  UNKNOWN_CLUSTER: def<{ names: string[] }>(
    400,
    (p) =>
      `Unknown cluster${p.names.length > 1 ? 's' : ''}: ${p.names.join(', ')}. Register them first (POST /v1/clusters).`,
    {
      params: { names: ['prod-eu'] },
      extra: oneError(
        '/targets/clusters/0',
        'UNKNOWN_CLUSTER',
        'cluster prod-eu is not registered',
      ),
    },
  ),
  DEPLOYMENT_NOT_FOUND: def<{ id: string }>(404, (p) => `No deployment ${p.id}.`, {
    params: { id: '0f8c6a4e-3b1d-4c59-9d7e-2a61f0b5c3d8' },
  }),
  // clusters
  CLUSTER_NOT_FOUND: def<{ name: string }>(
    404,
    (p) => `No cluster named ${JSON.stringify(p.name)} is registered.`,
    { params: { name: 'prod-eu' } },
  ),
  CLUSTER_EXISTS: def<{ name: string }>(
    409,
    (p) =>
      `A cluster named ${JSON.stringify(p.name)} is already registered; change it with PATCH /v1/clusters/${p.name}.`,
    { params: { name: 'prod-eu' } },
  ),
  CLUSTER_CREDENTIALS_UNREADABLE: def<{ name: string }>(
    500,
    (p) =>
      `The stored credentials of cluster ${JSON.stringify(p.name)} cannot be decrypted (ENCRYPTION_KEY changed, or the row was altered); set them again with PATCH.`,
    { params: { name: 'prod-eu' } },
  ),
  CLUSTER_URL_INSECURE: def<{ name: string }>(
    409,
    (p) =>
      `Cluster ${JSON.stringify(p.name)} has an http:// server, which ALLOW_INSECURE_CLUSTER_URLS no longer permits; set an https:// server with PATCH.`,
    { params: { name: 'prod-eu' } },
  ),
  CLUSTER_PRUNE_FAILED: def<{ name: string; message: string }>(
    502,
    (p) =>
      `Pruning cluster ${JSON.stringify(p.name)} failed, so it was not removed: ${p.message}. Retry, or delete without prune=true.`,
    {
      params: {
        name: 'prod-eu',
        message: 'pruning policy mms-example failed: connect ECONNREFUSED',
      },
    },
  ),
  CLUSTER_CHECK_FAILED: def<{ name: string; message: string }>(
    502,
    (p) => `Checking the permissions on cluster ${JSON.stringify(p.name)} failed: ${p.message}`,
    { params: { name: 'prod-eu', message: 'connect ECONNREFUSED 10.0.0.1:6443' } },
  ),
  CLUSTER_REQUEST_FAILED: def<{ name: string; message: string }>(
    502,
    (p) => `Cluster ${p.name}: ${p.message}`,
    { params: { name: 'prod-eu', message: 'connect ECONNREFUSED 10.0.0.1:6443' } },
  ),
  // webhooks
  WEBHOOK_NOT_FOUND: def<{ id: string }>(404, (p) => `No webhook ${JSON.stringify(p.id)}.`, {
    params: { id: '5b0d2f7e-8a9c-4e1b-b3d6-7c4a1e9f2d05' },
  }),
  // probes
  PROBE_IMAGE_NEEDS_ADMIN: def<{ defaultImage: string }>(
    403,
    (p) =>
      `Only an admin token may choose the probe image; leave image out to use ${p.defaultImage}.`,
    { params: { defaultImage: 'busybox:1.36' } },
  ),
  PROBES_NOT_READY: def<{ policy: string; cluster: string }>(
    409,
    (p) =>
      `The test pods of policy ${p.policy} in cluster ${p.cluster} are not all running, so no probe run can start; see errors for each pod and why.`,
    {
      params: { policy: 'mms-example', cluster: 'prod-eu' },
      extra: oneError(
        '/pods/mms/hangwe-inst-network01-pod',
        'POD_NOT_RUNNING',
        'Pending: ImagePullBackOff',
      ),
    },
  ),
  PROBES_INCOMPLETE: def<{ failed: number; total: number; cluster: string; policy: string }>(
    502,
    (p) =>
      `${p.failed} of ${p.total} test pods could not be created in cluster ${p.cluster}; the others exist (DELETE /v1/policies/${p.policy}/probes?cluster=${p.cluster} removes them).`,
    { params: { failed: 1, total: 4, cluster: 'prod-eu', policy: 'mms-example' } },
  ),
  // bounded work
  COMPILE_LIMIT_EXCEEDED: def<{ count: number }>(
    422,
    (p) =>
      `The compiled document would exceed ${p.count === 1 ? 'a limit' : `${p.count} limits`}; see errors for the limit, the count and the largest contributors.`,
    {
      params: { count: 1 },
      extra: {
        ...oneError(
          '',
          'COMPILE_LIMIT_EXCEEDED',
          'the compiled objects would hold 180,000 objects, more than the COMPILE_MAX_OBJECTS limit of 150,000; largest contributors: namespaces (60 of them)',
        ),
        warnings: [],
      },
    },
  ),
  CONNECTIVITY_TOO_LARGE: def<{ count: number }>(
    422,
    () =>
      'The connectivity view would be too large to answer with (CONNECTIVITY_MAX_CELLS); the policy itself compiles and deploys.',
    {
      params: { count: 1 },
      extra: oneError(
        '',
        'CONNECTIVITY_TOO_LARGE',
        'the connectivity view would list 250,000 cells, more than the limit of 200,000 (CONNECTIVITY_MAX_CELLS); the policy itself compiles and deploys',
      ),
    },
  ),
  COMPUTE_BUDGET_EXCEEDED: def<{ budgetMs: number }>(
    422,
    (p) =>
      `The computation took longer than its budget of ${p.budgetMs} ms (COMPUTE_BUDGET_MS) and was stopped.`,
    { params: { budgetMs: 10000 } },
  ),
  COMPUTE_BUSY: def(503, () => 'Too many computations are waiting; retry shortly.', NONE),
  // the service itself
  DATABASE_UNAVAILABLE: def(
    503,
    () => 'The database is unavailable; retry later. /readyz reports the outage.',
    NONE,
  ),
  /** A readiness check failed: `details` has every dependency's state (@nestjs/terminus). */
  SERVICE_UNAVAILABLE: def(503, () => 'A dependency is down; details names it.', {
    params: {},
    extra: {
      details: { database: { status: 'up' }, redis: { status: 'down', message: 'ECONNREFUSED' } },
    },
  }),
  INTERNAL_ERROR: def(
    500,
    () => 'An internal error occurred; it has been logged with this request id.',
    NONE,
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
  const d = HTTP_PROBLEMS[code] as unknown as ProblemDef<ParamsOf<C>>;
  return {
    type: problemType(code),
    title: titleFor(d.status),
    status: d.status,
    detail: d.detail(params),
    ...d.members?.(params),
    ...extra,
  };
}

/** The HTTP status of a catalogued problem. */
export function problemStatus(code: HttpProblemCode): number {
  return HTTP_PROBLEMS[code].status;
}

/** A real body of a catalogued problem, from its example, as the API sends it at `instance`. */
export function problemExample(code: HttpProblemCode, instance: string): ProblemBody {
  const { example } = HTTP_PROBLEMS[code] as unknown as ProblemDef<Record<string, unknown>>;
  return { ...problemBody(code, example.params as ParamsOf<typeof code>, example.extra), instance };
}

/** The exception that answers with a catalogued problem. */
export function httpProblem<C extends HttpProblemCode>(
  code: C,
  params: ParamsOf<C>,
  extra: Partial<ProblemBody> = {},
): ProblemException {
  return new ProblemException(problemBody(code, params, extra));
}
