import { httpProblem } from '../../common/http-problems.js';

type KeyPart = 'string' | 'number';
type KeyOf<S extends readonly KeyPart[]> = {
  [I in keyof S]: S[I] extends 'number' ? number : string;
};

/** The cursor of a status page: the sort key of its last item, opaque to clients. */
export function encodeStatusCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * Decodes a status cursor of the given shape; undefined when there is none. Anything else (not
 * base64url JSON, or another shape) is a 400 INVALID_CURSOR: a cursor that silently started the
 * list over would make a poller walk the fleet forever.
 */
export function decodeStatusCursor<S extends readonly KeyPart[]>(
  cursor: string | undefined,
  shape: S,
): KeyOf<S> | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  let key: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw httpProblem('INVALID_CURSOR', {});
  }
  const fits =
    Array.isArray(key) &&
    key.length === shape.length &&
    key.every((part, i) =>
      shape[i] === 'number' ? Number.isSafeInteger(part) : typeof part === 'string',
    );
  if (!fits) throw httpProblem('INVALID_CURSOR', {});
  return key as KeyOf<S>;
}
