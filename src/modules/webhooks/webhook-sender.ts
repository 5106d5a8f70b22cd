import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { specialAddressKind } from '../../core/net/special-address.js';

/** A target refused because of the address its host name resolved to. */
export class ForbiddenWebhookAddressError extends Error {
  override readonly name = 'ForbiddenWebhookAddressError';
}

export type Resolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * A `lookup` for http(s).request that refuses a host name when any of its addresses is
 * special (link-local, unspecified, multicast, broadcast): checked on the addresses the
 * connection will really use, so a name that resolves (or re-resolves) to 169.254.169.254
 * cannot slip past a check made earlier.
 */
export function guardedLookup(
  allowSpecial: boolean,
  resolve: Resolver = dnsLookup,
): LookupFunction {
  return ((hostname: string, options: { all?: boolean; family?: number }, callback: Function) => {
    resolve(hostname, { ...options, all: true } as LookupAllOptions, (err, addresses) => {
      if (err) return callback(err);
      const bad = allowSpecial
        ? undefined
        : addresses.find((a) => specialAddressKind(a.address) !== undefined);
      if (bad)
        return callback(
          new ForbiddenWebhookAddressError(
            `the host resolves to ${bad.address}, a ${specialAddressKind(bad.address)} address, which webhooks never target`,
          ),
        );
      if (addresses.length === 0)
        return callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }));
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  }) as LookupFunction;
}

export interface PostOptions {
  /** Connect, TLS and the answer's status line and headers must all happen within this. */
  timeoutMs: number;
  allowSpecialAddresses: boolean;
  /** The job's signal: the worker closing or losing the job. */
  signal?: AbortSignal;
  resolve?: Resolver;
}

/** The answer's status, or why there was none. Redirects are answers, never followed. */
export type PostResult = { status: number } | { error: string };

/**
 * POSTs one webhook body. No redirect is followed, no connection is reused, TLS is verified,
 * and the whole exchange up to the answer's headers has a deadline; the answer's body is not
 * read. Never throws: failures are described (without the URL, which may hold a token).
 */
export function postWebhook(
  url: URL,
  body: string,
  headers: Record<string, string>,
  options: PostOptions,
): Promise<PostResult> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const done = (result: PostResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const req = send(
      url,
      {
        method: 'POST',
        agent: false,
        signal,
        lookup: guardedLookup(options.allowSpecialAddresses, options.resolve),
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res: IncomingMessage) => {
        done({ status: res.statusCode ?? 0 });
        res.destroy();
      },
    );
    req.on('error', (err: Error) => {
      if (deadline.aborted) done({ error: `no answer within ${options.timeoutMs} ms` });
      else if (signal.aborted)
        done({ error: 'the delivery was interrupted (the worker is closing)' });
      else if (err instanceof ForbiddenWebhookAddressError) done({ error: err.message });
      else {
        const code = (err as NodeJS.ErrnoException).code;
        done({ error: code ? `${code}: ${err.message}` : err.message || err.name });
      }
    });
    req.end(body);
  });
}
