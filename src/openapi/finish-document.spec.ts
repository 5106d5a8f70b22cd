import type { OpenAPIObject, SchemaObject } from '@nestjs/swagger';
import {
  DECLARED_ROLE_EXTENSION,
  PUBLIC_EXTENSION,
} from '../common/auth/requires-role.decorator.js';
import { PROBLEMS_EXTENSION } from './api-problems.decorator.js';
import {
  addRequestProblems,
  closeRequestSchemas,
  renderProblemResponses,
  secureOperations,
  toJsonSchema2020,
} from './finish-document.js';

const doc = (): OpenAPIObject => ({
  openapi: '3.1.0',
  info: { title: 't', version: '1' },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    schemas: {
      Problem: { type: 'object' },
      Body: { type: 'object', properties: { inner: { $ref: '#/components/schemas/Inner' } } },
      Inner: {
        type: 'object',
        properties: { a: { type: 'string', nullable: true, example: 'x' } },
      },
      Labels: { type: 'object', additionalProperties: { type: 'string' } },
      Answer: {
        type: 'object',
        properties: { ref: { $ref: '#/components/schemas/Inner', nullable: true } as never },
      },
    },
  },
  paths: {
    '/healthz': { get: { responses: { '200': { description: 'ok' } } } },
    '/version': {
      get: { responses: { '200': { description: 'ok' } }, [PUBLIC_EXTENSION]: true } as never,
    },
    '/v1/tokens/{name}': {
      delete: {
        parameters: [{ name: 'name', in: 'path', required: true }],
        responses: { '204': { description: 'gone' } },
        [DECLARED_ROLE_EXTENSION]: 'admin',
        [PROBLEMS_EXTENSION]: ['TOKEN_NOT_FOUND'],
      } as never,
    },
    '/v1/things': {
      get: { responses: { '200': { description: 'ok' } } },
      post: {
        requestBody: {
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Body' } } },
        },
        responses: { '201': { description: 'ok' } },
      },
    },
  },
});

const finish = (d: OpenAPIObject) =>
  toJsonSchema2020(
    closeRequestSchemas(renderProblemResponses(addRequestProblems(secureOperations(d)), 'Problem')),
  );

describe('finishing the OpenAPI document', () => {
  it('asks for the bearer token with the role the guards compute, except on open routes', () => {
    const d = finish(doc());
    expect(d.paths['/healthz'].get?.security).toEqual([]);
    expect(d.paths['/version'].get?.security).toEqual([]);
    expect(d.paths['/version'].get).not.toHaveProperty(PUBLIC_EXTENSION);
    const del = d.paths['/v1/tokens/{name}'].delete as unknown as Record<string, unknown>;
    expect(del.security).toEqual([{ bearer: [] }]);
    expect(del['x-required-role']).toBe('admin');
    expect(del).not.toHaveProperty(DECLARED_ROLE_EXTENSION);
    expect(d.paths['/v1/things'].get?.description).toContain('Role: `reader` or higher');
    expect(d.paths['/v1/things'].post?.description).toContain('Role: `writer` or higher');
    expect(d.components?.securitySchemes?.bearer).toMatchObject({
      bearerFormat: 'gbpn_ API token',
    });
  });

  it('answers with problem+json per status, its examples from the catalogue', () => {
    const d = finish(doc());
    const del = d.paths['/v1/tokens/{name}'].delete!;
    expect(Object.keys(del.responses).sort()).toEqual([
      '204',
      '400',
      '401',
      '403',
      '404',
      '429',
      '503',
    ]);
    expect(del.responses['404']).toMatchObject({
      content: {
        'application/problem+json': {
          schema: { $ref: '#/components/schemas/Problem' },
          examples: {
            TOKEN_NOT_FOUND: {
              value: {
                type: 'urn:gbp-netpol:problem:token-not-found',
                status: 404,
                instance: '/v1/tokens/mms-example',
              },
            },
          },
        },
      },
    });
    expect(Object.keys(d.paths['/v1/things'].get!.responses).sort()).toEqual([
      '200',
      '401',
      '429',
      '503',
    ]);
    // Only writers and admins can be refused for their role; a body can be too large.
    expect(Object.keys(d.paths['/v1/things'].post!.responses)).toEqual(
      expect.arrayContaining(['403', '409', '413', '415', '422']),
    );
    expect(d.paths['/v1/things'].post!.parameters).toEqual([
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }),
    ]);
  });

  it('refuses an error answer documented outside the catalogue', () => {
    const d = doc();
    d.paths['/v1/things'].get!.responses['418'] = { description: 'teapot' };
    expect(() => finish(d)).toThrow(/GET \/v1\/things documents a 418 answer/);
  });

  it('closes the object schemas request bodies reach, and nothing else', () => {
    const s = finish(doc()).components!.schemas! as Record<string, SchemaObject>;
    expect(s.Body.additionalProperties).toBe(false);
    expect(s.Inner.additionalProperties).toBe(false);
    expect(s.Labels.additionalProperties).toEqual({ type: 'string' });
    expect(s.Answer.additionalProperties).toBeUndefined();
  });

  it('turns nullable and example into JSON Schema 2020-12', () => {
    const s = finish(doc()).components!.schemas! as Record<string, SchemaObject>;
    expect(s.Inner.properties!.a).toEqual({ type: ['string', 'null'], examples: ['x'] });
    expect(s.Answer.properties!.ref).toEqual({
      anyOf: [{ $ref: '#/components/schemas/Inner' }, { type: 'null' }],
    });
  });
});
