import { canonicalJson } from '../reconcile/canonical-json.js';
import { pointer } from '../problems/problem.js';

/** One RFC 6902 operation; gbp-netpol only ever emits these three. */
export type JsonPatchOp =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'replace'; path: string; value: unknown };

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * An own member's value, never an inherited one: `o['__proto__']` on an object without that
 * own key is Object.prototype, and `'__proto__' in o` is always true.
 */
function own(o: JsonObject, k: string): unknown {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}

/**
 * A plain JSON copy of a value with object keys sorted at every level and `undefined`
 * members dropped (what JSON.stringify would keep). `undefined` itself becomes `null`.
 */
export function canonicalValue(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(canonicalJson(value)) as unknown;
}

/** Structural equality of two JSON values (key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Splits an RFC 6901 pointer into its unescaped reference tokens (`''` is the root: no token). */
export function parsePointer(path: string): string[] {
  if (path === '') return [];
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function walk(a: unknown, b: unknown, tokens: string[], out: JsonPatchOp[]): void {
  if (jsonEqual(a, b)) return;
  const path = pointer(...tokens);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])]
      .filter((k) => own(a, k) !== undefined || own(b, k) !== undefined)
      .sort();
    for (const k of keys) {
      const ak = own(a, k);
      const bk = own(b, k);
      if (bk === undefined) out.push({ op: 'remove', path: pointer(...tokens, k) });
      else if (ak === undefined)
        out.push({ op: 'add', path: pointer(...tokens, k), value: canonicalValue(bk) });
      else walk(ak, bk, [...tokens, k], out);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const common = Math.min(a.length, b.length);
    for (let i = 0; i < common; i++) walk(a[i], b[i], [...tokens, String(i)], out);
    for (let i = common; i < b.length; i++)
      out.push({ op: 'add', path: pointer(...tokens, i), value: canonicalValue(b[i]) });
    // From the end, so that every index is still valid when its operation is applied.
    for (let i = a.length - 1; i >= common; i--)
      out.push({ op: 'remove', path: pointer(...tokens, i) });
    return;
  }
  out.push({ op: 'replace', path, value: canonicalValue(b) });
}

/**
 * The RFC 6902 operations that turn `from` into `to`, applied in order. Deterministic and
 * minimal per position: objects are compared key by key (sorted keys), arrays index by index
 * (a common prefix of positions is compared, extra items are added at the end or removed from
 * the end, last first); anything else that differs (a type change, a scalar) is a `replace`.
 * No `move`/`copy`/`test`: an item inserted in the middle of an array shows as replacements
 * of the items after it plus one `add`. Values in the operations are canonical copies.
 * Equal inputs give `[]`.
 */
export function jsonDiff(from: unknown, to: unknown): JsonPatchOp[] {
  const out: JsonPatchOp[] = [];
  walk(canonicalValue(from), canonicalValue(to), [], out);
  return out;
}
