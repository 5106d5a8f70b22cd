import type {
  MediaTypeObject,
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  PathItemObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger';
import {
  DECLARED_ROLE_EXTENSION,
  PUBLIC_EXTENSION,
  type RoleRequirement,
} from '../common/auth/requires-role.decorator.js';
import { OPEN_ROUTES, requiredRole } from '../common/auth/route-policy.js';
import { problemExample, problemStatus, type HttpProblemCode } from '../common/http-problems.js';
import { titleFor } from '../common/problem.exception.js';
import { YAML_MEDIA_TYPE } from '../common/media-types.js';
import { PROBLEMS_EXTENSION } from './api-problems.decorator.js';

/**
 * The steps that make the document `SwaggerModule.createDocument` scans from the controllers
 * into the one the API publishes (OpenAPI 3.1): security and the role of every operation, the
 * problem+json answers of every operation from the problem catalogue, the YAML variants, closed
 * request schemas, and JSON Schema 2020-12 (3.1) instead of 3.0's dialect. Pure: each step
 * mutates and returns the document given.
 */

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** The media type of every error answer (RFC 9457). */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';
/** The extension that states the role an operation needs (kept in the published document). */
export const REQUIRED_ROLE_EXTENSION = 'x-required-role';
export const BEARER_SCHEME = 'bearer';

export interface Operation {
  path: string;
  method: HttpMethod;
  op: OperationObject;
}

type Extended = OperationObject & Record<string, unknown>;

/** Every operation of the document, in path then method order. */
export function operationsOf(document: OpenAPIObject): Operation[] {
  return Object.entries(document.paths as Record<string, PathItemObject>).flatMap(([path, item]) =>
    HTTP_METHODS.flatMap((method) => (item[method] ? [{ path, method, op: item[method] }] : [])),
  );
}

/** `/v1/policies/{name}` as Nest routes it (`/v1/policies/:name`), as the auth rules name routes. */
export function routeOf(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ':$1');
}

function addProblems(op: OperationObject, ...codes: HttpProblemCode[]): void {
  const ext = op as Extended;
  const current = (ext[PROBLEMS_EXTENSION] as HttpProblemCode[] | undefined) ?? [];
  ext[PROBLEMS_EXTENSION] = [...new Set([...current, ...codes])];
}

function appendDescription(op: OperationObject, text: string): void {
  op.description = op.description ? `${op.description}\n\n${text}` : text;
}

/**
 * Who may call each operation, as the guards decide it: `@Public()` routes and the open health
 * routes need nothing; every other one the bearer token with the role `requiredRole` computes
 * from its `@RequiresRole` declaration (stated in `x-required-role` and the description). Adds
 * the problems of authentication (401, 403 where a reader is not enough, 429, 503 for the
 * token store) and, on POST, the Idempotency-Key header with its problems.
 */
export function secureOperations(document: OpenAPIObject): OpenAPIObject {
  const scheme = document.components?.securitySchemes?.[BEARER_SCHEME];
  if (scheme && 'type' in scheme && scheme.type === 'http') scheme.bearerFormat = 'gbpn_ API token'; // not a JWT, whatever the builder's default says
  for (const { path, method, op } of operationsOf(document)) {
    const ext = op as Extended;
    const declared = ext[DECLARED_ROLE_EXTENSION] as RoleRequirement | undefined;
    const open = ext[PUBLIC_EXTENSION] === true || OPEN_ROUTES.has(routeOf(path));
    delete ext[DECLARED_ROLE_EXTENSION];
    delete ext[PUBLIC_EXTENSION];
    if (open) {
      op.security = [];
      appendDescription(op, 'Open: no token needed, not rate limited.');
      continue;
    }
    const role = requiredRole(method, routeOf(path), declared);
    op.security = [{ [BEARER_SCHEME]: [] }];
    ext[REQUIRED_ROLE_EXTENSION] = role;
    appendDescription(
      op,
      `Role: \`${role}\`${role === 'admin' ? '' : ' or higher'} (a bearer token).`,
    );
    addProblems(op, 'UNAUTHENTICATED', 'INVALID_TOKEN', 'RATE_LIMITED', 'DATABASE_UNAVAILABLE');
    if (role !== 'reader') addProblems(op, 'INSUFFICIENT_ROLE');
    if (method === 'post') {
      op.parameters ??= [];
      op.parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'Makes a retry safe: the same key, token and request within 24 h answer the first response again without doing anything twice.',
        schema: { type: 'string', minLength: 1, maxLength: 200 },
      });
      addProblems(
        op,
        'INVALID_IDEMPOTENCY_KEY',
        'IDEMPOTENCY_KEY_REUSED',
        'IDEMPOTENCY_KEY_IN_PROGRESS',
      );
    }
  }
  return document;
}

