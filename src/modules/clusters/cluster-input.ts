import { labelMapProblems } from '../../core/document/label-map.js';
import { reduceKubeconfig } from '../../core/kubeconfig/reduce-kubeconfig.js';
import { specialAddressKind } from '../../core/net/special-address.js';
import { problem, type ProblemCode } from '../../core/problems/problem.js';
import type { ProblemItem } from '../../common/problem.exception.js';

/**
 * Pure rules for what a client may send to /v1/clusters: where the connection comes from
 * (fields or a kubeconfig), which server URLs are acceptable, which credentials are well formed
 * and which labels are valid. Messages never contain a credential or the kubeconfig text.
 */

/** The secret part of a cluster's connection: what is sealed into the `credentials` column. */
export interface ClusterSecrets {
  /** base64 of the CA bundle PEM. */
  caData?: string;
  token?: string;
  /** base64 of the client certificate PEM. */
  clientCertificateData?: string;
  /** base64 of the client key PEM. */
  clientKeyData?: string;
}

/** Everything needed to connect to a cluster. */
export interface ClusterConnection {
  /** Normalised API server URL (no trailing slash). */
  server: string;
  insecureSkipTlsVerify: boolean;
  secrets: ClusterSecrets;
}

export type AuthMode = 'token' | 'clientCertificate' | 'none';

/** What POST /v1/clusters may carry about the connection. */
export interface RegistrationInput {
  server?: string | null;
  caData?: string | null;
  token?: string | null;
  clientCertificateData?: string | null;
  clientKeyData?: string | null;
  kubeconfig?: string | null;
  context?: string | null;
  insecureSkipTlsVerify?: boolean | null;
}

/** What PATCH may carry: `undefined` keeps a field, `null` removes a removable credential. */
export type UpdateInput = RegistrationInput;

export interface InputOptions {
  /** ALLOW_INSECURE_CLUSTER_URLS: accept http:// servers. */
  allowInsecureClusterUrls: boolean;
  /** ALLOW_LINK_LOCAL_CLUSTER_URLS: accept link-local, unspecified and multicast addresses. */
  allowLinkLocalClusterUrls?: boolean;
}

export type InputResult<T> = { ok: true; value: T } | { ok: false; errors: ProblemItem[] };

/** A problem whose message this module words itself (the catalogue's template is `{detail}`). */
const detailed = (path: string, code: ProblemCode, detail: string): ProblemItem =>
  problem(path, code, { detail });

/** Connection fields a kubeconfig supplies by itself, so they cannot be given next to one. */
const CONNECTION_FIELDS = [
  'server',
  'caData',
  'token',
  'clientCertificateData',
  'clientKeyData',
  'insecureSkipTlsVerify',
] as const;

/** Fields whose change (in PATCH) means the connection must be checked again. */
export const CREDENTIAL_FIELDS = [...CONNECTION_FIELDS, 'kubeconfig', 'context'] as const;

const TOKEN = /^[\x21-\x7e]+$/;

export function authModeOf(secrets: ClusterSecrets): AuthMode {
  if (secrets.token) return 'token';
  if (secrets.clientCertificateData && secrets.clientKeyData) return 'clientCertificate';
  return 'none';
}

/** The strings to scrub from any text about this connection (tokens, keys, decoded keys). */
export function secretStrings(secrets: ClusterSecrets | undefined): string[] {
  if (!secrets) return [];
  const out = [secrets.token, secrets.clientKeyData];
  if (secrets.clientKeyData)
    out.push(Buffer.from(secrets.clientKeyData, 'base64').toString('utf8'));
  return out.filter((s): s is string => typeof s === 'string' && s.length >= 4);
}

/**
 * Checks an API server URL and returns it normalised (origin + path without trailing slashes).
 * Only https:// is accepted, http:// too when `allowInsecure`. A host that is a link-local,
 * unspecified or multicast address, in any spelling the URL parser reads as one (2852039166,
 * 0xA9FEA9FE, 169.254.43518, [::ffff:169.254.169.254]), is refused unless `allowLinkLocal`.
 * The URL itself is never echoed: it might carry user info.
 */
