import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanupNodeHost, isSameProcess, readState, startTicks } from './node-host.js';

// kubelet and kube-router program the machine's own iptables, so at most one node cluster runs
// on a machine. The lock is a file created with O_EXCL that names its owner (pid and start
// time) and the cluster dir; a lock whose owner is gone is stale: its cluster is cleaned up
// from the dir's state file and the lock is taken over.

export const NODE_LOCK_FILE = join(tmpdir(), 'gbp-netpol-node.lock');

export interface NodeLockRecord {
  pid: number;
  startTicks: string;
  /** The node cluster's dir, once it exists. */
  dir?: string;
  acquiredAt: string;
}

export interface NodeLock {
  readonly path: string;
  /** Records the cluster dir in the lock, so that a stale lock leads to its clean-up. */
  setDir(dir: string): void;
  release(): void;
}

function readLock(path: string): NodeLockRecord | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as NodeLockRecord;
  } catch {
    return undefined;
  }
}

/** Cleans up after a dead owner. Returns the problems the clean-up reported. */
export function cleanupStaleOwner(record: NodeLockRecord): string[] {
  if (!record.dir) return [];
  const state = readState(record.dir);
  if (!state) {
    // Died before it recorded anything it changed; only its dir may be left.
    rmSync(record.dir, { recursive: true, force: true });
    return [];
  }
  return cleanupNodeHost(state);
}

export interface AcquireOptions {
  path?: string;
  /** How long to wait for a live owner to finish (default 10 min). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export async function acquireNodeLock(opts: AcquireOptions = {}): Promise<NodeLock> {
  const path = opts.path ?? NODE_LOCK_FILE;
  const deadline = Date.now() + (opts.timeoutMs ?? 10 * 60_000);
  const me: NodeLockRecord = {
    pid: process.pid,
    startTicks: startTicks(process.pid),
    acquiredAt: new Date().toISOString(),
  };
  let reported = false;
  let unreadable = 0;
  for (;;) {
    try {
      writeFileSync(path, JSON.stringify(me), { flag: 'wx', mode: 0o644 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readLock(path);
    if (!holder && unreadable++ < 5) {
      // Possibly created an instant ago and not yet written.
      await sleep(200);
      continue;
    }
    if (holder && isSameProcess(holder.pid, holder.startTicks)) {
      if (holder.pid === process.pid)
        throw new Error(`this process already runs a node cluster (${path})`);
      if (Date.now() > deadline)
        throw new Error(`node cluster lock ${path} is held by live pid ${holder.pid}`);
      if (!reported) opts.log?.(`waiting for the node cluster of pid ${holder.pid} (${path})`);
      reported = true;
      await sleep(1_000);
      continue;
    }
    // Stale (or still unreadable, i.e. torn by a process that died while writing it): take it
    // over with an atomic rename, so that of two processes seeing it only one cleans up.
    const claimed = `${path}.stale.${process.pid}`;
    try {
      renameSync(path, claimed);
    } catch {
      continue; // someone else took it over first
    }
    const stale = readLock(claimed);
    if (stale) {
      const problems = cleanupStaleOwner(stale);
      opts.log?.(
        `cleaned up after dead node cluster owner pid ${stale.pid}` +
          (problems.length ? `; problems: ${problems.join('; ')}` : ''),
      );
    }
    rmSync(claimed, { force: true });
  }
  let record = me;
  return {
    path,
    setDir(dir) {
      record = { ...record, dir };
      writeFileSync(path, JSON.stringify(record));
    },
    release() {
      const holder = readLock(path);
      if (holder?.pid === process.pid) rmSync(path, { force: true });
    },
  };
}

/** Cleans up after a dead owner without taking the lock (used by the Vitest global setup). */
export function reapStaleNodeCluster(path = NODE_LOCK_FILE): string | undefined {
  const holder = readLock(path);
  if (!holder || isSameProcess(holder.pid, holder.startTicks)) return undefined;
  const claimed = `${path}.stale.${process.pid}`;
  try {
    renameSync(path, claimed);
  } catch {
    return undefined;
  }
  const problems = cleanupStaleOwner(holder);
  rmSync(claimed, { force: true });
  return `reaped node cluster of dead pid ${holder.pid}${problems.length ? ` (problems: ${problems.join('; ')})` : ''}`;
}
