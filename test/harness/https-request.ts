import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface RawRequest {
  url: string;
  method?: string;
  /** PEM, for https. */
  ca?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  token?: string;
  body?: unknown;
  timeoutMs?: number;
}

export interface RawResponse {
  status: number;
  text: string;
}

/** A minimal HTTP(S) request with node's own client: used for health polling and raw API calls in tests. */
export function rawRequest(req: RawRequest): Promise<RawResponse> {
  const url = new URL(req.url);
  const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (payload !== undefined) headers['content-type'] = 'application/json';
  if (req.token) headers['authorization'] = `Bearer ${req.token}`;
  const options = {
    method: req.method ?? 'GET',
    headers,
    timeout: req.timeoutMs ?? 10_000,
    agent: false as const,
    ...(url.protocol === 'https:'
      ? { ca: req.ca, cert: req.clientCertPem, key: req.clientKeyPem }
      : {}),
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const clientRequest = send(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    clientRequest.on('timeout', () =>
      clientRequest.destroy(new Error(`timeout after ${options.timeout}ms`)),
    );
    clientRequest.on('error', reject);
    clientRequest.end(payload);
  });
}