/**
 * The problems every operation of a kind shares: a path parameter with a control character, or
 * a query or body that fails validation (400 INVALID_REQUEST); a body that is too large (413),
 * of another type (415), or not JSON or YAML (400), on every method the body parsers read.
 */
export function addRequestProblems(document: OpenAPIObject): OpenAPIObject {
  for (const { method, op } of operationsOf(document)) {
    const validated =
      op.requestBody !== undefined ||
      (op.parameters ?? []).some((p) => 'in' in p && (p.in === 'path' || p.in === 'query'));
    if (validated) addProblems(op, 'INVALID_REQUEST');
    if (method === 'post' || method === 'put' || method === 'patch')
      addProblems(
        op,
        'INVALID_JSON',
        'INVALID_YAML',
        'BAD_BODY',
        'BODY_TOO_LARGE',
        'UNSUPPORTED_MEDIA_TYPE',
      );
  }
  return document;
}

/** Path parameter values for the `instance` of the example problems. */
const EXAMPLE_PARAMETERS: Record<string, string> = {
  name: 'mms-example',
  id: '0f8c6a4e-3b1d-4c59-9d7e-2a61f0b5c3d8',
  n: '1',
  a: '1',
  b: '2',
};

function examplePath(path: string, op: OperationObject): string {
  const params = (op.parameters ?? []).filter((p): p is ParameterObject => 'in' in p);
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const declared = params.find((p) => p.in === 'path' && p.name === name)?.example as unknown;
    return typeof declared === 'string' ? declared : (EXAMPLE_PARAMETERS[name] ?? name);
  });
}

/**
 * Turns each operation's problem codes (its `@ApiProblems` and those the steps above added)
 * into one `application/problem+json` answer per status, whose examples are the catalogue's
 * bodies (`problemExample`). An error answer documented some other way is refused: every error
 * the API sends is a catalogued problem.
 */
export function renderProblemResponses(
  document: OpenAPIObject,
  problemSchema: string,
): OpenAPIObject {
  for (const { path, method, op } of operationsOf(document)) {
    const ext = op as Extended;
    const codes = (ext[PROBLEMS_EXTENSION] as HttpProblemCode[] | undefined) ?? [];
    delete ext[PROBLEMS_EXTENSION];
    for (const status of Object.keys(op.responses))
      if (Number(status) >= 400 && !codes.some((c) => problemStatus(c) === Number(status)))
        throw new Error(
          `${method.toUpperCase()} ${path} documents a ${status} answer that is no catalogued problem: declare it with @ApiProblems`,
        );
    const byStatus = new Map<number, HttpProblemCode[]>();
    for (const code of codes)
      byStatus.set(problemStatus(code), [...(byStatus.get(problemStatus(code)) ?? []), code]);
    const instance = examplePath(path, op);
    for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
      const sorted = [...list].sort();
      const examples = sorted.map((code) => [code, problemExample(code, instance)] as const);
      op.responses[String(status)] = {
        description: `${titleFor(status)}: ${examples.map(([code, body]) => `\`${code}\` (${body.detail})`).join('; ')}`,
        content: {
          [PROBLEM_MEDIA_TYPE]: {
            schema: { $ref: `#/components/schemas/${problemSchema}` },
            examples: Object.fromEntries(
              examples.map(([code, value]) => [code, { summary: code, value }]),
            ),
          },
        },
      } satisfies ResponseObject;
    }
  }
  return document;
}

/**
 * Request bodies are read as JSON or as YAML standing for the same JSON value (every route, see
 * src/common/yaml-request.ts); an answer that `Accept: application/yaml` turns into YAML
 * (YamlResponseInterceptor) is multi-document YAML text.
 */
export function documentYaml(document: OpenAPIObject): OpenAPIObject {
  for (const { op } of operationsOf(document)) {
    const body = op.requestBody;
    if (body && 'content' in body && body.content['application/json'])
      body.content[YAML_MEDIA_TYPE] = { schema: body.content['application/json'].schema };
    for (const [status, response] of Object.entries(op.responses)) {
      if (!status.startsWith('2') || !response || !('description' in response)) continue;
      const yaml = response.content?.[YAML_MEDIA_TYPE];
      if (yaml)
        yaml.schema = {
          type: 'string',
          description:
            'The `items` as multi-document YAML (`---` before each object), led by one `# Warning: <path>: <message>` comment per warning: ready for `kubectl apply -f -`.',
        };
    }
  }
  return document;
}

