export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}

/** metadata fields owned by the API server; managedFields must even be absent in an apply request. */
const SERVER_OWNED_METADATA = [
  'managedFields',
  'uid',
  'creationTimestamp',
  'generation',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
] as const;

export function objectRef(obj: KubeObject): { namespace: string; name: string } {
  const name = obj.metadata?.name;
  const namespace = obj.metadata?.namespace;
  if (!name || !namespace)
    throw new TypeError('the object needs metadata.name and metadata.namespace');
  return { namespace, name };
}

/**
 * The body of a server-side apply: a plain JSON copy with apiVersion/kind set (apply requires
 * them) and the server-owned metadata removed. A resourceVersion, if given, is kept: the API
 * server then treats it as an optimistic-concurrency precondition.
 */
export function toApplyBody<T extends KubeObject>(obj: T, apiVersion: string, kind: string): T {
  objectRef(obj);
  const copy = JSON.parse(JSON.stringify(obj)) as T & { status?: unknown };
  copy.apiVersion = apiVersion;
  copy.kind = kind;
  const metadata = copy.metadata as Record<string, unknown>;
  for (const key of SERVER_OWNED_METADATA) delete metadata[key];
  delete copy.status;
  return copy;
}
