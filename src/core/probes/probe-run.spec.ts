import { compileNetworkPolicies } from '../compiler/compile-network-policies.js';
import { parsePolicyDocument } from '../document/parse-policy-document.js';
import type { NormalisedDocument } from '../document/policy-document.types.js';
import { scopeToCluster } from '../compiler/scope-to-cluster.js';
import { buildProbePods, probeMeasuredPorts } from './probe-pods.js';
import {
  parseProbeReport,
  planProbeClients,
  probeClientName,
  probeReport,
  probeDeadlineSeconds,
  probeScript,
  PROBE_MAX_ROUNDS,
  PROBE_PARALLELISM,
  PROBE_PLAN_ANNOTATION,
  PROBE_UDP_WAITS,
  type ProbeClientState,
  type ProbePlan,
  type ProbeServer,
} from './probe-run.js';

function parse(raw: unknown): NormalisedDocument {
  const r = parsePolicyDocument(raw);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.document;
}

// web accepts TCP 443 from anywhere (0.0.0.0/0); db accepts web on TCP 5432.
const doc = parse({
  namespaces: ['a'],
  contracts: {
    c: {
      provide_networks: ['db'],
      consume_networks: ['web'],
      ports: [{ port: 5432 }],
      provider_access: 'none',
    },
  },
  expose: [{ network: 'web', cidr: '0.0.0.0/0', ports: [{ port: 443 }] }],
});
const objects = compileNetworkPolicies(doc);
const ports = probeMeasuredPorts(doc);
const IPS: Record<string, string> = {
  'db-pod': '10.244.0.10',
  'web-pod': '10.244.0.11',
  'a-out': '10.244.0.12',
};
const servers: ProbeServer[] = buildProbePods(doc, 'p', 'img').map((m) => ({
  name: m.metadata.name,
  namespace: m.metadata.namespace,
  labels: m.metadata.labels,
  phase: 'Running',
  ip: IPS[m.metadata.name],
  nodeName: 'node-1',
}));
const clients = planProbeClients({
  policy: 'p',
  run: 'r1',
  image: 'img',
  servers,
  ports,
  nodeSource: { namespace: 'a' },
});
const planOf = (name: string): ProbePlan =>
  JSON.parse(
    clients.find((c) => c.metadata.name === name)!.metadata.annotations[PROBE_PLAN_ANNOTATION],
  );

/** A measuring pod that saw exactly `allowed(target)` for each target, in two agreeing rounds. */
function finished(
  name: string,
  ip: string,
  allowed: (t: ProbePlan['targets'][number]) => boolean,
  over: Partial<ProbeClientState> = {},
): ProbeClientState {
  const m = clients.find((c) => c.metadata.name === name)!;
  const plan = planOf(name);
  const verdicts = plan.targets.map((t) => (allowed(t) ? 'A' : 'D')).join('');
  return {
    name,
    namespace: m.metadata.namespace,
    labels: m.metadata.labels,
    phase: 'Succeeded',
    ip,
    nodeName: 'node-1',
    createdAt: '2026-12-01T00:00:00.000Z',
    plan,
    report: `gbp-probe 2 stable ${verdicts}\n`,
    ...over,
  };
}

