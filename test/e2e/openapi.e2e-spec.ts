import { randomUUID } from 'node:crypto';
import {
  ApiProblemError,
  ok,
  type ApiClient,
  type components,
} from '../../src/client/api-client.js';
import { uniqueName } from '../harness/cluster-admin.js';
import { testCluster } from '../harness/kube-test-context.js';
import { createTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../support/create-test-app.js';
import { loadExampleDocument } from '../support/example-document.js';
import {
  committedDocument,
  OpenApiContract,
  recordingFetch,
  type Recorded,
} from '../support/openapi-contract.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The committed openapi.json is what the service serves, and it is true: the main flows,
 * driven through the typed client (src/client) against the running app with a real
 * kube-apiserver, answer exactly what the document says, field by field, and their problems
 * are of documented codes.
 */
describe('the OpenAPI document and the typed client (e2e, real kube-apiserver)', () => {
  let testApp: TestApp;
  let baseUrl: string;
  let api: ApiClient;
  const calls: Recorded[] = [];
  const document = committedDocument();
  const contract = new OpenApiContract(document);
  const cluster = testCluster(0);
  const ns = uniqueName('oas');
  const policy = uniqueName('oas-pol');
  let clusterName: string;
  const client = (token: string | null = TEST_ADMIN_TOKEN) =>
    testApp.client({ token, fetch: recordingFetch(calls) });

  const doc = (mutate: (d: ReturnType<typeof loadExampleDocument>) => void = () => undefined) => {
    const d = loadExampleDocument();
    d.namespaces = [ns];
    mutate(d);
    return d as unknown as components['schemas']['PolicyDocument'];
  };

  /** The ETag of a policy's status now. */
  async function etagOf(name: string): Promise<string> {
    const { response } = await api.GET('/v1/policies/{name}/status', {
      params: { path: { name } },
    });
    return response.headers.get('etag') ?? '';
  }

  /** The problem a call rejected with. */
  async function problemOf(call: Promise<unknown>): Promise<ApiProblemError> {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiProblemError);
    return error as ApiProblemError;
  }

  beforeAll(async () => {
    testApp = await createTestApp({ JOB_BACKOFF_MS: '200', JOB_ATTEMPTS: '2' });
    api = await client();
    baseUrl = await testApp.app.getUrl();
    await cluster.admin.ensureNamespace(ns);
    const identity = await cluster.leastPrivilegeIdentity([ns]);
    clusterName = uniqueName('oas-c');
    const registered = await ok(
      api.POST('/v1/clusters', {
        body: {
          name: clusterName,
          server: identity.server,
          caData: identity.caData,
          token: identity.token,
          labels: { suite: policy },
        },
      }),
    );
    expect(registered.connection.state).toBe('Reachable');
  });

  afterAll(async () => {
    await testApp?.close();
    await cluster.deleteNamespace(ns).catch(() => undefined);
  });

  it('serves at /docs-json exactly the committed openapi.json (npm run openapi)', async () => {
    const served = (await fetch(`${baseUrl}/docs-json`).then((r) => r.json())) as unknown;
    expect(served).toEqual(document);
  });

  it('compiles, stores, rolls out and reports through the client', async () => {
    const compiled = await ok(api.POST('/v1/compile', { body: doc() }));
    expect(compiled.items.map((o) => o.metadata.namespace)).toEqual(
      Array(compiled.items.length).fill(ns),
    );
    await ok(api.POST('/v1/compile/connectivity', { body: doc() }));
    const yaml = await api.POST('/v1/compile', {
      body: doc(),
      headers: { accept: 'application/yaml' },
      parseAs: 'text',
    });
    expect(yaml.response.headers.get('content-type')).toMatch(/^application\/yaml/);

    const targets = { clusters: [clusterName] };
    const planned = await ok(
      api.POST('/v1/policies/{name}/plan', {
        params: { path: { name: policy } },
        body: { targets, document: doc() },
      }),
    );
    expect(planned.exists).toBe(false);
    expect(planned.clusters[0].summary.create).toBe(compiled.items.length);

    const stored = await ok(
      api.POST('/v1/policies', { body: { name: policy, targets, document: doc() } }),
    );
    expect('deploymentId' in stored && stored.deploymentId).toBeTruthy();
    const deploymentId = (stored as { deploymentId: string }).deploymentId;
    const deployment = await waitFor('the deployment to finish', async () => {
      const d = await ok(
        api.GET('/v1/deployments/{id}', { params: { path: { id: deploymentId } } }),
      );
      return d.finishedAt ? d : undefined;
    });
    expect(deployment.clusters.map((c) => c.phase)).toEqual(['Succeeded']);
    const status = await ok(
      api.GET('/v1/policies/{name}/status', { params: { path: { name: policy } } }),
    );
    expect(status.clusters[0].sync.status).toBe('Synced');
    // The status revalidates: its ETag in If-None-Match is a 304 without a body.
    const again = await api.GET('/v1/policies/{name}/status', {
      params: { path: { name: policy } },
      headers: { 'if-none-match': await etagOf(policy) },
    });
    expect(again.response.status).toBe(304);
    const outcomes = await ok(
      api.GET('/v1/policies/{name}/status/resources', {
        params: { path: { name: policy }, query: { cluster: clusterName, limit: 2 } },
      }),
    );
    expect(outcomes.items).toHaveLength(2);
    expect(outcomes.nextCursor).toBeDefined();
    const fleet = await ok(api.GET('/v1/status', { params: { query: { policy } } }));
    expect(fleet.items.map((i) => [i.policy, i.cluster])).toEqual([[policy, clusterName]]);
    const badCursor = await problemOf(
      api.GET('/v1/status', { params: { query: { cursor: 'not-a-cursor' } } }),
    );
    expect(badCursor.status).toBe(400);

    const same = await api.POST('/v1/policies', {
      body: { name: policy, targets, document: doc() },
    });
    expect(same.response.status).toBe(200);

    await ok(api.GET('/v1/policies', { params: { query: { limit: 10 } } }));
    await ok(api.GET('/v1/policies/{name}', { params: { path: { name: policy } } }));
    await ok(api.GET('/v1/policies/{name}/revisions', { params: { path: { name: policy } } }));
    const path = { name: policy, n: 1 };
    await ok(api.GET('/v1/policies/{name}/revisions/{n}', { params: { path } }));
    await ok(api.GET('/v1/policies/{name}/revisions/{n}/manifests', { params: { path } }));
    await ok(
      api.GET('/v1/policies/{name}/revisions/{n}/manifests', {
        params: { path, query: { cluster: clusterName } },
      }),
    );
    const diff = await ok(
      api.GET('/v1/policies/{name}/diff', { params: { path: { name: policy } } }),
    );
    expect(diff.clusters[0].summary.unchanged).toBe(compiled.items.length);
    await ok(api.GET('/v1/policies/{name}/connectivity', { params: { path: { name: policy } } }));
    await ok(api.POST('/v1/policies/{name}/drift-check', { params: { path: { name: policy } } }));

    // A second revision: a revision diff, a sync and a rollback to the first.
    const narrower = doc((d) => (d.expose = []));
    await ok(api.POST('/v1/policies', { body: { name: policy, targets, document: narrower } }));
    const revisions = { name: policy, a: 1, b: 2 };
    const changed = await ok(
      api.GET('/v1/policies/{name}/revisions/{a}/diff/{b}', { params: { path: revisions } }),
    );
    expect(changed.connectivity.lost.length).toBeGreaterThan(0);
    await ok(api.POST('/v1/policies/{name}/sync', { params: { path: { name: policy } } }));
    await ok(
      api.POST('/v1/policies/{name}/rollback', {
        params: { path: { name: policy } },
        body: { revision: 1 },
      }),
    );
  });

  it('manages clusters, tokens, webhooks and reads the audit log and the service', async () => {
    await ok(api.GET('/v1/clusters', {}));
    const name = { name: clusterName };
    await ok(api.GET('/v1/clusters/{name}', { params: { path: name } }));
    await ok(
      api.PATCH('/v1/clusters/{name}', {
        params: { path: name },
        body: { labels: { suite: policy, tier: 'test' } },
      }),
    );
    const check = await ok(
      api.POST('/v1/clusters/{name}/check', { params: { path: name }, body: { namespaces: [ns] } }),
    );
    expect(check.namespaces[0].missing).toEqual([]);
    const spare = uniqueName('oas-spare');
    const view = await ok(api.GET('/v1/clusters/{name}', { params: { path: name } }));
    await ok(
      api.POST('/v1/clusters', {
        body: {
          name: spare,
          server: view.server,
          token: 'spare-token',
          insecureSkipTlsVerify: true,
        },
      }),
    );
    await api.DELETE('/v1/clusters/{name}', { params: { path: { name: spare } } });

    const tokenName = uniqueName('oas-reader');
    const created = await ok(api.POST('/v1/tokens', { body: { name: tokenName, role: 'reader' } }));
    const tokens = await ok(api.GET('/v1/tokens', {}));
    expect(tokens.items.map((t) => t.name)).toContain(tokenName);
    // The reader may read, not compile: 403 with the role it lacks.
    const reader = await client(created.token);
    await ok(reader.GET('/v1/policies/{name}', { params: { path: { name: policy } } }));
    const refused = await problemOf(reader.POST('/v1/compile', { body: doc() }));
    expect(refused.problem).toMatchObject({ status: 403, requiredRole: 'writer' });
    await api.DELETE('/v1/tokens/{name}', { params: { path: { name: tokenName } } });

    const webhook = await ok(
      api.POST('/v1/webhooks', {
        body: { url: 'https://orchestrator.example.com/hooks', events: ['deployment.finished'] },
      }),
    );
    const id = { id: webhook.id };
    await ok(api.GET('/v1/webhooks', {}));
    await ok(api.GET('/v1/webhooks/{id}', { params: { path: id } }));
    await ok(api.GET('/v1/webhooks/{id}/deliveries', { params: { path: id } }));
    await api.DELETE('/v1/webhooks/{id}', { params: { path: id } });

    await ok(api.GET('/v1/audit', { params: { query: { limit: 5 } } }));
    await ok(api.GET('/version', {}));
    await ok(api.GET('/healthz', {}));
    await ok(api.GET('/readyz', {}));
    await api.GET('/metrics', { parseAs: 'text' });
  });

  it('runs the probe routes on a cluster without nodes (pods stay Pending)', async () => {
    const path = { name: policy };
    const probes = await ok(
      api.POST('/v1/policies/{name}/probes', {
        params: { path },
        body: { cluster: clusterName },
      }),
    );
    expect(probes.pods.length).toBeGreaterThan(0);
    const view = await ok(
      api.GET('/v1/policies/{name}/probes', { params: { path, query: { cluster: clusterName } } }),
    );
    expect(view.run).toBeNull();
    const notReady = await problemOf(
      api.POST('/v1/policies/{name}/probes/run', {
        params: { path },
        body: { cluster: clusterName },
      }),
    );
    expect(notReady.status).toBe(409);
    await ok(
      api.DELETE('/v1/policies/{name}/probes', {
        params: { path, query: { cluster: clusterName } },
      }),
    );
  });

  it('rejects with typed problems that name what is wrong', async () => {
    const missing = await problemOf(
      api.GET('/v1/policies/{name}', { params: { path: { name: 'no-such-policy' } } }),
    );
    expect(missing.problem.type).toBe('urn:gbp-netpol:problem:policy-not-found');
    const invalid = await problemOf(
      api.POST('/v1/compile', { body: { ...doc(), namespaces: ['Not_A_Label'] } }),
    );
    expect(invalid.status).toBe(400);
    expect(invalid.lines()[0]).toMatch(/^\/namespaces\/0: /);
    const noToken = await problemOf((await client(null)).GET('/v1/policies', {}));
    expect(noToken.problem.type).toBe('urn:gbp-netpol:problem:unauthenticated');
    expect(noToken.message).not.toContain(TEST_ADMIN_TOKEN);
    await problemOf(api.GET('/v1/deployments/{id}', { params: { path: { id: randomUUID() } } }));
    await problemOf(
      api.POST('/v1/clusters', {
        body: { name: clusterName, server: 'https://127.0.0.1:1', token: 'x' },
      }),
    );
    const unknownField = await problemOf(
      api.POST('/v1/tokens', {
        body: { name: 'x', role: 'reader', colour: 'red' } as never,
      }),
    );
    expect(unknownField.problem.errors).toEqual([
      expect.objectContaining({ path: '/colour', code: 'UNKNOWN_FIELD' }),
    ]);
    // Nested objects are closed too, as the document says (additionalProperties: false).
    const nested = await problemOf(
      api.POST('/v1/policies/{name}/plan', {
        params: { path: { name: policy } },
        body: {
          targets: { clusters: [clusterName], extra: true },
          document: { ...doc(), options: { egress: 'enforce', colour: 'red' } },
        } as never,
      }),
    );
    expect(nested.problem.errors).toEqual([
      expect.objectContaining({ path: '/targets/extra', code: 'UNKNOWN_FIELD' }),
    ]);
    const inDocument = await problemOf(
      api.POST('/v1/compile', { body: { ...doc(), options: { colour: 'red' } } as never }),
    );
    expect(inDocument.problem.errors).toEqual([
      expect.objectContaining({ path: '/options/colour', code: 'UNKNOWN_FIELD' }),
    ]);
    const deleted = await ok(
      api.DELETE('/v1/policies/{name}', { params: { path: { name: policy } } }),
    );
    expect(deleted.policy).toBe(policy);
  });

  it('answered every call above as the document says (checked last)', () => {
    expect(contract.check(calls)).toEqual([]);
    const covered = new Set(calls.map((c) => contract.operationOf(c)?.operationId));
    const every = Object.values(document.paths).flatMap((item) =>
      Object.values(item as Record<string, { operationId?: string }>).map((op) => op.operationId),
    );
    // Every operation but the event stream (test/e2e/events.e2e-spec.ts) was exercised.
    expect(every.filter((id) => !covered.has(id))).toEqual(['followDeployment']);
  });
});
