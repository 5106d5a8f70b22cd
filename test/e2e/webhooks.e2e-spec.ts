import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import request from 'supertest';
import { KubeGateway, type KubeClient } from '../../src/infra/kube/index.js';
import { uniqueName } from '../harness/cluster-admin.js';
import { testCluster } from '../harness/kube-test-context.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { loadExampleDocument } from '../support/example-document.js';
import { registerTestCluster } from '../support/register-test-cluster.js';
import { waitFor } from '../support/wait-for.js';

const example = loadExampleDocument();

/** One request the receiver got. */
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Event {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/**
 * Verifies a delivery exactly as the Standard Webhooks specification tells a receiver to,
 * written here from the specification rather than with the service's code: the key is the
 * base64 after `whsec_`; the signed content is `${webhook-id}.${webhook-timestamp}.${raw body}`;
 * `webhook-signature` is a space-separated list of `v1,<base64 HMAC-SHA256>`, compared in
 * constant time; the timestamp must be within 5 minutes.
 */
function verifyStandardWebhook(secret: string, r: Received): boolean {
  const id = r.headers['webhook-id'];
  const timestamp = r.headers['webhook-timestamp'];
  const signatures = r.headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string')
    return false;
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300)
    return false;
  if (!secret.startsWith('whsec_')) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${r.body}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/**
 * A local receiver: /hook answers 204, /flaky 503 to the first attempt of each message then
 * 200, /redirect 302 to /hook, /gone 410, /slow never answers.
 */
function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const seen = new Set<string>();
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const path = req.url ?? '';
      received.push({ path, headers: req.headers, body });
      const id = String(req.headers['webhook-id']);
      if (path === '/flaky' && !seen.has(id)) {
        seen.add(id);
        res.writeHead(503).end();
      } else if (path === '/redirect') res.writeHead(302, { location: '/hook' }).end();
      else if (path === '/gone') res.writeHead(410).end();
      else if (path === '/slow')
        return; // never answers
      else res.writeHead(path === '/flaky' ? 200 : 204).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        received,
      }),
    ),
  );
}

/**
 * Webhooks (issue 11 §3) against the real app, a real kube-apiserver and a local receiver:
 * URL rules, admin only, the secret shown once, Standard Webhooks signatures verified
 * independently, every event type, retries with backoff, no redirects, the delivery log, and
 * jobs that carry ids only.
 */
