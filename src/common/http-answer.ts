import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';

/** A use case's result as HTTP: a status that depends on the outcome (e.g. 202 or 200), a body, a Location. */
export interface HttpAnswer<T> {
  status: number;
  body: T;
  location?: string;
}

/** Applies an HttpAnswer's status and Location to the response and returns its body. */
export function respond<T>(res: Response, answer: HttpAnswer<T>): T {
  res.status(answer.status);
  if (answer.location) res.location(answer.location);
  return answer.body;
}

/** 202 Accepted for a queued deployment, with its Location. */
export function acceptedDeployment<T extends { deploymentId: string }>(res: Response, body: T): T {
  return respond(res, { status: 202, body, location: `/v1/deployments/${body.deploymentId}` });
}

/** 202 Accepted with the Location where to follow the work (computed from the body). */
export function accepted<T>(res: Response, body: T, location: (body: T) => string): T {
  return respond(res, { status: 202, body, location: location(body) });
}

/** 201 Created with the Location of what was created (computed from the body). */
export function created<T>(res: Response, body: T, location: (body: T) => string): T {
  return respond(res, { status: 201, body, location: location(body) });
}

/** True when an If-None-Match header (a list, or `*`) names this entity tag (weak comparison). */
function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

/**
 * A GET answer that pollers can revalidate: an ETag over the body and, when the request's
 * If-None-Match names it, 304 Not Modified without a body (undefined is returned).
 */
export function conditional<T>(req: Request, res: Response, body: T): T | undefined {
  const etag = `W/"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;
  res.setHeader('ETag', etag);
  if (!noneMatch(req.headers['if-none-match'], etag)) return body;
  res.status(304);
  return undefined;
}
