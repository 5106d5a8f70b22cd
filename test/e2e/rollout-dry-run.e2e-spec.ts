import { AdmissionregistrationV1Api } from '@kubernetes/client-node';
import { KubeApiError, KubeGateway, type KubeClient } from '../../src/infra/kube/index.js';
import { uniqueName } from '../harness/cluster-admin.js';
import { testCluster } from '../harness/kube-test-context.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { waitFor } from '../support/wait-for.js';

interface ClusterStatus {
  cluster: string;
  sync: { status: string; reason: string | null };
  operation: { phase: string; error: string | null } | null;
  appliedRevision: number | null;
  counts: Record<string, number>;
}

interface Outcome {
  cluster: string;
  namespace: string;
  name: string;
  action: string;
  message?: string;
}

// Issue 10, 6: before the first write of a policy to a cluster, every object is dry-run there;
// if the API server refuses any, nothing is written there and every refusal is reported. The
// refusal comes from a real admission check: a ValidatingAdmissionPolicy (CEL, in the API
// server itself) that refuses one object of the revision in one namespace of one cluster.
describe('first rollout to a cluster: dry run first, nothing written if refused (e2e)', () => {
  let testApp: TestApp;
  const gateway = new KubeGateway();
  const refusing = testCluster(0);
  const accepting = testCluster(1);
  const ns = uniqueName('dryrun');
  const policy = uniqueName('pol');
  const names = { refusing: uniqueName('refusing'), accepting: uniqueName('accepting') };
  const vap = `gbp-test-refuse-${ns}`;
  const admission = refusing.adminKubeConfig.makeApiClient(AdmissionregistrationV1Api);
  let refusingAdmin: KubeClient;
  let acceptingAdmin: KubeClient;
  const http = () => testApp.http();

  const document = {
    namespaces: [ns],
    contracts: {
      c: {
        provide_networks: ['refused-db', 'cache'],
        consume_networks: ['web'],
        ports: [{ port: 5432 }],
      },
    },
  };

  const statusOf = async (cluster: string) =>
    (
      (await http().get(`/v1/policies/${policy}/status`).expect(200)).body
        .clusters as ClusterStatus[]
    ).find((c) => c.cluster === cluster);

  const outcomes = async (cluster: string): Promise<Outcome[]> =>
    (await http().get(`/v1/policies/${policy}/status/resources`).query({ cluster }).expect(200))
      .body.items as Outcome[];

  const ours = async (admin: KubeClient) =>
    (await admin.listNetworkPolicies(ns, `gbp-netpol.io/policy=${policy}`))
      .map((o) => o.metadata.name)
      .sort();

  beforeAll(async () => {
    refusingAdmin = gateway.connect(refusing.adminAccess);
    acceptingAdmin = gateway.connect(accepting.adminAccess);
    testApp = await createTestApp({ JOB_ATTEMPTS: '2', JOB_BACKOFF_MS: '200' });
    for (const [name, cluster] of [
      [names.refusing, refusing],
      [names.accepting, accepting],
    ] as const) {
      await cluster.admin.ensureNamespace(ns);
      const id = await cluster.leastPrivilegeIdentity([ns]);
      await http()
        .post('/v1/clusters')
        .send({ name, server: id.server, caData: id.caData, token: id.token })
        .expect(201);
    }
    await admission.createValidatingAdmissionPolicy({
      body: {
        metadata: { name: vap },
        spec: {
          failurePolicy: 'Fail',
          matchConstraints: {
            resourceRules: [
              {
                apiGroups: ['networking.k8s.io'],
                apiVersions: ['v1'],
                operations: ['CREATE', 'UPDATE'],
                resources: ['networkpolicies'],
              },
            ],
          },
          validations: [
            {
              expression: "object.metadata.name != 'refused-db'",
              message: 'refused-db may not be changed in this namespace (test admission policy)',
            },
          ],
        },
      },
    });
    await admission.createValidatingAdmissionPolicyBinding({
      body: {
        metadata: { name: vap },
        spec: {
          policyName: vap,
          validationActions: ['Deny'],
          matchResources: {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
          },
        },
      },
    });
    // The API server picks admission policies up asynchronously: wait until it refuses.
    await waitFor('the admission policy in force', async () => {
      try {
        await refusingAdmin.applyNetworkPolicy(
          {
            apiVersion: 'networking.k8s.io/v1',
            kind: 'NetworkPolicy',
            metadata: { name: 'refused-db', namespace: ns },
            spec: { podSelector: {}, policyTypes: ['Ingress'] },
          },
          { dryRun: true },
        );
        return undefined;
      } catch (e) {
        return e instanceof KubeApiError && e.message.includes('test admission policy')
          ? true
          : undefined;
      }
    });
  });

  afterAll(async () => {
    await testApp?.close();
    await admission.deleteValidatingAdmissionPolicyBinding({ name: vap }).catch(() => undefined);
    await admission.deleteValidatingAdmissionPolicy({ name: vap }).catch(() => undefined);
    for (const cluster of [refusing, accepting])
      await cluster.deleteNamespace(ns).catch(() => undefined);
  });

  it('writes nothing to the cluster that refuses one object, reports the refusal, and applies everything elsewhere', async () => {
    await http()
      .post('/v1/policies')
      .send({ name: policy, targets: { clusters: [names.refusing, names.accepting] }, document })
      .expect(202);
    const refused = await waitFor('the refusing cluster Failed', async () => {
      const s = await statusOf(names.refusing);
      return s?.operation?.phase === 'Failed' ? s : undefined;
    });
    expect(refused.sync).toMatchObject({ status: 'OutOfSync', reason: 'DryRunRefused' });
    expect(refused.appliedRevision).toBeNull();
    expect(refused.operation?.error).toMatch(/dry run, so nothing was written: 1 of 3/);
    expect(refused.counts).toEqual({ failed: 1, skipped: 2 });
    const outcome = await outcomes(names.refusing);
    expect(outcome.map((o) => `${o.name} ${o.action}`)).toEqual([
      'cache skipped',
      'refused-db failed',
      'web skipped',
    ]);
    expect(outcome[1].message).toMatch(/refused in a dry run: .*test admission policy/);
    // Not one object of the policy was written there: the allowed ones neither.
    expect(await ours(refusingAdmin)).toEqual([]);

    const accepted = await waitFor('the other cluster Synced', async () => {
      const s = await statusOf(names.accepting);
      return s?.sync.status === 'Synced' ? s : undefined;
    });
    expect(accepted.counts).toEqual({ created: 3 });
    expect(await ours(acceptingAdmin)).toEqual(['cache', 'refused-db', 'web']);
  });

  it('applies everything once the API server accepts it: the next rollout is again a first one', async () => {
    await admission.deleteValidatingAdmissionPolicyBinding({ name: vap });
    await waitFor('the admission policy lifted', async () => {
      try {
        await refusingAdmin.applyNetworkPolicy(
          {
            apiVersion: 'networking.k8s.io/v1',
            kind: 'NetworkPolicy',
            metadata: { name: 'refused-db', namespace: ns },
            spec: { podSelector: {}, policyTypes: ['Ingress'] },
          },
          { dryRun: true },
        );
        return true;
      } catch {
        return undefined;
      }
    });
    await http().post(`/v1/policies/${policy}/sync`).send({}).expect(202);
    const synced = await waitFor('the refusing cluster Synced', async () => {
      const s = await statusOf(names.refusing);
      return s?.sync.status === 'Synced' ? s : undefined;
    });
    expect(synced.appliedRevision).toBe(1);
    expect(synced.counts).toEqual({ created: 3 });
    expect(await ours(refusingAdmin)).toEqual(['cache', 'refused-db', 'web']);
  });
});
