import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import {
  createServer as createTcpServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeApiError, KubeGateway, type NetworkPolicy } from '../../src/infra/kube/index.js';
import { generateClusterPki } from '../harness/cluster-pki.js';
import { testCluster } from '../harness/kube-test-context.js';

// The gateway against servers that are not (well-behaved) Kubernetes API servers: every call
// ends within its deadline as a KubeApiError, follows no redirect and copies no foreign body.

const TOKEN = 'transport-test-token-0123456789';
const BODY_MARKER = 'foreign-body-marker';
const pki = generateClusterPki('transport-test');
const caData = Buffer.from(pki.caCertPem).toString('base64');

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
}

async function listen<T extends Server | HttpsServer>(server: T): Promise<T> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const portOf = (server: Server | HttpsServer) => (server.address() as AddressInfo).port;

interface Recorded {
  url: string;
  authorization?: string;
}

/** A TLS listener with a certificate for 127.0.0.1 that answers as `answer` says and records what came. */
async function tlsListener(
  answer: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: HttpsServer; url: string; seen: Recorded[] }> {
  const seen: Recorded[] = [];
  const server = await listen(
    createHttpsServer({ cert: pki.servingCertPem, key: pki.servingKeyPem }, (req, res) => {
      seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
      answer(req, res);
    }),
  );
  return { server, url: `https://127.0.0.1:${portOf(server)}`, seen };
}

