import type { ApiClient, operations } from './api-client.js';
import { createApiClient, ok } from './api-client.js';

// Type-level checks of the generated client types (api-types.ts), run by `npm run typecheck`:
// every operation answering JSON in 2xx has a typed body, none `unknown`, `any` or `undefined`.

type SuccessStatus = 200 | 201 | 202;
type JsonBodyOf<Op> = Op extends { responses: infer R }
  ? {
      [S in keyof R & SuccessStatus]: R[S] extends { content: { 'application/json': infer B } }
        ? B
        : never;
    }[keyof R & SuccessStatus]
  : never;

type IsAny<T> = 0 extends 1 & T ? true : false;
type IsUntyped<T> =
  IsAny<T> extends true ? true : unknown extends T ? true : [T] extends [undefined] ? true : false;

/** Operations whose 2xx answer is JSON but untyped: must be none. */
type Untyped = {
  [K in keyof operations]: [JsonBodyOf<operations[K]>] extends [never]
    ? never
    : IsUntyped<JsonBodyOf<operations[K]>> extends true
      ? K
      : never;
}[keyof operations];

/** Operations without a JSON 2xx answer: exactly these (204, an event stream, Prometheus text). */
type WithoutJson = {
  [K in keyof operations]: [JsonBodyOf<operations[K]>] extends [never] ? K : never;
}[keyof operations];

describe('the generated client types', () => {
  it('type every JSON answer of every operation', () => {
    expectTypeOf<Untyped>().toEqualTypeOf<never>();
    expectTypeOf<WithoutJson>().toEqualTypeOf<
      'deleteToken' | 'deleteCluster' | 'deleteWebhook' | 'followDeployment' | 'getMetrics'
    >();
    expectTypeOf<JsonBodyOf<operations['getPolicy']>>().toHaveProperty('latestRevision');
    expectTypeOf<JsonBodyOf<operations['createPolicy']>>().toHaveProperty('deploymentId');
    expectTypeOf<JsonBodyOf<operations['getDeployment']>>().toHaveProperty('clusters');
  });

  it('give the client typed paths, parameters and bodies', () => {
    const api: ApiClient = createApiClient({ baseUrl: 'http://127.0.0.1:1', token: 't' });
    const get = () => ok(api.GET('/v1/policies/{name}', { params: { path: { name: 'x' } } }));
    expectTypeOf(get).returns.resolves.toHaveProperty('selfHeal').toEqualTypeOf<boolean>();
    const list = () => ok(api.GET('/v1/clusters', { params: { query: { limit: 10 } } }));
    expectTypeOf(list).returns.resolves.toHaveProperty('items');
    // @ts-expect-error an unknown path is refused
    void (() => api.GET('/v1/no-such-route'));
    // @ts-expect-error a body of the wrong shape is refused
    void (() => api.POST('/v1/tokens', { body: { name: 'x', role: 'root' } }));
  });
});
