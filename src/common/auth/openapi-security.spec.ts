import type { OpenAPIObject } from '@nestjs/swagger';
import { secureApiDocument } from './openapi-security.js';

describe('secureApiDocument', () => {
  const doc = (): OpenAPIObject => ({
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { ProblemDto: { type: 'object' } },
    },
    paths: {
      '/healthz': { get: { responses: { '200': { description: 'ok' } } } },
      '/v1/tokens': {
        get: { responses: { '200': { description: 'ok' } } },
        post: { responses: { '201': { description: 'ok' } } },
      },
      '/v1/open': { get: { responses: {}, security: [] } },
    },
  });

  it('requires the bearer scheme on every /v1 operation and documents 401/403/429', () => {
    const d = secureApiDocument(doc());
    expect(d.paths['/v1/tokens'].get?.security).toEqual([{ bearer: [] }]);
    expect(d.paths['/v1/tokens'].post?.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(d.paths['/v1/tokens'].get?.responses ?? {}).sort()).toEqual([
      '200',
      '401',
      '403',
      '429',
    ]);
    expect(d.paths['/v1/tokens'].get?.responses['401']).toMatchObject({
      content: {
        'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } },
      },
    });
    expect(d.paths['/healthz'].get?.security).toBeUndefined();
    expect(d.paths['/v1/open'].get?.security).toEqual([]); // an explicit choice is kept
    expect(d.components?.securitySchemes?.bearer).toMatchObject({
      bearerFormat: 'gbpn_ API token',
    });
  });

  it('documents the Idempotency-Key header on POST only, once', () => {
    const d = secureApiDocument(secureApiDocument(doc()));
    expect(d.paths['/v1/tokens'].post?.parameters).toEqual([
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }),
    ]);
    expect(d.paths['/v1/tokens'].get?.parameters).toBeUndefined();
  });
});
