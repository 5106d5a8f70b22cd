import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DatabaseUnavailableError } from '../infra/database/database.js';
import { problemBody } from './http-problems.js';
import { problemType, ProblemException, titleFor, type ProblemBody } from './problem.exception.js';

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
  message?: string;
}

/**
 * Renders every error as RFC 9457 `application/problem+json`. Unknown errors become a 500
 * whose body says nothing about their cause (which might hold a secret); the cause is logged.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetailsFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const body = this.toProblem(exception, req);
    if (body.type === problemType('DATABASE_UNAVAILABLE'))
      this.logger.warn({ path: req.path }, 'database unavailable');
    else if (body.status >= 500 && !(exception instanceof ProblemException)) {
      // Only the error's name: a database error's message lists the query parameters.
      this.logger.error(
        { error: exception instanceof Error ? exception.name : typeof exception, path: req.path },
        'unhandled error',
      );
    }
    if (body.status === 429 && !res.getHeader('Retry-After')) res.setHeader('Retry-After', '60');
    if (body.status === 503 && !res.getHeader('Retry-After')) res.setHeader('Retry-After', '5');
    res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }

  private toProblem(exception: unknown, req: Request): ProblemBody {
    const instance = req.originalUrl?.split('?')[0];
    if (exception instanceof ProblemException) return { ...exception.problem, instance };
    // Nest wraps body-parser's errors in an HttpException whose cause is the original.
    const parserError = (exception instanceof HttpException ? exception.cause : exception) as
      BodyParserError | undefined;
    if (
      parserError &&
      typeof parserError.type === 'string' &&
      // body-parser's error families (entity.*, charset.unsupported, encoding.unsupported).
      /^(entity|charset|encoding)\./.test(parserError.type)
    ) {
      return this.bodyParserProblem(parserError, instance);
    }
    // Repositories turn every driver error into this one (MapsDatabaseErrors).
    if (exception instanceof DatabaseUnavailableError)
      return { ...problemBody('DATABASE_UNAVAILABLE', {}), instance };
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const detail =
        typeof response === 'string'
          ? response
          : Array.isArray((response as { message?: unknown }).message)
            ? (response as { message: string[] }).message.join('; ')
            : String((response as { message?: unknown }).message ?? exception.message);
      // Terminus answers a failed readiness check with its per-dependency details: keep them.
      if (
        status === 503 &&
        typeof response === 'object' &&
        response !== null &&
        'details' in response
      )
        return {
          ...problemBody(
            'SERVICE_UNAVAILABLE',
            {},
            { details: (response as { details: unknown }).details },
          ),
          instance,
        };
      return {
        type: problemType(codeForStatus(status)),
        title: titleFor(status),
        status,
        detail,
        instance,
      };
    }
    return { ...problemBody('INTERNAL_ERROR', {}), instance };
  }

  private bodyParserProblem(e: BodyParserError, instance: string | undefined): ProblemBody {
    if (e.type === 'entity.too.large')
      return { ...problemBody('BODY_TOO_LARGE', { limit: e.limit ?? 'the configured' }), instance };
    if (e.type === 'entity.parse.failed') {
      return {
        ...problemBody('INVALID_JSON', {}),
        errors: [
          {
            path: '',
            code: 'INVALID_JSON',
            message: `the body is not valid JSON: ${e.message ?? 'parse error'}`,
          },
        ],
        instance,
      };
    }
    const status = e.status && e.status >= 400 && e.status < 500 ? e.status : 400;
    return {
      ...problemBody('BAD_BODY', { message: e.message ?? 'bad request body' }),
      title: titleFor(status),
      status,
      instance,
    };
  }
}

function codeForStatus(status: number): string {
  return titleFor(status).toUpperCase().replace(/ /g, '_');
}
