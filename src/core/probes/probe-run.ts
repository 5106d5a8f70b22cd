import { createEvaluator } from '../evaluator/evaluate-network-policies.js';
import type { EvalPod } from '../evaluator/evaluator.types.js';
import {
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  type NetworkPolicy,
} from '../kube/network-policy.types.js';
import { portSetContains } from '../ports/port-set.js';
import { PROBE_FOR_LABEL, probeId, type ProbePort } from './probe-pods.js';

/**
 * A probe run: pods that measure, from every probe pod to every other, whether each probe port
 * answers, and report through their termination message, which the pod status carries (no
 * `pods/exec`, no `pods/log`: `get pods` is enough). Pure: the plan of the measuring pods, their
 * script, the parsing of their reports, and the report of expected against measured. See
 * src/core/README.md (Probes).
 */

/** Marks a pod's part in a probe run: `client` pods measure; the others are targets. */
export const PROBE_ROLE_LABEL = 'gbp-netpol.io/probe-role';
/** The run a measuring pod belongs to. */
export const PROBE_RUN_LABEL = 'gbp-netpol.io/probe-run';
/** What a measuring pod measures, as JSON (see ProbePlan). */
export const PROBE_PLAN_ANNOTATION = 'gbp-netpol.io/probe-plan';

/** The seconds one attempt waits for an answer. */
export const PROBE_TIMEOUT_SECONDS = 2;
/** The seconds a measuring pod waits before its first round (the enforcer learns its address). */
export const PROBE_SETTLE_SECONDS = 3;
/** Rounds until two in a row agree; the last round is the answer. */
export const PROBE_MAX_ROUNDS = 4;
/**
 * Attempts run at once in a measuring pod: as many lanes, each trying its share of the targets
 * one after the other. Every measuring pod of a run shares the node's CPU, and an answer that
 * comes late under load reads as a denial, so this stays modest.
 */
export const PROBE_PARALLELISM = 8;
/**
 * The datagrams tried per UDP target, as the seconds each waits for its answer, before the
 * target counts as denied. socat waits that long after sending whether or not the answer came
 * (UDP has no end), so the first wait is short; on a busy node the answer can come later, and
 * UDP is lossy, so one more datagram waits longer. Only an answer counts as allowed, so the
 * retry can only correct a false denial.
 */
export const PROBE_UDP_WAITS: readonly number[] = [1, 3];
/** The longest one target's attempt takes, in seconds (a UDP target with no answer at all). */
const LONGEST_ATTEMPT_SECONDS = Math.max(
  PROBE_TIMEOUT_SECONDS,
  PROBE_UDP_WAITS.reduce((a, b) => a + b, 0),
);
/**
 * The most targets one measuring pod takes: its report is a character per target in its
 * termination message, which Kubernetes keeps up to 4,096 bytes. A source with more targets
 * gets several measuring pods.
 */
export const MAX_TARGETS_PER_POD = 4000;

/** A target pod as listed from the cluster. */
export interface ProbeServer {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  phase: string | null;
  ip: string | null;
  nodeName: string | null;
  /** Why it is not Running (waiting reason, unschedulable message), when it is not. */
  reason?: string;
}

/** One measurement a measuring pod makes. */
export interface ProbeTarget {
  /** The destination pod, `namespace/name`. */
  destination: string;
  ip: string;
  protocol: 'TCP' | 'UDP';
  port: number;
}

/** What a measuring pod measures: stored in its PROBE_PLAN_ANNOTATION. */
export interface ProbePlan {
  run: string;
  /** The source it stands for: a target pod's `namespace/name`, or `node` (hostNetwork). */
  source: string;
  targets: ProbeTarget[];
}

/** A measuring pod's manifest (the fields a probe run sets). */
export interface ProbeClientManifest {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  spec: {
    containers: { name: string; image: string; command: string[] }[];
    restartPolicy: 'Never';
    hostNetwork?: boolean;
    activeDeadlineSeconds: number;
    terminationGracePeriodSeconds: number;
    automountServiceAccountToken: false;
    enableServiceLinks: false;
  };
}

