import { readFileSync } from 'node:fs';
import { compileNetworkPolicies } from '../compiler/compile-network-policies.js';
import { parsePolicyDocument } from '../document/parse-policy-document.js';
import type { NormalisedDocument } from '../document/policy-document.types.js';
import {
  buildProbePods,
  expectedProbeMatrix,
  listenerCommand,
  probeListenPorts,
  probeSelector,
  FALLBACK_PROBE_PORT,
  type ProbePodView,
} from './probe-pods.js';

function parse(raw: unknown): NormalisedDocument {
  const r = parsePolicyDocument(raw);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.document;
}

const example = JSON.parse(
  readFileSync(new URL('../compiler/golden/example.document.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

describe('probe pods', () => {
  const doc = parse({ ...example, namespaces: ['b', 'a'] });
  const pods = buildProbePods(doc, 'shop');

  it('one labelled pod per network and one untagged pod per namespace, all marked as probes of the policy', () => {
    expect(pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual([
      'a/a-out',
      'a/hangwe-inst-network01-pod',
      'a/hangwe-inst-network02-pod',
      'a/hangwe-inst-network03-pod',
      'b/b-out',
      'b/hangwe-inst-network01-pod',
      'b/hangwe-inst-network02-pod',
      'b/hangwe-inst-network03-pod',
    ]);
    const n2 = pods.find((p) => p.metadata.name === 'hangwe-inst-network02-pod')!;
    expect(n2.metadata.labels).toEqual({
      mms_network_tag: 'hangwe-inst-network02',
      'app.kubernetes.io/managed-by': 'gbp-netpol',
      'gbp-netpol.io/probe-for': 'shop',
    });
    expect(pods.find((p) => p.metadata.name === 'a-out')!.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'gbp-netpol',
      'gbp-netpol.io/probe-for': 'shop',
    });
    expect(n2.spec.containers[0].image).toBe('busybox:1.36');
    expect(probeSelector('shop')).toBe(
      'app.kubernetes.io/managed-by=gbp-netpol,gbp-netpol.io/probe-for=shop',
    );
  });

  it('listens on the numeric TCP/UDP ports the document names, or a fallback port', () => {
    expect(probeListenPorts(doc)).toEqual([
      { protocol: 'TCP', port: 23 },
      { protocol: 'TCP', port: 80 },
      { protocol: 'TCP', port: 3306 },
    ]);
    const open = parse({
      namespaces: ['a'],
      contracts: { c: { provide_networks: ['x'], consume_networks: ['y'] } },
    });
    expect(probeListenPorts(open)).toEqual([{ protocol: 'TCP', port: FALLBACK_PROBE_PORT }]);
    const cmd = listenerCommand([
      { protocol: 'TCP', port: 23 },
      { protocol: 'UDP', port: 53 },
    ]);
    expect(cmd.slice(0, 2)).toEqual(['sh', '-c']);
    expect(cmd[2]).toContain('nc -ll -p 23 -e echo pong');
    expect(cmd[2]).toContain('socat -T1 UDP-RECVFROM:53,fork PIPE &');
    expect(cmd[2]).toContain('nc -u -ll -p 53 -e echo pong');
  });

  it('the expected matrix follows the truth table of the worked example', () => {
    const views: ProbePodView[] = pods.map((p) => ({
      name: p.metadata.name,
      namespace: p.metadata.namespace,
      labels: p.metadata.labels,
      phase: null,
    }));
    const cells = expectedProbeMatrix(compileNetworkPolicies(doc), views);
    const cell = (src: string, dst: string) =>
      cells.find((c) => c.source === src && c.destination === dst)?.allowed;
    expect(cell('a/hangwe-inst-network01-pod', 'a/hangwe-inst-network02-pod')).toEqual([
      { protocol: 'TCP', ports: ['23', '3306'] },
    ]);
    expect(cell('a/hangwe-inst-network03-pod', 'a/hangwe-inst-network01-pod')).toEqual([
      { protocol: 'TCP', ports: ['23'] },
    ]);
    expect(cell('a/hangwe-inst-network02-pod', 'a/hangwe-inst-network01-pod')).toBe('all');
    expect(cell('a/hangwe-inst-network02-pod', 'a/hangwe-inst-network03-pod')).toBeUndefined();
    expect(cell('a/a-out', 'a/hangwe-inst-network01-pod')).toBeUndefined();
    // peer_namespaces any: members in another namespace count; untagged pods are never restricted.
    expect(cell('b/hangwe-inst-network01-pod', 'a/hangwe-inst-network02-pod')).toEqual([
      { protocol: 'TCP', ports: ['23', '3306'] },
    ]);
    expect(cell('a/hangwe-inst-network02-pod', 'a/a-out')).toBe('all');
    expect(cells.some((c) => c.source === c.destination)).toBe(false);
  });
});
