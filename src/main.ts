import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import { httpsOptionsFrom } from './common/https-options.js';
import { loadConfig } from './config/app-config.js';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.create(AppModule.forRoot(config), {
    bufferLogs: true,
    bodyParser: false,
    httpsOptions: httpsOptionsFrom(config),
  });
  configureApp(app, config);
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
}

await bootstrap();