/** The longest a measuring pod with this many targets runs, in seconds (its activeDeadlineSeconds). */
export function probeDeadlineSeconds(targets: number): number {
  // A lane's share, each attempt at its longest (every UDP datagram unanswered).
  const perRound =
    Math.ceil(Math.max(1, targets) / PROBE_PARALLELISM) * (LONGEST_ATTEMPT_SECONDS + 1);
  // Twice that, and a minute on top: a node that runs every measuring pod of the run at once
  // starts processes slowly. The deadline only ends a pod that hangs; a slow one is no error.
  return PROBE_SETTLE_SECONDS + 2 * PROBE_MAX_ROUNDS * (perRound + 1) + 60;
}

const shellWord = /^[A-Za-z0-9.:_-]+$/;

/**
 * The measuring pod's script (busybox sh): after a settle delay, rounds of one attempt per
 * target (a UDP target gets a datagram per PROBE_UDP_WAITS), in PROBE_PARALLELISM lanes that
 * each go through their share of the targets, from `start` on, until two rounds agree (at most
 * PROBE_MAX_ROUNDS). Its report, written to /dev/termination-log, is one line:
 * `gbp-probe <rounds> stable|unstable <a character per target: A allowed, D denied>`. An
 * attempt counts as allowed only when the target answered "pong": refused, dropped and
 * unanswered are all denials. TCP with `nc -w`; UDP with socat, or busybox `nc -u`.
 */
export function probeScript(targets: readonly ProbeTarget[], start = 0): string {
  for (const t of targets)
    if (!shellWord.test(t.ip)) throw new TypeError(`not an address: ${JSON.stringify(t.ip)}`);
  const w = PROBE_TIMEOUT_SECONDS;
  const lines = [
    `u() {`,
    `  if command -v socat >/dev/null 2>&1; then`,
    `    case "$1" in *:*) a="UDP6:[$1]:$2";; *) a="UDP4:$1:$2";; esac`,
    `    echo pong | socat -T$3 -t$3 - "$a" 2>/dev/null`,
    `  else echo pong | nc -u -w $3 "$1" "$2" 2>/dev/null; fi`,
    `}`,
    `m() {`,
    `  if [ "$2" = TCP ]; then r=$(nc -w ${w} "$3" "$4" </dev/null 2>/dev/null)`,
    `  else`,
    `    r=; for t in ${PROBE_UDP_WAITS.join(' ')}; do case "$r" in *pong*) break;; esac; r=$(u "$3" "$4" $t); done`,
    `  fi`,
    `  case "$r" in *pong*) echo "$1 A" >/tmp/p.$1;; *) echo "$1 D" >/tmp/p.$1;; esac`,
    `}`,
    `round() {`,
    `  rm -f /tmp/p.*`,
  ];
  // The targets from `start` on, around: lane k takes the k-th, (k + P)-th, ... of that order,
  // so no lane waits for another's stragglers.
  const n = targets.length;
  const lanes = Math.min(PROBE_PARALLELISM, n);
  for (let lane = 0; lane < lanes; lane++) {
    const attempts: string[] = [];
    for (let j = lane; j < n; j += PROBE_PARALLELISM) {
      const i = (start + j) % n;
      const t = targets[i]!;
      attempts.push(`m ${i} ${t.protocol} ${t.ip} ${t.port}`);
    }
    lines.push(`  { ${attempts.join('; ')}; } &`);
  }
  lines.push(
    '  wait',
    `  cat /tmp/p.* 2>/dev/null | sort -n >/tmp/round.$1`,
    `}`,
    `report() { printf 'gbp-probe %s %s %s\\n' "$1" "$2" "$(cut -d' ' -f2 /tmp/round.$1 | tr -d '\\n')" | tee /dev/termination-log; }`,
    `sleep ${PROBE_SETTLE_SECONDS}`,
    `n=1; round 1`,
    `while [ $n -lt ${PROBE_MAX_ROUNDS} ]; do`,
    `  n=$((n+1)); sleep 1; round $n`,
    `  if cmp -s /tmp/round.$n /tmp/round.$((n-1)); then report $n stable; exit 0; fi`,
    `done`,
    `report $n unstable`,
  );
  return lines.join('\n');
}

/** What a measuring pod reported: a verdict per target of its last round. */
export interface ProbeLog {
  /** index → allowed. */
  results: Map<number, boolean>;
  rounds: number;
  stable: boolean;
}

