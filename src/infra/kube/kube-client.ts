import {
  ApiException,
  AuthorizationV1Api,
  CoreV1Api,
  createConfiguration,
  NetworkingV1Api,
  PatchStrategy,
  ServerConfiguration,
  VersionApi,
  type ConfigurationOptions,
  type KubeConfig,
  type V1Pod,
  type VersionInfo,
} from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type RequestOptions as HttpsRequestOptions } from 'node:https';
import { inspect } from 'node:util';
import { objectRef, toApplyBody } from './apply-body.js';
import { secretsOf, toKubeConfig, type ClusterCredentials } from './cluster-credentials.js';
import { KubeApiError, timeoutError, toKubeApiError } from './kube-api-error.js';
import { kubeRequest, kubeTransport, type KubeTransportOptions } from './kube-transport.js';
import { requestOptions } from './request-options.js';
import { networkPolicyToModel, networkPolicyToWire } from './wire-format.js';
import type { LiveNetworkPolicy } from '../../core/reconcile/live-object.js';

/** A NetworkPolicy in the API server's own JSON (see wire-format.ts). */
export type NetworkPolicy = LiveNetworkPolicy;
export type Pod = V1Pod;
export type KubeVersionInfo = VersionInfo;

/** The field manager recorded in managedFields for everything gbp-netpol applies. */
export const FIELD_MANAGER = 'gbp-netpol';

export interface RequestOptions {
  /** Aborts the call; the promise then rejects with `signal.reason` (as fetch does). */
  signal?: AbortSignal;
}

export interface ApplyOptions extends RequestOptions {
  /** Server-side dry run: full admission and defaulting, nothing stored. */
  dryRun?: boolean;
  /** Take over fields owned by other managers instead of failing with 409 Conflict. Default false. */
  force?: boolean;
}

export interface CreateOptions extends RequestOptions {
  dryRun?: boolean;
}

export interface DeleteOptions extends RequestOptions {
  dryRun?: boolean;
  /** Only delete if the object still has this resourceVersion (else 409 Conflict). */
  preconditionResourceVersion?: string;
}

export interface DeletePodOptions extends RequestOptions {
  gracePeriodSeconds?: number;
}

/** What gbp-netpol reads of a node. */
export interface NodeInfo {
  name: string;
  podCIDRs: string[];
  internalIPs: string[];
  ready: boolean;
}

export interface AccessQuery {
  namespace?: string;
  verb: string;
  /** API group; '' for the core group. */
  group: string;
  resource: string;
  name?: string;
}

export interface KubeClientOptions {
  /** Per-request budget; an expired budget surfaces as KubeApiError kind 'unreachable'. */
  requestTimeoutMs: number;
  userAgent: string;
  /** Connect to link-local, unspecified and multicast addresses too. */
  allowSpecialAddresses: boolean;
}

const NETWORK_POLICY_API_VERSION = 'networking.k8s.io/v1';
const LIST_PAGE_SIZE = 500;
/** An idle kept-alive connection is closed after this long. */
const IDLE_SOCKET_MS = 15_000;
/** Keep-alive agents kept for reuse (one per server and TLS identity); the oldest goes first. */
const MAX_AGENTS = 256;

/**
 * Keep-alive agents shared by every client of the same server with the same TLS options, so
 * that connections (and their TLS handshakes) outlive one job. Keyed by a hash of the options:
 * no CA, certificate or key in the keys.
 */
const agents = new Map<string, HttpAgent | HttpsAgent>();

function sharedAgent(server: string, built: HttpAgent | HttpsAgent): HttpAgent | HttpsAgent {
  // Node keeps an agent's construction options on `options` (typed for https only).
  const given = (built as { options?: Record<string, unknown> }).options ?? {};
  const tls = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'servername', 'rejectUnauthorized'];
  const key = createHash('sha256')
    .update(JSON.stringify([server, built instanceof HttpsAgent, ...tls.map((k) => given[k])]))
    .digest('base64url');
  let agent = agents.get(key);
  if (agent) {
    agents.delete(key); // re-inserted: the map's order is least recently used first
  } else {
    const options = { ...given, keepAlive: true, timeout: IDLE_SOCKET_MS };
    agent = built instanceof HttpsAgent ? new HttpsAgent(options) : new HttpAgent(options);
    if (agents.size >= MAX_AGENTS) {
      const [oldest, evicted] = agents.entries().next().value!;
      agents.delete(oldest);
      evicted.destroy();
    }
  }
  agents.set(key, agent);
  return agent;
}

/**
 * One authenticated connection to one cluster. Every method converts failures to KubeApiError
 * (except aborts, which reject with the signal's reason). Credentials live in private fields
 * only and never reach error messages.
 */
