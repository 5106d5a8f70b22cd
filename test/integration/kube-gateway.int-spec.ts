import { describe, expect, it } from 'vitest';
import type { NetworkPolicy as CompiledPolicy } from '../../src/core/kube/network-policy.types.js';
import {
  FIELD_MANAGER,
  KubeApiError,
  KubeGateway,
  type KubeClient,
} from '../../src/infra/kube/index.js';
import { rawRequest } from '../harness/https-request.js';
import { unb64 } from '../harness/kubeconfig.js';
import {
  clusterCount,
  testCluster,
  useIdentity,
  useNamespace,
} from '../harness/kube-test-context.js';
import { readKubeVersions } from '../harness/locate-kube-binaries.js';

const gateway = new KubeGateway({ requestTimeoutMs: 20_000 });
const cluster = testCluster(0);
const admin: KubeClient = gateway.connect(cluster.adminAccess);
const createdNamespaces: string[] = [];
const createdIdentities: string[] = [];

/** Built with the compiler's own NetworkPolicy type, so this also checks the types line up. */
function policy(
  namespace: string,
  name: string,
  spec: Partial<CompiledPolicy['spec']> = {},
): CompiledPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'gbp-netpol' } },
    spec: { podSelector: { matchLabels: { app: 'db' } }, ...spec },
  };
}

async function namespace(prefix: string): Promise<string> {
  const ns = await useNamespace(cluster, prefix);
  createdNamespaces.push(ns);
  return ns;
}

async function caught(promise: Promise<unknown>): Promise<KubeApiError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KubeApiError);
  return error as KubeApiError;
}

