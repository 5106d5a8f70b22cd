import request from 'supertest';
import { syntheticDocument } from '../../bench/synthetic-document.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';

/** One contract of `providers` × `consumers` networks (names padded to reach the sizes). */
function contract(providers: number, consumers: number, pad = 0) {
  const names = (p: string, n: number) =>
    Array.from({ length: n }, (_, i) => `${p}${'x'.repeat(pad)}${i}`);
  return {
    namespaces: ['mms'],
    contracts: {
      c1: {
        provide_networks: names('p', providers),
        consume_networks: names('c', consumers),
        ports: [{ port: 443 }],
      },
    },
  };
}

interface Problem {
  status: number;
  type: string;
  errors?: { path: string; code: string; message: string }[];
}

// Issue 10 §1: no document may freeze the service. Each gets a correct answer or a 422 that
// names the limit; CPU-heavy work runs in worker threads, so /healthz answers meanwhile.
describe('bounded work (e2e)', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await createTestApp({ BODY_LIMIT_BYTES: String(16 * 1024 * 1024) });
  });
  afterAll(async () => {
    await testApp?.close();
  });
  const http = () => testApp.http();

  it('400 × 400 (6.4 KB): compiles (800 objects); its 320,800-cell connectivity view is a 422 naming the limit', async () => {
    const doc = contract(400, 400, 1);
    expect(JSON.stringify(doc).length).toBeGreaterThan(6000);
    const compiled = await http().post('/v1/compile').send(doc).expect(200);
    expect(compiled.body.items).toHaveLength(800);
    const view = await http().post('/v1/compile/connectivity').send(doc).expect(422);
    expect(view.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(view.body as Problem).toMatchObject({
      type: 'urn:gbp-netpol:problem:connectivity-too-large',
      errors: [
        {
          code: 'CONNECTIVITY_TOO_LARGE',
          message: expect.stringMatching(/320,800 cells, more than the limit of 200,000/),
        },
      ],
    });
  });

  it.each([
    ['2,000 × 2,000 (34 KB)', contract(2000, 2000), 'c1'],
    ['5,000 × 5,000 (200 KB)', contract(5000, 5000, 13), 'c1'],
  ])('%s: 422 naming the limit, the count and the contract', async (_name, doc, contractName) => {
    for (const route of ['/v1/compile', '/v1/compile/connectivity']) {
      const res = await http().post(route).send(doc).expect(422);
      const body = res.body as Problem;
      expect(body.type).toBe('urn:gbp-netpol:problem:compile-limit-exceeded');
      expect(body.errors).toEqual([
        expect.objectContaining({
          code: 'COMPILE_LIMIT_EXCEEDED',
          message: expect.stringMatching(
            new RegExp(
              `grantPairs limit of 1,000,000; largest contributors: contract "${contractName}"`,
            ),
          ),
        }),
      ]);
    }
    await http().get('/healthz').expect(200);
  });

  it('keeps answering /healthz while a big document compiles in a worker thread', async () => {
    const doc = syntheticDocument(5000);
    const order: string[] = [];
    const compiling = http()
      .post('/v1/compile')
      .send(doc)
      .then((res) => {
        order.push('compile');
        return res;
      });
    // Probes sent after the compile started answer before it ends: the event loop is free.
    await new Promise((r) => setTimeout(r, 50));
    await request(testApp.app.getHttpServer())
      .get('/healthz')
      .expect(200)
      .then(() => order.push('healthz'));
    const res = await compiling;
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(15_000);
    expect(order).toEqual(['healthz', 'compile']);
  });

  it('stops a computation past COMPUTE_BUDGET_MS: 422, and the service keeps serving', async () => {
    const tight = await createTestApp({
      BODY_LIMIT_BYTES: String(16 * 1024 * 1024),
      COMPUTE_BUDGET_MS: '100',
    });
    try {
      const res = await tight.http().post('/v1/compile').send(syntheticDocument(5000)).expect(422);
      expect(res.body).toMatchObject({
        type: 'urn:gbp-netpol:problem:compute-budget-exceeded',
        detail: expect.stringContaining('budget of 100 ms'),
      });
      await tight.http().get('/healthz').expect(200);
    } finally {
      await tight.close();
    }
  });

  it('stores the connectivity with the revision: GET answers it without recomputing; a refused view stays refused', async () => {
    await http()
      .post('/v1/clusters')
      .send({ name: 'nowhere', server: 'https://127.0.0.1:1' })
      .expect(201);
    const small = contract(3, 2);
    await http()
      .post('/v1/policies')
      .send({ name: 'small', targets: { clusters: ['nowhere'] }, document: small })
      .expect(202);
    const stored = await http().get('/v1/policies/small/connectivity').expect(200);
    const fresh = await http().post('/v1/compile/connectivity').send(small).expect(200);
    expect(stored.body).toMatchObject({ policy: 'small', revision: 1, cells: fresh.body.cells });

    await http()
      .post('/v1/policies')
      .send({ name: 'wide', targets: { clusters: ['nowhere'] }, document: contract(400, 400) })
      .expect(202);
    const wide = await http().get('/v1/policies/wide/connectivity').expect(422);
    expect(wide.body.type).toBe('urn:gbp-netpol:problem:connectivity-too-large');
    await http()
      .post('/v1/policies')
      .send({ name: 'wide', targets: { clusters: ['nowhere'] }, document: contract(400, 399) })
      .expect(202);
    const diff = await http().get('/v1/policies/wide/revisions/1/diff/2').expect(200);
    expect(diff.body.connectivity.lost.length).toBeGreaterThan(0);
    for (const name of ['small', 'wide']) await http().delete(`/v1/policies/${name}`).expect(202);
  });
});
