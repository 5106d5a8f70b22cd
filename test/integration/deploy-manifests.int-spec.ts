import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { mapLimit } from '../../src/common/map-limit.js';
import { ConfigError, loadConfig, type AppConfig } from '../../src/config/app-config.js';
import { SecretBox } from '../../src/infra/crypto/secret-box.js';
import { KubeApiError, KubeGateway } from '../../src/infra/kube/index.js';
import { randomSuffix } from '../harness/cluster-admin.js';
import { unb64 } from '../harness/kubeconfig.js';
import { testCluster, useNamespace, type TestCluster } from '../harness/kube-test-context.js';

// deploy/ holds what runs the service in Kubernetes (deploy/service) and what a cluster needs
// before it is registered (deploy/target-cluster). Every object is sent to a real
// kube-apiserver with server-side apply and fieldValidation=Strict, so a typo or a field the
// API does not know fails here; the target-cluster RBAC is created for real and its token is
// asked what it may do.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVICE_DIR = join(ROOT, 'deploy/service');
const TARGET_DIR = join(ROOT, 'deploy/target-cluster');
const FIELD_MANAGER = 'gbp-netpol-deploy-test';

type Json = Record<string, unknown>;

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> } & Json;
  [key: string]: unknown;
}

// ---------- reading the manifests ----------

function readObjects(file: string): KubeObject[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const objects: KubeObject[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
    const value = doc.toJS() as KubeObject | null;
    if (value === null) continue;
    expect(value, `${file}: every document is an object`).toMatchObject({
      apiVersion: expect.any(String),
      kind: expect.any(String),
      metadata: { name: expect.any(String) },
    });
    objects.push(value);
  }
  return objects;
}

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f) && statSync(join(dir, f)).isFile())
    .map((f) => f.split('\\').join('/'))
    .sort();
}

interface Kustomization {
  resources: string[];
  images?: { name: string; newName?: string; newTag?: string }[];
}

function readKustomization(dir: string): Kustomization {
  const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization & Json;
  expect(k.kind).toBe('Kustomization');
  return k;
}

/** The objects `kubectl apply -k dir` would send, in kustomization order (images not yet set). */
function kustomizedObjects(dir: string): KubeObject[] {
  return readKustomization(dir).resources.flatMap((r) => readObjects(join(dir, r)));
}

function find(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

// Loose views of the fields the static checks read.
interface Container {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
  }[];
  envFrom?: { configMapRef?: { name: string } }[];
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { requests?: Json; limits?: Json };
  securityContext?: Json;
}
interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: Json;
  automountServiceAccountToken?: boolean;
}
interface Deployment extends KubeObject {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}

const deployment = (objects: KubeObject[], name: string): Deployment =>
  find(objects, 'Deployment', name) as Deployment;

function envOf(container: Container, name: string): NonNullable<Container['env']>[number] {
  const entry = container.env?.find((e) => e.name === name);
  if (!entry) throw new Error(`container ${container.name} has no ${name}`);
  return entry;
}

const matches = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

// ---------- moving a kit to unique names (tests run in parallel on shared clusters) ----------

interface Renames {
  namespaces: Map<string, string>;
  /** Names of cluster-scoped RBAC objects (ClusterRole, ClusterRoleBinding). */
  clusterRbac: Map<string, string>;
}

/** A copy with every namespace and cluster-scoped RBAC name renamed, references included. */
function relocate(object: KubeObject, renames: Renames): KubeObject {
  const copy = structuredClone(object);
  const ns = (name: string | undefined) =>
    name === undefined ? undefined : (renames.namespaces.get(name) ?? name);
  const meta = copy.metadata;
  if (meta.namespace !== undefined) meta.namespace = ns(meta.namespace);
  if (copy.kind === 'Namespace') meta.name = ns(meta.name) ?? meta.name;
  if (copy.kind === 'ClusterRole' || copy.kind === 'ClusterRoleBinding')
    meta.name = renames.clusterRbac.get(meta.name) ?? meta.name;
  const roleRef = copy['roleRef'] as { kind: string; name: string } | undefined;
  if (roleRef?.kind === 'ClusterRole')
    roleRef.name = renames.clusterRbac.get(roleRef.name) ?? roleRef.name;
  for (const subject of (copy['subjects'] as { namespace?: string }[] | undefined) ?? [])
    subject.namespace = ns(subject.namespace);
  return copy;
}

