import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import {
  ResponseContext,
  wrapHttpLibrary,
  type HttpLibrary,
  type RequestContext,
} from '@kubernetes/client-node';
import { specialAddressKind } from '../../core/net/special-address.js';

/**
 * The HTTP transport under client-node. client-node's own (node-fetch) follows redirects,
 * with the credentials, and copies any answer's body into its errors; and a call whose options
 * client-node drops (as its VersionApi does) is sent with no deadline at all, so a server that
 * accepts TCP but never finishes the TLS handshake held the caller for minutes. This one:
 *
 * - bounds each request, from DNS and TCP connect through the TLS handshake to the last byte of
 *   the body, by the caller's abort signal (and by `fallbackTimeoutMs` when none came);
 * - never follows a redirect (a 3xx is an error);
 * - passes on only answers that are the Kubernetes API's own JSON (a Status object for an
 *   error); anything else becomes "HTTP 503 (not a Kubernetes API server)" without its body;
 * - refuses link-local, unspecified and multicast addresses, as written in the URL or as a host
 *   name resolves, unless allowed.
 */

/** A request that got no usable answer; KubeApiError is made of it (kube-api-error.ts). */
export class KubeTransportError extends Error {
  override readonly name = 'KubeTransportError';

  constructor(
    message: string,
    /** ETIMEDOUT, ADDRESS_REFUSED, REDIRECT, NOT_KUBERNETES, RESPONSE_TOO_LARGE or a system code. */
    readonly code: string,
    /** The HTTP status this stands for, when an HTTP answer arrived. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface KubeTransportOptions {
  /** The deadline of a request that arrives without an abort signal (KubeClient always sends one). */
  fallbackTimeoutMs: number;
  /** Connect to link-local, unspecified and multicast addresses too (ALLOW_LINK_LOCAL_CLUSTER_URLS). */
  allowSpecialAddresses: boolean;
  /** Largest response body read (default 64 MiB): a list page of 500 NetworkPolicies is a few MB. */
  maxResponseBytes?: number;
}

export const NOT_KUBERNETES_MESSAGE = 'HTTP 503 (not a Kubernetes API server)';
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

function refusedAddress(address: string, kind: string): KubeTransportError {
  return new KubeTransportError(
    `${address} is a ${kind} address, which is refused (ALLOW_LINK_LOCAL_CLUSTER_URLS=true permits it)`,
    'ADDRESS_REFUSED',
  );
}

/** Resolves every address of a host name, as dns.lookup with `all: true`. */
export type ResolveAll = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const resolveAll: ResolveAll = (hostname, options, callback) =>
  dnsLookup(hostname, options, callback);

/**
 * A lookup for net.connect that drops special addresses from what a host name resolves to, and
 * fails when nothing else is left: a name is no way around the check of literal addresses.
 */
export function guardedLookup(resolve: ResolveAll = resolveAll): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, options.all ? [] : '', undefined);
      const usable = addresses.filter((a) => !specialAddressKind(a.address));
      if (usable.length === 0) {
        const first = addresses[0];
        const refused = first
          ? refusedAddress(`${hostname} (${first.address})`, specialAddressKind(first.address)!)
          : new KubeTransportError(`${hostname} has no address`, 'ENOTFOUND');
        return callback(refused, options.all ? [] : '', undefined);
      }
      if (options.all) return callback(null, usable);
      callback(null, usable[0].address, usable[0].family);
    });
  };
}

const GUARDED_LOOKUP = guardedLookup();

/** True for what kube-apiserver answers: JSON, and for an error a Status object. */
export function isKubernetesAnswer(
  status: number,
  contentType: string | undefined,
  body: Buffer,
): boolean {
  const media = contentType?.split(';')[0].trim().toLowerCase();
  if (media !== 'application/json') return false;
  const text = body.toString('utf8');
  if (status >= 200 && status < 300) return text.trimStart().startsWith('{');
  try {
    const parsed: unknown = JSON.parse(text);
    return (
      typeof parsed === 'object' &&
      parsed !== null &&
      (parsed as { kind?: unknown }).kind === 'Status'
    );
  } catch {
    return false;
  }
}

function flatHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(res.headers)) {
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

async function readBody(res: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      res.destroy();
      throw new KubeTransportError(
        `the answer is larger than ${limit} bytes`,
        'RESPONSE_TOO_LARGE',
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function requestBody(ctx: RequestContext): string | undefined {
  const body = ctx.getBody();
  if (body === undefined || typeof body === 'string') return body;
  throw new TypeError('the kube transport sends string bodies only');
}

/** One request as the transport sends it. */
export interface KubeRequest {
  method: string;
  headers: Record<string, string | number>;
  body?: string;
  /** The agent carries the TLS material: CA, client certificate, verification. */
  agent?: RequestOptions['agent'];
  signal: AbortSignal;
}

/** An answer that passed every check above: the Kubernetes API's own JSON. */
export interface KubeAnswer {
  status: number;
  headers: Record<string, string>;
  data: Buffer;
}

async function exchange(
  url: URL,
  request: KubeRequest,
  options: KubeTransportOptions,
): Promise<KubeAnswer> {
  if (!options.allowSpecialAddresses) {
    // Node connects to an IP literal without a lookup, so the URL's own host is checked here.
    const kind = specialAddressKind(url.hostname);
    if (kind) throw refusedAddress(url.hostname, kind);
  }
  const { body } = request;
  const headers = { ...request.headers };
  // Node sends a DELETE body neither chunked nor with a length unless told its length, and
  // the API server would then read DeleteOptions (preconditions, dryRun) as absent.
  if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(body);
  const requestOptions: RequestOptions = {
    method: request.method,
    headers,
    agent: request.agent,
    signal: request.signal,
    ...(options.allowSpecialAddresses ? {} : { lookup: GUARDED_LOOKUP }),
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = send(url, requestOptions, resolve);
    req.on('error', reject);
    req.end(body);
  });
  const status = res.statusCode ?? 0;
  if (status >= 300 && status < 400) {
    res.destroy();
    // The Location is not repeated: it is the server's text, and following it is the danger.
    throw new KubeTransportError(`HTTP ${status} (redirects are not followed)`, 'REDIRECT', status);
  }
  const data = await readBody(res, options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
  if (!isKubernetesAnswer(status, res.headers['content-type'], data)) {
    throw new KubeTransportError(NOT_KUBERNETES_MESSAGE, 'NOT_KUBERNETES', 503);
  }
  return { status, headers: flatHeaders(res), data };
}

/**
 * Sends one request under every rule of this transport (see the top of the file), bounded by
 * `request.signal`. Rejects with a KubeTransportError, or with the signal's reason once it
 * aborted. The rollout's hot path (server-side apply) calls it directly; client-node calls it
 * through kubeTransport.
 */
export async function kubeRequest(
  url: URL,
  request: KubeRequest,
  options: KubeTransportOptions,
): Promise<KubeAnswer> {
  try {
    return await exchange(url, request, options);
  } catch (error) {
    if (request.signal.aborted) throw request.signal.reason;
    if (error instanceof KubeTransportError || error instanceof TypeError) throw error;
    const cause = error as NodeJS.ErrnoException;
    throw new KubeTransportError(cause.message || cause.name, cause.code ?? 'ECONNRESET');
  }
}

/** The transport as client-node's HttpLibrary. */
export function kubeTransport(options: KubeTransportOptions): HttpLibrary {
  return wrapHttpLibrary({
    async send(ctx: RequestContext): Promise<ResponseContext> {
      const given = ctx.getSignal();
      const own = given ? undefined : AbortSignal.timeout(options.fallbackTimeoutMs);
      const signal = given ?? own!;
      signal.throwIfAborted();
      try {
        const answer = await kubeRequest(
          new URL(ctx.getUrl()),
          {
            method: ctx.getHttpMethod(),
            headers: { ...ctx.getHeaders() },
            body: requestBody(ctx),
            agent: ctx.getAgent() as RequestOptions['agent'],
            signal,
          },
          options,
        );
        return new ResponseContext(answer.status, answer.headers, {
          text: () => Promise.resolve(answer.data.toString('utf8')),
          binary: () => Promise.resolve(answer.data),
        });
      } catch (error) {
        if (own?.aborted) {
          throw new KubeTransportError(
            `no answer within ${options.fallbackTimeoutMs} ms`,
            'ETIMEDOUT',
          );
        }
        // The caller's signal ended it: KubeClient tells its own deadline from the caller's.
        throw error;
      }
    },
  });
}
