import { HttpMethod, RequestContext } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { perRequestMiddleware, requestOptions } from './request-options.js';

describe('perRequestMiddleware', () => {
  it('sets headers and the abort signal on the request', async () => {
    const signal = new AbortController().signal;
    const context = new RequestContext('https://127.0.0.1/x', HttpMethod.PATCH);
    context.setHeaderParam('Content-Type', 'application/json-patch+json');
    const middleware = perRequestMiddleware({
      signal,
      headers: { 'Content-Type': 'application/apply-patch+yaml' },
    });
    const out = await middleware.pre(context).toPromise();
    expect(out.getHeaders()['Content-Type']).toBe('application/apply-patch+yaml');
    expect(out.getSignal()).toBe(signal);
  });

  it('appends to the middleware configured on the client', () => {
    expect(requestOptions({}).middlewareMergeStrategy).toBe('append');
  });
});
