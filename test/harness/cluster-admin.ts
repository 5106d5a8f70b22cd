import { randomBytes } from 'node:crypto';
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  NetworkingV1Api,
  RbacAuthorizationV1Api,
  type V1PolicyRule,
} from '@kubernetes/client-node';
import { adminKubeconfig, type AdminAccess } from './kubeconfig.js';

/** A ServiceAccount bearer token with only what gbp-netpol needs, in the namespaces it was granted. */
export interface LeastPrivilegeIdentity {
  token: string;
  server: string;
  caData: string;
  /** Namespaces whose NetworkPolicies/Pods it may manage. */
  namespaces: string[];
  serviceAccount: { namespace: string; name: string };
  /** Suffix of the RBAC object names, used to revoke the identity. */
  id: string;
}

export interface LeastPrivilegeOptions {
  /** TokenRequest expiry; the API server enforces a minimum of 10 minutes. */
  expirationSeconds?: number;
}

export const SERVICE_ACCOUNT_NAME = 'gbp-netpol';

/** Namespace rules: what the rollout needs, nothing more (no secrets, no configmaps). */
const NAMESPACED_RULES: V1PolicyRule[] = [
  {
    apiGroups: ['networking.k8s.io'],
    resources: ['networkpolicies'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
  },
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
];

const CLUSTER_RULES: V1PolicyRule[] = [
  { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
  {
    apiGroups: ['authorization.k8s.io'],
    resources: ['selfsubjectaccessreviews'],
    verbs: ['create'],
  },
];

export function randomSuffix(length = 6): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(length), (b) => alphabet[b % alphabet.length]).join('');
}

/** A DNS-1123 label (max 63 chars) built from a prefix and a random suffix. */
export function uniqueName(prefix: string): string {
  const cleaned = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 55);
  return `${cleaned || 'ns'}-${randomSuffix()}`;
}

const isStatus = (error: unknown, code: number): boolean =>
  error instanceof ApiException && error.code === code;

async function ignoreNotFound(op: Promise<unknown>): Promise<void> {
  try {
    await op;
  } catch (error) {
    if (!isStatus(error, 404)) throw error;
  }
}

/**
 * Admin operations on a test cluster, done with the admin client certificate. Works from any
 * process that has the AdminAccess data (the global setup or a test worker).
 */
export class ClusterAdmin {
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly rbac: RbacAuthorizationV1Api;
  readonly networking: NetworkingV1Api;

  constructor(readonly access: AdminAccess) {
    this.kubeConfig = new KubeConfig();
    this.kubeConfig.loadFromString(adminKubeconfig(access));
    this.core = this.kubeConfig.makeApiClient(CoreV1Api);
    this.rbac = this.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    this.networking = this.kubeConfig.makeApiClient(NetworkingV1Api);
  }

