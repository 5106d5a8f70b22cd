import { jsonDiff, type JsonPatchOp } from './json-patch.js';

/**
 * The RFC 6902 operations that turn raw document `before` into `after`, on their canonical
 * JSON (keys sorted; see jsonDiff for arrays). `before` null (no previous document) gives one
 * `add` of the whole document at the root `''`.
 */
export function documentDiff(before: unknown, after: unknown): JsonPatchOp[] {
  if (before === null || before === undefined)
    return jsonDiff(null, after).map((op) =>
      op.op === 'replace' ? { op: 'add', path: op.path, value: op.value } : op,
    );
  return jsonDiff(before, after);
}
