import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config/app-config.js';
import { createApiDocument } from './api-document.js';

/**
 * `npm run openapi` (after the build): writes the OpenAPI document to the file named by the
 * first argument. The app is created in Nest's preview mode, which resolves the module graph
 * without instantiating a provider, so no database, Redis or worker is touched; the document
 * comes from the same createApiDocument that serves /docs-json.
 */
const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: node dist/openapi/write-openapi.js FILE\n');
  process.exit(2);
}
const config = loadConfig({ LOG_LEVEL: 'silent', ROLE: 'all' });
const app = await NestFactory.create(AppModule.forRoot(config), {
  preview: true,
  logger: false,
  bodyParser: false,
  abortOnError: false,
});
writeFileSync(out, `${JSON.stringify(createApiDocument(app), null, 2)}\n`);
await app.close();
