import type { ManagedFieldsEntry } from '../reconcile/live-object.js';
import { jsonEqual, parsePointer } from './json-patch.js';

/** Who owns one changed path of a live object. */
export interface FieldOwner {
  /** The JSON pointer, as given. */
  path: string;
  /** The field manager (e.g. `gbp-netpol`, `kubectl-edit`), or null when no manager owns it. */
  manager: string | null;
}

type Node = Record<string, unknown>;

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An empty set `{}` in fieldsV1 marks an owned leaf (or an atomic field owned whole). */
function isLeaf(n: Node): boolean {
  return Object.keys(n).length === 0;
}

function parseKeyJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The fieldsV1 child that stands for list item `index` of `list`: `i:<index>`, `v:<value>`
 * (a set item, matched by value) or `k:{...}` (an associative list item, matched by its key
 * fields). Undefined when the item does not exist live or no child names it.
 */
function listChild(node: Node, list: unknown[], index: number): Node | undefined {
  if (!Number.isInteger(index) || index < 0 || index >= list.length) return undefined;
  const item = list[index];
  for (const [key, child] of Object.entries(node)) {
    if (!isNode(child)) continue;
    if (key === `i:${index}`) return child;
    if (key.startsWith('v:') && jsonEqual(parseKeyJson(key.slice(2)), item)) return child;
    if (key.startsWith('k:')) {
      const keys = parseKeyJson(key.slice(2));
      if (
        isNode(keys) &&
        isNode(item) &&
        Object.entries(keys).every(([k, v]) => jsonEqual(item[k], v))
      )
        return child;
    }
  }
  return undefined;
}

/**
 * How deep `fieldsV1` owns the path: the number of tokens down to the deepest node this
 * manager owns (a leaf `{}`, or a node with the `.` self marker), -1 when it owns none.
 * A leaf above the end of the path is an atomic field owned whole, so it owns the path.
 */
function ownershipDepth(fieldsV1: unknown, live: unknown, tokens: string[]): number {
  let node: unknown = fieldsV1;
  let value: unknown = live;
  let best = -1;
  for (let i = 0; i < tokens.length; i++) {
    if (!isNode(node)) break;
    let child: Node | undefined;
    if (Array.isArray(value)) {
      child = listChild(node, value, Number(tokens[i]));
      value = value[Number(tokens[i])];
    } else {
      const next = node[`f:${tokens[i]}`];
      child = isNode(next) ? next : undefined;
      value = isNode(value) ? value[tokens[i]] : undefined;
    }
    if (!child) break;
    node = child;
    if (isLeaf(child)) return i + 1;
    if (isNode(child['.'])) best = i + 1;
  }
  return best;
}

/**
 * For each JSON pointer into a live object, the field manager that owns it, read from the
 * object's `metadata.managedFields[].fieldsV1` (entries with another `fieldsType` are ignored).
 *
 * fieldsV1 notation: `f:<name>` is an object field, `k:{json}` an associative-list item
 * matched by its key fields, `v:<json>` a set item matched by value, `i:<n>` an item by index,
 * `{}` an owned leaf, `.` inside a node marks the node itself as owned. List tokens of the
 * pointer are resolved against the live object (the item at that index), so the paths must
 * be paths of `live` (e.g. those of a patch from live to desired).
 *
 * Approximation: a path's owner is the manager whose ownership reaches deepest along it; a
 * leaf above the end of the path (an atomic list or map such as `spec.ingress`) owns
 * everything below it. When only an ancestor is owned through its `.` marker (e.g. a label
 * that does not exist live yet, under a labels map some manager created), that ancestor's
 * manager is reported. Several managers at the same depth (shared ownership of an applied
 * value) give one entry each, sorted by manager. A path nobody owns (including the root `''`)
 * gives one entry with `manager: null`. Output follows the order of `paths` (duplicates removed).
 */
export function fieldOwners(
  live: { metadata?: { managedFields?: ManagedFieldsEntry[] } } | null,
  paths: readonly string[],
): FieldOwner[] {
  const entries = (live?.metadata?.managedFields ?? []).filter(
    (m): m is ManagedFieldsEntry & { manager: string } =>
      !!m.manager && ((m as { fieldsType?: string }).fieldsType ?? 'FieldsV1') === 'FieldsV1',
  );
  const out: FieldOwner[] = [];
  for (const path of new Set(paths)) {
    const tokens = parsePointer(path);
    let best = 0;
    let managers = new Set<string>();
    for (const m of entries) {
      const depth = ownershipDepth(m.fieldsV1, live, tokens);
      if (depth < 1 || depth < best) continue;
      if (depth > best) {
        best = depth;
        managers = new Set();
      }
      managers.add(m.manager);
    }
    if (managers.size === 0) out.push({ path, manager: null });
    else for (const manager of [...managers].sort()) out.push({ path, manager });
  }
  return out;
}
