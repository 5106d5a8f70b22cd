import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level, so that equal values print equally. Every own
 * enumerable key is kept, `__proto__` included (JSON.parse makes it an ordinary own key);
 * members whose value is `undefined` are dropped, as JSON.stringify drops them.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    // A prototype-less object, so that `__proto__` is an ordinary key: on a plain object,
    // `out['__proto__'] = v` would set the prototype and the key would vanish from the JSON
    // (a changed contract named `__proto__` would hash and diff as unchanged).
    const out = Object.create(null) as Record<string, unknown>;
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** The hex SHA-256 of a value's canonical JSON. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
