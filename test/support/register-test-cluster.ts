import type { Agent } from 'supertest';
import { uniqueName } from '../harness/cluster-admin.js';
import type { LeastPrivilegeIdentity } from '../harness/cluster-admin.js';

interface ClusterLike {
  admin: { ensureNamespace(name: string): Promise<string> };
  leastPrivilegeIdentity(namespaces: string[]): Promise<LeastPrivilegeIdentity>;
}

/**
 * Ensures `namespaces` on a real test cluster, mints a least-privilege identity for them and
 * registers it through the API under a unique name, which it returns.
 */
export async function registerTestCluster(
  http: Agent,
  cluster: ClusterLike,
  namespaces: string[],
  prefix: string,
  labels?: Record<string, string>,
): Promise<string> {
  for (const ns of namespaces) await cluster.admin.ensureNamespace(ns);
  const identity = await cluster.leastPrivilegeIdentity(namespaces);
  const name = uniqueName(prefix);
  await http
    .post('/v1/clusters')
    .send({
      name,
      server: identity.server,
      caData: identity.caData,
      token: identity.token,
      ...(labels ? { labels } : {}),
    })
    .expect(201);
  return name;
}
