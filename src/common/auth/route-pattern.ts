/** The part of a request this module reads; Express's Request satisfies it. */
export interface RoutedRequest {
  originalUrl?: string;
  url?: string;
  route?: { path?: unknown };
  params?: Record<string, unknown>;
}

/** The request path without its query string. */
export function requestPath(req: RoutedRequest): string {
  return (req.originalUrl ?? req.url ?? '/').split('?')[0];
}

/** The matched route pattern (`/v1/policies/:name`), or the path when no route matched. */
export function routePattern(req: RoutedRequest): string {
  const pattern = req.route?.path;
  return typeof pattern === 'string' ? pattern : requestPath(req);
}
