import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import request from 'supertest';
import { ROLLOUT_QUEUE } from '../../src/infra/queue/queue.constants.js';
import { DeploymentsRepository } from '../../src/modules/deployments/deployments.repository.js';
import { uniqueName } from '../harness/cluster-admin.js';
import { testCluster, type TestCluster } from '../harness/kube-test-context.js';
import { TEST_ADMIN_TOKEN, createTestApp } from '../support/create-test-app.js';
import { registerTestCluster } from '../support/register-test-cluster.js';

// The whole app as create-test-app builds it (AppModule wires every module).
const createEventsApp = (env: Record<string, string> = {}) => createTestApp(env);

const example = JSON.parse(
  readFileSync(
    new URL('../../src/core/compiler/golden/example.document.json', import.meta.url),
    'utf8',
  ),
) as { namespaces: string[] };

interface SseEvent {
  event: string;
  id?: string;
  data: Record<string, unknown>;
}

/** Parses a text/event-stream body into its events (`event` defaults to "message"). */
function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.split('\n').some((l) => l.startsWith('data:')))
    .map((block) => {
      const fields: Record<string, string[]> = {};
      for (const line of block.split('\n')) {
        const m = /^([a-z]+): ?(.*)$/.exec(line);
        if (m) (fields[m[1]] ??= []).push(m[2]);
      }
      return {
        event: fields.event?.[0] ?? 'message',
        id: fields.id?.[0],
        data: JSON.parse(fields.data.join('\n')) as Record<string, unknown>,
      };
    });
}

/** A superagent parser that keeps the raw event stream as text (it is an IncomingMessage at runtime). */
const readText = (res: unknown, done: (err: Error | null, body: unknown) => void) => {
  const stream = res as IncomingMessage;
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => (text += chunk));
  stream.on('end', () => done(null, text));
};

describe('deployment progress stream (e2e, real kube-apiserver, Redis and PGlite)', () => {
  let testApp: Awaited<ReturnType<typeof createEventsApp>>;
  let app: INestApplication;
  let cluster: TestCluster;
  let clusterName: string;
  const ns = uniqueName('events');
  const policy = uniqueName('events');
  const http = () =>
    request.agent(app.getHttpServer()).set({ Authorization: `Bearer ${TEST_ADMIN_TOKEN}` });
  const stream = (id: string) =>
    http().get(`/v1/deployments/${id}/events`).buffer(true).parse(readText);

  beforeAll(async () => {
    testApp = await createEventsApp();
    app = testApp.app;
    cluster = testCluster(0);
    clusterName = await registerTestCluster(http(), cluster, [ns], 'events-c');
  });

  afterAll(async () => {
    await testApp?.close();
    await cluster?.deleteNamespace(ns).catch(() => undefined);
  });

  /** Pauses the rollout queue: new jobs wait, so their targets stay Queued until resume(). */
  const queue = () => app.get<Queue>(getQueueToken(ROLLOUT_QUEUE));
  const post = async (document: Record<string, unknown>) =>
    (
      await http()
        .post('/v1/policies')
        .send({ name: policy, targets: { clusters: [clusterName] }, document })
        .expect(202)
    ).body as { deploymentId: string };

  it('streams Queued, then the later phases up to Succeeded, then end, and closes', async () => {
    await queue().pause();
    let resumed = false;
    try {
      const { deploymentId } = await post({ ...example, namespaces: [ns] });
      const answer = stream(deploymentId).then((res) => res);
      await new Promise((r) => setTimeout(r, 600));
      await queue().resume();
      resumed = true;
      const res = await answer;
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);

      const events = parseSse(res.body as string);
      const phases = events.filter((e) => e.event === 'message');
      expect(phases[0].data).toEqual({
        cluster: clusterName,
        phase: 'Queued',
        attempt: 0,
        error: null,
      });
      expect(phases.at(-1)!.data).toMatchObject({
        cluster: clusterName,
        phase: 'Succeeded',
        attempt: 1,
        error: null,
      });
      const order = ['Queued', 'Running', 'Succeeded'];
      const seen = phases.map((e) => e.data.phase as string);
      expect(seen.every((p, i) => i === 0 || order.indexOf(p) > order.indexOf(seen[i - 1]))).toBe(
        true,
      );
      expect(events.at(-1)).toMatchObject({
        event: 'end',
        data: { deploymentId, clusters: [{ cluster: clusterName, phase: 'Succeeded' }] },
      });
      expect(events.filter((e) => e.event === 'end')).toHaveLength(1);
      expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));

      // A finished deployment: its final phases, then end, at once.
      const again = parseSse((await stream(deploymentId).expect(200)).body as string);
      expect(again.map((e) => `${e.event} ${String(e.data.phase ?? '')}`)).toEqual([
        'message Succeeded',
        'end ',
      ]);
    } finally {
      if (!resumed) await queue().resume();
    }
  });

  it('stops polling when the client goes away', async () => {
    await queue().pause();
    try {
      const { deploymentId } = await post({ ...example, namespaces: [ns], expose: [] });
      const repo = app.get(DeploymentsRepository);
      const spy = vi.spyOn(repo, 'findDeployment');
      try {
        const server = app.getHttpServer() as Server;
        if (!server.listening)
          await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const { port } = server.address() as AddressInfo;
        // A plain client that leaves after the first events.
        await new Promise<void>((resolve, reject) => {
          const req = get(
            {
              host: '127.0.0.1',
              port,
              path: `/v1/deployments/${deploymentId}/events`,
              headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
            },
            (r) => {
              expect(r.statusCode).toBe(200);
              r.once('data', () => {
                req.destroy();
                resolve();
              });
            },
          );
          req.on('error', (e) => (req.destroyed ? undefined : reject(e)));
        });
        await new Promise((r) => setTimeout(r, 500));
        const calls = spy.mock.calls.length;
        expect(calls).toBeGreaterThan(0);
        await new Promise((r) => setTimeout(r, 1000));
        expect(spy.mock.calls.length).toBe(calls);
      } finally {
        spy.mockRestore();
      }
    } finally {
      await queue().resume();
    }
  });

  it('an unknown deployment is a 404 problem, not a stream', async () => {
    const res = await http().get(`/v1/deployments/${randomUUID()}/events`).expect(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.type).toBe('urn:gbp-netpol:problem:deployment-not-found');
  });
});
