import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ProblemDto, ProblemItemDto } from '../common/dto/problem.dto.js';
import { serviceVersion } from '../config/service-version.js';
import { PortSelectionDto } from '../modules/compile/dto/compile-response.dto.js';
import {
  addRequestProblems,
  BEARER_SCHEME,
  closeRequestSchemas,
  documentYaml,
  renderProblemResponses,
  secureOperations,
  toJsonSchema2020,
} from './finish-document.js';

/** The tags of the API, in the order Swagger UI shows them. */
export const API_TAGS: readonly { name: string; description: string }[] = [
  {
    name: 'compile',
    description:
      'Validate and compile a policy document into NetworkPolicies, and evaluate who may reach whom; nothing is stored.',
  },
  {
    name: 'policies',
    description:
      'Policies and their revisions: store a document (a revision) and roll it out, read, diff, plan, sync, roll back, check drift, probe, delete.',
  },
  {
    name: 'deployments',
    description: 'Rollouts of a revision to its clusters, per cluster, as they progress.',
  },
  {
    name: 'clusters',
    description:
      'Registered Kubernetes clusters: credentials (stored encrypted, never shown), labels, networks, connection checks.',
  },
  { name: 'tokens', description: 'API tokens and their roles (admin).' },
  { name: 'audit', description: 'The audit log of every write (admin).' },
  {
    name: 'webhooks',
    description:
      'Events POSTed to orchestrators, signed as Standard Webhooks do, with their delivery log (admin).',
  },
  { name: 'health', description: 'Liveness, readiness, metrics and the service version.' },
];

/** Each operation must name itself (`@ApiOperation({ operationId })`); this marks those that do not. */
export const MISSING_OPERATION_ID = 'MISSING_OPERATION_ID';

/**
 * The OpenAPI 3.1 document of the app: what /docs-json serves, and what `npm run openapi`
 * writes to openapi.json (from an app created in preview mode, without a database or Redis).
 * Scanned from the controllers and DTOs, then finished (src/openapi/finish-document.ts).
 */
export function createApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('gbp-netpol')
    .setDescription(
      'Compiles group-based (ACI/MMS) network policy documents into Kubernetes NetworkPolicies and rolls them out to registered clusters. Request bodies are JSON or YAML; every error is RFC 9457 application/problem+json, listing every problem of a request at once with a JSON-pointer path, a stable code and a message.',
    )
    .setVersion(serviceVersion())
    .addServer(
      '/',
      'The service that serves this document (/docs-json); `npm start` listens on http://localhost:8080',
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description:
          'An API token (`gbpn_…`): API_TOKENS, POST /v1/tokens, or the bootstrap token printed once at the first start. Roles: reader < writer < admin; each operation states the role it needs.',
      },
      BEARER_SCHEME,
    );
  for (const tag of API_TAGS) builder.addTag(tag.name, tag.description);
  const scanned = SwaggerModule.createDocument(app, builder.build(), {
    extraModels: [ProblemDto, ProblemItemDto, PortSelectionDto],
    operationIdFactory: (controller, method) => `${MISSING_OPERATION_ID}:${controller}.${method}`,
  });
  const problemSchema = 'Problem';
  return toJsonSchema2020(
    closeRequestSchemas(
      documentYaml(
        renderProblemResponses(addRequestProblems(secureOperations(scanned)), problemSchema),
      ),
    ),
  );
}
