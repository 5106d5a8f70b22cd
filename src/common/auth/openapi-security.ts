import type {
  OpenAPIObject,
  OperationObject,
  PathItemObject,
  ResponseObject,
} from '@nestjs/swagger';
import { isApiPath } from './route-policy.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

export interface SecureDocumentOptions {
  /** The security scheme name given to `addBearerAuth()`; 'bearer' by default. */
  scheme?: string;
  /** Name of the problem schema in components.schemas, referenced by the added responses. */
  problemSchema?: string;
}

/**
 * Marks every `/v1` operation of an OpenAPI document as requiring the bearer token (so that
 * Swagger UI's "Authorize" button applies to it), and documents what authentication adds:
 * the 401/403/429 answers and, on POST, the optional Idempotency-Key header. Operations that
 * already declare `security` keep theirs. Mutates and returns the document; call it in
 * configureApp between `SwaggerModule.createDocument` and `SwaggerModule.setup`.
 */
export function secureApiDocument(
  document: OpenAPIObject,
  options: SecureDocumentOptions = {},
): OpenAPIObject {
  const scheme = options.scheme ?? 'bearer';
  const problemSchema = options.problemSchema ?? 'ProblemDto';
  const securityScheme = document.components?.securitySchemes?.[scheme];
  if (securityScheme && 'type' in securityScheme && securityScheme.type === 'http') {
    securityScheme.bearerFormat = 'gbpn_ API token'; // not a JWT, whatever the builder's default says
  }
  const hasProblem = Boolean(document.components?.schemas?.[problemSchema]);
  const problem = (description: string): ResponseObject => ({
    description,
    ...(hasProblem
      ? {
          content: {
            'application/problem+json': {
              schema: { $ref: `#/components/schemas/${problemSchema}` },
            },
          },
        }
      : {}),
  });
  for (const [path, item] of Object.entries(document.paths) as [string, PathItemObject][]) {
    if (!isApiPath(path)) continue;
    for (const method of METHODS) {
      const op: OperationObject | undefined = item[method];
      if (!op) continue;
      op.security ??= [{ [scheme]: [] }];
      op.responses ??= {};
      op.responses['401'] ??= problem('No valid API token (`Authorization: Bearer <token>`).');
      op.responses['403'] ??= problem("The token's role is not enough for this operation.");
      op.responses['429'] ??= problem('Rate limit of the token exceeded; see Retry-After.');
      if (method === 'post') {
        op.parameters ??= [];
        const declared = op.parameters.some(
          (p) => 'in' in p && p.in === 'header' && p.name.toLowerCase() === 'idempotency-key',
        );
        if (!declared) {
          op.parameters.push({
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description:
              'Makes a retry safe: the same key, token and request within 24 h answer the first response again without doing anything twice.',
            schema: { type: 'string', minLength: 1, maxLength: 200 },
          });
        }
      }
    }
  }
  return document;
}
