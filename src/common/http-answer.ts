import type { Response } from 'express';

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
