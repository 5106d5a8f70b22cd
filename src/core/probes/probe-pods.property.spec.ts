import fc from 'fast-check';
import { rawDocumentArbitrary } from '../../../test/support/policy-document.arbitrary.js';
import { compileNetworkPolicies } from '../compiler/compile-network-policies.js';
import type { ConnectivityCell } from '../connectivity/connectivity-matrix.js';
import { parsePolicyDocument } from '../document/parse-policy-document.js';
import { createEvaluator } from '../evaluator/evaluate-network-policies.js';
import type { NetworkPolicy } from '../kube/network-policy.types.js';
import { isEmptyPortSet, portSetToJson } from '../ports/port-set.js';
import { buildProbePods, expectedProbeMatrix, probeId, type ProbePodView } from './probe-pods.js';

// The reference: expectedProbeMatrix as it was, one evaluator call per ordered pod pair.
function referenceProbeMatrix(objects: NetworkPolicy[], pods: ProbePodView[]): ConnectivityCell[] {
  const namespaces = [
    ...new Set([...pods.map((p) => p.namespace), ...objects.map((o) => o.metadata.namespace)]),
  ].sort();
  const evaluator = createEvaluator(
    objects,
    namespaces.map((name) => ({ name, labels: {} })),
  );
  const sorted = [...pods].sort((a, b) =>
    probeId(a) < probeId(b) ? -1 : probeId(a) > probeId(b) ? 1 : 0,
  );
  const cells: ConnectivityCell[] = [];
  for (const dst of sorted) {
    for (const src of sorted) {
      if (src === dst) continue;
      const ports = evaluator.allowedPorts(
        { kind: 'pod', pod: { namespace: src.namespace, labels: src.labels } },
        { namespace: dst.namespace, labels: dst.labels },
      );
      if (!isEmptyPortSet(ports))
        cells.push({
          namespace: dst.namespace,
          source: probeId(src),
          destination: probeId(dst),
          allowed: portSetToJson(ports),
        });
    }
  }
  return cells;
}

describe('expectedProbeMatrix', () => {
  it('equals the pair-by-pair reference for the probe pods of random documents', () => {
    fc.assert(
      fc.property(rawDocumentArbitrary, fc.boolean(), (raw, withStranger) => {
        const r = parsePolicyDocument(raw);
        if (!r.ok) throw new Error('invalid document');
        const objects = compileNetworkPolicies(r.document, { policyName: 'p' });
        const pods: ProbePodView[] = buildProbePods(r.document, 'p').map((m) => ({
          name: m.metadata.name,
          namespace: m.metadata.namespace,
          labels: m.metadata.labels,
          phase: 'Running',
        }));
        // A pod outside the document's namespaces, as a cluster may list one.
        if (withStranger) pods.push({ name: 'x', namespace: 'other', labels: {}, phase: null });
        expect(expectedProbeMatrix(objects, pods)).toEqual(referenceProbeMatrix(objects, pods));
      }),
      { numRuns: 150 },
    );
  });
});
