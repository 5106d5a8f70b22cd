import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Global, Module } from '@nestjs/common';
import { Logger, LoggerModule, type Params } from 'nestjs-pino';
import pinoPretty from 'pino-pretty';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { AppLogger } from './app-logger.js';

/** Paths that a log line must never show (credentials may travel in any of them). */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.token',
  '*.caData',
  '*.clientKeyData',
  '*.clientCertificateData',
  '*.kubeconfig',
  '*.secret',
  '*.password',
];

function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  // Accept a caller's id only when it is short and plain, so it cannot forge log content.
  return typeof given === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(given) ? given : randomUUID();
}

/** `GET /v1/policies 200 in 12 ms`: the request line both formats show. */
function requestLine(req: IncomingMessage, res: ServerResponse, ms: number): string {
  const url = (
    (req as IncomingMessage & { originalUrl?: string }).originalUrl ??
    req.url ??
    ''
  ).split('?')[0];
  return `${req.method} ${url} ${res.statusCode} in ${Math.round(ms)} ms`;
}

/**
 * nestjs-pino's parameters for a configuration: the level, request ids, redaction, and the
 * format: JSON lines (pino's own stdout), or pino-pretty in this process (no worker thread,
 * written synchronously so nothing is lost at exit).
 */
export function loggerParams(c: AppConfig): Params {
  const options = {
    level: c.logLevel,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const id = requestId(req);
      res.setHeader('X-Request-Id', id);
      return id;
    },
    redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
      }),
    },
  } as const;
  if (c.logFormat === 'json') return { pinoHttp: options };
  // One readable line per request instead of pino-http's "request completed" and its objects.
  const lines = {
    customSuccessMessage: (req: IncomingMessage, res: ServerResponse, ms: number) =>
      requestLine(req, res, ms),
    customErrorMessage: (req: IncomingMessage, res: ServerResponse) =>
      requestLine(req, res, Number.NaN).replace(' in NaN ms', ''),
  };
  const pretty = pinoPretty({
    sync: true,
    destination: 1,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,context,req,res,responseTime,startup',
    singleLine: true,
    messageFormat: '{if context}{context}: {end}{msg}',
  });
  return { pinoHttp: [{ ...options, ...lines }, pretty] };
}

/** pino for every log line, JSON or pretty (LOG_FORMAT), and the AppLogger that main.ts and the tests install. */
@Global()
@Module({
  imports: [LoggerModule.forRootAsync({ inject: [APP_CONFIG], useFactory: loggerParams })],
  providers: [
    { provide: AppLogger, inject: [Logger], useFactory: (l: Logger) => new AppLogger(l) },
  ],
  exports: [AppLogger],
})
export class LoggingModule {}