export class KubeClient {
  readonly server: string;
  readonly #secrets: readonly string[];
  readonly #options: KubeClientOptions;
  readonly #networking: NetworkingV1Api;
  readonly #core: CoreV1Api;
  readonly #authorization: AuthorizationV1Api;
  readonly #version: VersionApi;
  readonly #kc: KubeConfig;
  readonly #transport: KubeTransportOptions;
  /** The shared keep-alive agent this client's requests use, once looked up. */
  #agent?: HttpAgent | HttpsAgent;
  /** Authentication and TLS options of the direct requests (applyNetworkPolicy), built once. */
  #directOptions?: Promise<HttpsRequestOptions>;

  constructor(creds: ClusterCredentials, options: KubeClientOptions) {
    const kc = toKubeConfig(creds);
    this.#kc = kc;
    this.server = creds.server.replace(/\/+$/, '');
    this.#secrets = secretsOf(creds);
    this.#options = options;
    // As kc.makeApiClient, but with our transport (kube-transport.ts) as the clients' own: it
    // is used even by a call whose per-call options client-node drops.
    this.#transport = {
      fallbackTimeoutMs: options.requestTimeoutMs,
      allowSpecialAddresses: options.allowSpecialAddresses,
    };
    const configuration = createConfiguration({
      baseServer: new ServerConfiguration(this.server, {}),
      authMethods: { default: kc },
      httpApi: kubeTransport(this.#transport),
    });
    this.#networking = new NetworkingV1Api(configuration);
    this.#core = new CoreV1Api(configuration);
    this.#authorization = new AuthorizationV1Api(configuration);
    this.#version = new VersionApi(configuration);
  }

  async version(opts: RequestOptions = {}): Promise<KubeVersionInfo> {
    // getCode's first parameter is its (empty) request object; the options come second.
    return this.#call('get /version', opts.signal, (o) => this.#version.getCode({}, o));
  }