describe('kube transport: deadlines, redirects, foreign answers, refused addresses', () => {
  const servers: (Server | HttpsServer)[] = [];
  const sockets = new Set<Socket>();
  let silent: Server;

  beforeAll(async () => {
    // Accepts TCP and then says nothing: no TLS handshake ever completes.
    silent = await listen(
      createTcpServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => undefined);
      }),
    );
    servers.push(silent);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    for (const server of servers) {
      (server as HttpsServer).closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a server that accepts TCP but never speaks TLS fails within the request deadline, as unreachable', async () => {
    const gateway = new KubeGateway({ requestTimeoutMs: 1500 });
    const client = gateway.connect({
      server: `https://127.0.0.1:${portOf(silent)}`,
      caData,
      token: TOKEN,
    });
    const error = await caught(client.version());
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error).toMatchObject({ kind: 'unreachable', code: 'ETIMEDOUT', status: undefined });
    expect((error as KubeApiError).message).toContain('no answer within 1500 ms');
    // Every other call has the same total deadline.
    expect(await caught(client.namespaceExists('default'))).toMatchObject({
      kind: 'unreachable',
      code: 'ETIMEDOUT',
    });
  }, 20_000);

  it("the caller's signal bounds the handshake too (registration and /check pass CONNECT_TIMEOUT_MS)", async () => {
    const client = new KubeGateway({ requestTimeoutMs: 600_000 }).connect({
      server: `https://127.0.0.1:${portOf(silent)}`,
      token: TOKEN,
    });
    const error = await caught(client.version({ signal: AbortSignal.timeout(1000) }));
    expect(error).toMatchObject({ name: 'TimeoutError' });
  }, 20_000);

  it('https:// to a server of another protocol (Redis) fails as unreachable within the deadline', async () => {
    const client = new KubeGateway({ requestTimeoutMs: 3000 }).connect({
      server: 'https://127.0.0.1:6379',
      token: TOKEN,
    });
    const error = await caught(client.version());
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error).toMatchObject({ kind: 'unreachable', status: undefined });
    expect((error as KubeApiError).message).not.toContain(TOKEN);
  }, 20_000);

  it('follows no redirect: 3xx is an error, and the target never sees the token', async () => {
    const target = await tlsListener((_req, res) => res.writeHead(200).end('{}'));
    const redirector = await tlsListener((_req, res) =>
      res.writeHead(302, { location: `${target.url}/version` }).end(),
    );
    servers.push(target.server, redirector.server);
    const client = new KubeGateway({ requestTimeoutMs: 5000 }).connect({
      server: redirector.url,
      caData,
      token: TOKEN,
    });
    const error = await caught(client.version());
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error).toMatchObject({ status: 302, kind: 'other', retryable: false });
    expect((error as KubeApiError).message).toMatch(/HTTP 302 \(redirects are not followed\)$/);
    expect((error as KubeApiError).message).not.toContain(target.url);
    expect(redirector.seen).toHaveLength(1);
    expect(target.seen).toEqual([]);
  });

  it.each([
    ['an HTML 404', 404, 'text/html', `<h1>${BODY_MARKER}</h1>`],
    ['a 200 in plain text', 200, 'text/plain', BODY_MARKER],
    ['a 500 with JSON that is not a Status', 500, 'application/json', `{"e":"${BODY_MARKER}"}`],
    ['a 401 HTML page', 401, 'text/html', BODY_MARKER],
  ])(
    '%s becomes "HTTP 503 (not a Kubernetes API server)", never its body',
    async (_name, status, contentType, body) => {
      const foreign = await tlsListener((_req, res) =>
        res.writeHead(status, { 'content-type': contentType }).end(body),
      );
      servers.push(foreign.server);
      const client = new KubeGateway({ requestTimeoutMs: 5000 }).connect({
        server: foreign.url,
        caData,
        token: TOKEN,
      });
      const error = await caught(client.version());
      expect(error).toBeInstanceOf(KubeApiError);
      expect(error).toMatchObject({ status: 503, kind: 'other', code: 'NOT_KUBERNETES' });
      expect((error as KubeApiError).message).toBe(
        `get /version on ${foreign.url} failed: HTTP 503 (not a Kubernetes API server)`,
      );
      // A foreign 404 is no verdict about a namespace: it must not read as "absent".
      await expect(client.namespaceExists('default')).rejects.toMatchObject({
        code: 'NOT_KUBERNETES',
      });
    },
  );

  it.each([
    'https://169.254.169.254',
    'https://2852039166:6443',
    'https://0xA9FEA9FE',
    'https://169.254.43518',
    'https://[::ffff:169.254.169.254]',
    'https://[fe80::1]:6443',
    'https://0.0.0.0:6443',
    'https://[::]:6443',
    'https://224.0.0.1',
  ])('refuses %s without connecting', async (server) => {
    const client = new KubeGateway({ requestTimeoutMs: 5000 }).connect({ server, token: TOKEN });
    const error = await caught(client.version());
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error).toMatchObject({ kind: 'unreachable', code: 'ADDRESS_REFUSED' });
    expect((error as KubeApiError).message).toContain('ALLOW_LINK_LOCAL_CLUSTER_URLS=true');
  });

  it('connects to such an address when allowed (0.0.0.0 reaches this host)', async () => {
    const cluster = testCluster(0);
    const url = new URL(cluster.server);
    const access = { ...cluster.adminAccess, server: `https://0.0.0.0:${url.port}` };
    // The serving certificate names 127.0.0.1, not 0.0.0.0.
    const creds = { ...access, insecureSkipTlsVerify: true, caData: undefined };
    const refused = await caught(new KubeGateway().connect(creds).version());
    expect(refused).toMatchObject({ code: 'ADDRESS_REFUSED' });
    const version = await new KubeGateway({ allowSpecialAddresses: true }).connect(creds).version();
    expect(version.gitVersion).toBe('v1.37.2');
  });

  // Server-side apply, the rollout's hot path, is sent without client-node (kube-client.ts):
  // it must obey every rule above as well.
  const object: NetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'np', namespace: 'default' },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  };

  it('server-side apply: a server that completes TLS and never answers fails within the deadline', async () => {
    const mute = await tlsListener(() => undefined);
    servers.push(mute.server);
    const client = new KubeGateway({ requestTimeoutMs: 1500 }).connect({
      server: mute.url,
      caData,
      token: TOKEN,
    });
    for (const call of [() => client.version(), () => client.applyNetworkPolicy(object)]) {
      const error = await caught(call());
      expect(error).toBeInstanceOf(KubeApiError);
      expect(error).toMatchObject({ kind: 'unreachable', code: 'ETIMEDOUT' });
    }
    expect(mute.seen.map((r) => r.url)).toEqual([
      '/version',
      expect.stringMatching(
        /^\/apis\/networking\.k8s\.io\/v1\/namespaces\/default\/networkpolicies\/np\?/,
      ),
    ]);
  }, 20_000);

  it('server-side apply: follows no redirect, copies no foreign body, refuses special addresses', async () => {
    const target = await tlsListener((_req, res) => res.writeHead(200).end('{}'));
    const redirector = await tlsListener((_req, res) =>
      res.writeHead(307, { location: `${target.url}/steal` }).end(),
    );
    const foreign = await tlsListener((_req, res) =>
      res.writeHead(500, { 'content-type': 'text/html' }).end(BODY_MARKER),
    );
    servers.push(target.server, redirector.server, foreign.server);
    const connect = (server: string) =>
      new KubeGateway({ requestTimeoutMs: 5000 }).connect({ server, caData, token: TOKEN });

    const redirected = await caught(connect(redirector.url).applyNetworkPolicy(object));
    expect(redirected).toMatchObject({ status: 307, code: 'REDIRECT' });
    expect(target.seen).toEqual([]);

    const foreignError = await caught(connect(foreign.url).applyNetworkPolicy(object));
    expect(foreignError).toMatchObject({ status: 503, code: 'NOT_KUBERNETES' });
    expect((foreignError as KubeApiError).message).not.toContain(BODY_MARKER);

    const refused = await caught(connect('https://169.254.169.254').applyNetworkPolicy(object));
    expect(refused).toMatchObject({ kind: 'unreachable', code: 'ADDRESS_REFUSED' });
  });

  it('still passes on the real API server answers and Status errors', async () => {
    const cluster = testCluster(0);
    const client = new KubeGateway().connect(cluster.adminAccess);
    expect((await client.version()).gitVersion).toBe('v1.37.2');
    expect(await client.namespaceExists('no-such-namespace-here')).toBe(false);
    const wrong = new KubeGateway().connect({
      server: cluster.server,
      caData: cluster.caData,
      token: TOKEN,
    });
    expect(await caught(wrong.version())).toMatchObject({ status: 401, kind: 'unauthorized' });
  });
});
