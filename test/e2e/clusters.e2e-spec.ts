import { Logger, type INestApplication } from '@nestjs/common';
import { eq } from 'drizzle-orm';
import { parse, stringify } from 'yaml';
import type { SecretBox } from '../../src/infra/crypto/secret-box.js';
import { DATABASE } from '../../src/infra/database/database.module.js';
import type { DatabaseHandle } from '../../src/infra/database/database.js';
import { clusters } from '../../src/infra/database/schema.js';
import { KubeApiError, KubeGateway } from '../../src/infra/kube/index.js';
import { DeploymentsService } from '../../src/modules/deployments/deployments.service.js';
import { waitFor } from '../support/wait-for.js';
import {
  ClusterConnector,
  type ClusterView,
} from '../../src/modules/clusters/cluster-connector.service.js';
import { openSecrets, SECRET_BOX } from '../../src/modules/clusters/cluster-secrets.js';
import { unb64 } from '../harness/kubeconfig.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { testCluster, useIdentity, useNamespace } from '../harness/kube-test-context.js';

const cluster = testCluster(0);
const BOGUS_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJub2JvZHkifQ.c2lnbmF0dXJlLWJvZ3Vz';

interface ProblemItem {
  path: string;
  code: string;
  message: string;
}

function kubeconfig(opts: {
  contexts: { name: string; server: string; user: Record<string, unknown> }[];
  current: string;
  caData: string;
}): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: opts.contexts.map((c) => ({
      name: `${c.name}-cluster`,
      cluster: { server: c.server, 'certificate-authority-data': opts.caData },
    })),
    users: opts.contexts.map((c) => ({ name: `${c.name}-user`, user: c.user })),
    contexts: opts.contexts.map((c) => ({
      name: c.name,
      context: { cluster: `${c.name}-cluster`, user: `${c.name}-user` },
    })),
    'current-context': opts.current,
  });
}

function closedPortServer(): string {
  const url = new URL(cluster.server);
  url.port = '1';
  return url.origin;
}