describe('KubeGateway against a real kube-apiserver', () => {
  it('reports the version built by npm run kube:build', async () => {
    const version = await admin.version();
    expect(version.gitVersion).toBe(readKubeVersions().kubernetes);
    expect(version.gitVersion).toBe('v1.37.2');
  });

  it('creates, reads, lists and deletes a NetworkPolicy', async () => {
    const ns = await namespace('crud');
    const created = await admin.createNetworkPolicy(
      policy(ns, 'allow-web', { ingress: [{ ports: [{ port: 80 }] }] }),
    );
    expect(created.metadata?.uid).toBeTruthy();

    const read = await admin.getNetworkPolicy(ns, 'allow-web');
    expect(read?.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    expect(read?.spec?.podSelector).toEqual({ matchLabels: { app: 'db' } });
    expect(await admin.getNetworkPolicy(ns, 'missing')).toBeNull();

    await admin.createNetworkPolicy({
      metadata: { name: 'other', namespace: ns, labels: { team: 'x' } },
      spec: { podSelector: {} },
    });
    const managed = await admin.listNetworkPolicies(ns, 'app.kubernetes.io/managed-by=gbp-netpol');
    expect(managed.map((p) => p.metadata?.name)).toEqual(['allow-web']);
    expect((await admin.listNetworkPolicies(ns)).map((p) => p.metadata?.name).sort()).toEqual([
      'allow-web',
      'other',
    ]);

    const again = await caught(admin.createNetworkPolicy(policy(ns, 'allow-web')));
    expect(again).toMatchObject({ status: 409, reason: 'AlreadyExists', kind: 'conflict' });

    // A stale resourceVersion precondition protects against deleting a newer object.
    const stale = await caught(
      admin.deleteNetworkPolicy(ns, 'allow-web', { preconditionResourceVersion: '1' }),
    );
    expect(stale).toMatchObject({ status: 409, kind: 'conflict' });
    expect(await admin.deleteNetworkPolicy(ns, 'allow-web', { dryRun: true })).toBe(true);
    expect(await admin.getNetworkPolicy(ns, 'allow-web')).not.toBeNull();
    expect(
      await admin.deleteNetworkPolicy(ns, 'allow-web', {
        preconditionResourceVersion: read?.metadata?.resourceVersion,
      }),
    ).toBe(true);
    expect(await admin.getNetworkPolicy(ns, 'allow-web')).toBeNull();
    expect(await admin.deleteNetworkPolicy(ns, 'allow-web')).toBe(false);
  });

  it('keeps every rule peer on create, apply, get and list (the API server JSON, never client-node field names)', async () => {
    const ns = await namespace('wire');
    const spec: CompiledPolicy['spec'] = {
      podSelector: { matchLabels: { app: 'db' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [{ podSelector: { matchLabels: { app: 'web' } } }],
          ports: [{ protocol: 'TCP', port: 5432 }],
        },
      ],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }],
    };
    const created = await admin.createNetworkPolicy(policy(ns, 'created', spec));
    const applied = await admin.applyNetworkPolicy(policy(ns, 'applied', spec));
    for (const o of [
      created,
      applied,
      await admin.getNetworkPolicy(ns, 'created'),
      ...(await admin.listNetworkPolicies(ns)),
    ]) {
      expect(o?.spec).toEqual(spec);
      expect(JSON.stringify(o)).not.toContain('_from');
    }
  });

  it('server-side applies with field manager gbp-netpol', async () => {
    const ns = await namespace('ssa');
    const first = await admin.applyNetworkPolicy(
      policy(ns, 'db', { ingress: [{ ports: [{ port: 5432 }] }] }),
    );
    const entries = first.metadata?.managedFields ?? [];
    expect(entries.map((f) => [f.manager, f.operation])).toEqual([[FIELD_MANAGER, 'Apply']]);
    expect(first.metadata?.generation).toBe(1);

    // Re-applying the same intent is a no-op; applying a change bumps the generation.
    const same = await admin.applyNetworkPolicy(
      policy(ns, 'db', { ingress: [{ ports: [{ port: 5432 }] }] }),
    );
    expect(same.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
    const changed = await admin.applyNetworkPolicy(
      policy(ns, 'db', { ingress: [{ ports: [{ port: 5433, protocol: 'TCP' }] }] }),
    );
    expect(changed.metadata?.generation).toBe(2);
    expect((await admin.getNetworkPolicy(ns, 'db'))?.spec?.ingress?.[0]?.ports?.[0]?.port).toBe(
      5433,
    );
  });

  it('reports a field-ownership conflict, which force resolves', async () => {
    const ns = await namespace('conflict');
    // A plain create is recorded as operation Update, i.e. a different manager than Apply.
    await admin.createNetworkPolicy(policy(ns, 'p', { ingress: [{ ports: [{ port: 80 }] }] }));
    const conflict = await caught(
      admin.applyNetworkPolicy(policy(ns, 'p', { ingress: [{ ports: [{ port: 81 }] }] })),
    );
    expect(conflict).toMatchObject({ status: 409, reason: 'Conflict', kind: 'conflict' });
    expect(conflict.message).toContain('.spec.ingress');
    const forced = await admin.applyNetworkPolicy(
      policy(ns, 'p', { ingress: [{ ports: [{ port: 81 }] }] }),
      { force: true },
    );
    expect(forced.spec?.ingress?.[0]?.ports?.[0]?.port).toBe(81);
  });

  it('returns the defaulted object from a dry-run apply and stores nothing', async () => {
    const ns = await namespace('dry');
    const result = await admin.applyNetworkPolicy(
      policy(ns, 'dry', { ingress: [{ ports: [{ port: 443 }] }] }),
      { dryRun: true },
    );
    // Defaulting happened on the server: protocol and policyTypes were not in the request.
    expect(result.spec?.ingress?.[0]?.ports?.[0]).toEqual({ port: 443, protocol: 'TCP' });
    expect(result.spec?.policyTypes).toEqual(['Ingress']);
    expect(await admin.getNetworkPolicy(ns, 'dry')).toBeNull();
  });

  it('surfaces the API server validation of an ipBlock except outside its cidr (422)', async () => {
    const ns = await namespace('invalid');
    const bad = policy(ns, 'bad', {
      ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['192.168.0.0/24'] } }] }],
    });
    for (const dryRun of [true, false]) {
      const error = await caught(admin.applyNetworkPolicy(bad, { dryRun }));
      expect(error).toMatchObject({
        status: 422,
        reason: 'Invalid',
        kind: 'invalid',
        retryable: false,
      });
      expect(error.message).toContain('spec.ingress[0].from[0].ipBlock.except[0]');
      expect(error.causes.map((c) => c.field)).toContain(
        'spec.ingress[0].from[0].ipBlock.except[0]',
      );
    }
    expect(await admin.getNetworkPolicy(ns, 'bad')).toBeNull();
  });

  it('rejects fields that are not in the schema as invalid', async () => {
    const ns = await namespace('schema');
    const typo = {
      metadata: { name: 'typo', namespace: ns },
      spec: { podSelector: {}, podSelecter: {} },
    };
    const error = await caught(admin.applyNetworkPolicy(typo));
    expect(error.kind).toBe('invalid');
    expect(error.message).toContain('podSelecter');
  });

  it('gives a least-privilege token exactly its grants', async () => {
    const mine = await namespace('granted');
    const other = await namespace('not-granted');
    const identity = await useIdentity(cluster, [mine]);
    createdIdentities.push(identity.id);
    createdNamespaces.push(identity.serviceAccount.namespace);
    const sa = gateway.connect({
      server: identity.server,
      caData: identity.caData,
      token: identity.token,
    });
    await cluster.admin.core.createNamespacedSecret({
      namespace: mine,
      body: { metadata: { name: 's' }, stringData: { k: 'v' } },
    });

    // Secrets: forbidden even in its own namespace (raw requests; the gateway has no secrets API).
    for (const path of [
      `/api/v1/namespaces/${mine}/secrets`,
      `/api/v1/namespaces/${mine}/secrets/s`,
    ]) {
      const res = await rawRequest({
        url: `${identity.server}${path}`,
        ca: unb64(identity.caData),
        token: identity.token,
      });
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text)).toMatchObject({ reason: 'Forbidden' });
    }

    const applied = await sa.applyNetworkPolicy(policy(mine, 'allowed'));
    expect(applied.metadata?.managedFields?.[0]?.manager).toBe(FIELD_MANAGER);
    expect((await sa.listNetworkPolicies(mine)).map((p) => p.metadata?.name)).toEqual(['allowed']);
    expect(await sa.namespaceExists(mine)).toBe(true);
    expect(await sa.namespaceExists(`${mine}-absent`)).toBe(false);

    const denied = await caught(sa.applyNetworkPolicy(policy(other, 'denied')));
    expect(denied).toMatchObject({
      status: 403,
      reason: 'Forbidden',
      kind: 'forbidden',
      retryable: false,
    });
    expect(denied.message).toContain(other);
    expect(denied.message).not.toContain(identity.token);

    const can = (namespace: string, verb: string, group: string, resource: string) =>
      sa.selfSubjectAccessReview({ namespace, verb, group, resource });
    expect(await can(mine, 'patch', 'networking.k8s.io', 'networkpolicies')).toBe(true);
    expect(await can(other, 'patch', 'networking.k8s.io', 'networkpolicies')).toBe(false);
    expect(await can(mine, 'get', '', 'secrets')).toBe(false);
    expect(await can(mine, 'create', '', 'pods')).toBe(true);

    // Pods: no scheduler or kubelet here, so they stay Pending, which is enough for the API.
    const pod = await sa.createPod({
      metadata: { name: 'probe', namespace: mine, labels: { role: 'probe' } },
      spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] },
    });
    expect(pod.status?.phase).toBe('Pending');
    expect((await sa.listPods(mine, 'role=probe')).map((p) => p.metadata?.name)).toEqual(['probe']);
    expect(await sa.deletePod(mine, 'probe', { gracePeriodSeconds: 0 })).toBe(true);
    expect(await sa.deletePod(mine, 'probe')).toBe(false);

    // RBAC is evaluated per request: a later grant works with the same token.
    await cluster.grant(identity, [other]);
    expect((await sa.applyNetworkPolicy(policy(other, 'now-allowed'))).metadata?.name).toBe(
      'now-allowed',
    );
  });

  it('reports rejected credentials as unauthorized without echoing them', async () => {
    const bogus = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJub2JvZHkifQ.c2lnbmF0dXJlLWJvZ3Vz';
    const client = gateway.connect({
      server: cluster.server,
      caData: cluster.caData,
      token: bogus,
    });
    const error = await caught(client.listNetworkPolicies('default'));
    expect(error).toMatchObject({ status: 401, kind: 'unauthorized' });
    expect(error.message).not.toContain(bogus);
  });

  it('reports a server that does not answer as unreachable', async () => {
    const closedPort = new URL(cluster.server);
    closedPort.port = '1';
    const error = await caught(
      gateway.connect({ server: closedPort.origin, caData: cluster.caData }).version(),
    );
    expect(error).toMatchObject({
      status: undefined,
      kind: 'unreachable',
      code: 'ECONNREFUSED',
      retryable: true,
    });
  });

  it('rejects a server certificate from another CA', async () => {
    const otherCa = clusterCount() > 1 ? testCluster(1).caData : undefined;
    const client = gateway.connect({
      server: cluster.server,
      caData: otherCa,
      token: 'x'.repeat(20),
    });
    const error = await caught(client.version());
    expect(error.kind).toBe('unreachable');
    expect(error.message).toMatch(/certificate/i);
  });

  it('rejects with the abort reason when the caller aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('rollout cancelled');
    const pending = admin.listNetworkPolicies('default', undefined, { signal: controller.signal });
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it.runIf(clusterCount() >= 2)('keeps two clusters independent', async () => {
    const second = testCluster(1);
    const other = gateway.connect(second.adminAccess);
    expect(second.server).not.toBe(cluster.server);
    const ns = await namespace('independent');
    await admin.applyNetworkPolicy(policy(ns, 'only-here'));
    expect(await admin.getNetworkPolicy(ns, 'only-here')).not.toBeNull();
    // The namespace itself exists only in cluster 0.
    expect(await other.namespaceExists(ns)).toBe(false);
    const nsOnSecond = await useNamespace(second, 'independent');
    expect(await other.getNetworkPolicy(nsOnSecond, 'only-here')).toBeNull();
    expect((await other.version()).gitVersion).toBe('v1.37.2');
  });

  it('left no namespace or RBAC object behind', async () => {
    expect(createdNamespaces.length).toBeGreaterThan(5);
    for (const ns of createdNamespaces) expect(await cluster.admin.namespaceExists(ns)).toBe(false);
    const clusterRoles = (await cluster.admin.rbac.listClusterRole()).items.map(
      (r) => r.metadata?.name,
    );
    const bindings = (await cluster.admin.rbac.listClusterRoleBinding()).items.map(
      (r) => r.metadata?.name,
    );
    for (const id of createdIdentities) {
      expect(clusterRoles).not.toContain(`gbp-netpol-${id}`);
      expect(bindings).not.toContain(`gbp-netpol-${id}`);
    }
  });
});
