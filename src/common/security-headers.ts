import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';

/** Swagger UI and its assets; everything else is the API. */
const DOCS_UI = /^\/docs(\/|$)/;

/**
 * Security headers on every answer (helmet), and `Cache-Control: no-store` on the API's: its
 * answers may show cluster state and are never right for long, and a shared cache must not
 * keep one answer to a token for another.
 *
 * The Content-Security-Policy is helmet's default minus `upgrade-insecure-requests` (the
 * service may be served over plain HTTP, where that would send Swagger UI's assets to an https
 * port that does not exist) and with framing forbidden. Swagger UI at /docs works under it: its
 * scripts and styles are files of this origin, its inline <style> blocks are allowed by
 * `style-src 'unsafe-inline'` (no script is inline) and its icons are data: images.
 */
export function applySecurityHeaders(app: INestApplication): void {
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'upgrade-insecure-requests': null,
          'frame-ancestors': ["'none'"],
        },
      },
      frameguard: { action: 'deny' },
    }),
  );
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!DOCS_UI.test(req.path)) res.setHeader('Cache-Control', 'no-store');
    next();
  });
}