// ---------- raw Kubernetes API access (status, body and Warning headers) ----------

interface KubeResponse {
  status: number;
  body: Json;
  warnings: string[];
}

interface Credentials {
  token?: string;
}

class KubeHttp {
  readonly #ca: string;
  readonly #cert: string;
  readonly #key: string;
  readonly #resources = new Map<
    string,
    Promise<Map<string, { plural: string; namespaced: boolean }>>
  >();

  constructor(readonly cluster: TestCluster) {
    this.#ca = unb64(cluster.caData);
    this.#cert = unb64(cluster.adminAccess.clientCertificateData);
    this.#key = unb64(cluster.adminAccess.clientKeyData);
  }

  /** As the cluster admin (client certificate), or as the bearer of `creds.token`. */
  send(
    method: string,
    path: string,
    body?: unknown,
    opts: Credentials & { contentType?: string } = {},
  ): Promise<KubeResponse> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (payload !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    const tls = opts.token ? { ca: this.#ca } : { ca: this.#ca, cert: this.#cert, key: this.#key };
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(path, this.cluster.server),
        { method, headers, agent: false, timeout: 20_000, ...tls },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: Json;
            try {
              parsed = text ? (JSON.parse(text) as Json) : {};
            } catch {
              parsed = { text };
            }
            resolve({
              status: res.statusCode ?? 0,
              body: parsed,
              warnings: res.headersDistinct['warning'] ?? [],
            });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${path}`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Plural and scope of a kind, from the API server's own discovery. */
  async resource(
    apiVersion: string,
    kind: string,
  ): Promise<{ plural: string; namespaced: boolean }> {
    let list = this.#resources.get(apiVersion);
    if (!list) {
      const path = apiVersion === 'v1' ? '/api/v1' : `/apis/${apiVersion}`;
      list = this.send('GET', path).then((res) => {
        expect(res.status, `discovery of ${apiVersion}`).toBe(200);
        const byKind = new Map<string, { plural: string; namespaced: boolean }>();
        for (const r of res.body['resources'] as {
          name: string;
          kind: string;
          namespaced: boolean;
        }[])
          if (!r.name.includes('/'))
            byKind.set(r.kind, { plural: r.name, namespaced: r.namespaced });
        return byKind;
      });
      this.#resources.set(apiVersion, list);
    }
    const found = (await list).get(kind);
    if (!found) throw new Error(`the API server serves no ${kind} in ${apiVersion}`);
    return found;
  }

  async objectPath(object: KubeObject): Promise<string> {
    const { plural, namespaced } = await this.resource(object.apiVersion, object.kind);
    const base = object.apiVersion === 'v1' ? '/api/v1' : `/apis/${object.apiVersion}`;
    const { name, namespace } = object.metadata;
    if (namespaced && !namespace)
      throw new Error(`${object.kind} ${name} has no namespace (needed here)`);
    return namespaced
      ? `${base}/namespaces/${namespace}/${plural}/${name}`
      : `${base}/${plural}/${name}`;
  }

  /** Server-side apply, rejecting unknown or duplicate fields; `dryRun` stores nothing. */
  async apply(object: KubeObject, opts: Credentials & { dryRun: boolean }): Promise<KubeResponse> {
    const query = new URLSearchParams({
      fieldManager: FIELD_MANAGER,
      fieldValidation: 'Strict',
      force: 'true',
    });
    if (opts.dryRun) query.set('dryRun', 'All');
    return this.send('PATCH', `${await this.objectPath(object)}?${query}`, object, {
      token: opts.token,
      contentType: 'application/apply-patch+yaml', // JSON is YAML
    });
  }

  async createDryRun(path: string, object: KubeObject): Promise<KubeResponse> {
    return this.send('POST', `${path}?dryRun=All&fieldValidation=Strict`, object);
  }

  async delete(object: KubeObject): Promise<void> {
    const res = await this.send('DELETE', await this.objectPath(object));
    if (res.status !== 200 && res.status !== 202 && res.status !== 404)
      throw new Error(`delete ${object.kind} ${object.metadata.name}: ${res.status}`);
  }

  /** A short-lived token for a ServiceAccount (TokenRequest API). */
  async token(namespace: string, serviceAccount: string): Promise<string> {
    const res = await this.send(
      'POST',
      `/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`,
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 600 },
      },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const token = (res.body['status'] as { token?: string } | undefined)?.token;
    if (!token) throw new Error('TokenRequest returned no token');
    return token;
  }
}

function describeFailure(object: KubeObject, res: KubeResponse): string {
  return `${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}: ${res.status} ${String(res.body['message'] ?? '')}`;
}

const cluster = testCluster(0);
const kube = new KubeHttp(cluster);

/** Applies the kit's Namespaces for real (deleted when the test ends), then dry-runs the rest. */
async function dryRunKit(objects: KubeObject[]): Promise<KubeResponse[]> {
  for (const ns of objects.filter((o) => o.kind === 'Namespace')) {
    const res = await kube.apply(ns, { dryRun: false });
    expect(res.status, describeFailure(ns, res)).toBeOneOf([200, 201]);
    onTestFinished(() => cluster.admin.deleteNamespace(ns.metadata.name));
  }
  const rest = objects.filter((o) => o.kind !== 'Namespace');
  const results = await mapLimit(rest, 8, (o) => kube.apply(o, { dryRun: true }));
  rest.forEach((o, i) => {
    const res = results[i] as KubeResponse;
    expect(res.status, describeFailure(o, res)).toBeOneOf([200, 201]);
  });
  return results;
}

// ---------- deploy/service ----------

describe('deploy/service', () => {
  const objects = kustomizedObjects(SERVICE_DIR);
  const [secretExample] = readObjects(join(SERVICE_DIR, 'secret.example.yaml'));
  const configMap = find(objects, 'ConfigMap', 'gbp-netpol') as KubeObject & {
    data: Record<string, string>;
  };
  const api = deployment(objects, 'gbp-netpol-api');
  const worker = deployment(objects, 'gbp-netpol-worker');
  const shutdownSeconds = Number(configMap.data['SHUTDOWN_TIMEOUT_MS']) / 1000;

  it('lists every manifest in kustomization.yaml except the example Secret, all in one namespace', () => {
    const k = readKustomization(SERVICE_DIR);
    expect([...k.resources, 'secret.example.yaml'].sort()).toEqual(
      yamlFilesUnder(SERVICE_DIR).filter((f) => f !== 'kustomization.yaml'),
    );
    const namespace = find(objects, 'Namespace', 'gbp-netpol');
    expect(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const o of [...objects, secretExample as KubeObject])
      if (o.kind !== 'Namespace') expect(o.metadata.namespace, o.kind).toBe('gbp-netpol');
    // The image name the kustomization rewrites is the one the Deployments use.
    const images = new Set(
      [api, worker].flatMap((d) => d.spec.template.spec.containers.map((c) => c.image)),
    );
    expect([...images]).toEqual((k.images ?? []).map((i) => i.name));
    // Our own objects must never look like objects the service owns (and may prune).
    for (const o of objects)
      expect(o.metadata.labels?.['app.kubernetes.io/managed-by'], o.kind).toBeUndefined();
  });

  it('configures only variables the service reads, with values it accepts', () => {
    // Every key maps to an AppConfig field; the service would silently ignore a typo.
    const known: Record<string, keyof AppConfig> = {
      PORT: 'port',
      METRICS_PORT: 'metricsPort',
      LOG_LEVEL: 'logLevel',
      LOG_FORMAT: 'logFormat',
      REDIS_URL: 'redisUrl',
      QUEUE_PREFIX: 'queuePrefix',
      WORKER_CONCURRENCY: 'workerConcurrency',
      JOB_ATTEMPTS: 'jobAttempts',
      JOB_BACKOFF_MS: 'jobBackoffMs',
      DRIFT_INTERVAL_MS: 'driftIntervalMs',
      RECONCILE_INTERVAL_MS: 'reconcileIntervalMs',
      SHUTDOWN_TIMEOUT_MS: 'shutdownTimeoutMs',
      BODY_LIMIT_BYTES: 'bodyLimitBytes',
      RATE_LIMIT_PER_MINUTE: 'rateLimitPerMinute',
      ALLOW_INSECURE_CLUSTER_URLS: 'allowInsecureClusterUrls',
    };
    expect(Object.keys(configMap.data).sort()).toEqual(Object.keys(known).sort());
    const usable = {
      DATABASE_URL: 'postgres://user:pass@db.example.invalid:5432/db',
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    };
    for (const role of ['api', 'worker'] as const) {
      const config = loadConfig({ ...configMap.data, ...usable, ROLE: role });
      expect(config.role).toBe(role);
      expect(config.port).toBe(Number(configMap.data['PORT']));
      expect(config.metricsPort).toBe(Number(configMap.data['METRICS_PORT']));
      expect(config.logFormat).toBe('json');
      expect(config.shutdownTimeoutMs).toBe(shutdownSeconds * 1000);
    }
  });

  it('ships an example Secret whose values cannot be used', () => {
    const data = (secretExample as KubeObject & { stringData: Record<string, string> }).stringData;
    expect(Object.keys(data).sort()).toEqual(['API_TOKENS', 'DATABASE_URL', 'ENCRYPTION_KEY']);
    expect(new URL(data['DATABASE_URL'] ?? '').hostname).toMatch(/\.invalid$/);
    expect(() => SecretBox.fromKey(data['ENCRYPTION_KEY'] ?? '')).toThrow(/32 bytes/);
    expect(() => loadConfig({ API_TOKENS: data['API_TOKENS'] })).toThrow(ConfigError);
    for (const value of Object.values(data)) expect(value).toContain('REPLACE-ME');
    // What the Deployments reference exists in the example (so the example is the recipe).
    for (const d of [api, worker]) {
      const [container] = d.spec.template.spec.containers;
      for (const e of container?.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (!ref) continue;
        expect(ref.name).toBe(secretExample?.metadata.name);
        expect(Object.keys(data)).toContain(ref.key);
      }
      expect(container?.envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }]);
    }
  });

  it('runs an api (2 replicas) and a worker that probe, stop in time and drop every privilege', () => {
    expect(api.spec.replicas).toBe(2);
    for (const [d, role] of [
      [api, 'api'],
      [worker, 'worker'],
    ] as const) {
      const pod = d.spec.template.spec;
      const [c] = pod.containers;
      if (!c) throw new Error('no container');
      expect(pod.containers).toHaveLength(1);
      expect(matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels)).toBe(true);
      expect(envOf(c, 'ROLE').value).toBe(role);
      // PostgreSQL is required: several processes run (PGlite serves one).
      for (const name of ['DATABASE_URL', 'ENCRYPTION_KEY'])
        expect(envOf(c, name).valueFrom?.secretKeyRef?.optional, name).not.toBe(true);
      const http = c.ports?.find((p) => p.name === 'http');
      expect(http?.containerPort).toBe(Number(configMap.data['PORT']));
      expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(c.resources?.requests).toMatchObject({
        cpu: expect.any(String),
        memory: expect.any(String),
      });
      expect(c.resources?.limits).toMatchObject({ memory: expect.any(String) });
      // The kubelet kills at the end of the grace period, which also pays for preStop.
      const preStopSeconds = Number(c.lifecycle?.preStop?.exec?.command[1] ?? 0);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(
        shutdownSeconds + preStopSeconds + 5,
      );
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: expect.any(Number),
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(c.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
      });
    }
    // Only the api is behind the Service; each role has a disruption budget.
    const service = find(objects, 'Service', 'gbp-netpol') as KubeObject & {
      spec: { selector: Record<string, string> };
    };
    expect(matches(service.spec.selector, api.spec.template.metadata.labels)).toBe(true);
    expect(matches(service.spec.selector, worker.spec.template.metadata.labels)).toBe(false);
    const budgets = objects.filter((o) => o.kind === 'PodDisruptionBudget') as (KubeObject & {
      spec: { selector: { matchLabels: Record<string, string> } };
    })[];
    for (const d of [api, worker])
      expect(
        budgets.filter((b) =>
          matches(b.spec.selector.matchLabels, d.spec.template.metadata.labels),
        ),
      ).toHaveLength(1);
  });

  it('lets traffic reach only the api port, and out only to DNS, PostgreSQL, Redis and API servers', () => {
    type Port = { protocol: string; port: number };
    type Policy = KubeObject & {
      spec: {
        podSelector: { matchLabels: Record<string, string> };
        policyTypes: string[];
        ingress?: { from?: unknown[]; ports?: Port[] }[];
        egress?: { to?: unknown[]; ports?: Port[] }[];
      };
    };
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as Policy[];
    const selecting = (labels: Record<string, string>) =>
      policies.filter((p) => matches(p.spec.podSelector.matchLabels, labels));
    const ingressPorts = (labels: Record<string, string>) =>
      selecting(labels).flatMap((p) => (p.spec.ingress ?? []).flatMap((r) => r.ports ?? []));
    const egressPorts = (labels: Record<string, string>) =>
      selecting(labels)
        .flatMap((p) => (p.spec.egress ?? []).flatMap((r) => r.ports ?? []))
        .map((p) => `${p.protocol}/${p.port}`)
        .sort();
    for (const d of [api, worker]) {
      const labels = d.spec.template.metadata.labels;
      // Both directions isolated for every pod, so nothing else is allowed by default.
      expect(new Set(selecting(labels).flatMap((p) => p.spec.policyTypes))).toEqual(
        new Set(['Ingress', 'Egress']),
      );
      expect(egressPorts(labels)).toEqual(
        ['TCP/443', 'TCP/5432', 'TCP/53', 'TCP/6379', 'TCP/6443', 'UDP/53'].sort(),
      );
    }
    // The HTTP port for the api; METRICS_PORT for both (the worker's metrics exist only there).
    const metricsPort = { protocol: 'TCP', port: Number(configMap.data['METRICS_PORT']) };
    expect(ingressPorts(api.spec.template.metadata.labels)).toEqual(
      expect.arrayContaining([
        { protocol: 'TCP', port: Number(configMap.data['PORT']) },
        metricsPort,
      ]),
    );
    expect(ingressPorts(api.spec.template.metadata.labels)).toHaveLength(2);
    expect(ingressPorts(worker.spec.template.metadata.labels)).toEqual([metricsPort]);
    for (const d of [api, worker]) {
      const [container] = d.spec.template.spec.containers;
      expect(container?.ports).toContainEqual({
        name: 'metrics',
        containerPort: metricsPort.port,
        protocol: 'TCP',
      });
    }
    // Every ingress rule of the api is exactly its port (no rule without ports).
    for (const p of selecting(api.spec.template.metadata.labels))
      for (const rule of p.spec.ingress ?? []) expect(rule.ports?.length).toBeGreaterThan(0);
  });

  it('passes server-side dry-run (strict field validation) in a namespace enforcing the restricted Pod Security Standard', async () => {
    const ns = `deploy-svc-${randomSuffix()}`;
    const renames: Renames = {
      namespaces: new Map([['gbp-netpol', ns]]),
      clusterRbac: new Map(),
    };
    const all = [...objects, secretExample as KubeObject].map((o) => relocate(o, renames));
    const results = await dryRunKit(all);
    // PodSecurity answers a workload whose pods would be refused with a warning.
    for (const res of results) expect(res.warnings).toEqual([]);

    // The pods themselves are admitted by PodSecurity "restricted" (enforced on Pods).
    for (const d of [api, worker]) {
      const pod: KubeObject = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `${d.metadata.name}-probe`, namespace: ns },
        spec: d.spec.template.spec,
      };
      const res = await kube.createDryRun(`/api/v1/namespaces/${ns}/pods`, pod);
      expect(res.status, describeFailure(pod, res)).toBe(201);
    }

    // Controls, so that the checks above can fail: a weakened pod is refused, and a
    // misspelled field is an error rather than dropped.
    const weakened = relocate(api, renames) as Deployment;
    const [c] = weakened.spec.template.spec.containers;
    if (c) delete c.securityContext;
    const warned = await kube.apply(weakened, { dryRun: true });
    expect(warned.status).toBeOneOf([200, 201]);
    expect(warned.warnings.join('\n')).toMatch(/violate PodSecurity \\?"restricted/);
    const refused = await kube.createDryRun(`/api/v1/namespaces/${ns}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'weakened', namespace: ns },
      spec: weakened.spec.template.spec,
    });
    expect(refused.status).toBe(403);
    const typo = relocate(api, renames) as Deployment;
    (typo.spec.template.spec as unknown as Json)['terminationGracePeriod'] = 40;
    const invalid = await kube.apply(typo, { dryRun: true });
    expect(invalid.status).toBeGreaterThanOrEqual(400);
    expect(String(invalid.body['message'])).toMatch(/terminationGracePeriod/);
  });
});

