import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import {
  Observable,
  type ConfigurationOptions,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';

// client-node 1.x has no per-call signal or header parameters; both go through a request
// middleware that runs after the request (URL, auth, TLS agent) has been built.

export interface PerRequest {
  signal?: AbortSignal;
  headers?: Readonly<Record<string, string>>;
  /** Replaces the agent client-node built for this request (e.g. by a reused keep-alive one). */
  agent?: (built: HttpAgent | HttpsAgent | undefined) => HttpAgent | HttpsAgent | undefined;
}

export function perRequestMiddleware({ signal, headers, agent }: PerRequest): ObservableMiddleware {
  return {
    pre(context: RequestContext): Observable<RequestContext> {
      for (const [key, value] of Object.entries(headers ?? {})) context.setHeaderParam(key, value);
      if (signal) context.setSignal(signal);
      const reused = agent?.(context.getAgent());
      if (reused) context.setAgent(reused);
      return new Observable(Promise.resolve(context));
    },
    post(context: ResponseContext): Observable<ResponseContext> {
      return new Observable(Promise.resolve(context));
    },
  };
}

export function requestOptions(perRequest: PerRequest): ConfigurationOptions {
  // 'append' keeps any middleware configured on the API client itself.
  return { middleware: [perRequestMiddleware(perRequest)], middlewareMergeStrategy: 'append' };
}
