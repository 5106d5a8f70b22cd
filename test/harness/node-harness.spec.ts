import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cidrsOverlap } from './ipv4.js';
import { clientScript, parseProbeLines } from './probe-script.js';
import { acquireNodeLock, type NodeLockRecord } from './node-lock.js';

describe('cidrsOverlap', () => {
  it.each([
    { name: 'same network', a: '10.244.77.0/24', b: '10.244.77.0/24', expected: true },
    { name: 'a inside b', a: '192.0.2.0/30', b: '192.0.2.0/24', expected: true },
    { name: 'b inside a', a: '10.0.0.0/8', b: '10.244.77.5/32', expected: true },
    { name: 'neighbours', a: '10.244.77.0/24', b: '10.244.78.0/24', expected: false },
    { name: 'host route outside', a: '198.18.77.0/30', b: '198.18.77.4/32', expected: false },
    { name: 'non-aligned base', a: '10.244.77.9/24', b: '10.244.77.200/32', expected: true },
  ])('$name', ({ a, b, expected }) => {
    expect(cidrsOverlap(a, b)).toBe(expected);
  });
});

describe('probe lines', () => {
  it('parses what the client script prints, and ignores anything else', () => {
    const text = [
      'TCP 10.244.77.3 8080 allowed pong',
      'noise',
      'UDP 10.244.77.3 5353 denied exit=0',
      "TCP 10.244.77.3 9999 denied exit=1 nc: can't connect to remote host",
    ].join('\n');
    expect(parseProbeLines(text)).toEqual([
      { protocol: 'TCP', ip: '10.244.77.3', port: 8080, outcome: 'allowed', detail: 'pong' },
      { protocol: 'UDP', ip: '10.244.77.3', port: 5353, outcome: 'denied', detail: 'exit=0' },
      {
        protocol: 'TCP',
        ip: '10.244.77.3',
        port: 9999,
        outcome: 'denied',
        detail: "exit=1 nc: can't connect to remote host",
      },
    ]);
  });

  it('measures every target in parallel and prints the outcomes in target order', () => {
    const script = clientScript([
      { ip: '10.0.0.1', port: 80, protocol: 'TCP' },
      { ip: '10.0.0.2', port: 53, protocol: 'UDP' },
    ]);
    expect(script).toContain('nc -w 2 10.0.0.1 80 </dev/null');
    expect(script).toContain('socat -T2 - UDP4:10.0.0.2:53');
    expect(script.trimEnd().split('\n').slice(-2)).toEqual([
      'wait',
      'cat /tmp/probe.0 /tmp/probe.1',
    ]);
  });
});

describe('acquireNodeLock', () => {
  const withDir = (fn: (dir: string) => Promise<void>) => async () => {
    const dir = mkdtempSync(join(tmpdir(), 'node-lock-spec-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it(
    'records its owner and releases',
    withDir(async (dir) => {
      const path = join(dir, 'lock');
      const lock = await acquireNodeLock({ path });
      const record = JSON.parse(readFileSync(path, 'utf8')) as NodeLockRecord;
      expect(record.pid).toBe(process.pid);
      lock.setDir('/nonexistent/cluster');
      expect((JSON.parse(readFileSync(path, 'utf8')) as NodeLockRecord).dir).toBe(
        '/nonexistent/cluster',
      );
      lock.release();
      expect(existsSync(path)).toBe(false);
    }),
  );

  it(
    'refuses a second cluster in the same process instead of waiting for itself',
    withDir(async (dir) => {
      const path = join(dir, 'lock');
      const lock = await acquireNodeLock({ path });
      await expect(acquireNodeLock({ path, timeoutMs: 100 })).rejects.toThrow(/already runs/);
      lock.release();
    }),
  );

  it(
    'takes over a lock whose owner is gone and removes what that owner left',
    withDir(async (dir) => {
      const path = join(dir, 'lock');
      const leftover = mkdtempSync(join(dir, 'gbp-netpol-node-'));
      // No live process has this start time, so the owner is dead (pid reuse cannot fool it).
      const stale: NodeLockRecord = {
        pid: process.pid,
        startTicks: '1',
        dir: leftover,
        acquiredAt: new Date(0).toISOString(),
      };
      writeFileSync(path, JSON.stringify(stale));
      const lines: string[] = [];
      const lock = await acquireNodeLock({ path, log: (l) => lines.push(l) });
      expect(lines.join('\n')).toMatch(/cleaned up after dead node cluster owner/);
      expect(existsSync(leftover)).toBe(false);
      expect((JSON.parse(readFileSync(path, 'utf8')) as NodeLockRecord).startTicks).not.toBe('1');
      lock.release();
    }),
  );
});
