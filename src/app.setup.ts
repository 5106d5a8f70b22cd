import type { IncomingMessage } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { hostileJsonProblem } from './common/hostile-json.js';
import { problemBody } from './common/http-problems.js';
import type { ProblemItem } from './common/problem.exception.js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { findDuplicateKeys } from './core/document/json-duplicate-keys.js';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from './config/app-config.js';
import { secureApiDocument } from './common/auth/openapi-security.js';
import { JsonContentTypeGuard } from './common/json-content-type.guard.js';
import { ProblemDetailsFilter } from './common/problem-details.filter.js';
import { createValidationPipe } from './common/validation.pipe.js';
import { ProblemDto, ProblemItemDto } from './common/dto/problem.dto.js';
import { PortSelectionDto } from './modules/compile/dto/compile-response.dto.js';

/** Where the JSON body parser leaves the duplicate keys it found in the raw body. */
const DUPLICATE_KEYS = Symbol('duplicateKeys');
type ScannedRequest = IncomingMessage & { [DUPLICATE_KEYS]?: ProblemItem[] };

/**
 * body-parser's `verify` hook, which sees the raw (inflated) body before JSON.parse: JSON.parse
 * keeps the last of two equal keys silently, so duplicates can only be found in the text.
 */
function scanForDuplicateKeys(req: IncomingMessage, _res: unknown, buf: Buffer, encoding: string) {
  let text: string;
  try {
    text = new TextDecoder(encoding || 'utf-8').decode(buf);
  } catch {
    return; // A charset TextDecoder does not know: body-parser refuses it anyway (415).
  }
  const duplicates = findDuplicateKeys(text);
  if (duplicates.length > 0) (req as ScannedRequest)[DUPLICATE_KEYS] = duplicates;
}

/**
 * The routes that take a policy document (POST /v1/policies, POST /v1/policies/{name}/plan,
 * POST /v1/compile and /v1/compile/connectivity): their bodies may reach DOCUMENT_LIMIT_BYTES,
 * every other body BODY_LIMIT_BYTES.
 */
const DOCUMENT_ROUTES = [
  /^\/v1\/policies\/?$/,
  /^\/v1\/policies\/[^/]+\/plan\/?$/,
  /^\/v1\/compile(\/connectivity)?\/?$/,
];

function takesDocument(req: Request): boolean {
  return req.method === 'POST' && DOCUMENT_ROUTES.some((r) => r.test(req.path));
}

/**
 * Everything main.ts and the e2e tests both need on top of the module graph: body limits,
 * problem+json errors, logging and the OpenAPI document at /docs and /docs-json.
 */
export function configureApp(app: INestApplication, config: AppConfig): void {
  const server = app as NestExpressApplication;
  server.useLogger(app.get(Logger));
  // The app is created with `bodyParser: false` (main.ts and the test apps), so these are the
  // only JSON parsers: the same options, `verify` included, with the limit of the route.
  const parser = (limit: number) =>
    express.json({
      limit,
      type: ['application/json', 'application/*+json'],
      verify: scanForDuplicateKeys,
    });
  const documentParser = parser(config.documentLimitBytes);
  const bodyParser = parser(config.bodyLimitBytes);
  server.use((req: Request, res: Response, next: NextFunction) =>
    (takesDocument(req) ? documentParser : bodyParser)(req, res, next),
  );
  server.disable('x-powered-by');
  // Before anything walks a body: reject nesting no valid request has, strings the database
  // cannot store, and keys given twice (the last would silently win), with a clear 400
  // instead of a stack overflow, a 500 or a quietly different request.
  server.use((req: Request, res: Response, next: NextFunction) => {
    const hostile = req.body !== undefined ? hostileJsonProblem(req.body) : undefined;
    const errors = hostile ? [hostile] : (req as ScannedRequest)[DUPLICATE_KEYS];
    if (!errors) return next();
    res
      .status(400)
      .type('application/problem+json')
      .send(
        JSON.stringify({
          ...problemBody('INVALID_REQUEST', { count: errors.length }),
          errors,
          instance: req.originalUrl.split('?')[0],
        }),
      );
  });
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalGuards(new JsonContentTypeGuard());
  app.useGlobalPipes(createValidationPipe());

  const openapi = new DocumentBuilder()
    .setTitle('gbp-netpol')
    .setDescription(
      'Compiles group-based (ACI/MMS) network policy documents into Kubernetes NetworkPolicies and rolls them out to registered clusters. Errors are RFC 9457 application/problem+json.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'An API token (see the README, Security).',
    })
    .build();
  const document = secureApiDocument(
    SwaggerModule.createDocument(app, openapi, {
      extraModels: [ProblemDto, ProblemItemDto, PortSelectionDto],
    }),
  );
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