describe('planProbeClients', () => {
  it('gives every running target a measuring twin with its labels, and one on the node network', () => {
    expect(clients.map((c) => c.metadata.name)).toEqual([
      'a-out-m-r1',
      'db-pod-m-r1',
      'web-pod-m-r1',
      'node-m-r1',
    ]);
    const web = clients.find((c) => c.metadata.name === 'web-pod-m-r1')!;
    expect(web.metadata.labels).toMatchObject({
      mms_network_tag: 'web',
      'gbp-netpol.io/probe-role': 'client',
      'gbp-netpol.io/probe-run': 'r1',
      'gbp-netpol.io/probe-for': 'p',
    });
    expect(web.spec.hostNetwork).toBeUndefined();
    expect(clients[3].spec.hostNetwork).toBe(true);
    // Every other target, on every probe port (the named ones and a TCP and a UDP canary).
    expect(ports.map((p) => `${p.protocol}/${p.port}`)).toEqual([
      'TCP/443',
      'TCP/5432',
      'TCP/10999',
      'UDP/10999',
    ]);
    expect(
      planOf('web-pod-m-r1').targets.map((t) => `${t.destination} ${t.protocol}/${t.port}`),
    ).toEqual([
      'a/a-out TCP/443',
      'a/a-out TCP/5432',
      'a/a-out TCP/10999',
      'a/a-out UDP/10999',
      'a/db-pod TCP/443',
      'a/db-pod TCP/5432',
      'a/db-pod TCP/10999',
      'a/db-pod UDP/10999',
    ]);
    expect(planOf('node-m-r1').targets).toHaveLength(12);
    expect(web.spec.activeDeadlineSeconds).toBeGreaterThan(0);
  });

  it('measures only running targets', () => {
    const pending = servers.map((s) =>
      s.name === 'db-pod' ? { ...s, phase: 'Pending', ip: null } : s,
    );
    const plan = planProbeClients({
      policy: 'p',
      run: 'r2',
      image: 'img',
      servers: pending,
      ports,
    });
    expect(plan.map((c) => c.metadata.name)).toEqual(['a-out-m-r2', 'web-pod-m-r2']);
  });

  it('names measuring pods as DNS labels, cut to 63 characters', () => {
    const name = probeClientName('x'.repeat(70), 'abcd1234');
    expect(name).toHaveLength(63);
    expect(name.endsWith('-m-abcd1234')).toBe(true);
  });
});

describe('probeScript and parseProbeReport', () => {
  it('writes one attempt per target, counts an answer of "pong" only, and refuses odd addresses', () => {
    const script = probeScript([
      { destination: 'a/x', ip: '10.0.0.1', protocol: 'TCP', port: 80 },
      { destination: 'a/y', ip: 'fd00::1', protocol: 'UDP', port: 53 },
    ]);
    expect(script).toContain('{ m 0 TCP 10.0.0.1 80; } &');
    expect(script).toContain('{ m 1 UDP fd00::1 53; } &');
    expect(script).toContain('*pong*) echo "$1 A"');
    // A UDP target gets a datagram per PROBE_UDP_WAITS before it counts as denied.
    expect(script).toContain(`for t in ${PROBE_UDP_WAITS.join(' ')}; do`);
    expect(() =>
      probeScript([{ destination: 'a/x', ip: '1; rm -rf /', protocol: 'TCP', port: 1 }]),
    ).toThrow();
  });

  it('spreads the targets over PROBE_PARALLELISM lanes that each try their share in turn', () => {
    const targets = Array.from({ length: PROBE_PARALLELISM * 2 + 1 }, (_, i) => ({
      destination: `a/p${i}`,
      ip: `10.0.${Math.floor(i / 250)}.${i % 250}`,
      protocol: 'TCP' as const,
      port: 80,
    }));
    const lanes = probeScript(targets)
      .split('\n')
      .filter((l) => l.trim().startsWith('{ m '));
    expect(lanes).toHaveLength(PROBE_PARALLELISM);
    // Every target exactly once, lane k holding k, k + P, k + 2P.
    const indices = lanes.flatMap((l) => [...l.matchAll(/m (\d+) /g)].map((m) => Number(m[1])));
    expect(indices.sort((a, b) => a - b)).toEqual(targets.map((_, i) => i));
    expect(lanes[0]).toContain(`m ${PROBE_PARALLELISM} `);
    expect(lanes[0]).toContain(`m ${PROBE_PARALLELISM * 2} `);
    expect(lanes[1]).not.toContain(`m ${PROBE_PARALLELISM * 2} `);
    // From another start, the same targets, each once, the first lane beginning there.
    const rotated = probeScript(targets, 5)
      .split('\n')
      .filter((l) => l.trim().startsWith('{ m '));
    const rotatedIndices = rotated.flatMap((l) =>
      [...l.matchAll(/m (\d+) /g)].map((m) => Number(m[1])),
    );
    expect(rotatedIndices.sort((a, b) => a - b)).toEqual(targets.map((_, i) => i));
    expect(rotated[0]?.startsWith('  { m 5 ')).toBe(true);
  });

  it('starts the measuring pods of a run at different places in their target lists', () => {
    const starts = clients.map((c) => /\{ m (\d+) /.exec(c.spec.containers[0]!.command[2]!)?.[1]);
    expect(new Set(starts).size).toBeGreaterThan(1);
  });

  it('gives a measuring pod a deadline with room for every lane at its slowest, twice over', () => {
    const slowestRound = (targets: number) =>
      Math.ceil(targets / PROBE_PARALLELISM) * (PROBE_UDP_WAITS.reduce((a, b) => a + b) + 1);
    for (const n of [1, PROBE_PARALLELISM, 1000, 4000])
      expect(probeDeadlineSeconds(n)).toBeGreaterThanOrEqual(
        2 * PROBE_MAX_ROUNDS * slowestRound(n),
      );
    expect(probeDeadlineSeconds(4000)).toBeGreaterThan(probeDeadlineSeconds(100));
  });

  it('reads a verdict per target; a report of another length counts for nothing', () => {
    const parsed = parseProbeReport('gbp-probe 3 unstable AD\n', 2)!;
    expect(parsed.rounds).toBe(3);
    expect([...parsed.results]).toEqual([
      [0, true],
      [1, false],
    ]);
    expect(parsed.stable).toBe(false);
    expect(parseProbeReport('gbp-probe 2 stable A', 2)).toBeUndefined();
    expect(parseProbeReport('', 0)).toBeUndefined();
  });

  it('splits a source with more targets than a report holds over several pods', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({
      ...servers[0],
      name: `p${i}`,
      ip: `10.244.1.${i}`,
    }));
    const wide = planProbeClients({
      policy: 'p',
      run: 'r9',
      image: 'img',
      servers: many,
      ports: Array.from({ length: 70 }, (_, i) => ({ protocol: 'TCP' as const, port: 1000 + i })),
    });
    const ofP0 = wide.filter((c) => c.metadata.name.startsWith('p0-'));
    expect(ofP0.map((c) => c.metadata.name)).toEqual(['p0-m-r9', 'p0-m-r9-2']);
    const sizes = ofP0.map(
      (c) =>
        (JSON.parse(c.metadata.annotations[PROBE_PLAN_ANNOTATION]) as ProbePlan).targets.length,
    );
    expect(sizes).toEqual([4000, 59 * 70 - 4000]);
  });
});

