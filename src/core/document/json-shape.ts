import { pointer } from '../problems/problem.js';
import type { ProblemSink } from './problem-sink.js';
import { DOCUMENT_LIMITS } from './limits.js';

/** A JSON object (as JSON.parse makes it): not null, not an array, not a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Renders a user value for a message: strings quoted as JSON, numbers as they are. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null)
    return String(value);
  return Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : typeof value;
}

/** Renders allowed values for INVALID_ENUM / TYPE_MISMATCH: `"full", "none"`. */
export function showAllowed(allowed: readonly string[]): string {
  return allowed.map((a) => JSON.stringify(a)).join(', ');
}

/** Read access to an object's own, known fields; `undefined` counts as absent. */
export class OwnFields {
  constructor(private readonly obj: Readonly<Record<string, unknown>>) {}

  /** The own field's value, never an inherited one (`constructor`, a polluted prototype). */
  get(key: string): unknown {
    return Object.hasOwn(this.obj, key) ? this.obj[key] : undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }
}

/**
 * Reports every own field of `obj` not in `known` as UNKNOWN_FIELD at its own path, and
 * returns read access to the known ones. Only own keys are read, so `constructor` or
 * `__proto__` in the input are plain names and inherited properties are never mistaken for
 * fields. A field whose value is `undefined` (not possible in JSON) counts as absent, as
 * JSON.stringify would drop it.
 */
export function readFields(
  obj: Record<string, unknown>,
  path: string,
  known: ReadonlySet<string>,
  sink: ProblemSink,
): OwnFields {
  for (const key of Object.keys(obj)) {
    if (!known.has(key)) sink.error(childPath(path, key), 'UNKNOWN_FIELD');
  }
  return new OwnFields(obj);
}

/**
 * Checks that `value` is a string no longer than the document's string cap, reporting
 * TYPE_MISMATCH or STRING_TOO_LONG. Returns the string, or undefined when it was rejected.
 */
export function readString(
  value: unknown,
  path: string,
  sink: ProblemSink,
  expected = 'a string',
): string | undefined {
  if (typeof value !== 'string') {
    sink.error(path, 'TYPE_MISMATCH', { expected });
    return undefined;
  }
  if (value.length > DOCUMENT_LIMITS.stringLength) {
    sink.error(path, 'STRING_TOO_LONG', { max: DOCUMENT_LIMITS.stringLength });
    return undefined;
  }
  return value;
}

/**
 * Checks that `value` is a list of at most `max` items (and at least one when `nonEmpty`),
 * reporting TYPE_MISMATCH, EMPTY_LIST or TOO_MANY_ITEMS. Returns the list, or undefined when
 * its items must not be examined.
 */
export function readList(
  value: unknown,
  path: string,
  sink: ProblemSink,
  options: { expected: string; max: number; nonEmpty?: boolean },
): readonly unknown[] | undefined {
  if (!Array.isArray(value)) {
    sink.error(path, 'TYPE_MISMATCH', { expected: options.expected });
    return undefined;
  }
  if (value.length > options.max) {
    sink.error(path, 'TOO_MANY_ITEMS', { count: value.length, max: options.max });
    return undefined;
  }
  if (options.nonEmpty && value.length === 0) {
    sink.error(path, 'EMPTY_LIST');
    return undefined;
  }
  return value;
}

/** Reads an enum-valued string field, reporting TYPE_MISMATCH / STRING_TOO_LONG / INVALID_ENUM. */
export function readEnum<T extends string>(
  value: unknown,
  path: string,
  allowed: readonly T[],
  sink: ProblemSink,
): T | undefined {
  const s = readString(value, path, sink, `one of ${showAllowed(allowed)}`);
  if (s === undefined) return undefined;
  const match = allowed.find((a) => a === s);
  if (match === undefined) {
    sink.error(path, 'INVALID_ENUM', { allowed: showAllowed(allowed), value: show(s) });
  }
  return match;
}

/**
 * True when `value` has containers (lists or objects) nested more than `max` deep; a scalar
 * has depth 0 and `[]` depth 1. Breadth-first with a visited set, so it is linear in the
 * value's size, uses no recursion (no stack overflow) and terminates even on cyclic values.
 */
export function nestingDepthExceeds(value: unknown, max: number): boolean {
  const seen = new Set<object>();
  let frontier: unknown[] = [value];
  let depth = 0;
  while (frontier.length > 0) {
    const next: unknown[] = [];
    let containers = 0;
    for (const v of frontier) {
      if (typeof v !== 'object' || v === null || seen.has(v)) continue;
      seen.add(v);
      containers++;
      const children: unknown[] = Array.isArray(v) ? v : Object.values(v);
      for (const c of children) if (typeof c === 'object' && c !== null) next.push(c);
    }
    if (containers === 0) return false;
    depth++;
    if (depth > max) return true;
    frontier = next;
  }
  return false;
}

/**
 * `base` extended by one reference token: the same as `base + pointer(token)`, without the
 * escaping work for the common tokens that need none (paths are built for every item).
 */
export function childPath(base: string, token: string | number): string {
  if (typeof token === 'number') return `${base}/${token}`;
  return token.includes('~') || token.includes('/') ? base + pointer(token) : `${base}/${token}`;
}