  /** The NetworkPolicy, or null if it does not exist. */
  async getNetworkPolicy(
    namespace: string,
    name: string,
    opts: RequestOptions = {},
  ): Promise<NetworkPolicy | null> {
    const found = await this.#orNull(
      this.#call(`get NetworkPolicy ${namespace}/${name}`, opts.signal, (o) =>
        this.#networking.readNamespacedNetworkPolicy({ namespace, name }, o),
      ),
    );
    return found ? networkPolicyToWire(found) : null;
  }

  /** All NetworkPolicies of a namespace (following list pagination), optionally filtered by a label selector. */
  async listNetworkPolicies(
    namespace: string,
    labelSelector?: string,
    opts: RequestOptions = {},
  ): Promise<NetworkPolicy[]> {
    const items: NetworkPolicy[] = [];
    let next: string | undefined;
    do {
      const page = await this.#call(`list NetworkPolicies in ${namespace}`, opts.signal, (o) =>
        this.#networking.listNamespacedNetworkPolicy(
          { namespace, labelSelector, limit: LIST_PAGE_SIZE, _continue: next },
          o,
        ),
      );
      items.push(...page.items.map(networkPolicyToWire));
      next = page.metadata?._continue || undefined;
    } while (next);
    return items;
  }

  /**
   * Server-side apply with field manager `gbp-netpol`: the API server merges, defaults, validates
   * and records field ownership. Returns the object as the server stored it (or would, if dryRun).
   */
  async applyNetworkPolicy(policy: NetworkPolicy, opts: ApplyOptions = {}): Promise<NetworkPolicy> {
    const { namespace, name } = objectRef(policy);
    const body = toApplyBody(policy, NETWORK_POLICY_API_VERSION, 'NetworkPolicy');
    const what = `${opts.dryRun ? 'dry-run ' : ''}apply NetworkPolicy ${namespace}/${name}`;
    const query = new URLSearchParams({
      fieldManager: FIELD_MANAGER,
      force: String(opts.force ?? false),
      // Unknown fields are an error rather than silently dropped.
      fieldValidation: 'Strict',
      ...(opts.dryRun ? { dryRun: 'All' } : {}),
    });
    // The hot path of a rollout (one request per object): sent directly, in the API server's
    // own JSON, rather than through client-node's models, which cost twice the CPU per write.
    return this.#direct(
      what,
      opts.signal,
      'PATCH',
      `/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/networkpolicies/${encodeURIComponent(name)}?${query}`,
      JSON.stringify(body),
      PatchStrategy.ServerSideApply,
    );
  }

  /**
   * Plain create (fails with kind 'conflict', reason AlreadyExists, if it exists). The server
   * records it as manager `gbp-netpol` with operation Update, which server-side apply treats as
   * a different manager: a later apply changing those fields gets 409 Conflict unless `force`.
   * Prefer applyNetworkPolicy for objects gbp-netpol keeps managing.
   */
  async createNetworkPolicy(
    policy: NetworkPolicy,
    opts: CreateOptions = {},
  ): Promise<NetworkPolicy> {
    const { namespace, name } = objectRef(policy);
    const body = networkPolicyToModel({
      ...policy,
      apiVersion: NETWORK_POLICY_API_VERSION,
      kind: 'NetworkPolicy',
    });
    const created = await this.#call(
      `${opts.dryRun ? 'dry-run ' : ''}create NetworkPolicy ${namespace}/${name}`,
      opts.signal,
      (o) =>
        this.#networking.createNamespacedNetworkPolicy(
          {
            namespace,
            body,
            fieldManager: FIELD_MANAGER,
            dryRun: opts.dryRun ? 'All' : undefined,
            fieldValidation: 'Strict',
          },
          o,
        ),
    );
    return networkPolicyToWire(created);
  }

  /** Deletes the NetworkPolicy; false if it did not exist. */
  async deleteNetworkPolicy(
    namespace: string,
    name: string,
    opts: DeleteOptions = {},
  ): Promise<boolean> {
    const preconditions = opts.preconditionResourceVersion
      ? { resourceVersion: opts.preconditionResourceVersion }
      : undefined;
    // With a request body, kube-apiserver reads DeleteOptions from it and ignores the query
    // parameters, so dryRun must be in the body too.
    const body = { preconditions, dryRun: opts.dryRun ? ['All'] : undefined };
    const deleted = await this.#orNull(
      this.#call(
        `${opts.dryRun ? 'dry-run ' : ''}delete NetworkPolicy ${namespace}/${name}`,
        opts.signal,
        (o) => this.#networking.deleteNamespacedNetworkPolicy({ namespace, name, body }, o),
      ),
    );
    return deleted !== null;
  }

  async namespaceExists(namespace: string, opts: RequestOptions = {}): Promise<boolean> {
    const ns = await this.#orNull(
      this.#call(`get Namespace ${namespace}`, opts.signal, (o) =>
        this.#core.readNamespace({ name: namespace }, o),
      ),
    );
    return ns !== null;
  }

  /** Asks the API server whether these credentials may do `verb` on the resource. */
  async selfSubjectAccessReview(query: AccessQuery, opts: RequestOptions = {}): Promise<boolean> {
    const target = `${query.verb} ${query.group ? `${query.resource}.${query.group}` : query.resource}${query.namespace ? ` in ${query.namespace}` : ''}`;
    const review = await this.#call(`SelfSubjectAccessReview (${target})`, opts.signal, (o) =>
      this.#authorization.createSelfSubjectAccessReview(
        {
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: { resourceAttributes: { ...query } },
          },
        },
        o,
      ),
    );
    return review.status?.allowed === true;
  }

  async createPod(pod: Pod, opts: CreateOptions = {}): Promise<Pod> {
    const { namespace, name } = objectRef(pod);
    return this.#call(`create Pod ${namespace}/${name}`, opts.signal, (o) =>
      this.#core.createNamespacedPod(
        {
          namespace,
          body: { ...pod, apiVersion: 'v1', kind: 'Pod' },
          dryRun: opts.dryRun ? 'All' : undefined,
        },
        o,
      ),
    );
  }

  /** Deletes the Pod; false if it did not exist. */
  async deletePod(namespace: string, name: string, opts: DeletePodOptions = {}): Promise<boolean> {
    const deleted = await this.#orNull(
      this.#call(`delete Pod ${namespace}/${name}`, opts.signal, (o) =>
        this.#core.deleteNamespacedPod(
          { namespace, name, body: { gracePeriodSeconds: opts.gracePeriodSeconds } },
          o,
        ),
      ),
    );
    return deleted !== null;
  }

  async listPods(
    namespace: string,
    labelSelector?: string,
    opts: RequestOptions = {},
  ): Promise<Pod[]> {
    const items: Pod[] = [];
    let next: string | undefined;
    do {
      const page = await this.#call(`list Pods in ${namespace}`, opts.signal, (o) =>
        this.#core.listNamespacedPod(
          { namespace, labelSelector, limit: LIST_PAGE_SIZE, _continue: next },
          o,
        ),
      );
      items.push(...page.items);
      next = page.metadata?._continue || undefined;
    } while (next);
    return items;
  }

  /** The cluster's nodes: their pod networks (spec.podCIDRs), addresses and readiness. */
  async listNodes(opts: RequestOptions = {}): Promise<NodeInfo[]> {
    const items: NodeInfo[] = [];
    let next: string | undefined;
    do {
      const page = await this.#call('list Nodes', opts.signal, (o) =>
        this.#core.listNode({ limit: LIST_PAGE_SIZE, _continue: next }, o),
      );
      for (const n of page.items)
        items.push({
          name: n.metadata?.name ?? '',
          podCIDRs: n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : []),
          internalIPs: (n.status?.addresses ?? [])
            .filter((a) => a.type === 'InternalIP')
            .map((a) => a.address),
          ready: (n.status?.conditions ?? []).some(
            (c) => c.type === 'Ready' && c.status === 'True',
          ),
        });
      next = page.metadata?._continue || undefined;
    } while (next);
    return items;
  }

  /** The Service networks of the cluster (ServiceCIDR objects of networking.k8s.io/v1). */
  async listServiceCIDRs(opts: RequestOptions = {}): Promise<string[]> {
    const page = await this.#call('list ServiceCIDRs', opts.signal, (o) =>
      this.#networking.listServiceCIDR({}, o),
    );
    return page.items.flatMap((s) => s.spec?.cidrs ?? []);
  }

  toJSON(): { server: string } {
    return { server: this.server };
  }

  [inspect.custom](): string {
    return `KubeClient { server: '${this.server}' }`;
  }

  /**
   * client-node builds a new agent, so a new TCP and TLS connection, for every request: a
   * rollout of 600 objects made 600 TLS handshakes. The request goes through a shared
   * keep-alive agent with the same TLS options instead. Agents it does not know (proxies) are
   * left as built.
   */
  readonly #reuseAgent = (
    built: HttpAgent | HttpsAgent | undefined,
  ): HttpAgent | HttpsAgent | undefined => {
    if (built?.constructor !== HttpsAgent && built?.constructor !== HttpAgent) return built;
    // Every request of one client is built with the same options: look the agent up once.
    return (this.#agent ??= sharedAgent(this.server, built));
  };

  async #orNull<T>(call: Promise<T>): Promise<T | null> {
    try {
      return await call;
    } catch (error) {
      if (error instanceof KubeApiError && error.kind === 'notFound') return null;
      throw error;
    }
  }

  /**
   * One request without client-node's models: the same credentials (KubeConfig's HTTPS
   * options, built once per client), the shared keep-alive agent, the same transport rules
   * (kubeRequest: deadline, no redirects, no special addresses, only Kubernetes answers, a
   * bounded body) and the same errors as #call (an HTTP error goes through the ApiException
   * path, as client-node reports it).
   */
  async #direct<T>(
    operation: string,
    signal: AbortSignal | undefined,
    method: string,
    path: string,
    body: string,
    contentType: string,
  ): Promise<T> {
    const timeout = AbortSignal.timeout(this.#options.requestTimeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const base = await (this.#directOptions ??= this.#buildDirectOptions());
      const answer = await kubeRequest(
        new URL(`${this.server}${path}`),
        {
          method,
          headers: {
            ...(base.headers as Record<string, string> | undefined),
            Accept: 'application/json',
            'Content-Type': contentType,
            'User-Agent': this.#options.userAgent,
          },
          body,
          agent: base.agent,
          signal: combined,
        },
        this.#transport,
      );
      const text = answer.data.toString('utf8');
      if (answer.status < 200 || answer.status >= 300)
        throw new ApiException(answer.status, `HTTP ${answer.status}`, text, answer.headers);
      return JSON.parse(text) as T;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const ctx = { operation, server: this.server, secrets: this.#secrets };
      if (timeout.aborted) throw timeoutError(this.#options.requestTimeoutMs, ctx);
      throw toKubeApiError(error, ctx);
    }
  }

  async #buildDirectOptions(): Promise<HttpsRequestOptions> {
    const options: HttpsRequestOptions = {};
    await this.#kc.applyToHTTPSOptions(options);
    const agent = this.#reuseAgent(options.agent as HttpAgent | HttpsAgent | undefined);
    return { ...options, agent };
  }

  async #call<T>(
    operation: string,
    signal: AbortSignal | undefined,
    run: (options: ConfigurationOptions) => Promise<T>,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const timeout = AbortSignal.timeout(this.#options.requestTimeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      return await run(
        requestOptions({
          signal: combined,
          headers: { 'User-Agent': this.#options.userAgent, ...headers },
          agent: this.#reuseAgent,
        }),
      );
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const ctx = { operation, server: this.server, secrets: this.#secrets };
      if (timeout.aborted) throw timeoutError(this.#options.requestTimeoutMs, ctx);
      throw toKubeApiError(error, ctx);
    }
  }
}