describe('probeReport', () => {
  const allFinished = (allowed: (source: string, t: ProbePlan['targets'][number]) => boolean) =>
    clients.map((c, i) =>
      finished(c.metadata.name, `10.244.0.${50 + i}`, (t) =>
        allowed(planOf(c.metadata.name).source, t),
      ),
    );
  // What kube-router does with these objects: the ipBlock 0.0.0.0/0 matches pod IPs too.
  const truth = (source: string, t: ProbePlan['targets'][number]) =>
    source === 'node' ||
    t.destination === 'a/a-out' ||
    (t.destination === 'a/web-pod' && t.protocol === 'TCP' && t.port === 443) ||
    (t.destination === 'a/db-pod' &&
      source === 'a/web-pod' &&
      t.protocol === 'TCP' &&
      t.port === 5432);

  it('expects with the pods’ addresses: an untagged pod reaches a port exposed to 0.0.0.0/0 (the hole); all match', () => {
    const report = probeReport({
      run: 'r1',
      objects,
      servers,
      clients: allFinished(truth),
      now: Date.parse('2026-12-01T00:01:00Z'),
    });
    expect(report.state).toBe('complete');
    expect(report.summary).toEqual({
      cells: 24,
      measured: 24,
      notMeasured: 0,
      mismatches: 0,
      allMatch: true,
    });
    const cell = report.cells.find(
      (c) => c.source === 'a/a-out' && c.destination === 'a/web-pod' && c.port === 443,
    )!;
    expect(cell).toMatchObject({ expected: 'allowed', measured: 'allowed', match: true });
    expect(report.external).toHaveLength(12);
    expect(
      report.external!.every((c) => c.expected === 'allowed' && c.reason?.includes('own node')),
    ).toBe(true);
  });

  it('with the pod network taken out (scopeToCluster), the untagged pod is expected denied; a plugin that let it in is a mismatch', () => {
    const scoped = scopeToCluster(objects, {
      podCIDRs: ['10.244.0.0/16'],
      serviceCIDRs: [],
    }).objects;
    const report = probeReport({
      run: 'r1',
      objects: scoped,
      servers,
      clients: allFinished(truth),
      now: Date.parse('2026-12-01T00:01:00Z'),
    });
    expect(report.summary.allMatch).toBe(false);
    expect(
      report.mismatches.map((c) => `${c.source} -> ${c.destination} ${c.protocol}/${c.port}`),
    ).toEqual(['a/a-out -> a/web-pod TCP/443', 'a/db-pod -> a/web-pod TCP/443']);
  });

  it('never says "all match" on partial data: a pod still running, one that timed out, a target never started', () => {
    const now = Date.parse('2026-12-01T00:01:00Z');
    const states = allFinished(truth);
    states[0] = { ...states[0], phase: 'Running', report: null };
    let report = probeReport({ run: 'r1', objects, servers, clients: states, now });
    expect(report.state).toBe('running');
    expect(report.summary.allMatch).toBe(false);
    expect(report.summary.notMeasured).toBe(8);
    expect(report.cells.find((c) => c.measured === 'not-measured')!.reason).toMatch(
      /a-out-m-r1 is Running/,
    );

    states[0] = { ...states[0], phase: 'Failed', reason: 'DeadlineExceeded', report: null };
    report = probeReport({ run: 'r1', objects, servers, clients: states, now });
    expect(report.state).toBe('timed-out');
    expect(report.problems.join('\n')).toMatch(/failed: DeadlineExceeded/);

    states[0] = {
      ...states[0],
      phase: 'Pending',
      reason: 'Unschedulable: 0/0 nodes are available',
      report: null,
    };
    report = probeReport({ run: 'r1', objects, servers, clients: states, now: now + 3_600_000 });
    expect(report.state).toBe('timed-out');
    expect(report.problems.join('\n')).toMatch(/did not finish in time \(Pending: Unschedulable/);

    const notStarted = servers.map((s) =>
      s.name === 'db-pod' ? { ...s, phase: 'Pending', ip: null, reason: 'ErrImageNeverPull' } : s,
    );
    report = probeReport({
      run: 'r1',
      objects,
      servers: notStarted,
      clients: allFinished(truth),
      now,
    });
    expect(report.summary.allMatch).toBe(false);
    expect(report.problems.join('\n')).toMatch(/a\/db-pod is Pending \(ErrImageNeverPull\)/);
  });

  it('says when there is nothing to measure rather than "all match"', () => {
    const lone = [servers[2]];
    const plan = planProbeClients({ policy: 'p', run: 'r3', image: 'img', servers: lone, ports });
    const states = plan.map((c) => ({
      name: c.metadata.name,
      namespace: c.metadata.namespace,
      labels: c.metadata.labels,
      phase: 'Succeeded',
      ip: '10.244.0.99',
      nodeName: 'node-1',
      createdAt: null,
      plan: JSON.parse(c.metadata.annotations[PROBE_PLAN_ANNOTATION]) as ProbePlan,
      report: 'gbp-probe 2 stable \n',
    }));
    const report = probeReport({ run: 'r3', objects, servers: lone, clients: states, now: 0 });
    expect(report.summary).toMatchObject({ cells: 0, allMatch: false });
    expect(report.problems).toContain(
      'there is no pair of test pods to measure (the document names no network)',
    );
  });

  it('reports ports it cannot measure', () => {
    const report = probeReport({
      run: 'r1',
      objects,
      servers,
      clients: allFinished(truth),
      now: 0,
      unmeasurable: ['SCTP 9 is not measured'],
    });
    expect(report.problems).toContain('SCTP 9 is not measured');
  });
});