export function checkServerUrl(
  server: string,
  path: string,
  allowInsecure: boolean,
  allowLinkLocal = false,
): InputResult<string> {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return { ok: false, errors: [detailed(path, 'INVALID_SERVER_URL', 'is not a valid URL')] };
  }
  if (url.protocol === 'http:' && !allowInsecure) {
    return {
      ok: false,
      errors: [
        detailed(
          path,
          'INSECURE_SERVER_URL',
          'uses http://, which would send the credentials unencrypted; use https:// (ALLOW_INSECURE_CLUSTER_URLS=true permits http:// for test clusters)',
        ),
      ],
    };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, errors: [detailed(path, 'INVALID_SERVER_URL', 'must be an https:// URL')] };
  }
  if (url.username || url.password) {
    return {
      ok: false,
      errors: [
        detailed(
          path,
          'INVALID_SERVER_URL',
          'must not contain user info; give credentials in their own fields',
        ),
      ],
    };
  }
  if (url.search || url.hash) {
    return {
      ok: false,
      errors: [detailed(path, 'INVALID_SERVER_URL', 'must not contain a query or a fragment')],
    };
  }
  // The hostname as the URL parser normalised it: that is the address Node connects to.
  const kind = allowLinkLocal ? undefined : specialAddressKind(url.hostname);
  if (kind) {
    return {
      ok: false,
      errors: [problem(path, 'SERVER_ADDRESS_REFUSED', { address: url.hostname, kind })],
    };
  }
  return { ok: true, value: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}

function decodesToPem(data: string, marker: RegExp): boolean {
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(data)) return false;
  return marker.test(Buffer.from(data, 'base64').toString('utf8'));
}

const CERTIFICATE_PEM = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;
const PRIVATE_KEY_PEM =
  /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----[\s\S]+-----END ([A-Z]+ )?PRIVATE KEY-----/;

type SecretPaths = Record<keyof ClusterSecrets, string>;

/** Well-formedness of the given secrets; `paths` tells where each came from. */
export function secretsProblems(secrets: ClusterSecrets, paths: SecretPaths): ProblemItem[] {
  const errors: ProblemItem[] = [];
  if (secrets.caData !== undefined && !decodesToPem(secrets.caData, CERTIFICATE_PEM)) {
    errors.push(
      detailed(
        paths.caData,
        'INVALID_PEM',
        'caData must be the base64 of a PEM CA certificate bundle',
      ),
    );
  }
  if (secrets.token !== undefined && !TOKEN.test(secrets.token)) {
    errors.push(problem(paths.token, 'INVALID_TOKEN'));
  }
  const cert = secrets.clientCertificateData;
  const key = secrets.clientKeyData;
  if (cert !== undefined && key === undefined) {
    errors.push(
      detailed(
        paths.clientCertificateData,
        'REQUIRES_FIELD',
        'clientCertificateData requires clientKeyData',
      ),
    );
  }
  if (key !== undefined && cert === undefined) {
    errors.push(
      detailed(
        paths.clientKeyData,
        'REQUIRES_FIELD',
        'clientKeyData requires clientCertificateData',
      ),
    );
  }
  if (cert !== undefined && !decodesToPem(cert, CERTIFICATE_PEM)) {
    errors.push(
      detailed(
        paths.clientCertificateData,
        'INVALID_PEM',
        'clientCertificateData must be the base64 of a PEM certificate',
      ),
    );
  }
  if (key !== undefined && !decodesToPem(key, PRIVATE_KEY_PEM)) {
    errors.push(
      detailed(
        paths.clientKeyData,
        'INVALID_PEM',
        'clientKeyData must be the base64 of a PEM private key',
      ),
    );
  }
  return errors;
}

/** Kubernetes label keys and values; paths are `/labels/<key>`. */
export function labelProblems(labels: Record<string, unknown>, base = '/labels'): ProblemItem[] {
  return labelMapProblems(labels, base);
}