describe('webhooks (e2e, real kube-apiserver, Redis and PGlite)', () => {
  let testApp: TestApp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let admin: KubeClient;
  let clusterName: string;
  const ns = uniqueName('hooks');
  const policy = uniqueName('hooks');
  const hooks: Record<string, { id: string; secret: string }> = {};
  const http = () => testApp.http();
  const eventsAt = (path: string): (Received & { event: Event })[] =>
    receiver.received
      .filter((r) => r.path === path)
      .map((r) => ({ ...r, event: JSON.parse(r.body) as Event }));
  const deliveries = async (id: string) =>
    (await http().get(`/v1/webhooks/${id}/deliveries`).expect(200)).body.items as {
      id: string;
      event: string;
      state: string;
      attempts: number;
      lastStatus: number | null;
      lastError: string | null;
      payload: Event;
    }[];

  beforeAll(async () => {
    receiver = await startReceiver();
    testApp = await createTestApp({
      ALLOW_INSECURE_WEBHOOK_URLS: 'true',
      WEBHOOK_ATTEMPTS: '3',
      WEBHOOK_BACKOFF_MS: '50',
      WEBHOOK_TIMEOUT_MS: '1500',
    });
    admin = new KubeGateway().connect(testCluster(0).adminAccess);
  });

  afterAll(async () => {
    await testApp?.close();
    receiver?.server.closeAllConnections();
    receiver?.server.close();
    await testCluster(0)
      .deleteNamespace(ns)
      .catch(() => undefined);
  });

  it.each([
    ['https://169.254.169.254/latest/meta-data', 'WEBHOOK_ADDRESS_FORBIDDEN'],
    ['http://2852039166/', 'WEBHOOK_ADDRESS_FORBIDDEN'],
    ['http://0xa9.0xfe.0xa9.0xfe/', 'WEBHOOK_ADDRESS_FORBIDDEN'],
    ['http://[::ffff:169.254.169.254]/', 'WEBHOOK_ADDRESS_FORBIDDEN'],
    ['http://[fe80::1]/', 'WEBHOOK_ADDRESS_FORBIDDEN'],
    ['http://0.0.0.0:8080/', 'WEBHOOK_ADDRESS_FORBIDDEN'],
    ['http://[::]/', 'WEBHOOK_ADDRESS_FORBIDDEN'],
    ['http://224.0.0.1/', 'WEBHOOK_ADDRESS_FORBIDDEN'],
    ['https://user:pw@hooks.example/', 'INVALID_WEBHOOK_URL'],
    ['file:///etc/passwd', 'INVALID_WEBHOOK_URL'],
  ])('refuses %s with %s', async (url, code) => {
    const res = await http()
      .post('/v1/webhooks')
      .send({ url, events: ['deployment.finished'] })
      .expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: '/url', code })]);
  });

  it('refuses a bad secret and unknown events, and http:// unless allowed', async () => {
    const res = await http()
      .post('/v1/webhooks')
      .send({ url: `${receiver.url}/hook`, events: ['deployment.started'], secret: 'hunter2' })
      .expect(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['/events']);
    const secret = await http()
      .post('/v1/webhooks')
      .send({ url: `${receiver.url}/hook`, events: ['deployment.finished'], secret: 'hunter2' })
      .expect(400);
    expect(secret.body.errors).toEqual([
      expect.objectContaining({ path: '/secret', code: 'INVALID_WEBHOOK_SECRET' }),
    ]);
    expect(secret.text).not.toContain('hunter2');
    const strict = await createTestApp();
    try {
      const insecure = await strict
        .http()
        .post('/v1/webhooks')
        .send({ url: `${receiver.url}/hook`, events: ['deployment.finished'] })
        .expect(400);
      expect(insecure.body.errors[0].code).toBe('INSECURE_WEBHOOK_URL');
    } finally {
      await strict.close();
    }
  });

  it('is for admins only', async () => {
    const writer = await http()
      .post('/v1/tokens')
      .send({ name: 'hooks-writer', role: 'writer' })
      .expect(201);
    const asWriter = () =>
      request
        .agent(testApp.app.getHttpServer())
        .set('Authorization', `Bearer ${writer.body.token}`);
    await asWriter()
      .post('/v1/webhooks')
      .send({ url: `${receiver.url}/hook`, events: ['deployment.finished'] })
      .expect(403);
    await asWriter().get('/v1/webhooks').expect(403);
  });

  it('creates webhooks, showing each secret once and never again', async () => {
    const all = await http()
      .post('/v1/webhooks')
      .send({
        url: `${receiver.url}/hook`,
        events: [
          'cluster.connection_changed',
          'deployment.phase_changed',
          'deployment.finished',
          'drift.detected',
        ],
      })
      .expect(201);
    expect(all.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(all.headers.location).toBe(`/v1/webhooks/${all.body.id}`);
    hooks.all = { id: all.body.id, secret: all.body.secret };
    const given = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const flaky = await http()
      .post('/v1/webhooks')
      .send({ url: `${receiver.url}/flaky`, events: ['deployment.finished'], secret: given })
      .expect(201);
    expect(flaky.body.secret).toBe(given);
    hooks.flaky = { id: flaky.body.id, secret: given };
    for (const path of ['redirect', 'gone', 'slow']) {
      const res = await http()
        .post('/v1/webhooks')
        .send({ url: `${receiver.url}/${path}`, events: ['deployment.finished'] })
        .expect(201);
      hooks[path] = { id: res.body.id, secret: res.body.secret };
    }

    const list = await http().get('/v1/webhooks').expect(200);
    expect(list.body.items.map((w: { id: string }) => w.id)).toEqual(
      ['all', 'flaky', 'redirect', 'gone', 'slow'].map((k) => hooks[k].id),
    );
    const one = await http().get(`/v1/webhooks/${hooks.all.id}`).expect(200);
    expect(one.body).toEqual({
      id: hooks.all.id,
      url: `${receiver.url}/hook`,
      events: [
        'deployment.phase_changed',
        'deployment.finished',
        'drift.detected',
        'cluster.connection_changed',
      ],
      createdAt: expect.any(String),
    });
    for (const text of [list.text, one.text])
      for (const { secret } of Object.values(hooks)) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(secret.slice('whsec_'.length));
      }
  });

  it('sends a signed cluster.connection_changed when a registered cluster becomes reachable', async () => {
    clusterName = await registerTestCluster(http(), testCluster(0), [ns], 'hooks');
    const [hit] = await waitFor('the connection event', async () => {
      const found = eventsAt('/hook').filter(
        (r) =>
          r.event.type === 'cluster.connection_changed' && r.event.data.cluster === clusterName,
      );
      return found.length > 0 ? found : undefined;
    });
    expect(verifyStandardWebhook(hooks.all.secret, hit)).toBe(true);
    expect(verifyStandardWebhook(hooks.flaky.secret, hit)).toBe(false);
    expect(hit.headers['content-type']).toBe('application/json');
    expect(hit.event.data).toEqual({
      cluster: clusterName,
      previous: 'Unknown',
      connection: 'Reachable',
      message: null,
    });
  });

  it('sends every phase change and the end of a rollout, retries a failing receiver, and follows no redirect', async () => {
    const created = await http()
      .post('/v1/policies')
      .send({
        name: policy,
        targets: { clusters: [clusterName] },
        document: { ...example, namespaces: [ns] },
      })
      .expect(202);
    const deploymentId = created.body.deploymentId as string;
    const finished = await waitFor('deployment.finished at /hook', async () =>
      eventsAt('/hook').find(
        (r) => r.event.type === 'deployment.finished' && r.event.data.deploymentId === deploymentId,
      ),
    );
    expect(finished.event.data).toMatchObject({
      deploymentId,
      policy,
      revision: 1,
      kind: 'apply',
      outcome: 'Succeeded',
      clusters: [{ cluster: clusterName, action: 'apply', phase: 'Succeeded', error: null }],
    });
    // Deliveries run in parallel, so they may arrive in any order; the event time orders them.
    const phases = await waitFor('both phase changes at /hook', async () => {
      const found = eventsAt('/hook').filter(
        (r) =>
          r.event.type === 'deployment.phase_changed' && r.event.data.deploymentId === deploymentId,
      );
      return found.length >= 2
        ? found.sort((a, b) => a.event.timestamp.localeCompare(b.event.timestamp))
        : undefined;
    });
    expect(phases.map((r) => r.event.data.phase)).toEqual(['Running', 'Succeeded']);
    expect(phases[1].event.data).toMatchObject({
      cluster: clusterName,
      policy,
      error: null,
      counts: { created: expect.any(Number) },
    });
    for (const r of eventsAt('/hook'))
      expect(verifyStandardWebhook(hooks.all.secret, r)).toBe(true);

    // The flaky receiver: 503, then 200, to the same webhook-id, each attempt signed anew.
    const flaky = await waitFor('the flaky delivery delivered', async () => {
      const [d] = await deliveries(hooks.flaky.id);
      return d?.state === 'delivered' ? d : undefined;
    });
    expect(flaky).toMatchObject({
      event: 'deployment.finished',
      attempts: 2,
      lastStatus: 200,
      lastError: null,
    });
    const attempts = eventsAt('/flaky');
    expect(attempts.map((r) => r.headers['webhook-id'])).toEqual([flaky.id, flaky.id]);
    for (const r of attempts) expect(verifyStandardWebhook(hooks.flaky.secret, r)).toBe(true);
    expect(attempts[0].body).toBe(attempts[1].body);

    // A redirect is an answer, not a new target: retried, then failed; /hook never saw it.
    const redirected = await waitFor('the redirect delivery failed', async () => {
      const [d] = await deliveries(hooks.redirect.id);
      return d?.state === 'failed' ? d : undefined;
    });
    expect(redirected).toMatchObject({ attempts: 3, lastStatus: 302 });
    expect(redirected.lastError).toMatch(/redirects are not followed/);
    expect(eventsAt('/redirect')).toHaveLength(3);
    expect(eventsAt('/hook').some((r) => r.headers['webhook-id'] === redirected.id)).toBe(false);

    // 410 Gone ends a delivery at once; a receiver that never answers runs into the deadline.
    const gone = await waitFor('the gone delivery failed', async () => {
      const [d] = await deliveries(hooks.gone.id);
      return d?.state === 'failed' ? d : undefined;
    });
    expect(gone).toMatchObject({ attempts: 1, lastStatus: 410 });
    const slow = await waitFor('the slow delivery failed', async () => {
      const [d] = await deliveries(hooks.slow.id);
      return d?.state === 'failed' ? d : undefined;
    });
    expect(slow).toMatchObject({
      attempts: 3,
      lastStatus: null,
      lastError: 'no answer within 1500 ms',
    });
  });

  it('sends drift.detected, lists deliveries newest first and pages them', async () => {
    const [first] = await admin.listNetworkPolicies(ns, `gbp-netpol.io/policy=${policy}`);
    await admin.deleteNetworkPolicy(ns, first.metadata.name);
    await http().post(`/v1/policies/${policy}/drift-check`).expect(200);
    const drift = await waitFor('drift.detected at /hook', async () =>
      eventsAt('/hook').find((r) => r.event.type === 'drift.detected'),
    );
    expect(verifyStandardWebhook(hooks.all.secret, drift)).toBe(true);
    expect(drift.event.data).toMatchObject({
      policy,
      cluster: clusterName,
      resourceCount: 1,
      resources: [{ namespace: ns, name: first.metadata.name, change: 'missing' }],
    });

    const log = await waitFor('every delivery of /hook delivered', async () => {
      const items = await deliveries(hooks.all.id);
      return items.length === eventsAt('/hook').length &&
        items.every((d) => d.state === 'delivered')
        ? items
        : undefined;
    });
    expect(log[0].event).toBe('drift.detected');
    expect(log.at(-1)!.event).toBe('cluster.connection_changed');
    for (const d of log) expect(d).toMatchObject({ attempts: 1, lastStatus: 204 });
    const page1 = await http().get(`/v1/webhooks/${hooks.all.id}/deliveries?limit=2`).expect(200);
    const page2 = await http()
      .get(`/v1/webhooks/${hooks.all.id}/deliveries?limit=2&cursor=${page1.body.nextCursor}`)
      .expect(200);
    expect([...page1.body.items, ...page2.body.items].map((d: { id: string }) => d.id)).toEqual(
      log.slice(0, 4).map((d) => d.id),
    );
  });

  it('queues ids only: no job in Redis holds a secret, a URL or a payload', async () => {
    const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    try {
      const keys = await redis.keys(`${testApp.config.queuePrefix}:webhooks:*`);
      let jobs = 0;
      for (const key of keys) {
        if ((await redis.type(key)) !== 'hash') continue;
        const job = await redis.hgetall(key);
        if (!job.data) continue;
        jobs++;
        expect(Object.keys(JSON.parse(job.data) as object)).toEqual(['deliveryId']);
        const text = JSON.stringify(job);
        for (const { secret } of Object.values(hooks)) expect(text).not.toContain(secret);
        expect(text).not.toContain(receiver.url);
      }
      expect(jobs).toBeGreaterThan(0);
    } finally {
      await redis.quit();
    }
  });

  it('deletes a webhook with its delivery log', async () => {
    await http().delete(`/v1/webhooks/${hooks.gone.id}`).expect(204);
    await http().get(`/v1/webhooks/${hooks.gone.id}`).expect(404);
    await http().get(`/v1/webhooks/${hooks.gone.id}/deliveries`).expect(404);
    await http().delete(`/v1/webhooks/${hooks.gone.id}`).expect(404);
    await http().get('/v1/webhooks/not-a-uuid').expect(404);
  });
});
