import fc from 'fast-check';
import {
  documentCorpus,
  rawDocumentArbitrary,
  type RawDocument,
} from '../../../test/support/policy-document.arbitrary.js';
import { parsePolicyDocument } from '../document/parse-policy-document.js';
import type { NormalisedDocument } from '../document/policy-document.types.js';
import { createEvaluator } from '../evaluator/evaluate-network-policies.js';
import type { EvalSource } from '../evaluator/evaluator.types.js';
import type { NetworkPolicy } from '../kube/network-policy.types.js';
import { describePortSet } from '../ports/port-set.js';
import { compileNetworkPolicies } from './compile-network-policies.js';
import { expected, OUTSIDE_NS, worldAddresses, worldPods } from './truth-table.oracle.js';
import { validateNetworkPolicy } from './validate-network-policy.js';

function checkDifferential(doc: NormalisedDocument, objects: NetworkPolicy[]): void {
  const evaluator = createEvaluator(
    objects,
    [...doc.namespaces, OUTSIDE_NS, 'kube-system'].map((name) => ({ name, labels: {} })),
  );
  const pods = worldPods(doc);
  const sources: EvalSource[] = [
    ...pods.map((pod) => ({ kind: 'pod' as const, pod })),
    ...worldAddresses(doc).map((ip) => ({ kind: 'external' as const, ip })),
  ];
  for (const src of sources) {
    for (const dst of pods) {
      const got = describePortSet(evaluator.allowedPorts(src, dst));
      const want = describePortSet(expected(doc, src, dst));
      if (got !== want) {
        throw new Error(
          `${JSON.stringify(src)} → ${JSON.stringify(dst)}: evaluator says ${got}, truth table says ${want}`,
        );
      }
    }
  }
}

function parseOk(raw: unknown): NormalisedDocument {
  const r = parsePolicyDocument(raw);
  if (!r.ok) throw new Error(`generator produced an invalid document: ${JSON.stringify(r.errors)}`);
  return r.document;
}

/** The same document with contract keys, and the lists inside, in another order. */
function shuffled(raw: RawDocument, seed: number): RawDocument {
  let state = seed || 1;
  const rnd = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const shuffle = <T>(xs: T[]): T[] =>
    xs
      .map((x) => [rnd(), x] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, x]) => x);
  const contracts: Record<string, unknown> = {};
  for (const [k, v] of shuffle(Object.entries(raw.contracts))) {
    const c = v as Record<string, unknown>;
    contracts[k] = {
      ...c,
      provide_networks: shuffle([...(c.provide_networks as string[])]),
      consume_networks: shuffle([...(c.consume_networks as string[])]),
      ...(Array.isArray(c.ports) ? { ports: shuffle([...c.ports]) } : {}),
    };
  }
  return { ...raw, namespaces: shuffle([...raw.namespaces]), contracts };
}

describe('compiler properties', () => {
  it('the evaluator applied to the compiled objects equals the truth table, cell by cell', () => {
    fc.assert(
      fc.property(rawDocumentArbitrary, (raw) => {
        const doc = parseOk(raw);
        checkDifferential(doc, compileNetworkPolicies(doc));
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic and invariant to the order of contracts, networks, namespaces and ports', () => {
    fc.assert(
      fc.property(rawDocumentArbitrary, fc.integer({ min: 1, max: 1e9 }), (raw, seed) => {
        const a = JSON.stringify(compileNetworkPolicies(parseOk(raw)));
        expect(JSON.stringify(compileNetworkPolicies(parseOk(raw)))).toBe(a);
        expect(JSON.stringify(compileNetworkPolicies(parseOk(shuffled(raw, seed))))).toBe(a);
      }),
      { numRuns: 200 },
    );
  });

  it('every object is structurally valid for the API server', () => {
    for (const raw of documentCorpus(300)) {
      for (const o of compileNetworkPolicies(parseOk(raw), { policyName: 'prop' })) {
        expect(validateNetworkPolicy(o)).toEqual([]);
      }
    }
  });
});