const given = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null;
const nonEmpty = (v: string | undefined): string | undefined => (v ? v : undefined);

/** Everything a kubeconfig context supplies, or its problems. */
function fromKubeconfig(
  input: RegistrationInput,
  options: InputOptions,
): InputResult<ClusterConnection> {
  const errors: ProblemItem[] = [];
  for (const field of CONNECTION_FIELDS) {
    if (given(input[field])) {
      errors.push(
        detailed(
          `/${field}`,
          'CONFLICTING_FIELDS',
          `cannot be combined with kubeconfig, whose context supplies the connection`,
        ),
      );
    }
  }
  const reduced = reduceKubeconfig(input.kubeconfig ?? '', input.context ?? undefined);
  if (!reduced.ok) return { ok: false, errors: [...errors, ...reduced.errors] };
  const c = reduced.connection;
  const server = checkServerUrl(
    c.server,
    '/kubeconfig',
    options.allowInsecureClusterUrls,
    options.allowLinkLocalClusterUrls,
  );
  if (!server.ok) {
    errors.push(
      ...server.errors.map((e) => ({
        ...e,
        message: `the server of context ${c.context} ${e.message}`,
      })),
    );
  }
  const secrets: ClusterSecrets = {
    caData: nonEmpty(c.caData),
    token: nonEmpty(c.token),
    clientCertificateData: nonEmpty(c.clientCertificateData),
    clientKeyData: nonEmpty(c.clientKeyData),
  };
  const at = '/kubeconfig';
  errors.push(
    ...secretsProblems(secrets, {
      caData: at,
      token: at,
      clientCertificateData: at,
      clientKeyData: at,
    }),
  );
  if (errors.length > 0 || !server.ok) return { ok: false, errors };
  return {
    ok: true,
    value: {
      server: server.value,
      insecureSkipTlsVerify: c.insecureSkipTlsVerify === true,
      secrets: compact(secrets),
    },
  };
}

const FIELD_PATHS: SecretPaths = {
  caData: '/caData',
  token: '/token',
  clientCertificateData: '/clientCertificateData',
  clientKeyData: '/clientKeyData',
};

function compact(secrets: ClusterSecrets): ClusterSecrets {
  const out: ClusterSecrets = {};
  for (const key of ['caData', 'token', 'clientCertificateData', 'clientKeyData'] as const) {
    if (secrets[key] !== undefined) out[key] = secrets[key];
  }
  return out;
}

/** The connection of a new cluster: from `server` and its fields, or from `kubeconfig` (+ `context`). */
export function resolveRegistration(
  input: RegistrationInput,
  options: InputOptions,
): InputResult<ClusterConnection> {
  if (given(input.kubeconfig)) return fromKubeconfig(input, options);
  const errors: ProblemItem[] = [];
  if (given(input.context))
    errors.push(
      detailed('/context', 'REQUIRES_FIELD', 'is only meaningful together with kubeconfig'),
    );
  let server: string | undefined;
  if (!given(input.server)) {
    errors.push({
      ...problem('/server', 'REQUIRED'),
      message: 'is required unless kubeconfig is given',
    });
  } else {
    const checked = checkServerUrl(
      input.server,
      '/server',
      options.allowInsecureClusterUrls,
      options.allowLinkLocalClusterUrls,
    );
    if (checked.ok) server = checked.value;
    else errors.push(...checked.errors);
  }
  const secrets: ClusterSecrets = compact({
    caData: input.caData ?? undefined,
    token: input.token ?? undefined,
    clientCertificateData: input.clientCertificateData ?? undefined,
    clientKeyData: input.clientKeyData ?? undefined,
  });
  errors.push(...secretsProblems(secrets, FIELD_PATHS));
  if (errors.length > 0 || server === undefined) return { ok: false, errors };
  return {
    ok: true,
    value: { server, insecureSkipTlsVerify: input.insecureSkipTlsVerify === true, secrets },
  };
}

/** Whether a PATCH touches the connection (then it is resolved again and re-checked). */
export function touchesConnection(input: UpdateInput): boolean {
  return CREDENTIAL_FIELDS.some((f) => input[f] !== undefined);
}