/**
 * Parses a measuring pod's report (see probeScript). Undefined when there is none, or when it
 * does not hold exactly one verdict per target (e.g. cut short): then nothing was measured.
 */
export function parseProbeReport(text: string, targetCount: number): ProbeLog | undefined {
  const m = /^gbp-probe (\d+) (stable|unstable) ([AD]*)$/m.exec(text);
  if (!m || m[3].length !== targetCount) return undefined;
  return {
    results: new Map([...m[3]].map((c, i) => [i, c === 'A'])),
    rounds: Number(m[1]),
    stable: m[2] === 'stable',
  };
}

/** DNS-1123 name of a measuring pod: `<source pod>-m-<run>`, cut to fit. */
export function probeClientName(sourceName: string, run: string): string {
  const suffix = `-m-${run}`;
  return `${sourceName.slice(0, 63 - suffix.length).replace(/-+$/, '')}${suffix}`;
}

/**
 * The measuring pods of a run: for every running target pod, one pod with the same labels in
 * the same namespace (so that it stands for it as a source), measuring every other running
 * target on every probe port. With `nodeSource`, one more pod on the node's network (hostNetwork)
 * measures every target: the external view from the node's address.
 */
export function planProbeClients(input: {
  policy: string;
  run: string;
  image: string;
  servers: readonly ProbeServer[];
  ports: readonly ProbePort[];
  nodeSource?: { namespace: string };
}): ProbeClientManifest[] {
  const running = input.servers
    .filter((s) => s.phase === 'Running' && s.ip)
    .sort((a, b) => (probeId(a) < probeId(b) ? -1 : probeId(a) > probeId(b) ? 1 : 0));
  const targetsFrom = (source: string | null): ProbeTarget[] =>
    running
      .filter((dst) => probeId(dst) !== source)
      .flatMap((dst) =>
        input.ports.map((p) => ({
          destination: probeId(dst),
          ip: dst.ip!,
          protocol: p.protocol,
          port: p.port,
        })),
      );
  let ordinal = 0;
  const client = (
    name: string,
    namespace: string,
    labels: Record<string, string>,
    source: string,
    targets: ProbeTarget[],
    hostNetwork: boolean,
  ): ProbeClientManifest => {
    const plan: ProbePlan = { run: input.run, source, targets };
    // Every measuring pod lists the same destinations in the same order; each starts at its own
    // place in the list (spread by the golden ratio), so that they do not all call on one
    // destination's listeners at once (a UDP listener answers one datagram at a time).
    const start = Math.floor(((ordinal++ * 0.6180339887498949) % 1) * targets.length);
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace,
        labels: {
          ...labels,
          [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
          [PROBE_FOR_LABEL]: input.policy,
          [PROBE_ROLE_LABEL]: 'client',
          [PROBE_RUN_LABEL]: input.run,
        },
        annotations: { [PROBE_PLAN_ANNOTATION]: JSON.stringify(plan) },
      },
      spec: {
        containers: [
          {
            name: 'measure',
            image: input.image,
            command: ['sh', '-c', probeScript(targets, start)],
          },
        ],
        restartPolicy: 'Never',
        ...(hostNetwork ? { hostNetwork: true } : {}),
        activeDeadlineSeconds: probeDeadlineSeconds(targets.length),
        terminationGracePeriodSeconds: 0,
        automountServiceAccountToken: false,
        enableServiceLinks: false,
      },
    };
  };
  const sourceLabels = (s: ProbeServer) =>
    Object.fromEntries(
      Object.entries(s.labels).filter(
        ([k]) => k !== MANAGED_BY_LABEL && k !== PROBE_FOR_LABEL && k !== PROBE_ROLE_LABEL,
      ),
    );
  // A source with more targets than one report holds gets several pods, `-2`, `-3`, ...
  const pods = (base: string, targets: ProbeTarget[]): [string, ProbeTarget[]][] => {
    const parts: [string, ProbeTarget[]][] = [];
    for (let i = 0; i === 0 || i < targets.length; i += MAX_TARGETS_PER_POD)
      parts.push([
        probeClientName(base, parts.length === 0 ? input.run : `${input.run}-${parts.length + 1}`),
        targets.slice(i, i + MAX_TARGETS_PER_POD),
      ]);
    return parts;
  };
  const clients = running.flatMap((s) =>
    pods(s.name, targetsFrom(probeId(s))).map(([name, targets]) =>
      client(name, s.namespace, sourceLabels(s), probeId(s), targets, false),
    ),
  );
  if (input.nodeSource) {
    const namespace = input.nodeSource.namespace;
    for (const [name, targets] of pods('node', targetsFrom(null)))
      clients.push(client(name, namespace, {}, 'node', targets, true));
  }
  return clients;
}

