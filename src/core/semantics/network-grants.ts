import type { NormalisedDocument, NormalisedExpose } from '../document/policy-document.types.js';
import { pointer } from '../problems/problem.js';
import { ALL_PORTS, portSetFromSpecs, unionPortSets, type PortSet } from '../ports/port-set.js';

/** What one source may reach on a destination network, and which rules of the document said so. */
export interface Grant {
  ports: PortSet;
  /** Sorted provenance: `intra-network`, or a JSON pointer such as `/contracts/web_to_db`. */
  reasons: string[];
}

/** An expose rule's contribution to a destination network's ingress. */
export interface ExposeGrant {
  expose: NormalisedExpose;
  ports: PortSet;
  reason: string;
}

/** Every grant of a document, indexed by destination network. */
export interface DocumentGrants {
  /** destination network → source network → grant (rules 1–3 of the truth table). */
  ingress: Map<string, Map<string, Grant>>;
  /** destination network → its expose rules (rule 4). */
  expose: Map<string, ExposeGrant[]>;
}

export const INTRA_NETWORK_REASON = 'intra-network';

function addGrant(into: Map<string, Grant>, source: string, ports: PortSet, reason: string): void {
  const existing = into.get(source);
  if (!existing) {
    into.set(source, { ports, reasons: [reason] });
    return;
  }
  existing.ports = unionPortSets(existing.ports, ports);
  if (!existing.reasons.includes(reason)) existing.reasons.push(reason);
}

/**
 * Computes the truth table of `src/core/README.md` for a normalised document: for each
 * destination network N, which networks' members it accepts and on which ports (rules 1–3),
 * and which expose rules apply (rule 4). Runs in time linear in the size of the grants.
 */
export function computeDocumentGrants(doc: NormalisedDocument): DocumentGrants {
  const ingress = new Map<string, Map<string, Grant>>();
  for (const n of doc.networks) ingress.set(n, new Map());
  const isolate = doc.options.intraNetwork === 'isolate';

  // Rule 1: members of N reach each other on every port, unless isolated.
  if (!isolate)
    for (const n of doc.networks) addGrant(ingress.get(n)!, n, ALL_PORTS, INTRA_NETWORK_REASON);

  for (const c of doc.contracts) {
    const reason = pointer('contracts', c.name);
    const ports = portSetFromSpecs(c.ports);
    const providers = new Set(c.providers);
    for (const n of c.providers) {
      const grants = ingress.get(n)!;
      // Rule 2: a provider accepts its consumers on the contract's ports, and when it also
      // consumes the contract, the other providers on the same ports.
      for (const s of c.consumers) addGrant(grants, s, ports, reason);
      if (c.consumers.includes(n)) for (const s of c.providers) addGrant(grants, s, ports, reason);
    }
    // Rule 3: a consumer that does not provide accepts the providers on every port (the
    // original's "providers have a higher security level"), unless provider access is none.
    if (c.providerAccess === 'full') {
      for (const n of c.consumers) {
        if (providers.has(n)) continue;
        const grants = ingress.get(n)!;
        for (const s of c.providers) addGrant(grants, s, ALL_PORTS, reason);
      }
    }
  }

  // Intra-network isolation overrides rules 2 and 3 (ACI intra-EPG isolation).
  if (isolate) for (const n of doc.networks) ingress.get(n)!.delete(n);
  for (const grants of ingress.values()) for (const g of grants.values()) g.reasons.sort();

  const expose = new Map<string, ExposeGrant[]>();
  for (const e of doc.expose) {
    const list = expose.get(e.network) ?? [];
    list.push({ expose: e, ports: portSetFromSpecs(e.ports), reason: pointer('expose', e.index) });
    expose.set(e.network, list);
  }
  return { ingress, expose };
}

/**
 * Inverts ingress grants for egress enforcement: source network → destination network →
 * grant. A member may open exactly the connections its destination accepts from it.
 */
export function invertGrants(grants: DocumentGrants): Map<string, Map<string, Grant>> {
  const egress = new Map<string, Map<string, Grant>>();
  for (const [dst, sources] of grants.ingress) {
    for (const [src, g] of sources) {
      let m = egress.get(src);
      if (!m) egress.set(src, (m = new Map()));
      m.set(dst, g);
    }
  }
  return egress;
}
