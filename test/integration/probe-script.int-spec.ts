import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenerCommand } from '../../src/core/probes/probe-pods.js';
import {
  parseProbeReport,
  probeScript,
  PROBE_UDP_WAITS,
  type ProbeTarget,
} from '../../src/core/probes/probe-run.js';
import { freePort } from '../harness/free-port.js';
import { BUSYBOX_PATH, SOCAT_PATH } from '../harness/node-images.js';

// The probe pods' own shell code, run by the same busybox-static and socat the probe image
// holds, on this host's loopback: the listeners of a test pod answer, the measuring script
// reports A for an answer and D otherwise, and a UDP target whose first datagram is lost still
// counts as allowed. Only the pod's paths (/tmp, /dev/termination-log) move into a temp dir.

const run = promisify(execFile);
let dir: string;
let env: NodeJS.ProcessEnv;
let listeners: ChildProcess | undefined;
let lossy: Socket | undefined;
const lossySeen = new Map<string, number>();
const ports = { tcp: 0, udp: 0, closedTcp: 0, closedUdp: 0, lossyUdp: 0 };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gbp-netpol-probe-script-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  // The image's PATH: busybox applets and socat, nothing of this host's own tools.
  for (const applet of execFileSync(BUSYBOX_PATH, ['--list'], { encoding: 'utf8' }).split('\n'))
    if (applet) symlinkSync(BUSYBOX_PATH, join(bin, applet));
  symlinkSync(SOCAT_PATH, join(bin, 'socat'));
  env = { PATH: bin };
  for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();

  const [, , command] = listenerCommand([
    { protocol: 'TCP', port: ports.tcp },
    { protocol: 'UDP', port: ports.udp },
  ]);
  listeners = spawn(BUSYBOX_PATH, ['sh', '-c', command!], { env, stdio: 'ignore' });
  // A UDP listener that drops every other datagram: the first of each pair is lost.
  lossy = createSocket('udp4');
  lossy.on('message', (_msg, from) => {
    const key = `${from.address}`;
    const seen = (lossySeen.get(key) ?? 0) + 1;
    lossySeen.set(key, seen);
    if (seen % 2 === 0) lossy?.send('pong\n', from.port, from.address);
  });
  lossy.bind(ports.lossyUdp, '127.0.0.1');
  await once(lossy, 'listening');
  // Until both of the pod's listeners answer.
  for (let i = 0; i < 50; i++) {
    const tcp = await run(BUSYBOX_PATH, ['nc', '-w', '1', '127.0.0.1', String(ports.tcp)], {
      env,
    }).catch(() => ({ stdout: '' }));
    if (tcp.stdout.trim() === 'pong') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the probe listeners did not start');
});

afterAll(() => {
  listeners?.kill('SIGKILL');
  lossy?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The measuring pod's script, with its /tmp and termination log in a folder of its own. */
function podScript(targets: ProbeTarget[], podDir = dir): string {
  mkdirSync(podDir, { recursive: true });
  // /tmp first: the temp dir itself is under /tmp.
  return probeScript(targets)
    .replaceAll('/tmp/', `${podDir}/`)
    .replaceAll('/dev/termination-log', join(podDir, 'termination-log'));
}

const target = (protocol: 'TCP' | 'UDP', port: number, name = `${protocol}-${port}`) => ({
  destination: `ns/${name}`,
  ip: '127.0.0.1',
  protocol,
  port,
});

describe('the probe pods shell code (busybox sh, nc, socat)', () => {
  it('reports an answer as allowed and a closed port as denied, over TCP and UDP, with a lost datagram retried', async () => {
    const targets = [
      target('TCP', ports.tcp),
      target('TCP', ports.closedTcp),
      target('UDP', ports.udp),
      target('UDP', ports.closedUdp),
      target('UDP', ports.lossyUdp),
    ];
    const { stdout } = await run(BUSYBOX_PATH, ['sh', '-c', podScript(targets)], {
      env,
      timeout: 60_000,
    });
    const report = parseProbeReport(stdout, targets.length);
    expect(report, stdout).toBeDefined();
    expect([...report!.results.values()]).toEqual([true, false, true, false, true]);
    expect(report!.stable).toBe(true);
    // The same line is what the kubelet reads back as the termination message.
    expect(readFileSync(join(dir, 'termination-log'), 'utf8')).toBe(stdout);
    // The lossy listener saw every round's retry: its first datagrams went unanswered.
    expect(lossySeen.get('127.0.0.1')).toBe(PROBE_UDP_WAITS.length * report!.rounds);
  }, 90_000);

  it('answers every datagram of a burst: 12 measuring pods at once, 8 UDP targets each, one listener', async () => {
    // A run's measuring pods all start together, and every source may call on the same
    // destination; a listener that swallows concurrent datagrams reads as a policy denial.
    const pods = Array.from({ length: 12 }, (_, p) =>
      Array.from({ length: 8 }, (_, i) => target('UDP', ports.udp, `udp-${p}-${i}`)),
    );
    const reports = await Promise.all(
      pods.map(async (targets, p) => {
        const script = podScript(targets, join(dir, `pod-${p}`));
        const { stdout } = await run(BUSYBOX_PATH, ['sh', '-c', script], { env, timeout: 60_000 });
        return parseProbeReport(stdout, targets.length);
      }),
    );
    for (const report of reports) expect([...report!.results.values()]).not.toContain(false);
  }, 90_000);
});
