import type { NextFunction, Request, Response } from 'express';
import type { AppMetrics } from './app-metrics.js';

/** The route label of a request that matched no route (404s, bodies refused before routing). */
export const UNMATCHED_ROUTE = '(unmatched)';

/**
 * Express middleware, installed before everything else: times each request until its answer
 * is sent, labelled with the route pattern (`/v1/policies/:name`), never the raw URL, so that
 * policy names and ids do not become label values.
 */
export function httpMetrics(metrics: AppMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const end = metrics.httpDuration.startTimer();
    res.once('finish', () => {
      const pattern = (req.route as { path?: unknown } | undefined)?.path;
      end({
        method: req.method,
        route: typeof pattern === 'string' ? pattern : UNMATCHED_ROUTE,
        status: String(res.statusCode),
      });
    });
    next();
  };
}
