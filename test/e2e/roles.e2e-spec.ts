import { JobHandlers } from '../../src/infra/queue/job-handlers.js';
import { JOB_NAMES } from '../../src/infra/queue/queue.constants.js';
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

// Every job name has exactly one handler, registered by the module that owns it; the worker
// refuses to start otherwise.
describe('job handlers (e2e)', () => {
  it.each(['worker', 'all'] as const)(
    'ROLE=%s starts with a handler for every job',
    async (role) => {
      const testApp = await createTestApp({ ROLE: role });
      try {
        const handlers = testApp.app.get(JobHandlers);
        expect(handlers.missing()).toEqual([]);
        for (const name of JOB_NAMES) expect(handlers.get(name)?.run).toBeInstanceOf(Function);
      } finally {
        await testApp.close();
      }
    },
  );
});