// ---------- deploy/target-cluster ----------

/** What gbp-netpol needs in a cluster: the contract deploy/target-cluster must meet exactly. */
const NEEDED_IN_POLICY_NAMESPACES: Record<string, string[]> = {
  'networking.k8s.io/networkpolicies': [
    'get',
    'list',
    'watch',
    'create',
    'update',
    'patch',
    'delete',
  ],
  '/pods': ['get', 'list', 'watch', 'create', 'delete'],
};
const NEEDED_CLUSTER_WIDE: Record<string, string[]> = {
  '/namespaces': ['get', 'list'],
  '/nodes': ['get', 'list'],
  'networking.k8s.io/servicecidrs': ['get', 'list'],
  'authorization.k8s.io/selfsubjectaccessreviews': ['create'],
};

/** Namespaced resources probed for anything beyond the contract (subresources after '/'). */
const NAMESPACED_PROBES = [
  'networking.k8s.io/networkpolicies',
  '/pods',
  '/pods/log',
  '/pods/exec',
  '/pods/attach',
  '/pods/portforward',
  '/pods/eviction',
  '/pods/ephemeralcontainers',
  '/pods/status',
  '/secrets',
  '/configmaps',
  '/services',
  '/serviceaccounts',
  '/serviceaccounts/token',
  '/events',
  'apps/deployments',
  'rbac.authorization.k8s.io/roles',
  'rbac.authorization.k8s.io/rolebindings',
];
const CLUSTER_PROBES = [
  '/namespaces',
  '/nodes',
  '/nodes/proxy',
  '/persistentvolumes',
  'networking.k8s.io/servicecidrs',
  'networking.k8s.io/ipaddresses',
  'rbac.authorization.k8s.io/clusterroles',
  'rbac.authorization.k8s.io/clusterrolebindings',
  'authorization.k8s.io/selfsubjectaccessreviews',
  'authorization.k8s.io/subjectaccessreviews',
  'certificates.k8s.io/certificatesigningrequests',
];
const VERBS = [
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
  'escalate',
  'bind',
  'impersonate',
];

