import type { LabelSelector } from '../kube/network-policy.types.js';

/** A label selector compiled into a predicate over a label map. */
export type LabelMatcher = (labels: Readonly<Record<string, string>>) => boolean;

/** The value of `key` when the map has it as an own property (never a prototype member). */
export function labelValue(
  labels: Readonly<Record<string, string>>,
  key: string,
): string | undefined {
  if (labels === null || typeof labels !== 'object' || !Object.hasOwn(labels, key))
    return undefined;
  const v = labels[key];
  return typeof v === 'string' ? v : undefined;
}

const MATCH_ALL: LabelMatcher = () => true;
const MATCH_NONE: LabelMatcher = () => false;

/**
 * Compiles a Kubernetes label selector once, for repeated matching. Semantics are those
 * of `matchLabelSelector`.
 */
export function compileLabelSelector(selector: LabelSelector): LabelMatcher {
  if (selector === null || typeof selector !== 'object') return MATCH_NONE;
  const tests: LabelMatcher[] = [];
  const matchLabels = selector.matchLabels ?? {};
  for (const [key, value] of Object.entries(matchLabels)) {
    tests.push((labels) => labelValue(labels, key) === value);
  }
  for (const req of selector.matchExpressions ?? []) {
    const key = req.key;
    const values = new Set(req.values ?? []);
    switch (req.operator) {
      case 'In':
        tests.push((labels) => {
          const v = labelValue(labels, key);
          return v !== undefined && values.has(v);
        });
        break;
      case 'NotIn':
        tests.push((labels) => {
          const v = labelValue(labels, key);
          return v === undefined || !values.has(v);
        });
        break;
      case 'Exists':
        tests.push((labels) => labelValue(labels, key) !== undefined);
        break;
      case 'DoesNotExist':
        tests.push((labels) => labelValue(labels, key) === undefined);
        break;
      default:
        // An operator the API does not know: the API server rejects such a selector, so it
        // selects nothing here rather than everything.
        return MATCH_NONE;
    }
  }
  if (tests.length === 0) return MATCH_ALL;
  if (tests.length === 1) return tests[0];
  return (labels) => tests.every((t) => t(labels));
}

/**
 * True when `labels` satisfy `selector`, with Kubernetes semantics: every `matchLabels`
 * pair must be present with that exact value AND every `matchExpressions` requirement must
 * hold — `In` (key present, value listed), `NotIn` (key absent, or value not listed),
 * `Exists` (key present), `DoesNotExist` (key absent). An empty selector `{}` matches every
 * label map. Only own properties of `labels` count (a key such as `constructor` is never
 * inherited). An unknown operator makes the selector match nothing. Never throws.
 */
export function matchLabelSelector(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>>,
): boolean {
  return compileLabelSelector(selector)(labels);
}
