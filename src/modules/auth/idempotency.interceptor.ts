import {
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { of, type Observable } from 'rxjs';
import { principalOf } from '../../common/auth/principal.js';
import { httpProblem } from '../../common/http-problems.js';
import { toDatabaseError } from '../../infra/database/database-errors.js';
import { IDEMPOTENCY_HEADER, parseIdempotencyKey, requestFingerprint } from './idempotency-key.js';
import {
  IdempotencyService,
  type IdempotentRequest,
  type StoredAnswer,
} from './idempotency.service.js';

/** Set on a replayed answer. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/**
 * `Idempotency-Key` on POST: the first request with a key runs; a retry with the same key, token
 * and request (method, path, body) gets the first answer again (status, content type, Location,
 * body) without running; the same key with another request is refused (422), and so is a retry
 * while the first still runs (409). 5xx answers are not kept, so that they can be retried.
 *
 * The answer is captured where it is sent (`res.send`), after every other interceptor and the
 * exception filter, so that exactly what the client saw is stored, and stored before it is sent:
 * a client that retries at once already finds it.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger(IdempotencyInterceptor.name);

  constructor(private readonly store: IdempotencyService) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const header = req.headers[IDEMPOTENCY_HEADER];
    if (req.method !== 'POST' || header === undefined) return next.handle();
    const key = parseIdempotencyKey(header);
    const principal = principalOf(req);
    if (!principal) return next.handle(); // an open route: no token to scope the key to
    const path = req.originalUrl;
    const request: IdempotentRequest = {
      tokenName: principal.tokenName,
      key,
      method: req.method,
      path,
      requestHash: requestFingerprint(req.method, path, req.body),
    };
    const res = http.getResponse<Response>();
    const claim = await this.store.claim(request).catch((err: unknown) => {
      throw toDatabaseError('Claiming an Idempotency-Key', err);
    });
    switch (claim.kind) {
      case 'mismatch':
        throw httpProblem('IDEMPOTENCY_KEY_REUSED', {});
      case 'in-progress':
        res.setHeader('Retry-After', '1');
        throw httpProblem('IDEMPOTENCY_KEY_IN_PROGRESS', {});
      case 'replay':
        this.replay(res, claim.answer);
        return of(undefined);
      case 'new':
        this.captureAnswer(res, request);
        return next.handle();
    }
  }

  /** Whatever Nest then sends (`res.send()` with no body) is replaced by the stored answer. */
  private replay(res: Response, answer: StoredAnswer): void {
    const send = res.send.bind(res);
    res.send = (() => {
      res.status(answer.status);
      res.setHeader('Content-Type', answer.contentType);
      if (answer.location) res.setHeader('Location', answer.location);
      res.setHeader(REPLAYED_HEADER, 'true');
      return send(answer.encoding === 'base64' ? Buffer.from(answer.body, 'base64') : answer.body);
    }) as Response['send'];
  }

  private captureAnswer(res: Response, request: IdempotentRequest): void {
    const send = res.send.bind(res);
    let captured = false;
    res.send = ((chunk?: unknown) => {
      // res.json() and res.send(object) come back here with the serialised string.
      if (captured || !(chunk === undefined || typeof chunk === 'string' || Buffer.isBuffer(chunk)))
        return send(chunk);
      captured = true;
      const status = res.statusCode;
      const contentType = String(
        res.getHeader('Content-Type') ??
          (typeof chunk === 'string' ? 'text/html; charset=utf-8' : 'application/octet-stream'),
      );
      const location = res.getHeader('Location');
      const answer: StoredAnswer = {
        status,
        contentType,
        ...(Buffer.isBuffer(chunk)
          ? { body: chunk.toString('base64'), encoding: 'base64' }
          : { body: chunk ?? '', encoding: 'utf8' }),
        ...(typeof location === 'string' ? { location } : {}),
      };
      const settle =
        status >= 500 ? this.store.release(request) : this.store.complete(request, answer);
      void settle
        .catch(() => {
          this.logger.warn(
            `Could not store the answer for an Idempotency-Key of token "${request.tokenName}"; releasing the key`,
          );
          return this.store.release(request).catch(() => undefined);
        })
        .then(() => {
          try {
            send(chunk);
          } catch {
            this.logger.error('Could not send an answer after storing it for its Idempotency-Key');
          }
        });
      return res;
    }) as Response['send'];
  }
}
