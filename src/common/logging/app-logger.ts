import type { LoggerService } from '@nestjs/common';

/**
 * Nest's own start-up chatter (every module initialised, every route mapped, "application
 * started"): useful when debugging the wiring, noise in an operator's first minutes. Logged at
 * debug instead of info; main.ts writes one start-up line of its own.
 */
export const QUIET_CONTEXTS: ReadonlySet<string> = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

/** The application logger: pino (through nestjs-pino) with Nest's wiring messages moved to debug. */
export class AppLogger implements LoggerService {
  constructor(private readonly inner: Required<Omit<LoggerService, 'setLogLevels'>>) {}

  log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams.at(-1);
    if (typeof context === 'string' && QUIET_CONTEXTS.has(context))
      this.inner.debug(message, ...optionalParams);
    else this.inner.log(message, ...optionalParams);
  }

  error(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.error(message, ...optionalParams);
  }

  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.warn(message, ...optionalParams);
  }

  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.debug(message, ...optionalParams);
  }

  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.verbose(message, ...optionalParams);
  }

  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.fatal(message, ...optionalParams);
  }
}
