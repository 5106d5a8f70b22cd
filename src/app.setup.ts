import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { hostileJsonProblem } from './common/hostile-json.js';
import { problemBody } from './common/http-problems.js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from './config/app-config.js';
import { secureApiDocument } from './common/auth/openapi-security.js';
import { JsonContentTypeGuard } from './common/json-content-type.guard.js';
import { ProblemDetailsFilter } from './common/problem-details.filter.js';
import { createValidationPipe } from './common/validation.pipe.js';
import { ProblemDto, ProblemItemDto } from './common/dto/problem.dto.js';
import { PortSelectionDto } from './modules/compile/dto/compile-response.dto.js';

/**
 * Everything main.ts and the e2e tests both need on top of the module graph: body limits,
 * problem+json errors, logging and the OpenAPI document at /docs and /docs-json.
 */
export function configureApp(app: INestApplication, config: AppConfig): void {
  const express = app as NestExpressApplication;
  express.useLogger(app.get(Logger));
  express.useBodyParser('json', {
    limit: config.bodyLimitBytes,
    type: ['application/json', 'application/*+json'],
  });
  express.disable('x-powered-by');
  // Before anything walks a body: reject nesting no valid request has, and strings the
  // database cannot store, with a clear 400 instead of a stack overflow or a 500.
  express.use((req: Request, res: Response, next: NextFunction) => {
    const problem = req.body !== undefined ? hostileJsonProblem(req.body) : undefined;
    if (!problem) return next();
    res
      .status(400)
      .type('application/problem+json')
      .send(
        JSON.stringify({
          ...problemBody('INVALID_REQUEST', { count: 1 }),
          errors: [problem],
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