describe('/v1/clusters (e2e, real kube-apiserver)', () => {
  let testApp: TestApp;
  let app: INestApplication;
  let http: ReturnType<TestApp['http']>;
  let db: DatabaseHandle;
  let box: SecretBox;
  let connector: ClusterConnector;

  beforeAll(async () => {
    testApp = await createTestApp();
    app = testApp.app;
    http = testApp.http();
    db = app.get<DatabaseHandle>(DATABASE, { strict: false });
    box = app.get<SecretBox>(SECRET_BOX, { strict: false });
    connector = app.get(ClusterConnector, { strict: false });
  });
  afterAll(async () => {
    await testApp?.close();
  });

  async function storedCredentials(name: string): Promise<string> {
    const [row] = await db.db
      .select({ credentials: clusters.credentials })
      .from(clusters)
      .where(eq(clusters.name, name));
    return row.credentials;
  }

  it('registers a cluster with a least-privilege token and stores the token encrypted', async () => {
    const ns = await useNamespace(cluster, 'clusters-tok');
    const identity = await useIdentity(cluster, [ns]);
    const res = await http
      .post('/v1/clusters')
      .send({
        name: 'token-cluster',
        server: identity.server,
        caData: identity.caData,
        token: identity.token,
        labels: { env: 'test', 'example.com/team': 'a' },
      })
      .expect(201);
    expect(res.body).toMatchObject({
      name: 'token-cluster',
      server: cluster.server.replace(/\/+$/, ''),
      labels: { env: 'test', 'example.com/team': 'a' },
      insecureSkipTlsVerify: false,
      warnings: [],
      auth: 'token',
      connection: { state: 'Reachable', serverVersion: 'v1.37.2' },
    });
    expect(res.body.connection.checkedAt).toEqual(expect.any(String));
    expect(res.body.connection.message).toBeUndefined();
    expect(Object.keys(res.body).sort()).toEqual(
      [
        'auth',
        'connection',
        'createdAt',
        'insecureSkipTlsVerify',
        'labels',
        'name',
        'networks',
        'server',
        'updatedAt',
        'warnings',
      ].sort(),
    );
    expect(res.text).not.toContain(identity.token);
    expect(res.text).not.toContain(identity.caData);

    // The database holds only the sealed blob, which opens to exactly the credentials given.
    const sealed = await storedCredentials('token-cluster');
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain(identity.token);
    expect(sealed).not.toContain(identity.token.slice(0, 40));
    expect(openSecrets(box, 'token-cluster', sealed)).toEqual({
      caData: identity.caData,
      token: identity.token,
    });
    // Bound to the row: it does not open as another cluster's.
    expect(() => openSecrets(box, 'other', sealed)).toThrow(/cannot decrypt/);

    // GET one and GET list never contain the token.
    const one = await http.get('/v1/clusters/token-cluster').expect(200);
    expect(one.body).toEqual(res.body);
    const list = await http.get('/v1/clusters').expect(200);
    expect(list.body.items.map((c: ClusterView) => c.name)).toContain('token-cluster');
    for (const text of [one.text, list.text]) {
      expect(text).not.toContain(identity.token);
      expect(text).not.toMatch(/"token":|"caData":|"credentials":|clientKeyData/);
    }
  });

  it('checks NetworkPolicy permissions per namespace with SelfSubjectAccessReview', async () => {
    const granted = await useNamespace(cluster, 'clusters-granted');
    const notGranted = await useNamespace(cluster, 'clusters-denied');
    const identity = await useIdentity(cluster, [granted]);
    await http
      .post('/v1/clusters')
      .send({
        name: 'check-cluster',
        server: identity.server,
        caData: identity.caData,
        token: identity.token,
      })
      .expect(201);

    const res = await http
      .post('/v1/clusters/check-cluster/check')
      .send({ namespaces: [granted, notGranted, `${granted}-absent`] })
      .expect(200);
    expect(res.body.connection.state).toBe('Reachable');
    expect(res.body.serverVersion).toBe('v1.37.2');
    const all = { get: true, list: true, create: true, patch: true, delete: true };
    const none = { get: false, list: false, create: false, patch: false, delete: false };
    const missingAll = [
      'networkpolicies/get',
      'networkpolicies/list',
      'networkpolicies/create',
      'networkpolicies/patch',
      'networkpolicies/delete',
    ];
    expect(res.body.namespaces).toEqual([
      { namespace: granted, exists: true, permissions: all, missing: [] },
      { namespace: notGranted, exists: true, permissions: none, missing: missingAll },
      { namespace: `${granted}-absent`, exists: false, permissions: none, missing: missingAll },
    ]);
    expect(res.text).not.toContain(identity.token);

    // Without a body only the connection is checked.
    const bare = await http.post('/v1/clusters/check-cluster/check').expect(200);
    expect(bare.body).toMatchObject({
      connection: { state: 'Reachable' },
      serverVersion: 'v1.37.2',
      namespaces: [],
    });

    const bad = await http
      .post('/v1/clusters/check-cluster/check')
      .send({ namespaces: ['Not_A_Namespace'] })
      .expect(400);
    expect(bad.body.errors).toEqual([
      expect.objectContaining({ path: '/namespaces', code: 'IS_DNS1123_LABEL' }),
    ]);
    await http.post('/v1/clusters/absent/check').send({}).expect(404);
  });

  it('registers from a kubeconfig, reduced to the context it names', async () => {
    const ns = await useNamespace(cluster, 'clusters-kc');
    const identity = await useIdentity(cluster, [ns]);
    const text = kubeconfig({
      caData: identity.caData,
      current: 'decoy',
      contexts: [
        { name: 'decoy', server: closedPortServer(), user: { token: BOGUS_TOKEN } },
        { name: 'main', server: identity.server, user: { token: identity.token } },
      ],
    });
    const res = await http
      .post('/v1/clusters')
      .send({ name: 'kc-cluster', kubeconfig: text, context: 'main' })
      .expect(201);
    expect(res.body).toMatchObject({
      name: 'kc-cluster',
      server: cluster.server.replace(/\/+$/, ''),
      auth: 'token',
      connection: { state: 'Reachable', serverVersion: 'v1.37.2' },
    });
    expect(res.text).not.toContain(identity.token);
    // Only the chosen context's connection was kept: no trace of the decoy or of the kubeconfig.
    expect(openSecrets(box, 'kc-cluster', await storedCredentials('kc-cluster'))).toEqual({
      caData: identity.caData,
      token: identity.token,
    });

    // Without `context`, current-context (the decoy on a closed port) is used.
    const current = await http
      .post('/v1/clusters')
      .send({ name: 'kc-current', kubeconfig: text })
      .expect(201);
    expect(current.body).toMatchObject({
      server: closedPortServer(),
      connection: { state: 'Unreachable' },
    });
    expect(current.text).not.toContain(BOGUS_TOKEN);

    // JSON works as well as YAML; a context that does not exist is a 400.
    const json = JSON.stringify(parse(text));
    const missing = await http
      .post('/v1/clusters')
      .send({ name: 'kc-missing', kubeconfig: json, context: 'nope' })
      .expect(400);
    expect(missing.body.errors).toEqual([
      expect.objectContaining({ path: '/kubeconfig', code: 'INVALID_KUBECONFIG' }),
    ]);
    expect(missing.text).not.toContain(identity.token);

    // Connection fields cannot be combined with a kubeconfig.
    const mixed = await http
      .post('/v1/clusters')
      .send({ name: 'kc-mixed', kubeconfig: text, token: 'abcdefgh' })
      .expect(400);
    expect(mixed.body.errors).toEqual([
      expect.objectContaining({ path: '/token', code: 'CONFLICTING_FIELDS' }),
    ]);
  });

  it.each([
    [
      'exec',
      {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: 'steal-secret-marker',
          args: ['--x'],
        },
      },
    ],
    [
      'auth-provider',
      { 'auth-provider': { name: 'oidc', config: { 'client-secret': 'steal-secret-marker' } } },
    ],
  ])('rejects a kubeconfig whose user uses %s with 400 and the path', async (field, user) => {
    const text = kubeconfig({
      caData: cluster.caData,
      current: 'c',
      contexts: [{ name: 'c', server: cluster.server, user }],
    });
    const res = await http
      .post('/v1/clusters')
      .send({ name: `kc-${field}`, kubeconfig: text })
      .expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors).toEqual([
      {
        path: `/kubeconfig/users/0/user/${field}`,
        code: 'KUBECONFIG_FORBIDDEN_FIELD',
        message: expect.stringContaining(field),
      },
    ]);
    expect(res.text).not.toContain('steal-secret-marker');
    await http.get(`/v1/clusters/kc-${field}`).expect(404);
  });

  it('rejects http:// servers, unknown fields, bad names and bad labels with 400 problem+json', async () => {
    const insecure = await http
      .post('/v1/clusters')
      .send({ name: 'plain-http', server: 'http://127.0.0.1:8080', token: 'secret-token-value' })
      .expect(400);
    expect(insecure.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(insecure.body).toMatchObject({
      status: 400,
      type: 'urn:gbp-netpol:problem:invalid-request',
    });
    expect(insecure.body.errors).toEqual([
      expect.objectContaining({ path: '/server', code: 'INSECURE_SERVER_URL' }),
    ]);
    expect(insecure.text).not.toContain('secret-token-value');

    const unknown = await http
      .post('/v1/clusters')
      .send({ name: 'typo', server: cluster.server, tokn: 'secret-token-value' })
      .expect(400);
    expect(unknown.body.errors).toEqual([
      expect.objectContaining({ path: '/tokn', code: 'UNKNOWN_FIELD' }),
    ]);
    expect(unknown.text).not.toContain('secret-token-value');

    for (const name of ['Bad_Name', '-x', 'a'.repeat(64), '']) {
      const bad = await http
        .post('/v1/clusters')
        .send({ name, server: cluster.server })
        .expect(400);
      expect(bad.body.errors.map((e: ProblemItem) => `${e.path} ${e.code}`)).toContain(
        '/name IS_DNS1123_LABEL',
      );
    }

    const neither = await http.post('/v1/clusters').send({ name: 'neither' }).expect(400);
    expect(neither.body.errors).toEqual([
      expect.objectContaining({ path: '/server', code: 'REQUIRED' }),
    ]);

    const labels = await http
      .post('/v1/clusters')
      .send({
        name: 'bad-labels',
        server: cluster.server,
        labels: { 'bad key!': 'x', ok: 'not ok value!' },
      })
      .expect(400);
    expect(labels.body.errors.map((e: ProblemItem) => `${e.path} ${e.code}`)).toEqual([
      '/labels/bad key! INVALID_LABEL_KEY',
      '/labels/ok INVALID_LABEL_VALUE',
    ]);

    const pem = await http
      .post('/v1/clusters')
      .send({
        name: 'bad-pem',
        server: cluster.server,
        caData: 'bm90IGEgcGVt',
        clientCertificateData: cluster.adminAccess.clientCertificateData,
      })
      .expect(400);
    expect(pem.body.errors.map((e: ProblemItem) => `${e.path} ${e.code}`)).toEqual([
      '/caData INVALID_PEM',
      '/clientCertificateData REQUIRES_FIELD',
    ]);
  });

  it('answers 409 for a duplicate name', async () => {
    await http.post('/v1/clusters').send({ name: 'dup', server: closedPortServer() }).expect(201);
    const res = await http
      .post('/v1/clusters')
      .send({ name: 'dup', server: closedPortServer(), token: 'secret-token-value' })
      .expect(409);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 409, type: 'urn:gbp-netpol:problem:cluster-exists' });
    expect(res.text).not.toContain('secret-token-value');
  });

  it('reports a wrong token as Unauthorized and a closed port as Unreachable, without echoing credentials', async () => {
    const wrong = await http
      .post('/v1/clusters')
      .send({
        name: 'wrong-token',
        server: cluster.server,
        caData: cluster.caData,
        token: BOGUS_TOKEN,
      })
      .expect(201);
    expect(wrong.body.connection).toMatchObject({
      state: 'Unauthorized',
      message: expect.stringContaining('401'),
    });
    expect(wrong.text).not.toContain(BOGUS_TOKEN);

    const closed = await http
      .post('/v1/clusters')
      .send({
        name: 'closed-port',
        server: closedPortServer(),
        caData: cluster.caData,
        token: BOGUS_TOKEN,
      })
      .expect(201);
    expect(closed.body.connection).toMatchObject({
      state: 'Unreachable',
      message: expect.stringContaining('ECONNREFUSED'),
    });
    expect(closed.text).not.toContain(BOGUS_TOKEN);

    // A PATCH of the credentials checks again.
    const ns = await useNamespace(cluster, 'clusters-fix');
    const identity = await useIdentity(cluster, [ns]);
    const fixed = await http
      .patch('/v1/clusters/wrong-token')
      .send({ token: identity.token })
      .expect(200);
    expect(fixed.body.connection).toEqual({
      state: 'Reachable',
      checkedAt: expect.any(String),
      serverVersion: 'v1.37.2',
    });
    expect(fixed.text).not.toContain(identity.token);
    expect(openSecrets(box, 'wrong-token', await storedCredentials('wrong-token'))).toEqual({
      caData: cluster.caData,
      token: identity.token,
    });
  });

  it('registers with a client certificate and never shows the key', async () => {
    const { clientCertificateData, clientKeyData, caData } = cluster.adminAccess;
    const res = await http
      .post('/v1/clusters')
      .send({
        name: 'cert-cluster',
        server: cluster.server,
        caData,
        clientCertificateData,
        clientKeyData,
      })
      .expect(201);
    expect(res.body).toMatchObject({
      auth: 'clientCertificate',
      connection: { state: 'Reachable', serverVersion: 'v1.37.2' },
    });
    const pemKey = unb64(clientKeyData);
    const keyBody = pemKey.split('\n')[1];
    const sealed = await storedCredentials('cert-cluster');
    for (const text of [
      res.text,
      (await http.get('/v1/clusters/cert-cluster')).text,
      (await http.get('/v1/clusters?limit=500')).text,
      sealed,
    ]) {
      expect(text).not.toContain(clientKeyData);
      expect(text).not.toContain(keyBody);
    }
  });

  it('shows a warning when TLS verification is disabled', async () => {
    const ns = await useNamespace(cluster, 'clusters-insecure');
    const identity = await useIdentity(cluster, [ns]);
    const res = await http
      .post('/v1/clusters')
      .send({
        name: 'insecure',
        server: identity.server,
        token: identity.token,
        insecureSkipTlsVerify: true,
      })
      .expect(201);
    expect(res.body.insecureSkipTlsVerify).toBe(true);
    expect(res.body.warnings).toContain('TLS verification is disabled for this cluster');
    expect(res.body.connection.state).toBe('Reachable');
    // Turning verification back on without a CA fails the TLS handshake: Unreachable. (A change
    // of TLS verification, like one of server or CA, needs the credentials again.)
    const verified = await http
      .patch('/v1/clusters/insecure')
      .send({ insecureSkipTlsVerify: false, token: identity.token })
      .expect(200);
    expect(verified.body.warnings).toEqual([]);
    expect(verified.body.connection.state).toBe('Unreachable');
  });

  it('changes labels with PATCH without checking the connection again', async () => {
    const created = await http
      .post('/v1/clusters')
      .send({ name: 'labelled', server: closedPortServer(), labels: { env: 'dev' } })
      .expect(201);
    const res = await http
      .patch('/v1/clusters/labelled')
      .send({ labels: { env: 'prod', tier: 'gold' } })
      .expect(200);
    expect(res.body.labels).toEqual({ env: 'prod', tier: 'gold' });
    expect(res.body.connection).toEqual(created.body.connection);
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(
      Date.parse(created.body.updatedAt),
    );
    expect((await http.get('/v1/clusters/labelled').expect(200)).body.labels).toEqual({
      env: 'prod',
      tier: 'gold',
    });

    const bad = await http
      .patch('/v1/clusters/labelled')
      .send({ labels: { 'x/y/z': 'a' }, server: null })
      .expect(400);
    expect(bad.body.errors.map((e: ProblemItem) => `${e.path} ${e.code}`)).toContain(
      '/server IS_STRING',
    );
    const badLabel = await http
      .patch('/v1/clusters/labelled')
      .send({ labels: { 'x/y/z': 'a' } })
      .expect(400);
    expect(badLabel.body.errors.map((e: ProblemItem) => `${e.path} ${e.code}`)).toEqual([
      '/labels/x~1y~1z INVALID_LABEL_KEY',
    ]);
    const insecure = await http
      .patch('/v1/clusters/labelled')
      .send({ server: 'http://10.0.0.1' })
      .expect(400);
    expect(insecure.body.errors).toEqual([
      expect.objectContaining({ path: '/server', code: 'INSECURE_SERVER_URL' }),
    ]);
    await http.patch('/v1/clusters/absent').send({ labels: {} }).expect(404);

    expect(await connector.namesMatching({ matchLabels: { env: 'prod', tier: 'gold' } })).toEqual([
      'labelled',
    ]);
    expect(await connector.namesMatching({ matchLabels: { env: 'nowhere' } })).toEqual([]);
    expect(await connector.existingNames(['labelled', 'absent', 'labelled'])).toEqual(['labelled']);
  });

  it('deletes a cluster (204, then 404); with prune=true the worker removes our objects first, and a failed prune keeps the cluster (502)', async () => {
    const ns = await useNamespace(cluster, 'clusters-prune');
    const identity = await useIdentity(cluster, [ns]);
    const credentials = { caData: identity.caData, token: identity.token };
    for (const name of ['pruned', 'doomed'])
      await http
        .post('/v1/clusters')
        .send({ name, server: identity.server, ...credentials })
        .expect(201);
    // One network per policy: two policies never own objects of the same name.
    const document = (network: string) => ({
      namespaces: [ns],
      contracts: {},
      expose: [{ network, cidr: '10.9.0.0/16', ports: [{ port: 443 }] }],
    });
    for (const [policy, target] of [
      ['prune-kept', 'pruned'],
      ['prune-lost', 'doomed'],
    ])
      await http
        .post('/v1/policies')
        .send({
          name: policy,
          targets: { clusters: [target] },
          document: document(`${policy}-web`),
        })
        .expect(202);
    const admin = new KubeGateway().connect(cluster.adminAccess);
    const owned = async (policy: string) =>
      (await admin.listNetworkPolicies(ns, `gbp-netpol.io/policy=${policy}`)).map(
        (o) => o.metadata.name,
      );
    for (const policy of ['prune-kept', 'prune-lost'])
      await waitFor(`${policy} applied`, async () =>
        (await owned(policy)).length > 0 ? true : undefined,
      );

    // A cluster that no longer answers cannot be pruned: 502 naming the cause, and it stays.
    await http
      .patch('/v1/clusters/doomed')
      .send({ server: closedPortServer(), ...credentials })
      .expect(200);
    const failed = await http.delete('/v1/clusters/doomed?prune=true').expect(502);
    expect(failed.body).toMatchObject({
      status: 502,
      type: 'urn:gbp-netpol:problem:cluster-prune-failed',
    });
    expect(failed.body.detail).toMatch(/prune-lost/);
    expect(failed.text).not.toContain(identity.token);
    await http.get('/v1/clusters/doomed').expect(200);
    expect(await owned('prune-lost')).toEqual(['prune-lost-web']);

    await http.delete('/v1/clusters/pruned?prune=maybe').expect(400);
    await http.delete('/v1/clusters/pruned?prune=true').expect(204);
    expect(await owned('prune-kept')).toEqual([]);
    await http.get('/v1/clusters/pruned').expect(404);
    await http.delete('/v1/clusters/pruned').expect(404);

    // Without prune=true nothing is sent to the cluster: our objects stay where they are.
    await http.delete('/v1/clusters/doomed').expect(204);
    await http.get('/v1/clusters/doomed').expect(404);
    expect(await owned('prune-lost')).toEqual(['prune-lost-web']);
    for (const policy of ['prune-kept', 'prune-lost'])
      await http.delete(`/v1/policies/${policy}`).expect(202);
  });

  it('a registration deploys the policies whose selector matches; a failure there is logged without secrets, never surfaced', async () => {
    const secret = 'plain-secret-token-123456';
    const warn = vi.spyOn(Logger.prototype, 'warn');
    const deployments = app.get(DeploymentsService, { strict: false });
    const seen: ClusterView[] = [];
    const deploy = vi.spyOn(deployments, 'deployToNewCluster').mockImplementation(async (view) => {
      seen.push(view);
      throw new Error(`deployment exploded while using ${secret}`);
    });
    try {
      const res = await http
        .post('/v1/clusters')
        .send({ name: 'hooked', server: closedPortServer(), token: secret })
        .expect(201);
      expect(seen).toEqual([res.body]);
      expect(res.text).not.toContain(secret);
      const logged = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('hooked'));
      expect(logged).toEqual([
        expect.stringContaining('deployment exploded while using [REDACTED]'),
      ]);
      await http
        .post('/v1/clusters')
        .send({ name: 'hooked', server: closedPortServer() })
        .expect(409);
      expect(seen).toHaveLength(1);
    } finally {
      deploy.mockRestore();
      warn.mockRestore();
    }
  });

  it('documents the endpoints in the OpenAPI document', async () => {
    const doc = (await http.get('/docs-json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/clusters', '/v1/clusters/{name}', '/v1/clusters/{name}/check']),
    );
    expect(doc.components.schemas.CreateCluster.properties.token).toMatchObject({
      writeOnly: true,
      description: expect.any(String),
    });
    for (const schema of [
      'CreateCluster',
      'UpdateCluster',
      'Cluster',
      'Connection',
      'ClusterCheck',
      'NamespaceCheck',
    ]) {
      for (const [field, property] of Object.entries(
        doc.components.schemas[schema].properties as Record<string, { description?: string }>,
      )) {
        expect(property.description, `${schema}.${field}`).toEqual(expect.any(String));
      }
    }
  });

  it('gives other modules a working client and records connection outcomes', async () => {
    const ns = await useNamespace(cluster, 'clusters-conn');
    const identity = await useIdentity(cluster, [ns]);
    await http
      .post('/v1/clusters')
      .send({
        name: 'connected',
        server: identity.server,
        caData: identity.caData,
        token: identity.token,
      })
      .expect(201);
    const { client, cluster: view } = await connector.connect('connected');
    expect(view).toMatchObject({ name: 'connected', auth: 'token' });
    expect(await client.listNetworkPolicies(ns)).toEqual([]);
    const denied = await client.listNetworkPolicies('default').catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(KubeApiError);

    await connector.recordConnectionFailure('connected', denied);
    expect((await http.get('/v1/clusters/connected')).body.connection).toMatchObject({
      state: 'Unauthorized',
    });
    await connector.recordConnectionSuccess('connected', await client.version());
    expect((await http.get('/v1/clusters/connected')).body.connection).toEqual({
      state: 'Reachable',
      checkedAt: expect.any(String),
      serverVersion: 'v1.37.2',
    });
    // An answer about the request itself (here: conflict) says nothing about the connection.
    await connector.recordConnectionFailure(
      'connected',
      new KubeApiError('x', 409, 'Conflict', 'conflict'),
    );
    expect((await http.get('/v1/clusters/connected')).body.connection.state).toBe('Reachable');
    await connector.recordConnectionFailure(
      'connected',
      new Error(`socket hang up (token ${identity.token})`),
    );
    const after = (await http.get('/v1/clusters/connected')).body.connection;
    expect(after.state).toBe('Unreachable');
    expect(after.message).not.toContain(identity.token);

    expect((await connector.views(['connected', 'absent'])).map((c) => c.name)).toEqual([
      'connected',
    ]);
    await expect(connector.connect('absent')).rejects.toMatchObject({ problem: { status: 404 } });
  });

  it('walks all clusters with limit=1, sorted by name', async () => {
    const all = (await http.get('/v1/clusters?limit=500').expect(200)).body;
    expect(all.nextCursor).toBeUndefined();
    const names = all.items.map((c: ClusterView) => c.name);
    expect(names.length).toBeGreaterThan(5);
    expect(names).toEqual([...names].sort());

    const walked: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await http
        .get('/v1/clusters')
        .query({ limit: 1, ...(cursor ? { cursor } : {}) })
        .expect(200);
      expect(page.body.items.length).toBeLessThanOrEqual(1);
      walked.push(...page.body.items.map((c: ClusterView) => c.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(walked).toEqual(names);

    await http.get('/v1/clusters?limit=0').expect(400);
    const unknown = await http.get('/v1/clusters?lmit=1').expect(400);
    expect(unknown.body.errors).toEqual([
      expect.objectContaining({ path: '/lmit', code: 'UNKNOWN_FIELD' }),
    ]);
  });
});
