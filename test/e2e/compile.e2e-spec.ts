import { syntheticDocument } from '../../bench/synthetic-document.js';
import { parseAllDocuments } from 'yaml';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { loadExampleDocument } from '../support/example-document.js';

const example = loadExampleDocument();

describe('POST /v1/compile (e2e)', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await createTestApp();
  });
  afterAll(async () => {
    await testApp.close();
  });

  it('compiles the example as JSON with 200 (not 201)', async () => {
    const res = await testApp.http().post('/v1/compile').send(example).expect(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body.warnings).toEqual([]);
    expect(
      res.body.items.map(
        (o: { metadata: { namespace: string; name: string } }) =>
          `${o.metadata.namespace}/${o.metadata.name}`,
      ),
    ).toEqual([
      'mms/hangwe-inst-network01',
      'mms/hangwe-inst-network02',
      'mms/hangwe-inst-network03',
    ]);
    expect(res.headers['x-request-id']).toMatch(/.+/);
  });

  it('compiles as multi-document YAML for kubectl apply', async () => {
    const res = await testApp
      .http()
      .post('/v1/compile')
      .set('Accept', 'application/yaml')
      .send(example)
      .expect(200);
    expect(res.headers['content-type']).toMatch(/application\/yaml/);
    const docs = parseAllDocuments(res.text).map(
      (d) => d.toJS() as { kind: string; spec: { policyTypes: string[] } },
    );
    expect(docs).toHaveLength(3);
    for (const d of docs) {
      expect(d.kind).toBe('NetworkPolicy');
      expect(d.spec.policyTypes).toEqual(['Ingress']);
    }
    expect(res.text).not.toMatch(/[&*]a\d/); // no YAML anchors or aliases
  });

  it('answers the connectivity matrix computed from the compiled objects', async () => {
    const res = await testApp.http().post('/v1/compile/connectivity').send(example).expect(200);
    const cell = (source: string, destination: string) =>
      res.body.cells.find(
        (c: { source: string; destination: string }) =>
          c.source === source && c.destination === destination,
      )?.allowed;
    expect(cell('network:hangwe-inst-network03', 'hangwe-inst-network01')).toEqual([
      { protocol: 'TCP', ports: ['23'] },
    ]);
    expect(cell('network:hangwe-inst-network01', 'hangwe-inst-network02')).toEqual([
      { protocol: 'TCP', ports: ['23', '3306'] },
    ]);
    expect(cell('network:hangwe-inst-network02', 'hangwe-inst-network01')).toBe('all');
    expect(cell('cidr:0.0.0.0/0', 'hangwe-inst-network01')).toEqual([
      { protocol: 'TCP', ports: ['80'] },
    ]);
    expect(cell('untagged', 'hangwe-inst-network01')).toBeUndefined();
    expect(cell('network:hangwe-inst-network03', 'hangwe-inst-network02')).toBeUndefined();
  });

  it('reports every problem of a bad document at once, with paths, as problem+json', async () => {
    const bad = {
      namespaces: ['Prod', 'ok'],
      contracts: {
        web_to_db: {
          provide_networks: ['db'],
          consume_networks: [],
          ports: [{ protocol: 'ICMP', port: 70000 }],
        },
      },
      expose: [{ network: 'web', cidr: '10.0.0.0/33', except: ['11.0.0.0/8'] }],
    };
    const res = await testApp.http().post('/v1/compile').send(bad).expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const paths = res.body.errors.map((e: { path: string; code: string }) => `${e.path} ${e.code}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/namespaces/0 INVALID_NAMESPACE',
        '/contracts/web_to_db/consume_networks EMPTY_LIST',
        '/contracts/web_to_db/ports/0/protocol INVALID_PROTOCOL',
        '/contracts/web_to_db/ports/0/port PORT_OUT_OF_RANGE',
        '/expose/0/cidr INVALID_CIDR',
      ]),
    );
    expect(res.body.status).toBe(400);
  });

  it('rejects unknown fields at every level', async () => {
    const res = await testApp
      .http()
      .post('/v1/compile')
      .send({ ...example, namspaces: ['x'], options: { egres: 'enforce' } })
      .expect(400);
    const paths = res.body.errors.map((e: { path: string; code: string }) => `${e.path} ${e.code}`);
    expect(paths).toEqual(
      expect.arrayContaining(['/namspaces UNKNOWN_FIELD', '/options/egres UNKNOWN_FIELD']),
    );
  });

  it('returns warnings for ignored ACI fields and canonicalised CIDRs', async () => {
    const doc = {
      namespaces: ['mms'],
      contracts: {
        c: {
          provide_networks: ['a'],
          consume_networks: ['b'],
          established: true,
          ports: [{ port: 22, source_port: 1024 }],
        },
      },
      expose: [{ network: 'a', cidr: '10.1.2.3/8', except: [] }],
    };
    const res = await testApp.http().post('/v1/compile').send(doc).expect(200);
    const codes = res.body.warnings.map(
      (w: { path: string; code: string }) => `${w.path} ${w.code}`,
    );
    expect(codes).toEqual(
      expect.arrayContaining([
        '/contracts/c/established IGNORED_ESTABLISHED',
        '/contracts/c/ports/0/source_port IGNORED_SOURCE_PORT',
        '/expose/0/cidr CIDR_HOST_BITS_SET',
      ]),
    );
    const a = res.body.items.find((o: { metadata: { name: string } }) => o.metadata.name === 'a');
    expect(JSON.stringify(a.spec)).toContain('"cidr":"10.0.0.0/8"');
  });

  it('answers malformed JSON, wrong content types and oversized bodies with clear problems', async () => {
    const broken = await testApp
      .http()
      .post('/v1/compile')
      .set('Content-Type', 'application/json')
      .send('{"namespaces": [')
      .expect(400);
    expect(broken.body.errors[0].code).toBe('INVALID_JSON');
    const text = await testApp
      .http()
      .post('/v1/compile')
      .set('Content-Type', 'text/plain')
      .send('namespaces: [a]')
      .expect(415);
    expect(text.body.detail).toMatch(/application\/json/);
    // The compile route takes a policy document: its limit is DOCUMENT_LIMIT_BYTES (16 MiB).
    const huge = { namespaces: ['a'], contracts: {}, padding: 'x'.repeat(16 * 1024 * 1024 + 10) };
    const big = await testApp.http().post('/v1/compile').send(huge).expect(413);
    expect(big.body.detail).toMatch(/larger than the limit of 16777216 bytes/);
    expect(big.body.detail).toMatch(/DOCUMENT_LIMIT_BYTES/);
  });

  it('takes documents over the 1 MiB body limit on the document routes only (DOCUMENT_LIMIT_BYTES)', async () => {
    const document = { ...syntheticDocument(5000), namespaces: ['a', 'b', 'c'] };
    expect(Buffer.byteLength(JSON.stringify(document))).toBeGreaterThan(1024 * 1024);
    const compiled = await testApp.http().post('/v1/compile').send(document).expect(200);
    expect(compiled.body.items).toHaveLength(15_000);
    const stored = await testApp
      .http()
      .post('/v1/policies')
      .send({
        name: 'big-document',
        targets: { clusterSelector: { matchLabels: { env: 'nowhere-big-document' } } },
        document,
      })
      .expect(202);
    expect(stored.body).toMatchObject({ revision: 1, objectCount: 15_000, clusters: [] });
    // Every other route keeps BODY_LIMIT_BYTES.
    const cluster = await testApp
      .http()
      .post('/v1/clusters')
      .send({ name: 'big', server: 'https://127.0.0.1:1', token: 'x'.repeat(1024 * 1024) })
      .expect(413);
    expect(cluster.body.detail).toMatch(/larger than the limit of 1048576 bytes/);
  });

  it('serves the OpenAPI document with the example and the error schema', async () => {
    const res = await testApp.http().get('/docs-json').expect(200);
    const op = res.body.paths['/v1/compile'].post;
    expect(op.requestBody.content['application/json'].examples.mms.value).toEqual(example);
    expect(op.responses['400'].content['application/problem+json'].schema.$ref).toBe(
      '#/components/schemas/Problem',
    );
    expect(Object.keys(res.body.components.schemas)).toEqual(
      expect.arrayContaining(['PolicyDocument', 'Contract', 'Problem']),
    );
    await testApp.http().get('/docs').expect(200);
  });

  it('answers /healthz', async () => {
    await testApp.http().get('/healthz').expect(200, { status: 'ok' });
  });
});
