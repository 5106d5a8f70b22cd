import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  createServer as createTcpServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { eq } from 'drizzle-orm';
import type { SecretBox } from '../../src/infra/crypto/secret-box.js';
import { DATABASE } from '../../src/infra/database/database.module.js';
import type { DatabaseHandle } from '../../src/infra/database/database.js';
import { clusters } from '../../src/infra/database/schema.js';
import { openSecrets, SECRET_BOX } from '../../src/modules/clusters/cluster-secrets.js';
import { generateClusterPki } from '../harness/cluster-pki.js';
import { testCluster, useIdentity, useNamespace } from '../harness/kube-test-context.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';

// Issue 10, sections 2 and 3 over HTTP: credentials go only where they were registered; every
// call to a cluster ends within its deadline; no redirects; only Kubernetes answers speak; no
// cluster at link-local, unspecified or multicast addresses.

const cluster = testCluster(0);
const pki = generateClusterPki('listener');
const listenerCa = Buffer.from(pki.caCertPem).toString('base64');
const BODY_MARKER = 'foreign-body-marker-7f3a';

interface Seen {
  method: string;
  url: string;
  authorization?: string;
}

interface Listener {
  server: HttpsServer;
  url: string;
  seen: Seen[];
}

const portOf = (server: Server | HttpsServer) => (server.address() as AddressInfo).port;

