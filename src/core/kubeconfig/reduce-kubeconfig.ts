import { parse } from 'yaml';
import { MAX_YAML_DEPTH, yamlMayNestTooDeep } from '../document/yaml-body.js';
import { problem, type Problem } from '../problems/problem.js';

/** The connection a kubeconfig context resolves to, with inline credentials only. */
export interface KubeconfigConnection {
  server: string;
  caData?: string;
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  insecureSkipTlsVerify?: boolean;
  /** The context that was used. */
  context: string;
}

export type KubeconfigResult =
  { ok: true; connection: KubeconfigConnection } | { ok: false; errors: Problem[] };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Fields of a kubeconfig user that would make the server run a command, read its own files or use a plugin. */
const FORBIDDEN_USER_FIELDS: Record<string, string> = {
  exec: 'runs a command on the gbp-netpol server',
  'auth-provider': 'runs an authentication plugin on the gbp-netpol server',
  tokenFile: 'reads a file on the gbp-netpol server',
  'client-certificate': 'reads a file on the gbp-netpol server; use client-certificate-data',
  'client-key': 'reads a file on the gbp-netpol server; use client-key-data',
  username: 'basic authentication is not supported',
  password: 'basic authentication is not supported',
  as: 'impersonation is not supported',
};
const FORBIDDEN_CLUSTER_FIELDS: Record<string, string> = {
  'certificate-authority': 'reads a file on the gbp-netpol server; use certificate-authority-data',
  'proxy-url': 'proxies are not supported',
};

function named(
  list: unknown,
  name: string,
  field: string,
): { item: Obj; index: number } | undefined {
  if (!Array.isArray(list)) return undefined;
  const index = list.findIndex((e) => isObj(e) && e.name === name && isObj(e[field]));
  return index < 0 ? undefined : { item: (list[index] as Obj)[field] as Obj, index };
}

/**
 * Reduces a kubeconfig (YAML or JSON text) to the one context it names (or its
 * current-context): server, CA and inline credentials. Rejects, with a problem whose path is
 * under `basePath`, anything that would make the server run a command (`exec`,
 * `auth-provider`) or read its own files. Never throws.
 */
export function reduceKubeconfig(
  text: string,
  contextName: string | undefined,
  basePath = '/kubeconfig',
): KubeconfigResult {
  if (yamlMayNestTooDeep(text))
    return {
      ok: false,
      errors: [
        problem(basePath, 'INVALID_KUBECONFIG', {
          detail: `it nests deeper than ${MAX_YAML_DEPTH} levels`,
        }),
      ],
    };
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 10 });
  } catch {
    return {
      ok: false,
      errors: [problem(basePath, 'INVALID_KUBECONFIG', { detail: 'it is not valid YAML or JSON' })],
    };
  }
  if (!isObj(doc))
    return {
      ok: false,
      errors: [problem(basePath, 'INVALID_KUBECONFIG', { detail: 'it is not a mapping' })],
    };
  const name =
    contextName ??
    (typeof doc['current-context'] === 'string' ? doc['current-context'] : undefined);
  if (!name)
    return {
      ok: false,
      errors: [
        problem(basePath, 'INVALID_KUBECONFIG', {
          detail: 'no context was given and it has no current-context',
        }),
      ],
    };
  const ctx = named(doc.contexts, name, 'context');
  if (!ctx)
    return {
      ok: false,
      errors: [
        problem(basePath, 'INVALID_KUBECONFIG', { detail: `it has no context named ${name}` }),
      ],
    };
  const clusterName = ctx.item.cluster;
  const userName = ctx.item.user;
  const cluster =
    typeof clusterName === 'string' ? named(doc.clusters, clusterName, 'cluster') : undefined;
  if (!cluster)
    return {
      ok: false,
      errors: [
        problem(basePath, 'INVALID_KUBECONFIG', {
          detail: `context ${name} names no existing cluster`,
        }),
      ],
    };
  const user = typeof userName === 'string' ? named(doc.users, userName, 'user') : undefined;

  const errors: Problem[] = [];
  for (const [field, why] of Object.entries(FORBIDDEN_CLUSTER_FIELDS)) {
    if (cluster.item[field] !== undefined)
      errors.push(
        problem(
          `${basePath}/clusters/${cluster.index}/cluster/${field}`,
          'KUBECONFIG_FORBIDDEN_FIELD',
          { field, why },
        ),
      );
  }
  for (const [field, why] of Object.entries(FORBIDDEN_USER_FIELDS)) {
    if (user && user.item[field] !== undefined)
      errors.push(
        problem(`${basePath}/users/${user.index}/user/${field}`, 'KUBECONFIG_FORBIDDEN_FIELD', {
          field,
          why,
        }),
      );
  }
  const server = cluster.item.server;
  if (typeof server !== 'string' || server.length === 0) {
    errors.push(problem(`${basePath}/clusters/${cluster.index}/cluster/server`, 'REQUIRED'));
  }
  if (errors.length > 0) return { ok: false, errors };

  const str = (o: Obj | undefined, k: string): string | undefined =>
    o && typeof o[k] === 'string' ? (o[k] as string) : undefined;
  return {
    ok: true,
    connection: {
      context: name,
      server: server as string,
      caData: str(cluster.item, 'certificate-authority-data'),
      insecureSkipTlsVerify: cluster.item['insecure-skip-tls-verify'] === true ? true : undefined,
      token: str(user?.item, 'token'),
      clientCertificateData: str(user?.item, 'client-certificate-data'),
      clientKeyData: str(user?.item, 'client-key-data'),
    },
  };
}
