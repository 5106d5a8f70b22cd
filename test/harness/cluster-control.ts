import { randomBytes, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rawRequest } from './https-request.js';
import type { KubeCluster } from './kube-cluster.js';
import type { ClusterControlInfo } from './provided-context.js';

// Test files run in worker processes, but the clusters' processes belong to the process that ran
// the global setup. This loopback endpoint lets a worker stop/start a shared kube-apiserver.

export type ControlAction = 'stop-apiserver' | 'start-apiserver';

export interface ControlServer {
  info: ClusterControlInfo;
  close(): Promise<void>;
}

export async function startControlServer(clusters: readonly KubeCluster[]): Promise<ControlServer> {
  const secret = randomBytes(24).toString('hex');
  const expected = Buffer.from(`Bearer ${secret}`);
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: object): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const auth = Buffer.from(req.headers.authorization ?? '');
    if (auth.length !== expected.length || !timingSafeEqual(auth, expected))
      return reply(401, { error: 'unauthorized' });
    const match = /^\/clusters\/(\d+)\/(stop-apiserver|start-apiserver)$/.exec(req.url ?? '');
    const cluster = match ? clusters[Number(match[1])] : undefined;
    if (req.method !== 'POST' || !match || !cluster) return reply(404, { error: 'not found' });
    const action = match[2] as ControlAction;
    const run = action === 'stop-apiserver' ? cluster.stopApiServer() : cluster.startApiServer();
    run.then(
      () => reply(200, { ok: true }),
      (error: unknown) => reply(500, { error: (error as Error).message }),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    info: { url: `http://127.0.0.1:${port}`, secret },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

export async function sendControl(
  info: ClusterControlInfo,
  index: number,
  action: ControlAction,
): Promise<void> {
  const res = await rawRequest({
    url: `${info.url}/clusters/${index}/${action}`,
    method: 'POST',
    token: info.secret,
    timeoutMs: 180_000,
  });
  if (res.status !== 200)
    throw new Error(`${action} on cluster ${index} failed (${res.status}): ${res.text}`);
}
