import type { V1NetworkPolicy } from '@kubernetes/client-node';
import type { LiveNetworkPolicy } from '../../core/reconcile/live-object.js';

// client-node's models rename the reserved word `from` to `_from` and turn timestamps into
// Dates. The gateway speaks the API server's own JSON at its boundary instead, so that what
// we hash, diff and compare is exactly what the server stores, and so that a rule's `from`
// can never be silently dropped (the create path serialises by the model's field names).

type Rule = Record<string, unknown>;

function renameRuleField(spec: unknown, from: string, to: string): void {
  const ingress = (spec as { ingress?: Rule[] } | undefined)?.ingress;
  for (const rule of ingress ?? []) {
    if (from in rule) {
      rule[to] = rule[from];
      delete rule[from];
    }
  }
}

/** A client-node NetworkPolicy model as the API server's JSON (plain data, `from`, ISO dates). */
export function networkPolicyToWire(model: V1NetworkPolicy): LiveNetworkPolicy {
  const copy = JSON.parse(JSON.stringify(model)) as LiveNetworkPolicy;
  renameRuleField(copy.spec, '_from', 'from');
  return copy;
}

/** The API server's JSON as the client-node model its typed create call serialises from. */
export function networkPolicyToModel(wire: LiveNetworkPolicy | V1NetworkPolicy): V1NetworkPolicy {
  const copy = JSON.parse(JSON.stringify(wire)) as V1NetworkPolicy;
  renameRuleField(copy.spec, 'from', '_from');
  return copy;
}
