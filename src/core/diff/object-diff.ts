import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { stringify } from 'yaml';
import type { NetworkPolicy } from '../kube/network-policy.types.js';
import {
  resourceKey,
  stripServerFields,
  type LiveNetworkPolicy,
} from '../reconcile/live-object.js';
import { canonicalValue, jsonDiff, type JsonPatchOp } from './json-patch.js';

export type DiffAction = 'create' | 'update' | 'delete' | 'unchanged';

/** How one object differs between the live cluster and what gbp-netpol would make of it. */
export interface ObjectDiff {
  action: DiffAction;
  /** RFC 6902 operations turning the normalised live object into the normalised desired one. */
  patch: JsonPatchOp[];
  /** Unified diff of the two YAML renderings; `''` when they are equal. */
  unified: string;
}

export interface DiffLabels {
  /** Header prefix of the old side (default `live`): `--- <from>/<namespace>/<name>`. */
  from?: string;
  /** Header prefix of the new side (default `desired`). */
  to?: string;
}

/**
 * A NetworkPolicy ready to be compared: server-populated fields removed (managedFields,
 * resourceVersion, uid, creationTimestamp, generation, selfLink, status; see
 * stripServerFields), as a plain JSON copy with keys sorted at every level. Idempotent; never
 * mutates its input.
 */
export function normaliseForDiff(obj: LiveNetworkPolicy | NetworkPolicy): NetworkPolicy {
  return canonicalValue(stripServerFields(obj as LiveNetworkPolicy)) as NetworkPolicy;
}

/**
 * A deterministic YAML rendering of a (normalised) value: block style, keys in the value's
 * order, no line folding, no anchors. `''` for null.
 */
export function renderYaml(value: unknown): string {
  if (value === null || value === undefined) return '';
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}

/**
 * The unified diff (file headers only, 3 lines of context) between two texts named
 * `<from>/<key>` and `<to>/<key>`; `''` when the texts are equal.
 */
export function unifiedText(
  key: string,
  before: string,
  after: string,
  labels: DiffLabels = {},
): string {
  if (before === after) return '';
  return createTwoFilesPatch(
    `${labels.from ?? 'live'}/${key}`,
    `${labels.to ?? 'desired'}/${key}`,
    before,
    after,
    undefined,
    undefined,
    {
      headerOptions: FILE_HEADERS_ONLY,
      context: 3,
    },
  );
}

/**
 * Compares a live object with a desired one, both normalised first (so server fields never
 * show). `null` is an absent side: live only is `delete` (patch `[{op: remove, path: ''}]`),
 * desired only is `create` (patch `[{op: add, path: '', value}]`), both equal is `unchanged`
 * (empty patch and unified), otherwise `update`. Both null is `unchanged`. Pure.
 */
export function diffObjects(
  live: LiveNetworkPolicy | NetworkPolicy | null,
  desired: LiveNetworkPolicy | NetworkPolicy | null,
  labels: DiffLabels = {},
): ObjectDiff {
  const a = live ? normaliseForDiff(live) : null;
  const b = desired ? normaliseForDiff(desired) : null;
  const key = b ? resourceKey(b) : a ? resourceKey(a) : '';
  const unified = unifiedText(key, renderYaml(a), renderYaml(b), labels);
  if (!a && !b) return { action: 'unchanged', patch: [], unified: '' };
  if (!a) return { action: 'create', patch: [{ op: 'add', path: '', value: b }], unified };
  if (!b) return { action: 'delete', patch: [{ op: 'remove', path: '' }], unified };
  const patch = jsonDiff(a, b);
  return { action: patch.length === 0 ? 'unchanged' : 'update', patch, unified };
}

/**
 * A multi-file unified diff between two sets of objects, paired by namespace/name and in that
 * order: one file section per object that differs (added, removed or changed), headers
 * `<from>/<namespace>/<name>` and `<to>/<namespace>/<name>`. `''` when the sets are equal.
 */
export function diffManifestSets(
  before: readonly NetworkPolicy[],
  after: readonly NetworkPolicy[],
  labels: DiffLabels = {},
): string {
  const a = new Map(before.map((o) => [resourceKey(o), o]));
  const b = new Map(after.map((o) => [resourceKey(o), o]));
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort(compareKeys);
  return keys.map((k) => diffObjects(a.get(k) ?? null, b.get(k) ?? null, labels).unified).join('');
}

/** Orders `namespace/name` keys by namespace, then name. */
export function compareKeys(x: string, y: string): number {
  const [nx, ...rx] = x.split('/');
  const [ny, ...ry] = y.split('/');
  if (nx !== ny) return nx < ny ? -1 : 1;
  const a = rx.join('/');
  const b = ry.join('/');
  return a < b ? -1 : a > b ? 1 : 0;
}
