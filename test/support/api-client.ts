/** An answer of the service, its body parsed when it is JSON. */
export interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, unknown>;
}

/** Calls a running service (a process started by the tests) with a bearer token. */
export function apiClient(
  token: string,
): (base: string, method: string, path: string, body?: unknown) => Promise<ApiAnswer> {
  return async (base, method, path, body) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      text,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };
}
