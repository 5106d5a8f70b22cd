// The measurement the node harness's probes run: one attempt per target, in parallel, with the
// tools of the probe image (busybox nc for TCP, socat for UDP), one result line per target.

export type Protocol = 'TCP' | 'UDP';

export interface ProbeTarget {
  ip: string;
  port: number;
  protocol: Protocol;
}

export type ProbeOutcome = 'allowed' | 'denied';

export interface ProbeResult extends ProbeTarget {
  outcome: ProbeOutcome;
  /** What the client printed or its exit status, for failure messages. */
  detail: string;
}

/** One target per line in, one `PROTO IP PORT allowed|denied DETAIL` line per target out. */
export function clientScript(targets: readonly ProbeTarget[], timeoutSeconds = 2): string {
  const lines = targets.map((t, i) => {
    const out = `/tmp/probe.${i}`;
    const measure =
      t.protocol === 'TCP'
        ? `nc -w ${timeoutSeconds} ${t.ip} ${t.port} </dev/null`
        : `echo ping | socat -T${timeoutSeconds} - UDP4:${t.ip}:${t.port}`;
    // Allowed only when the server's answer came back: a refused, dropped or unanswered
    // attempt is a denial (the servers always answer "pong").
    return (
      `( r=$(${measure} 2>&1); c=$?; ` +
      `if [ "$r" = pong ]; then echo "${t.protocol} ${t.ip} ${t.port} allowed pong"; ` +
      `else echo "${t.protocol} ${t.ip} ${t.port} denied exit=$c $(echo $r | tr -s ' \\n' ' ' | cut -c1-60)"; fi ) >${out} &`
    );
  });
  return [...lines, 'wait', `cat ${targets.map((_, i) => `/tmp/probe.${i}`).join(' ')}`].join('\n');
}

export function parseProbeLines(text: string): ProbeResult[] {
  const results: ProbeResult[] = [];
  for (const line of text.split('\n')) {
    const match = /^(TCP|UDP) (\S+) (\d+) (allowed|denied) ?(.*)$/.exec(line.trim());
    if (!match) continue;
    results.push({
      protocol: match[1] as Protocol,
      ip: match[2] ?? '',
      port: Number(match[3]),
      outcome: match[4] as ProbeOutcome,
      detail: match[5] ?? '',
    });
  }
  return results;
}
