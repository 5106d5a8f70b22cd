import type { Response } from 'express';

/** A use case's answer when its status depends on the outcome (e.g. 202 or 200). */
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