function splitResource(key: string): { group: string; resource: string; subresource?: string } {
  const [group = '', path = ''] = key.split(/\/(.*)/s);
  const [resource = '', subresource] = path.split('/');
  return { group, resource, subresource };
}

/** `group/resource:verb` strings of a rule table. */
const flatten = (table: Record<string, string[]>): string[] =>
  Object.entries(table).flatMap(([key, verbs]) => verbs.map((v) => `${key}:${v}`));

describe('deploy/target-cluster', () => {
  const objects = kustomizedObjects(TARGET_DIR);
  const [roleBinding] = readObjects(join(TARGET_DIR, 'policy-namespace/role-binding.yaml'));

  it('lists every manifest in kustomization.yaml; the per-namespace RoleBinding takes its namespace from kubectl -n', () => {
    const k = readKustomization(TARGET_DIR);
    expect([...k.resources, 'policy-namespace/role-binding.yaml'].sort()).toEqual(
      yamlFilesUnder(TARGET_DIR).filter((f) => f !== 'kustomization.yaml'),
    );
    expect(roleBinding?.kind).toBe('RoleBinding');
    expect(roleBinding?.metadata.namespace).toBeUndefined();
    const secret = find(objects, 'Secret', 'gbp-netpol-token') as KubeObject & { type: string };
    expect(secret.type).toBe('kubernetes.io/service-account-token');
    expect(secret.metadata['annotations']).toEqual({
      'kubernetes.io/service-account.name': 'gbp-netpol',
    });
  });

  it('passes server-side dry-run, and its token may do exactly what the service needs', async () => {
    const id = randomSuffix();
    const saNamespace = `deploy-sa-${id}`;
    const renames: Renames = {
      namespaces: new Map([['gbp-netpol-system', saNamespace]]),
      clusterRbac: new Map(
        objects
          .filter((o) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding')
          .map((o) => [o.metadata.name, `${o.metadata.name}-${id}`]),
      ),
    };
    const kit = objects.map((o) => relocate(o, renames));
    await dryRunKit(kit);

    // Now for real, plus the RoleBinding in one policy namespace (and not in another).
    const policyNs = await useNamespace(cluster, 'deploy-policy');
    const otherNs = await useNamespace(cluster, 'deploy-other');
    const binding = relocate({ ...(roleBinding as KubeObject) }, renames);
    binding.metadata.namespace = policyNs;
    const created = [...kit.filter((o) => o.kind !== 'Namespace'), binding];
    onTestFinished(async () => {
      for (const o of created.filter((x) => x.kind.startsWith('Cluster'))) await kube.delete(o);
    });
    for (const o of created) {
      const res = await kube.apply(o, { dryRun: false });
      expect(res.status, describeFailure(o, res)).toBeOneOf([200, 201]);
    }

    // No kube-controller-manager runs here, so the token Secret stays empty; the TokenRequest
    // API mints a token for the same ServiceAccount, and RBAC treats both alike.
    const token = await kube.token(saNamespace, 'gbp-netpol');

    // 1. Every (resource, verb) probed, in the policy namespace, in another namespace, across
    //    all namespaces and cluster-wide: allowed exactly when the contract says so.
    interface Probe {
      scope: string;
      namespace?: string;
      key: string;
      verb: string;
      expected: boolean;
    }
    const probes: Probe[] = [];
    const allowedIn = (table: Record<string, string[]>, key: string, verb: string) =>
      table[key]?.includes(verb) ?? false;
    for (const key of NAMESPACED_PROBES)
      for (const verb of VERBS) {
        probes.push({
          scope: 'policy namespace',
          namespace: policyNs,
          key,
          verb,
          expected: allowedIn(NEEDED_IN_POLICY_NAMESPACES, key, verb),
        });
        probes.push({ scope: 'other namespace', namespace: otherNs, key, verb, expected: false });
        probes.push({ scope: 'all namespaces', key, verb, expected: false });
      }
    for (const key of CLUSTER_PROBES)
      for (const verb of VERBS)
        probes.push({
          scope: 'cluster',
          key,
          verb,
          expected: allowedIn(NEEDED_CLUSTER_WIDE, key, verb),
        });
    // The contract's entries are all probed (a typo in the tables would hide a gap).
    for (const key of Object.keys(NEEDED_IN_POLICY_NAMESPACES))
      expect(NAMESPACED_PROBES).toContain(key);
    for (const key of Object.keys(NEEDED_CLUSTER_WIDE)) expect(CLUSTER_PROBES).toContain(key);

    const answers = await mapLimit(probes, 16, async (p) => {
      const { group, resource, subresource } = splitResource(p.key);
      const res = await kube.send(
        'POST',
        '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
        {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: {
            resourceAttributes: {
              namespace: p.namespace,
              verb: p.verb,
              group,
              resource,
              subresource,
            },
          },
        },
        { token },
      );
      expect(res.status).toBe(201);
      return (res.body['status'] as { allowed?: boolean }).allowed === true;
    });
    const wrong = probes
      .filter((p, i) => answers[i] !== p.expected)
      .map((p) => `${p.expected ? 'denied' : 'allowed'}: ${p.verb} ${p.key} (${p.scope})`);
    expect(wrong).toEqual([]);

    // 2. Nothing beyond the contract, whatever the resource: the rules this identity holds, less
    //    those every authenticated identity holds (a ServiceAccount with no bindings).
    const baselineSa: KubeObject = {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'baseline', namespace: saNamespace },
    };
    expect((await kube.apply(baselineSa, { dryRun: false })).status).toBeOneOf([200, 201]);
    const baselineToken = await kube.token(saNamespace, 'baseline');
    const rulesIn = async (namespace: string, bearer: string): Promise<Set<string>> => {
      const res = await kube.send(
        'POST',
        '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
        {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectRulesReview',
          spec: { namespace },
        },
        { token: bearer },
      );
      expect(res.status).toBe(201);
      const status = res.body['status'] as {
        resourceRules: {
          verbs: string[];
          apiGroups?: string[];
          resources?: string[];
          resourceNames?: string[];
        }[];
        incomplete: boolean;
      };
      expect(status.incomplete).toBe(false);
      const flat = new Set<string>();
      for (const r of status.resourceRules)
        for (const g of r.apiGroups ?? [''])
          for (const res2 of r.resources ?? [])
            for (const v of r.verbs)
              flat.add(
                `${g}/${res2}:${v}${r.resourceNames ? `#${r.resourceNames.join(',')}` : ''}`,
              );
      return flat;
    };
    const beyondBaseline = async (namespace: string) => {
      const base = await rulesIn(namespace, baselineToken);
      return [...(await rulesIn(namespace, token))].filter((r) => !base.has(r)).sort();
    };
    const clusterWide = flatten(NEEDED_CLUSTER_WIDE);
    // selfsubjectaccessreviews: every authenticated identity may create them already.
    const base = await rulesIn(policyNs, baselineToken);
    const expectedExtra = (rules: string[]) => rules.filter((r) => !base.has(r)).sort();
    expect(await beyondBaseline(policyNs)).toEqual(
      expectedExtra([...flatten(NEEDED_IN_POLICY_NAMESPACES), ...clusterWide]),
    );
    expect(await beyondBaseline(otherNs)).toEqual(expectedExtra(clusterWide));

    // 3. The service's own client, with this token, does its work in the policy namespace and
    //    is refused elsewhere.
    const client = new KubeGateway({ requestTimeoutMs: 20_000 }).connect({
      server: cluster.server,
      caData: cluster.caData,
      token,
    });
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deploy-kit-check', namespace: policyNs },
      spec: { podSelector: {}, policyTypes: ['Ingress' as const] },
    };
    expect(await client.listNetworkPolicies(policyNs)).toEqual([]);
    expect((await client.applyNetworkPolicy(policy, { dryRun: true })).metadata?.name).toBe(
      'deploy-kit-check',
    );
    expect(await client.listPods(policyNs)).toEqual([]);
    expect(await client.deletePod(policyNs, 'absent')).toBe(false); // allowed, and not found
    expect(await client.namespaceExists(policyNs)).toBe(true);
    expect(
      await client.selfSubjectAccessReview({
        namespace: policyNs,
        verb: 'patch',
        group: 'networking.k8s.io',
        resource: 'networkpolicies',
      }),
    ).toBe(true);
    const refused = await client.listNetworkPolicies(otherNs).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(KubeApiError);
    expect((refused as KubeApiError).kind).toBe('forbidden');

    // Cluster-network detection reads, and what stays out of reach.
    const read = async (path: string) =>
      (await kube.send('GET', path, undefined, { token })).status;
    expect(await read('/api/v1/nodes')).toBe(200);
    expect(await read('/apis/networking.k8s.io/v1/servicecidrs')).toBe(200);
    expect(await read(`/api/v1/namespaces/${policyNs}/pods`)).toBe(200);
    // Probe results come from the pods' termination messages: no logs, no exec.
    expect(await read(`/api/v1/namespaces/${policyNs}/pods/absent/log`)).toBe(403);
    expect(await read(`/api/v1/namespaces/${policyNs}/secrets`)).toBe(403);
    expect(await read(`/api/v1/namespaces/${policyNs}/configmaps`)).toBe(403);
    expect(await read(`/api/v1/namespaces/${otherNs}/pods`)).toBe(403);
    expect(await read('/api/v1/pods')).toBe(403);
    expect(await read('/apis/networking.k8s.io/v1/networkpolicies')).toBe(403);
  });
});

