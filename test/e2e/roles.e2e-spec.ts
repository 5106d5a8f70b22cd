import { createTestApp, type TestApp } from '../support/create-test-app.js';

// A worker process listens only for its probes: no /v1 route, so no route that would run
// without the API's authentication.
describe('ROLE=worker (e2e)', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await createTestApp({ ROLE: 'worker' });
  });
  afterAll(async () => {
    await testApp?.close();
  });

  it.each(['/v1/clusters', '/v1/policies', '/v1/tokens', '/v1/audit'])(
    'serves no %s',
    async (path) => {
      await testApp.http().get(path).expect(404);
    },
  );

  it('serves /healthz and /readyz', async () => {
    await testApp.http().get('/healthz').expect(200);
    await testApp.http().get('/readyz').expect(200);
  });
});