/**
 * A measuring pod as read back from the cluster; `reason` also says why it failed (e.g.
 * DeadlineExceeded).
 */
export interface ProbeClientState extends ProbeServer {
  /** ISO time it was created. */
  createdAt: string | null;
  plan: ProbePlan | null;
  /** Its termination message (null: it has not terminated). */
  report: string | null;
}

export type Verdict = 'allowed' | 'denied';

/** One measured cell: a source, a destination, a protocol and a port. */
export interface ProbeCell {
  source: string;
  destination: string;
  protocol: 'TCP' | 'UDP';
  port: number;
  expected: Verdict;
  measured: Verdict | 'not-measured';
  /** Why it was not measured, or why the expectation is what it is. */
  reason?: string;
  match: boolean;
}

export type RunState = 'running' | 'complete' | 'failed' | 'timed-out';

/** A probe run's report: per cell expected against measured, and whether everything matched. */
export interface ProbeReport {
  run: string;
  state: RunState;
  startedAt: string | null;
  summary: {
    cells: number;
    measured: number;
    notMeasured: number;
    mismatches: number;
    /** True only when every cell was measured and every one matched: never on partial data. */
    allMatch: boolean;
  };
  cells: ProbeCell[];
  mismatches: ProbeCell[];
  /** From the node's address (hostNetwork): the external view; null when not measured. */
  external: ProbeCell[] | null;
  /** Problems of the run as a whole: pods that never started, a run that timed out. */
  problems: string[];
}

const verdict = (b: boolean): Verdict => (b ? 'allowed' : 'denied');

/**
 * What a run measured against what the evaluator expects of `objects` (the objects applied to
 * the cluster) for the same pods, with their addresses: an ipBlock matches a pod's IP, as most
 * network plugins and the Kubernetes conformance tests have it. From the node's own address
 * every connection to a pod on that node is expected allowed (Kubernetes always admits a pod's
 * node); to a pod on another node, the node is an external source. A cell is measured only
 * when its measuring pod finished a complete round; anything else is reported with the reason.
 */
