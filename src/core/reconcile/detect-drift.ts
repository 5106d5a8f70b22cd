import { fieldOwners } from '../diff/field-owners.js';
import type { NetworkPolicy } from '../kube/network-policy.types.js';
import { HASH_ANNOTATION, isOwnedBy, objectContentHash } from './plan-rollout.js';
import {
  resourceKey,
  stripServerFields,
  type LiveNetworkPolicy,
  type ManagedFieldsEntry,
} from './live-object.js';

/**
 * Drift of one policy on one cluster, computed from one label-selected list per namespace.
 * Pure: no I/O, no clock (the caller stamps `checkedAt`).
 */

export type DriftChange = 'modified' | 'missing' | 'extra';

export interface DriftedResource {
  namespace: string;
  name: string;
  change: DriftChange;
  /** JSON pointers (into `{metadata: {labels}, spec}`) whose values differ; empty for missing/extra. */
  paths: string[];
  /** Field managers that probably made the change (see `likelyManagers`); empty for missing. */
  managers: string[];
  /**
   * False when re-applying cannot undo the change: server-side apply never removes a field
   * that another manager added to a granular map or struct (an extra label, an extra spec
   * field such as `egress`). Self-heal is not triggered for such drift alone.
   */
  healable: boolean;
}

/** At most this many paths are listed per object (a rewritten object would list hundreds). */
export const MAX_PATHS = 50;

/** What gbp-netpol owns in an object: the content `objectContentHash` covers. */
function owned(o: Pick<NetworkPolicy, 'metadata' | 'spec'>): {
  metadata: { labels: Record<string, string> };
  spec: unknown;
} {
  return { metadata: { labels: o.metadata.labels ?? {} }, spec: o.spec };
}

function escapeSegment(s: string): string {
  return s.replaceAll('~', '~0').replaceAll('/', '~1');
}

function unescapeSegment(s: string): string {
  return s.replaceAll('~1', '/').replaceAll('~0', '~');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The JSON pointers where `a` and `b` differ: the deepest differing leaves, or the shallowest
 * path where one side has a value and the other has none (or a different type). Arrays are
 * compared by index; a longer array lists its extra indexes. Sorted, at most `limit`.
 */
export function changedPaths(a: unknown, b: unknown, limit = MAX_PATHS): string[] {
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, path: string): void => {
    if (out.length >= limit) return;
    if (Array.isArray(x) && Array.isArray(y)) {
      for (let i = 0; i < Math.max(x.length, y.length); i++) {
        if (i >= x.length || i >= y.length) out.push(`${path}/${i}`);
        else walk(x[i], y[i], `${path}/${i}`);
      }
      return;
    }
    if (isPlainObject(x) && isPlainObject(y)) {
      for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) {
        const p = `${path}/${escapeSegment(k)}`;
        if (x[k] === undefined || y[k] === undefined) {
          if (x[k] !== y[k]) out.push(p);
        } else walk(x[k], y[k], p);
      }
      return;
    }
    if (x !== y) out.push(path || '/');
  };
  walk(a, b, '');
  return out.slice(0, limit);
}

/** The value at a JSON pointer, or undefined. */
function valueAt(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const seg of path.split('/').slice(1).map(unescapeSegment)) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isPlainObject(cur)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

/**
 * True when a force-apply of the desired object puts the path back. It cannot when the
 * desired object has no value there and the path is a direct child of a granular map or struct
 * (`/metadata/labels/<key>`, `/spec/<field>`): server-side apply leaves fields it does not
 * mention and another manager owns. Inside atomic values (NetworkPolicy's rule lists,
 * LabelSelector) the whole value is replaced, so any change there is undone.
 */
export function isHealablePath(desired: unknown, path: string): boolean {
  if (valueAt(desired, path) !== undefined) return true;
  return !/^\/(metadata\/labels|spec)\/[^/]+$/.test(path);
}

function isOwnApply(entry: ManagedFieldsEntry, ownManager: string): boolean {
  return entry.manager === ownManager && entry.operation === 'Apply';
}

/**
 * The managers that probably made a change (an approximation: Kubernetes records who owns
 * each field now, not who changed it):
 * 1. the owners of the changed paths by managedFields (`fieldOwners`: an Update takes over the
 *    fields it sets, so whoever edited a value owns it afterwards), gbp-netpol itself excluded;
 * 2. if there are none (a removed field has no owner), every manager other than gbp-netpol's
 *    Apply whose entry was written at or after that Apply (by `time`; all of them when our
 *    Apply entry is gone).
 */
export function likelyManagers(
  live: LiveNetworkPolicy,
  paths: string[],
  ownManager: string,
): string[] {
  const owners = fieldOwners(live, paths)
    .map((o) => o.manager)
    .filter((m): m is string => m !== null && m !== ownManager);
  if (owners.length > 0) return [...new Set(owners)].sort();
  const entries = live.metadata.managedFields ?? [];
  const ours = entries.find((e) => isOwnApply(e, ownManager));
  const since = ours?.time ? Date.parse(ours.time) : undefined;
  const later = entries.filter(
    (e) =>
      e.manager &&
      !isOwnApply(e, ownManager) &&
      (since === undefined || (e.time !== undefined && Date.parse(e.time) >= since)),
  );
  return [...new Set(later.map((e) => e.manager!))].sort();
}

/**
 * Compares the decorated desired objects of one cluster with the live objects carrying this
 * policy's ownership labels (one label-selected list per namespace). An object is in sync when
 * the content hash of the live object equals the desired object's hash annotation; only the
 * others are diffed. Sorted by namespace/name.
 */
export function detectDrift(input: {
  policyName: string;
  desired: NetworkPolicy[];
  live: LiveNetworkPolicy[];
  ownManager: string;
}): DriftedResource[] {
  const liveByKey = new Map<string, LiveNetworkPolicy>();
  for (const o of input.live) if (isOwnedBy(o, input.policyName)) liveByKey.set(resourceKey(o), o);
  const out: DriftedResource[] = [];
  const desiredKeys = new Set<string>();
  for (const d of input.desired) {
    const key = resourceKey(d);
    desiredKeys.add(key);
    const { namespace, name } = d.metadata;
    const live = liveByKey.get(key);
    if (!live) {
      out.push({ namespace, name, change: 'missing', paths: [], managers: [], healable: true });
      continue;
    }
    const stripped = stripServerFields(live);
    if (objectContentHash(stripped) === d.metadata.annotations?.[HASH_ANNOTATION]) continue;
    const want = owned(d);
    const paths = changedPaths(want, owned(stripped));
    out.push({
      namespace,
      name,
      change: 'modified',
      paths,
      managers: likelyManagers(live, paths, input.ownManager),
      // No path listed (the hash annotation itself was stale): a re-apply fixes it.
      healable: paths.length === 0 || paths.some((p) => isHealablePath(want, p)),
    });
  }
  for (const [key, live] of liveByKey) {
    if (desiredKeys.has(key)) continue;
    const managers = [
      ...new Set(
        (live.metadata.managedFields ?? []).map((e) => e.manager).filter((m): m is string => !!m),
      ),
    ].sort();
    // An owned object that is not desired is pruned by the next rollout.
    out.push({
      namespace: live.metadata.namespace,
      name: live.metadata.name,
      change: 'extra',
      paths: [],
      managers,
      healable: true,
    });
  }
  return out.sort((a, b) =>
    a.namespace === b.namespace
      ? a.name < b.name
        ? -1
        : a.name > b.name
          ? 1
          : 0
      : a.namespace < b.namespace
        ? -1
        : 1,
  );
}