describe('cluster connections (e2e): credentials, deadlines, foreign answers, addresses', () => {
  let testApp: TestApp;
  let http: ReturnType<TestApp['http']>;
  let db: DatabaseHandle;
  let box: SecretBox;
  const servers: (Server | HttpsServer)[] = [];
  const sockets = new Set<Socket>();

  /** A TLS listener (certificate for 127.0.0.1 from `pki`) that records every request it gets. */
  async function listener(
    answer: (req: IncomingMessage, res: ServerResponse) => void,
  ): Promise<Listener> {
    const seen: Seen[] = [];
    const server = createHttpsServer(
      { cert: pki.servingCertPem, key: pki.servingKeyPem },
      (req, res) => {
        seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          authorization: req.headers.authorization,
        });
        answer(req, res);
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    return { server, url: `https://127.0.0.1:${portOf(server)}`, seen };
  }

  /** Answers like an API server: /version, and a Status for anything else. */
  const kubeLike = (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/version') {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ major: '1', minor: '99', gitVersion: 'v1.99.0-listener' }));
    } else {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 }));
    }
  };

  async function storedSecrets(name: string) {
    const [row] = await db.db
      .select({ credentials: clusters.credentials, server: clusters.server })
      .from(clusters)
      .where(eq(clusters.name, name));
    return { server: row.server, secrets: openSecrets(box, name, row.credentials) };
  }

  beforeAll(async () => {
    testApp = await createTestApp();
    http = testApp.http();
    db = testApp.app.get<DatabaseHandle>(DATABASE, { strict: false });
    box = testApp.app.get<SecretBox>(SECRET_BOX, { strict: false });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    for (const server of servers) {
      (server as HttpsServer).closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    }
    await testApp?.close();
  });

  describe('PATCH /v1/clusters/{name}: credentials go only where they were registered', () => {
    it('a new server, CA or TLS verification without new credentials is 400 and changes nothing; the listener never sees the token', async () => {
      const ns = await useNamespace(cluster, 'conn-moved');
      const identity = await useIdentity(cluster, [ns]);
      const name = 'moved';
      await http
        .post('/v1/clusters')
        .send({ name, server: identity.server, caData: identity.caData, token: identity.token })
        .expect(201);
      const before = (await http.get(`/v1/clusters/${name}`).expect(200)).body;
      const trap = await listener(kubeLike);

      const attempts: [object, string[]][] = [
        [{ server: trap.url }, ['/server']],
        [{ server: trap.url, caData: listenerCa }, ['/caData', '/server']],
        [{ server: trap.url, insecureSkipTlsVerify: true }, ['/insecureSkipTlsVerify', '/server']],
        [{ caData: listenerCa }, ['/caData']],
        [{ caData: null }, ['/caData']],
        [{ insecureSkipTlsVerify: true }, ['/insecureSkipTlsVerify']],
        [
          { server: trap.url, caData: listenerCa, labels: { moved: 'yes' } },
          ['/caData', '/server'],
        ],
      ];
      for (const [body, paths] of attempts) {
        const res = await http.patch(`/v1/clusters/${name}`).send(body).expect(400);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(
          res.body.errors.map((e: { path: string; code: string }) => `${e.path} ${e.code}`),
        ).toEqual(paths.map((p) => `${p} CREDENTIALS_REQUIRED`));
        expect(res.body.errors[0].message).toContain('stored token');
        expect(res.text).not.toContain(identity.token);
      }
      // Nothing changed: not the row, not the labels, not the credentials.
      expect((await http.get(`/v1/clusters/${name}`).expect(200)).body).toEqual(before);
      expect(await storedSecrets(name)).toEqual({
        server: cluster.server.replace(/\/+$/, ''),
        secrets: { caData: identity.caData, token: identity.token },
      });
      // Every later call still goes to the registered server.
      const checked = await http.post(`/v1/clusters/${name}/check`).send({}).expect(200);
      expect(checked.body.connection).toMatchObject({
        state: 'Reachable',
        serverVersion: 'v1.37.2',
      });
      expect(trap.seen).toEqual([]);

      // With new credentials in the same request, the move is allowed, and only they travel.
      const moved = await http
        .patch(`/v1/clusters/${name}`)
        .send({ server: trap.url, caData: listenerCa, token: 'listener-token-0123456789' })
        .expect(200);
      expect(moved.body).toMatchObject({
        server: trap.url,
        connection: { state: 'Reachable', serverVersion: 'v1.99.0-listener' },
      });
      await http.post(`/v1/clusters/${name}/check`).send({}).expect(200);
      expect(trap.seen.length).toBeGreaterThan(1);
      for (const request of trap.seen) {
        expect(request.authorization).toBe('Bearer listener-token-0123456789');
      }
      expect(JSON.stringify(trap.seen)).not.toContain(identity.token);
      expect((await storedSecrets(name)).secrets).toEqual({
        caData: listenerCa,
        token: 'listener-token-0123456789',
      });
    });

    it('a client certificate does not follow a new server either', async () => {
      const { clientCertificateData, clientKeyData, caData } = cluster.adminAccess;
      await http
        .post('/v1/clusters')
        .send({
          name: 'cert-moved',
          server: cluster.server,
          caData,
          clientCertificateData,
          clientKeyData,
        })
        .expect(201);
      const trap = await listener(kubeLike);
      const res = await http
        .patch('/v1/clusters/cert-moved')
        .send({ server: trap.url, caData: listenerCa })
        .expect(400);
      expect(res.body.errors[0].message).toContain('stored client certificate');
      expect((await storedSecrets('cert-moved')).server).toBe(cluster.server.replace(/\/+$/, ''));
      expect(trap.seen).toEqual([]);
    });
  });

  describe('every call has one total deadline, including the TLS handshake', () => {
    let silent: Server;
    beforeAll(async () => {
      silent = createTcpServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => undefined);
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      servers.push(silent);
    });

    it('registration and /check against a server that never speaks TLS, or speaks Redis, end Unreachable within CONNECT_TIMEOUT_MS', async () => {
      const targets = [
        ['silent-tls', `https://127.0.0.1:${portOf(silent)}`],
        ['redis-port', 'https://127.0.0.1:6379'],
      ] as const;
      // Both at once: each is bounded by CONNECT_TIMEOUT_MS (10 s); the test timeout is the
      // outer bound that catches a hang (they used to take 60-240 s).
      const registered = await Promise.all(
        targets.map(([name, server]) =>
          http.post('/v1/clusters').send({ name, server, token: 'deadline-token-0123456789' }),
        ),
      );
      for (const res of registered) {
        expect(res.status).toBe(201);
        expect(res.body.connection).toMatchObject({
          state: 'Unreachable',
          message: expect.any(String),
        });
        expect(res.text).not.toContain('deadline-token-0123456789');
      }
      expect(registered[0].body.connection.message).toBe('the API server did not answer in time');
      const checked = await Promise.all(
        targets.map(([name]) =>
          http.post(`/v1/clusters/${name}/check`).send({ namespaces: ['default'] }),
        ),
      );
      for (const res of checked) {
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ connection: { state: 'Unreachable' }, namespaces: [] });
      }
    }, 60_000);
  });

  describe('only the Kubernetes API speaks: no redirects, no foreign bodies', () => {
    it('a redirect is not followed: the target never sees the token', async () => {
      const target = await listener(kubeLike);
      const redirector = await listener((_req, res) =>
        res.writeHead(307, { location: `${target.url}/version` }).end(),
      );
      const res = await http
        .post('/v1/clusters')
        .send({
          name: 'redirector',
          server: redirector.url,
          caData: listenerCa,
          token: 'redirect-token-0123456789',
        })
        .expect(201);
      expect(res.body.connection).toMatchObject({
        state: 'Unreachable',
        message: `get /version on ${redirector.url} failed: HTTP 307 (redirects are not followed)`,
      });
      expect(redirector.seen).toHaveLength(1);
      expect(target.seen).toEqual([]);
    });

    it('an answer that is not from a Kubernetes API server is "HTTP 503 (not a Kubernetes API server)", never its body', async () => {
      const foreign = await listener((_req, res) =>
        res.writeHead(404, { 'content-type': 'text/html' }).end(`<p>${BODY_MARKER}</p>`),
      );
      const res = await http
        .post('/v1/clusters')
        .send({ name: 'foreign', server: foreign.url, caData: listenerCa })
        .expect(201);
      expect(res.body.connection).toMatchObject({
        state: 'Unreachable',
        message: `get /version on ${foreign.url} failed: HTTP 503 (not a Kubernetes API server)`,
      });
      expect(res.text).not.toContain(BODY_MARKER);
      const again = await http.get('/v1/clusters/foreign').expect(200);
      expect(again.text).not.toContain(BODY_MARKER);
    });
  });

  describe('cluster URLs at link-local, unspecified or multicast addresses', () => {
    const spellings = [
      ['https://169.254.169.254', '169.254.169.254', 'link-local'],
      ['https://2852039166', '169.254.169.254', 'link-local'],
      ['https://0xA9FEA9FE:6443', '169.254.169.254', 'link-local'],
      ['https://0251.0376.0251.0376', '169.254.169.254', 'link-local'],
      ['https://169.254.43518', '169.254.169.254', 'link-local'],
      ['https://[::ffff:169.254.169.254]', '[::ffff:a9fe:a9fe]', 'link-local'],
      ['https://[fe80::1]:6443', '[fe80::1]', 'link-local'],
      ['https://0.0.0.0:6443', '0.0.0.0', 'unspecified'],
      ['https://[::]:6443', '[::]', 'unspecified'],
      ['https://224.0.0.1', '224.0.0.1', 'multicast'],
      ['https://[ff02::1]', '[ff02::1]', 'multicast'],
    ] as const;

    it.each(spellings)('%s is refused with 400 naming /server', async (server, address, kind) => {
      const res = await http
        .post('/v1/clusters')
        .send({ name: 'metadata', server, token: 'metadata-token-0123456789' })
        .expect(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors).toEqual([
        {
          path: '/server',
          code: 'SERVER_ADDRESS_REFUSED',
          message: expect.stringContaining(`points at ${address}, a ${kind} address`),
        },
      ]);
      await http.get('/v1/clusters/metadata').expect(404);
    });

    it('is refused in PATCH as well, and allowed with ALLOW_LINK_LOCAL_CLUSTER_URLS=true', async () => {
      const { clientCertificateData, clientKeyData } = cluster.adminAccess;
      await http
        .post('/v1/clusters')
        .send({ name: 'unspecified', server: cluster.server, caData: cluster.caData })
        .expect(201);
      const port = new URL(cluster.server).port;
      const patched = await http
        .patch('/v1/clusters/unspecified')
        .send({ server: `https://0.0.0.0:${port}` })
        .expect(400);
      expect(patched.body.errors).toEqual([
        expect.objectContaining({ path: '/server', code: 'SERVER_ADDRESS_REFUSED' }),
      ]);

      const permissive = await createTestApp({ ALLOW_LINK_LOCAL_CLUSTER_URLS: 'true' });
      try {
        // 0.0.0.0 reaches this host, where the test cluster listens; its certificate names
        // 127.0.0.1, hence no verification.
        const res = await permissive
          .http()
          .post('/v1/clusters')
          .send({
            name: 'unspecified',
            server: `https://0.0.0.0:${port}`,
            insecureSkipTlsVerify: true,
            clientCertificateData,
            clientKeyData,
          })
          .expect(201);
        expect(res.body.connection).toMatchObject({ state: 'Reachable', serverVersion: 'v1.37.2' });
      } finally {
        await permissive.close();
      }
    });
  });
});