type SchemaOrRef = SchemaObject | ReferenceObject;

const isRef = (s: SchemaOrRef): s is ReferenceObject => '$ref' in s;
const refName = (ref: string): string => ref.slice(ref.lastIndexOf('/') + 1);

/** Calls `visit` on every schema object below `schema` (and on it), depth first. */
function walkSchema(schema: SchemaOrRef | undefined, visit: (s: SchemaOrRef) => void): void {
  if (!schema || typeof schema !== 'object') return;
  visit(schema);
  if (isRef(schema)) return;
  for (const child of Object.values(schema.properties ?? {})) walkSchema(child, visit);
  for (const list of [schema.allOf, schema.oneOf, schema.anyOf])
    list?.forEach((s) => walkSchema(s, visit));
  walkSchema(schema.items, visit);
  walkSchema(schema.not, visit);
  if (typeof schema.additionalProperties === 'object')
    walkSchema(schema.additionalProperties, visit);
}

function mediaSchemas(content: Record<string, MediaTypeObject> | undefined): SchemaOrRef[] {
  return Object.values(content ?? {}).flatMap((m) => (m.schema ? [m.schema] : []));
}

/** Every schema the document holds: components, parameters, bodies, answers and their headers. */
function everySchemaRoot(document: OpenAPIObject): SchemaOrRef[] {
  const roots: SchemaOrRef[] = Object.values(document.components?.schemas ?? {});
  for (const { op } of operationsOf(document)) {
    for (const p of op.parameters ?? []) if ('in' in p && p.schema) roots.push(p.schema);
    if (op.requestBody && 'content' in op.requestBody)
      roots.push(...mediaSchemas(op.requestBody.content));
    for (const r of Object.values(op.responses)) {
      if (!r || !('description' in r)) continue;
      roots.push(...mediaSchemas(r.content));
      for (const h of Object.values(r.headers ?? {}))
        if ('schema' in h && h.schema) roots.push(h.schema);
    }
  }
  return roots;
}

/**
 * Request bodies reject fields they do not declare: the global ValidationPipe has
 * `forbidNonWhitelisted` (UNKNOWN_FIELD) for every DTO, nested ones included, and the core
 * parser reports UNKNOWN_FIELD in every object of a policy document. So every object schema a
 * request body reaches gets `additionalProperties: false` (maps keep theirs).
 */
export function closeRequestSchemas(document: OpenAPIObject): OpenAPIObject {
  const schemas = document.components?.schemas ?? {};
  const reached = new Set<string>();
  const visit = (s: SchemaOrRef): void => {
    if (isRef(s)) {
      const name = refName(s.$ref);
      if (reached.has(name)) return;
      reached.add(name);
      walkSchema(schemas[name], visit);
      return;
    }
    if (s.properties && s.additionalProperties === undefined) s.additionalProperties = false;
  };
  for (const { op } of operationsOf(document))
    if (op.requestBody && 'content' in op.requestBody)
      for (const root of mediaSchemas(op.requestBody.content)) walkSchema(root, visit);
  return document;
}

/**
 * OpenAPI 3.1 speaks JSON Schema 2020-12: `nullable` becomes a `null` type (or a `null`
 * alternative next to a reference), and a schema's `example` becomes `examples`.
 */
export function toJsonSchema2020(document: OpenAPIObject): OpenAPIObject {
  const seen = new Set<object>();
  const convert = (s: SchemaOrRef): void => {
    if (seen.has(s)) return;
    seen.add(s);
    const schema = s as SchemaObject & Record<string, unknown>;
    if ('example' in schema) {
      schema.examples = [schema.example];
      delete schema.example;
    }
    if (schema.nullable === undefined) return;
    const nullable = schema.nullable;
    delete schema.nullable;
    if (!nullable) return;
    if (typeof schema.type === 'string') {
      schema.type = [schema.type, 'null'];
      if (schema.enum && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
      return;
    }
    // A reference (or a composition) that may also be null.
    const alternative: Record<string, unknown> = {};
    for (const key of ['$ref', 'allOf', 'oneOf', 'anyOf'] as const)
      if (key in schema) {
        alternative[key] = schema[key];
        delete schema[key];
      }
    schema.anyOf = [alternative as SchemaOrRef, { type: 'null' }];
  };
  for (const root of everySchemaRoot(document)) walkSchema(root, convert);
  return document;
}