// ---------- docker-compose.yml ----------

describe('docker-compose.yml', () => {
  interface ComposeService {
    environment?: Record<string, string>;
    secrets?: (string | { source: string })[];
    stop_grace_period?: string;
    volumes?: string[];
  }
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, ComposeService>;
    secrets: Record<string, { file?: string; environment?: string }>;
    volumes?: Record<string, unknown>;
  };
  const service = compose.services['gbp-netpol'] as ComposeService;
  const seconds = (duration: string): number => {
    const m = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration);
    if (!m || (!m[1] && !m[2])) throw new Error(`unsupported duration ${duration}`);
    return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
  };

  it('gives the service more than its shutdown timeout to stop', () => {
    const shutdownMs = Number(service.environment?.['SHUTDOWN_TIMEOUT_MS']);
    expect(shutdownMs).toBeGreaterThan(0);
    expect(seconds(service.stop_grace_period ?? '10s') * 1000).toBeGreaterThan(shutdownMs);
  });

  it('passes every secret as a file and commits no credential', () => {
    const env = service.environment ?? {};
    for (const name of ['DATABASE_URL', 'ENCRYPTION_KEY', 'API_TOKENS']) {
      expect(env[name], name).toBeUndefined();
      const path = env[`${name}_FILE`];
      expect(path, `${name}_FILE`).toMatch(/^\/run\/secrets\/[a-z_]+$/);
      const secret = path?.split('/').pop() ?? '';
      expect(service.secrets).toContain(secret);
      expect(compose.secrets[secret]?.file).toMatch(/^\.\/secrets\//);
    }
    const postgres = compose.services['postgres'] as ComposeService;
    expect(postgres.environment?.['POSTGRES_PASSWORD']).toBeUndefined();
    expect(postgres.environment?.['POSTGRES_PASSWORD_FILE']).toBe('/run/secrets/postgres_password');
    expect(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')).not.toMatch(
      /postgres:\/\/\w+:\w+@/,
    );
    // The generated key must not live in a volume of the service: it comes from a secret.
    expect(service.volumes ?? []).toEqual([]);
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['.env', 'secrets']));
    expect(readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n')).toContain('/secrets/');
  });
});