/**
 * The connection after a PATCH. A kubeconfig replaces the whole connection. Otherwise each given
 * field replaces the current one; `null` removes caData, token or the client certificate pair.
 * A new token replaces client-certificate authentication and a new certificate pair replaces
 * the token, unless the same request sets both.
 */
export function resolveUpdate(
  current: ClusterConnection,
  input: UpdateInput,
  options: InputOptions,
): InputResult<ClusterConnection> {
  if (given(input.kubeconfig)) return fromKubeconfig(input, options);
  const errors: ProblemItem[] = [];
  if (input.context !== undefined)
    errors.push(
      detailed('/context', 'REQUIRES_FIELD', 'is only meaningful together with kubeconfig'),
    );
  let server = current.server;
  if (input.server !== undefined && input.server !== null) {
    const checked = checkServerUrl(
      input.server,
      '/server',
      options.allowInsecureClusterUrls,
      options.allowLinkLocalClusterUrls,
    );
    if (checked.ok) server = checked.value;
    else errors.push(...checked.errors);
  }
  const next: ClusterSecrets = { ...current.secrets };
  const changed: ClusterSecrets = {};
  if (input.caData !== undefined) next.caData = changed.caData = input.caData ?? undefined;
  const certGiven = input.clientCertificateData !== undefined || input.clientKeyData !== undefined;
  if (input.token !== undefined) {
    next.token = changed.token = input.token ?? undefined;
    if (given(input.token) && !certGiven) {
      next.clientCertificateData = undefined;
      next.clientKeyData = undefined;
    }
  }
  if (certGiven) {
    const cert = input.clientCertificateData;
    const key = input.clientKeyData;
    if (cert === null && key === null) {
      next.clientCertificateData = next.clientKeyData = undefined;
    } else if (!given(cert) || !given(key)) {
      const missing = given(cert) ? 'clientKeyData' : 'clientCertificateData';
      const present = missing === 'clientKeyData' ? 'clientCertificateData' : 'clientKeyData';
      errors.push(
        detailed(
          `/${present}`,
          'REQUIRES_FIELD',
          `${present} must be changed together with ${missing}`,
        ),
      );
    } else {
      next.clientCertificateData = changed.clientCertificateData = cert;
      next.clientKeyData = changed.clientKeyData = key;
      if (input.token === undefined) next.token = undefined;
    }
  }
  errors.push(...secretsProblems(compact(changed), FIELD_PATHS));
  const insecure = input.insecureSkipTlsVerify ?? current.insecureSkipTlsVerify;
  errors.push(
    ...credentialsFollowProblems(
      current,
      { server, insecureSkipTlsVerify: insecure, secrets: next },
      input,
    ),
  );
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { server, insecureSkipTlsVerify: insecure, secrets: compact(next) } };
}

/**
 * Stored credentials go only where they were registered: a PATCH that changes where or how they
 * would be sent (the server, the CA it is checked against, or whether it is checked at all)
 * must bring the credentials again, or an admin token could re-point a cluster at a listener of
 * its choice and harvest the cluster's token. One problem per changed field.
 */
function credentialsFollowProblems(
  current: ClusterConnection,
  next: ClusterConnection,
  input: UpdateInput,
): ProblemItem[] {
  const stored: string[] = [];
  if (next.secrets.token && input.token === undefined) stored.push('token');
  if (next.secrets.clientKeyData && input.clientKeyData === undefined)
    stored.push('client certificate');
  if (stored.length === 0) return [];
  const moved: string[] = [];
  if (next.server !== current.server) moved.push('server');
  if ((next.secrets.caData ?? null) !== (current.secrets.caData ?? null)) moved.push('caData');
  if (next.insecureSkipTlsVerify !== current.insecureSkipTlsVerify)
    moved.push('insecureSkipTlsVerify');
  return moved.map((field) =>
    problem(`/${field}`, 'CREDENTIALS_REQUIRED', { field, stored: stored.join(' and ') }),
  );
}