  /** Creates `${prefix}-${random}` and returns its name. */
  async createNamespace(prefix: string, labels: Record<string, string> = {}): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const name = uniqueName(prefix);
      try {
        await this.core.createNamespace({ body: { metadata: { name, labels } } });
        return name;
      } catch (error) {
        if (!isStatus(error, 409) || attempt >= 3) throw error;
      }
    }
  }

  /** Creates the namespace with exactly this name unless it exists. */
  async ensureNamespace(name: string, labels: Record<string, string> = {}): Promise<string> {
    try {
      await this.core.createNamespace({ body: { metadata: { name, labels } } });
    } catch (error) {
      if (!isStatus(error, 409)) throw error;
    }
    return name;
  }

  async namespaceExists(name: string): Promise<boolean> {
    try {
      await this.core.readNamespace({ name });
      return true;
    } catch (error) {
      if (isStatus(error, 404)) return false;
      throw error;
    }
  }

  /**
   * Deletes a namespace for real. These clusters run no kube-controller-manager, so nothing
   * would empty the namespace and drop its `kubernetes` finalizer: it would stay Terminating
   * forever. We delete the kinds the harness and tests create, then finalize it ourselves.
   */
  async deleteNamespace(name: string): Promise<void> {
    const namespace = name;
    await Promise.all([
      ignoreNotFound(this.networking.deleteCollectionNamespacedNetworkPolicy({ namespace })),
      ignoreNotFound(this.core.deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0 })),
      ignoreNotFound(this.core.deleteCollectionNamespacedConfigMap({ namespace })),
      ignoreNotFound(this.core.deleteCollectionNamespacedSecret({ namespace })),
      ignoreNotFound(this.core.deleteCollectionNamespacedServiceAccount({ namespace })),
      ignoreNotFound(this.rbac.deleteCollectionNamespacedRoleBinding({ namespace })),
      ignoreNotFound(this.rbac.deleteCollectionNamespacedRole({ namespace })),
    ]);
    await ignoreNotFound(this.core.deleteNamespace({ name }));
    try {
      // With a deletionTimestamp and no finalizers left, this update removes the namespace.
      await this.core.replaceNamespaceFinalize({
        name,
        body: { metadata: { name }, spec: { finalizers: [] } },
      });
    } catch (error) {
      if (!isStatus(error, 404)) throw error;
    }
  }

  /**
   * Creates ServiceAccount `gbp-netpol` in a dedicated namespace, a Role+RoleBinding per
   * namespace (NetworkPolicies and Pods), a ClusterRole+binding (read namespaces, create
   * SelfSubjectAccessReviews), and mints a token for it with the TokenRequest API.
   */
  async leastPrivilegeIdentity(
    namespaces: string[],
    opts: LeastPrivilegeOptions = {},
  ): Promise<LeastPrivilegeIdentity> {
    const id = randomSuffix(8);
    const saNamespace = await this.ensureNamespace(`gbp-netpol-sa-${id}`);
    await this.core.createNamespacedServiceAccount({
      namespace: saNamespace,
      body: { metadata: { name: SERVICE_ACCOUNT_NAME } },
    });
    const rbacName = `gbp-netpol-${id}`;
    const subject = { kind: 'ServiceAccount', name: SERVICE_ACCOUNT_NAME, namespace: saNamespace };
    await this.rbac.createClusterRole({
      body: { metadata: { name: rbacName }, rules: CLUSTER_RULES },
    });
    await this.rbac.createClusterRoleBinding({
      body: {
        metadata: { name: rbacName },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: rbacName },
        subjects: [subject],
      },
    });
    const identity: LeastPrivilegeIdentity = {
      token: '',
      server: this.access.server,
      caData: this.access.caData,
      namespaces: [],
      serviceAccount: { namespace: saNamespace, name: SERVICE_ACCOUNT_NAME },
      id,
    };
    const granted = await this.grant(identity, namespaces);
    const tokenRequest = await this.core.createNamespacedServiceAccountToken({
      namespace: saNamespace,
      name: SERVICE_ACCOUNT_NAME,
      // No audiences: the token is for the API server's own audiences (--api-audiences).
      body: { spec: { audiences: [], expirationSeconds: opts.expirationSeconds ?? 3600 } },
    });
    const token = tokenRequest.status?.token;
    if (!token) throw new Error('TokenRequest returned no token');
    return { ...granted, token };
  }

  /** Adds a Role+RoleBinding for more namespaces; RBAC is evaluated per request, so the existing token gains access at once. */
  async grant(
    identity: LeastPrivilegeIdentity,
    namespaces: string[],
  ): Promise<LeastPrivilegeIdentity> {
    const name = `gbp-netpol-${identity.id}`;
    const subject = { kind: 'ServiceAccount', ...identity.serviceAccount };
    const added = namespaces.filter((ns) => !identity.namespaces.includes(ns));
    for (const namespace of added) {
      await this.rbac.createNamespacedRole({
        namespace,
        body: { metadata: { name }, rules: NAMESPACED_RULES },
      });
      await this.rbac.createNamespacedRoleBinding({
        namespace,
        body: {
          metadata: { name },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
          subjects: [subject],
        },
      });
    }
    return { ...identity, namespaces: [...identity.namespaces, ...added] };
  }

  /** Removes the identity's RBAC objects and its ServiceAccount namespace; its token stops working. */
  async deleteIdentity(identity: LeastPrivilegeIdentity): Promise<void> {
    const name = `gbp-netpol-${identity.id}`;
    await ignoreNotFound(this.rbac.deleteClusterRoleBinding({ name }));
    await ignoreNotFound(this.rbac.deleteClusterRole({ name }));
    for (const namespace of identity.namespaces) {
      await ignoreNotFound(this.rbac.deleteNamespacedRoleBinding({ name, namespace }));
      await ignoreNotFound(this.rbac.deleteNamespacedRole({ name, namespace }));
    }
    await this.deleteNamespace(identity.serviceAccount.namespace);
  }
}
