import { readFileSync } from 'node:fs';
import type { OpenAPIObject, ReferenceObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import { problemStatus, type HttpProblemCode } from '../common/http-problems.js';
import { operationsOf, PROBLEM_MEDIA_TYPE, REQUIRED_ROLE_EXTENSION } from './finish-document.js';

// The committed document (npm run openapi), checked as a client reads it. That it is what the
// service serves is checked by test/e2e/openapi.e2e-spec.ts.
const document = JSON.parse(
  readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8'),
) as OpenAPIObject;
const operations = operationsOf(document);
const schemas = document.components?.schemas ?? {};

const VERBS =
  /^(get|list|create|delete|update|register|check|compute|compile|sync|rollback|plan|diff|run|follow)[A-Z]/;

describe('openapi.json', () => {
  it('is OpenAPI 3.1 with a server, tags that have descriptions, and the bearer scheme', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers?.length).toBeGreaterThan(0);
    const tags = new Set(document.tags?.map((t) => t.name));
    for (const tag of document.tags ?? []) expect(tag.description, tag.name).toBeTruthy();
    for (const { method, path, op } of operations)
      for (const tag of op.tags ?? []) expect(tags, `${method} ${path}: ${tag}`).toContain(tag);
    expect(document.components?.securitySchemes?.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
  });

  it('names every operation explicitly, with a verb, and no two alike', () => {
    const ids = operations.map((o) => o.op.operationId);
    for (const { method, path, op } of operations)
      expect(op.operationId, `${method} ${path}`).toMatch(VERBS);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives every 2xx JSON answer a named schema, and no schema a Dto name', () => {
    for (const { method, path, op } of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (!status.startsWith('2')) continue;
        const content = (response as ResponseObject).content;
        // A 204 has no body; an event stream and the metrics are text.
        if (status === '204' || content?.['text/event-stream'] || content?.['text/plain']) continue;
        const schema = content?.['application/json']?.schema as ReferenceObject | undefined;
        expect(schema?.$ref, `${method} ${path} ${status}`).toMatch(
          /^#\/components\/schemas\/[A-Z]/,
        );
      }
    }
    expect(Object.keys(schemas).filter((name) => name.endsWith('Dto'))).toEqual([]);
  });

  it('documents every error as a catalogued problem+json, an example for each of its codes', () => {
    for (const { method, path, op } of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        const content = (response as ResponseObject).content ?? {};
        expect(Object.keys(content), `${method} ${path} ${status}`).toEqual([PROBLEM_MEDIA_TYPE]);
        const examples = Object.entries(content[PROBLEM_MEDIA_TYPE].examples ?? {});
        expect(examples.length, `${method} ${path} ${status}`).toBeGreaterThan(0);
        for (const [code, example] of examples) {
          const body = (example as { value: { status: number; type: string } }).value;
          expect(problemStatus(code as HttpProblemCode)).toBe(Number(status));
          expect(body.status).toBe(Number(status));
          expect(body.type).toBe(`urn:gbp-netpol:problem:${code.toLowerCase().replace(/_/g, '-')}`);
        }
      }
    }
  });

  it('asks for a token, with its role, everywhere but the open routes; 401 and 429 there', () => {
    const open = operations.filter((o) => o.op.security?.length === 0).map((o) => o.path);
    expect(open.sort()).toEqual(['/healthz', '/readyz', '/version']);
    for (const { method, path, op } of operations) {
      if (open.includes(path)) continue;
      const ext = op as unknown as Record<string, unknown>;
      expect(op.security, `${method} ${path}`).toEqual([{ bearer: [] }]);
      expect(['reader', 'writer', 'admin']).toContain(ext[REQUIRED_ROLE_EXTENSION]);
      expect(op.description).toContain(`Role: \`${String(ext[REQUIRED_ROLE_EXTENSION])}\``);
      expect(Object.keys(op.responses), `${method} ${path}`).toEqual(
        expect.arrayContaining(['401', '429']),
      );
      const needs403 = ext[REQUIRED_ROLE_EXTENSION] !== 'reader';
      expect('403' in op.responses, `${method} ${path}`).toBe(needs403);
    }
  });

  it('documents 413 and 415 on every route that reads a body, and YAML bodies', () => {
    for (const { method, path, op } of operations) {
      if (!['post', 'put', 'patch'].includes(method)) continue;
      expect(Object.keys(op.responses), `${method} ${path}`).toEqual(
        expect.arrayContaining(['413', '415']),
      );
      const body = op.requestBody as { content: Record<string, unknown> } | undefined;
      if (body)
        expect(Object.keys(body.content).sort()).toEqual(['application/json', 'application/yaml']);
    }
    for (const path of ['/v1/compile', '/v1/policies/{name}/revisions/{n}/manifests']) {
      const op = document.paths[path].post ?? document.paths[path].get;
      expect(Object.keys((op!.responses['200'] as ResponseObject).content ?? {})).toEqual([
        'application/json',
        'application/yaml',
      ]);
    }
  });

  it('closes every object schema a request body reaches (unknown fields are refused)', () => {
    const seen = new Set<string>();
    const visit = (s: SchemaObject | ReferenceObject | undefined): void => {
      if (!s) return;
      if ('$ref' in s) {
        const name = s.$ref.split('/').pop()!;
        if (seen.has(name)) return;
        seen.add(name);
        const target = schemas[name] as SchemaObject;
        if (target.properties) expect(target.additionalProperties, name).toBe(false);
        return visit(target);
      }
      for (const child of Object.values(s.properties ?? {})) visit(child);
      visit(s.items);
      for (const list of [s.anyOf, s.oneOf, s.allOf]) list?.forEach(visit);
      if (typeof s.additionalProperties === 'object') visit(s.additionalProperties);
    };
    for (const { op } of operations) {
      const body = op.requestBody as
        { content: Record<string, { schema: SchemaObject }> } | undefined;
      if (body) visit(body.content['application/json'].schema);
    }
    expect([...seen]).toEqual(
      expect.arrayContaining(['CreatePolicy', 'PolicyDocument', 'Contract', 'CreateCluster']),
    );
  });

  it('speaks JSON Schema 2020-12: no nullable, no schema example', () => {
    const text = JSON.stringify(schemas);
    expect(text).not.toContain('"nullable"');
    expect(text).not.toContain('"example"');
  });
});
