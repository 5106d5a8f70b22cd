import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import { httpsOptionsFrom } from './common/https-options.js';
import { ConfigError, loadConfig, type AppConfig } from './config/app-config.js';
import { nodeVersionSupported, serviceVersion } from './config/service-version.js';
import { startupSummary } from './config/startup-summary.js';

/** sysexits' EX_CONFIG: the process was started with a configuration it cannot use. */
const EXIT_CONFIG = 78;

/** The environment as a config, or every problem on stderr (no stack trace) and exit 78. */
function configOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const n = err.problems.length;
    process.stderr.write(
      `gbp-netpol cannot start: the configuration has ${n} problem${n === 1 ? '' : 's'}:\n` +
        err.problems.map((p) => `  - ${p}\n`).join('') +
        'See "Configuration" in the README for every variable.\n',
    );
    process.exit(EXIT_CONFIG);
  }
}

async function bootstrap(): Promise<void> {
  const config = configOrExit();
  const app = await NestFactory.create(AppModule.forRoot(config), {
    bufferLogs: true,
    bodyParser: false,
    httpsOptions: httpsOptionsFrom(config),
    // Throw instead of aborting the process, so that the failure is reported below.
    abortOnError: false,
  });
  configureApp(app, config);
  const logger = new Logger('Main');
  // On SIGTERM/SIGINT: stop taking requests and jobs, let running jobs finish or release
  // them (BullMQ), close the database and Redis, and exit; force the exit after the timeout.
  const shutdown = (signal: NodeJS.Signals) => {
    const logger = new Logger('Shutdown');
    logger.log(`${signal} received: closing (at most ${config.shutdownTimeoutMs} ms)`);
    setTimeout(() => {
      logger.error('shutdown timed out; exiting anyway');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err: err instanceof Error ? err.message : 'error' }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  await app.listen(config.port, config.host);
  if (!nodeVersionSupported())
    logger.warn(
      `Node.js ${process.version} is not supported (package.json engines: ^24.15.0 || >=26.0.0)`,
    );
  const address = app.getHttpServer().address() as { port: number } | null;
  const summary = startupSummary(
    config,
    `${config.tlsCertFile ? 'https' : 'http'}://${config.host}:${address?.port ?? config.port}`,
    serviceVersion(),
  );
  logger.log({ startup: summary.fields }, summary.message);
}

try {
  await bootstrap();
} catch (err) {
  // Name and message only: a stack trace tells an operator nothing, and messages of the
  // database and Redis layers are written never to hold credentials.
  const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  process.stderr.write(`gbp-netpol could not start: ${reason}\n`);
  process.exit(1);
}