export function probeReport(input: {
  run: string;
  objects: readonly NetworkPolicy[];
  servers: readonly ProbeServer[];
  clients: readonly ProbeClientState[];
  /** Now, to tell a run that takes too long (ms since the epoch). */
  now: number;
  /** SCTP or named ports the run could not measure, to report as such. */
  unmeasurable?: readonly string[];
}): ProbeReport {
  const namespaces = [
    ...new Set([
      ...input.servers.map((s) => s.namespace),
      ...input.objects.map((o) => o.metadata.namespace),
    ]),
  ].map((name) => ({ name, labels: {} }));
  const evaluator = createEvaluator(input.objects, namespaces);
  const servers = new Map(input.servers.map((s) => [probeId(s), s]));
  const problems: string[] = [];
  const cells: ProbeCell[] = [];
  const external: ProbeCell[] = [];
  let startedAt: number | null = null;
  let finished = 0;
  let timedOut = false;
  let failed = false;
  const clients = input.clients.filter((c) => c.plan?.run === input.run);
  for (const c of clients) {
    const plan = c.plan!;
    if (c.createdAt) startedAt = Math.min(startedAt ?? Infinity, Date.parse(c.createdAt));
    const log = c.report !== null ? parseProbeReport(c.report, plan.targets.length) : undefined;
    const complete = log !== undefined;
    const deadline =
      (c.createdAt ? Date.parse(c.createdAt) : input.now) +
      (probeDeadlineSeconds(plan.targets.length) + 30) * 1000;
    let notMeasured: string | undefined;
    if (!complete) {
      if (c.phase === 'Succeeded') {
        notMeasured = `the measuring pod ${c.namespace}/${c.name} ended without a complete report`;
        failed = true;
      } else if (c.phase === 'Failed') {
        notMeasured = `the measuring pod ${c.namespace}/${c.name} failed: ${c.reason ?? 'no reason given'}`;
        if (/deadline/i.test(c.reason ?? '')) timedOut = true;
        else failed = true;
      } else if (input.now > deadline) {
        notMeasured = `the measuring pod ${c.namespace}/${c.name} did not finish in time (${c.phase ?? 'no phase'}${c.reason ? `: ${c.reason}` : ''})`;
        timedOut = true;
      } else
        notMeasured = `the measuring pod ${c.namespace}/${c.name} is ${c.phase ?? 'being created'}${c.reason ? ` (${c.reason})` : ''}`;
      problems.push(notMeasured);
    } else finished++;
    const src = plan.source === 'node' ? null : servers.get(plan.source);
    plan.targets.forEach((t, i) => {
      const dst = servers.get(t.destination);
      const dstPod: EvalPod | undefined = dst
        ? { namespace: dst.namespace, labels: dst.labels, ...(t.ip ? { ip: t.ip } : {}) }
        : undefined;
      let expected: Verdict;
      let why: string | undefined;
      if (!dstPod) {
        expected = 'denied';
        why = `the target pod ${t.destination} is gone`;
      } else if (plan.source === 'node') {
        if (c.nodeName && dst?.nodeName === c.nodeName) {
          expected = 'allowed';
          why = "from the pod's own node: Kubernetes always admits it";
        } else
          expected = verdict(
            c.ip !== null &&
              portSetContains(
                evaluator.allowedPorts({ kind: 'external', ip: c.ip }, dstPod),
                t.protocol,
                t.port,
              ),
          );
      } else {
        const srcPod: EvalPod = {
          namespace: c.namespace,
          labels: src?.labels ?? c.labels,
          ...(c.ip ? { ip: c.ip } : {}),
        };
        expected = verdict(
          portSetContains(
            evaluator.allowedPorts({ kind: 'pod', pod: srcPod }, dstPod),
            t.protocol,
            t.port,
          ),
        );
      }
      const got = complete ? log!.results.get(i) : undefined;
      const measured: ProbeCell['measured'] = got === undefined ? 'not-measured' : verdict(got);
      const cell: ProbeCell = {
        source: plan.source === 'node' ? `node:${c.nodeName ?? 'unknown'}` : plan.source,
        destination: t.destination,
        protocol: t.protocol,
        port: t.port,
        expected,
        measured,
        ...(measured === 'not-measured'
          ? { reason: notMeasured ?? 'no result' }
          : why
            ? { reason: why }
            : {}),
        match: measured === expected,
      };
      (plan.source === 'node' ? external : cells).push(cell);
    });
    if (complete && !log!.stable && log!.rounds > 1)
      problems.push(
        `the measurements of ${c.namespace}/${c.name} changed between rounds; the last round is shown`,
      );
  }
  for (const s of input.servers)
    if (s.phase !== 'Running' || !s.ip)
      problems.push(
        `the target pod ${probeId(s)} is ${s.phase ?? 'not scheduled'}${s.reason ? ` (${s.reason})` : ''}: it was not measured`,
      );
  for (const u of input.unmeasurable ?? []) problems.push(u);
  if (clients.length > 0 && cells.length === 0)
    problems.push('there is no pair of test pods to measure (the document names no network)');
  const measured = cells.filter((c) => c.measured !== 'not-measured').length;
  const mismatches = cells.filter((c) => !c.match && c.measured !== 'not-measured');
  const state: RunState =
    clients.length > 0 && finished === clients.length
      ? 'complete'
      : timedOut
        ? 'timed-out'
        : failed
          ? 'failed'
          : 'running';
  return {
    run: input.run,
    state,
    startedAt: startedAt === null ? null : new Date(startedAt).toISOString(),
    summary: {
      cells: cells.length,
      measured,
      notMeasured: cells.length - measured,
      mismatches: mismatches.length,
      allMatch:
        state === 'complete' &&
        cells.length > 0 &&
        measured === cells.length &&
        mismatches.length === 0 &&
        input.servers.every((s) => s.phase === 'Running'),
    },
    cells,
    mismatches,
    external: clients.some((c) => c.plan?.source === 'node') ? external : null,
    problems,
  };
}
