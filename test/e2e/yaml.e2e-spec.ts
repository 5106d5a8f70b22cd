import { parseAllDocuments, stringify } from 'yaml';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { loadExampleDocument } from '../support/example-document.js';

const example = loadExampleDocument();

/** The example plus a `deny` contract, which NetworkPolicy cannot express: it is dropped with a warning. */
const withDeny = () => {
  const d = structuredClone(example) as Record<string, unknown> & typeof example;
  d.contracts = {
    ...d.contracts,
    deny_db: {
      provide_networks: ['hangwe_inst_network02'],
      consume_networks: ['hangwe_inst_network03'],
      action: 'deny',
    } as (typeof d.contracts)[string],
  };
  return d;
};
const DENY_WARNING =
  /^\/contracts\/deny_db\/action: action "deny" cannot be expressed by NetworkPolicy, which only permits; this contract is dropped and allows nothing$/;

/**
 * YAML request bodies (issue 11 §5) and warnings that reach YAML users (§6), against the real
 * app: the same answers as for JSON, the same refusals (duplicate keys, hostile bodies), and
 * warnings as leading `# Warning:` comments and `Warning` headers.
 */
describe('YAML bodies and warnings (e2e)', () => {
  let testApp: TestApp;
  const http = () => testApp.http();
  beforeAll(async () => {
    testApp = await createTestApp();
  });
  afterAll(async () => {
    await testApp?.close();
  });

  it.each([
    'application/yaml',
    'application/x-yaml',
    'text/yaml',
    'application/yaml; charset=utf-8',
  ])('compiles a document sent as %s exactly as the same document in JSON', async (contentType) => {
    const asJson = await http().post('/v1/compile').send(example).expect(200);
    const asYaml = await http()
      .post('/v1/compile')
      .set('Content-Type', contentType)
      .send(stringify(example))
      .expect(200);
    expect(asYaml.body).toEqual(asJson.body);
  });

  it('sends the warning of a deny contract as a leading YAML comment and a Warning header', async () => {
    const res = await http()
      .post('/v1/compile')
      .set('Content-Type', 'application/yaml')
      .set('Accept', 'application/yaml')
      .send(stringify(withDeny()))
      .expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/yaml/);
    const [first] = res.text.split('\n');
    expect(first.replace(/^# Warning: /, '')).toMatch(DENY_WARNING);
    expect(first.startsWith('# Warning: ')).toBe(true);
    expect(res.headers['warning']).toMatch(
      /^299 - "\/contracts\/deny_db\/action: action \\"deny\\" cannot be expressed/,
    );
    // Comments change nothing for kubectl: the same three NetworkPolicies parse.
    const docs = parseAllDocuments(res.text).map((d) => d.toJS() as { kind: string });
    expect(docs.map((d) => d.kind)).toEqual(['NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy']);
  });

  it('sends Warning headers with a JSON answer too, beside the warnings field', async () => {
    const res = await http().post('/v1/compile').send(withDeny()).expect(200);
    expect(res.body.warnings).toEqual([expect.objectContaining({ code: 'ACTION_NOT_PERMIT' })]);
    expect(res.headers['warning']).toMatch(/^299 - "\/contracts\/deny_db\/action: /);
    const clean = await http().post('/v1/compile').send(example).expect(200);
    expect(clean.headers['warning']).toBeUndefined();
  });

  it('validates YAML bodies of the other routes as it validates JSON ones', async () => {
    const cluster = await http()
      .post('/v1/clusters')
      .set('Content-Type', 'application/yaml')
      .send('name: yaml-cluster\nserver: http://127.0.0.1:1\ntoken: not-shown-marker\n')
      .expect(400);
    expect(cluster.body.errors).toEqual([
      expect.objectContaining({ path: '/server', code: 'INSECURE_SERVER_URL' }),
    ]);
    expect(cluster.text).not.toContain('not-shown-marker');
    const policy = await http()
      .post('/v1/policies')
      .set('Content-Type', 'application/yaml')
      .send(
        stringify({
          name: 'yaml-policy',
          targets: { clusters: ['not-registered'] },
          document: example,
        }),
      )
      .expect(400);
    expect(policy.body.type).toBe('urn:gbp-netpol:problem:unknown-cluster');
  });

  it.each([
    {
      name: 'a key given twice, with its path',
      body: 'namespaces: [a]\ncontracts:\n  c1: {}\n  c1: {}\n',
      type: 'invalid-request',
      errors: [{ path: '/contracts/c1', code: 'DUPLICATE_KEY' }],
    },
    {
      name: 'an alias',
      body: 'namespaces: &n [a]\nexpose: *n\n',
      type: 'invalid-request',
      errors: [{ path: '/expose', code: 'YAML_ALIAS' }],
    },
    {
      name: 'block nesting 400,000 deep (800 KB of "- ")',
      body: `${'- '.repeat(400_000)}x\n`,
      type: 'invalid-request',
      errors: [{ path: '', code: 'NESTING_TOO_DEEP' }],
    },
    {
      name: 'a NUL written as a YAML escape',
      body: 'namespaces: ["a\\0b"]\n',
      type: 'invalid-request',
      errors: [{ path: '/namespaces/0', code: 'INVALID_STRING' }],
    },
    {
      name: 'text that is not YAML',
      body: 'namespaces: [a\n  b: }',
      type: 'invalid-yaml',
      errors: [{ path: '', code: 'INVALID_YAML' }],
    },
  ])('refuses $name with a 400 problem', async ({ body, type, errors }) => {
    const res = await http()
      .post('/v1/compile')
      .set('Content-Type', 'application/yaml')
      .send(body)
      .expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.type).toBe(`urn:gbp-netpol:problem:${type}`);
    expect(res.body.errors).toEqual(errors.map((e) => expect.objectContaining(e)));
  });

  it('refuses a YAML body over the limit (413) and one in another charset (415)', async () => {
    // A document route takes up to DOCUMENT_LIMIT_BYTES (16 MiB), the others BODY_LIMIT_BYTES.
    await http()
      .post('/v1/compile')
      .set('Content-Type', 'application/yaml')
      .send(`namespaces: [a]\n# ${'x'.repeat(16 * 1024 * 1024)}\n`)
      .expect(413);
    await http()
      .post('/v1/clusters')
      .set('Content-Type', 'application/yaml')
      .send(`name: a\n# ${'x'.repeat(1024 * 1024)}\n`)
      .expect(413);
    await http()
      .post('/v1/compile')
      .set('Content-Type', 'application/yaml; charset=latin1')
      .send('namespaces: [a]\n')
      .expect(415);
    // Still serving.
    await http().post('/v1/compile').send(example).expect(200);
  });
});
