import type { NextFunction, Request, Response } from 'express';
import { parseYamlBody } from '../core/document/yaml-body.js';
import { problemBody } from './http-problems.js';
import { YAML_BODY_TYPES } from './media-types.js';
import type { ProblemBody, ProblemItem } from './problem.exception.js';

/** Sends a catalogued problem straight from a middleware (before Nest's filter can see it). */
export function sendProblem(req: Request, res: Response, body: ProblemBody): void {
  res
    .status(body.status)
    .type('application/problem+json')
    .send(JSON.stringify({ ...body, instance: req.originalUrl.split('?')[0] }));
}

/** 400 INVALID_REQUEST listing field problems of a body (duplicate keys, aliases, nesting...). */
export function sendInvalidRequest(req: Request, res: Response, errors: ProblemItem[]): void {
  sendProblem(req, res, { ...problemBody('INVALID_REQUEST', { count: errors.length }), errors });
}

const invalidYaml = (errors: ProblemItem[]): ProblemBody => ({
  ...problemBody('INVALID_YAML', {}),
  errors,
});

/** The charset parameter of a Content-Type, lower-cased, or undefined. */
function charsetOf(contentType: string | undefined): string | undefined {
  return /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1]?.toLowerCase();
}

/**
 * Turns a YAML body (body-parser's `raw` left it as bytes, within BODY_LIMIT_BYTES and already
 * inflated) into the JSON value it stands for, so that everything after it (the hostile-input
 * checks, DTO validation, the document parser) sees exactly what a JSON body would give.
 * UTF-8 only (415 otherwise, as for JSON); text that is not YAML is a 400 `invalid-yaml`;
 * duplicate keys, aliases and nesting are a 400 listing each with its path (core yaml-body.ts).
 */
export function readYamlBody(req: Request, res: Response, next: NextFunction): void {
  if (!Buffer.isBuffer(req.body) || !req.is(YAML_BODY_TYPES)) return next();
  const charset = charsetOf(req.headers['content-type']);
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    sendProblem(
      req,
      res,
      problemBody('UNSUPPORTED_MEDIA_TYPE', { contentType: req.headers['content-type'] ?? '' }),
    );
    return;
  }
  let text: string;
  try {
    // `fatal`: bytes that are not UTF-8 are refused, not replaced; a BOM is dropped.
    text = new TextDecoder('utf-8', { fatal: true }).decode(req.body);
  } catch {
    sendProblem(
      req,
      res,
      invalidYaml([{ path: '', code: 'INVALID_YAML', message: 'the body is not valid UTF-8' }]),
    );
    return;
  }
  const result = parseYamlBody(text);
  if (result.ok) {
    req.body = result.value;
    return next();
  }
  if (result.syntax) sendProblem(req, res, invalidYaml(result.problems));
  else sendInvalidRequest(req, res, result.problems);
}
