import type { IncomingMessage } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import { hostileJsonProblem } from './common/hostile-json.js';
import type { ProblemItem } from './common/problem.exception.js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { findDuplicateKeys } from './core/document/json-duplicate-keys.js';
import { SwaggerModule } from '@nestjs/swagger';
import { AppLogger } from './common/logging/app-logger.js';
import type { AppConfig } from './config/app-config.js';
import { AppMetrics } from './modules/metrics/app-metrics.js';
import { httpMetrics } from './modules/metrics/http-metrics.js';
import { BodyContentTypeGuard } from './common/body-content-type.guard.js';
import { JSON_BODY_TYPES, YAML_BODY_TYPES } from './common/media-types.js';
import { WarningHeadersInterceptor } from './common/warning-headers.interceptor.js';
import { readYamlBody, sendInvalidRequest } from './common/yaml-request.js';
import { ProblemDetailsFilter } from './common/problem-details.filter.js';
import { RouteParamsGuard } from './common/route-params.guard.js';
import { applySecurityHeaders } from './common/security-headers.js';
import { createValidationPipe } from './common/validation.pipe.js';
import { createApiDocument } from './openapi/api-document.js';

/**
 * A raw JSON body is read as UTF-8 (in the compute pool); another declared charset is refused
 * with 415, as the JSON parser refuses one it cannot decode.
 */
function utf8Only(req: Request, _res: Response, next: NextFunction): void {
  const charset = /;\s*charset=("?)([^";]+)\1/i.exec(req.headers['content-type'] ?? '')?.[2];
  if (!charset || /^utf-?8$/i.test(charset)) return next();
  next(
    Object.assign(new Error(`unsupported charset "${charset.toUpperCase()}"`), {
      type: 'charset.unsupported',
      status: 415,
      statusCode: 415,
    }),
  );
}

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
  // First, so that every answer has them, also a refusal of the body parser.
  applySecurityHeaders(app);
  server.useLogger(app.get(AppLogger));
  // First, so that every request is timed, also those refused while reading the body.
  server.use(httpMetrics(app.get(AppMetrics)));
  // The app is created with `bodyParser: false` (main.ts and the test apps), so these are the
  // only body parsers, each with the limit of the route: DOCUMENT_LIMIT_BYTES on the routes that
  // take a policy document, BODY_LIMIT_BYTES elsewhere. A parser leaves a body another has read.
  const perRoute = (make: (limit: number) => RequestHandler): RequestHandler => {
    const document = make(config.documentLimitBytes);
    const other = make(config.bodyLimitBytes);
    return (req, res, next) => (takesDocument(req) ? document : other)(req, res, next);
  };
  // The compile routes' whole answer is computed off the event loop: they get the raw bytes,
  // and the compute pool parses, checks, compiles and serialises (DocumentCompiler.renderBody).
  server.use(
    '/v1/compile',
    utf8Only,
    express.raw({ type: JSON_BODY_TYPES, limit: config.documentLimitBytes }),
  );
  server.use(
    perRoute((limit) =>
      express.json({ limit, type: JSON_BODY_TYPES, verify: scanForDuplicateKeys }),
    ),
  );
  // YAML bodies arrive as bytes (same limits, same inflation) and readYamlBody makes them the
  // JSON value they stand for, refusing aliases, duplicate keys and deep nesting on the way.
  server.use(perRoute((limit) => express.raw({ limit, type: YAML_BODY_TYPES })));
  server.use(readYamlBody);
  server.disable('x-powered-by');
  // Before anything walks a body (JSON or YAML): reject nesting no valid request has, strings
  // the database cannot store, and keys given twice (the last would silently win), with a
  // clear 400 instead of a stack overflow, a 500 or a quietly different request.
  server.use((req: Request, res: Response, next: NextFunction) => {
    // A raw body (the compile routes) is checked in the compute pool instead.
    const hostile =
      req.body !== undefined && !Buffer.isBuffer(req.body)
        ? hostileJsonProblem(req.body)
        : undefined;
    const errors = hostile ? [hostile] : (req as ScannedRequest)[DUPLICATE_KEYS];
    if (!errors) return next();
    sendInvalidRequest(req, res, errors);
  });
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalGuards(new BodyContentTypeGuard(), new RouteParamsGuard());
  app.useGlobalInterceptors(new WarningHeadersInterceptor());
  app.useGlobalPipes(createValidationPipe());

  SwaggerModule.setup('docs', app, createApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
