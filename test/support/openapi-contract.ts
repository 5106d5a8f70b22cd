import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { OpenAPIObject, OperationObject, ResponseObject } from '@nestjs/swagger';

/** The committed OpenAPI document (npm run openapi). */
export function committedDocument(): OpenAPIObject {
  return JSON.parse(
    readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8'),
  ) as OpenAPIObject;
}

const BASE = 'https://gbp-netpol.test/schemas/';

/**
 * A copy of a schema in which every object schema that does not say what other fields it
 * allows allows none (`unevaluatedProperties: false`): a field the server sends and the
 * document does not declare fails validation, and `#/components/schemas/X` references become
 * `X` under BASE.
 */
function closedCopy(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closedCopy);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref' && typeof value === 'string')
      out.$ref = value.replace('#/components/schemas/', '');
    else if (key === 'properties' && value && typeof value === 'object')
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, s]) => [name, closedCopy(s)]),
      );
    else if (key === 'examples' || key === 'default') out[key] = value;
    else out[key] = closedCopy(value);
  }
  if ('properties' in out && !('additionalProperties' in out)) out.unevaluatedProperties = false;
  return out;
}

export interface Recorded {
  method: string;
  url: string;
  status: number;
  contentType: string;
  text: string;
}

/** A fetch that records every answer (for the contract check) and passes it on unchanged. */
export function recordingFetch(seen: Recorded[]): typeof globalThis.fetch {
  return async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const response = await fetch(request);
    seen.push({
      method: request.method.toLowerCase(),
      url: request.url,
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      text: await response.clone().text(),
    });
    return response;
  };
}

export interface ContractViolation {
  call: string;
  problem: string;
}

/**
 * Checks real answers against the document's answer schemas with Ajv (JSON Schema 2020-12,
 * strict mode, formats): the status must be documented for the operation, a JSON body must
 * match its schema with no undeclared field, and a problem must be of a code documented for
 * that status (one of its examples).
 */
export class OpenApiContract {
  private readonly ajv = new Ajv2020({ strict: true, allErrors: true });
  private readonly routes: {
    pattern: RegExp;
    path: string;
    item: Record<string, OperationObject>;
  }[];

  constructor(private readonly document: OpenAPIObject) {
    // A CommonJS module whose function is also its `default` (typed so under nodenext).
    addFormats.default(this.ajv);
    for (const [name, schema] of Object.entries(document.components?.schemas ?? {}))
      this.ajv.addSchema({ ...(closedCopy(schema) as object), $id: `${BASE}${name}` });
    this.routes = Object.entries(document.paths).map(([path, item]) => ({
      path,
      pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
      item: item as Record<string, OperationObject>,
    }));
  }

  /** The compiled validator of a component schema, by name. */
  validator(name: string): ValidateFunction {
    const validate = this.ajv.getSchema(`${BASE}${name}`);
    if (!validate) throw new Error(`no schema ${name}`);
    return validate;
  }

  /** The operation a recorded call was answered by. */
  operationOf(call: Recorded): OperationObject | undefined {
    const { pathname } = new URL(call.url);
    return this.routes.find((r) => r.pattern.test(pathname))?.item[call.method];
  }

  /** Every way the recorded answers depart from the document (empty: none). */
  check(calls: Recorded[]): ContractViolation[] {
    const out: ContractViolation[] = [];
    for (const call of calls) {
      const name = `${call.method.toUpperCase()} ${new URL(call.url).pathname} ${call.status}`;
      const fail = (problem: string) => out.push({ call: name, problem });
      const op = this.operationOf(call);
      if (!op) {
        fail('no such operation in the document');
        continue;
      }
      const response = op.responses[String(call.status)] as ResponseObject | undefined;
      if (!response) {
        fail(`status ${call.status} is not documented for ${op.operationId}`);
        continue;
      }
      const mediaType = call.contentType.split(';')[0].trim();
      const content = response.content ?? {};
      if (Object.keys(content).length === 0) {
        if (call.text !== '') fail('a body where the document has none');
        continue;
      }
      const media = content[mediaType];
      if (!media) {
        fail(`content type ${mediaType} is not documented (${Object.keys(content).join(', ')})`);
        continue;
      }
      if (!mediaType.endsWith('json')) continue; // YAML, event streams and metrics are text
      const ref = (media.schema as { $ref?: string } | undefined)?.$ref;
      if (!ref) {
        fail('a JSON answer without a named schema');
        continue;
      }
      const body: unknown = JSON.parse(call.text);
      const validate = this.validator(ref.replace('#/components/schemas/', ''));
      if (!validate(body)) fail(this.ajv.errorsText(validate.errors, { dataVar: 'body' }));
      if (call.status >= 400) {
        const documented = Object.values(media.examples ?? {}).map(
          (e) => (e as { value: { type: string } }).value.type,
        );
        const type = (body as { type?: string }).type ?? '';
        if (!documented.includes(type)) fail(`problem ${type} is not documented for this status`);
      }
    }
    return out;
  }
}
