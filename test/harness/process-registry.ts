import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Every etcd/kube-apiserver this process starts is recorded here so that an exit or a signal
// kills it even when no teardown ran. The node harness also registers a synchronous clean-up
// of the host state it changed (containers, mounts, links, iptables chains, ipsets). The registry lives on globalThis because Vitest loads the
// global setup of each project through its own module runner, i.e. as separate module instances.

interface Registry {
  pids: Set<number>;
  dirs: Set<string>;
  cleanups: Set<() => void>;
  hooksInstalled: boolean;
}

const KEY = Symbol.for('gbp-netpol.test-harness.process-registry');
type GlobalWithRegistry = typeof globalThis & { [KEY]?: Registry };

function registry(): Registry {
  const g = globalThis as GlobalWithRegistry;
  g[KEY] ??= { pids: new Set(), dirs: new Set(), cleanups: new Set(), hooksInstalled: false };
  return g[KEY];
}

export const CLUSTER_DIR_PREFIX = 'gbp-netpol-kube-';
export const OWNER_FILE = 'owner.json';

export interface OwnerRecord {
  ownerPid: number;
  pids: number[];
}

export function trackPid(pid: number): void {
  installExitHooks();
  registry().pids.add(pid);
}

export function untrackPid(pid: number): void {
  registry().pids.delete(pid);
}

export function trackDir(dir: string): void {
  installExitHooks();
  registry().dirs.add(dir);
}

export function untrackDir(dir: string): void {
  registry().dirs.delete(dir);
}

/** A synchronous clean-up that runs after the tracked pids are killed, unless untracked first. */
export function trackCleanup(cleanup: () => void): void {
  installExitHooks();
  registry().cleanups.add(cleanup);
}

export function untrackCleanup(cleanup: () => void): void {
  registry().cleanups.delete(cleanup);
}

/** Synchronous, so it also works from an 'exit' handler: SIGKILL every tracked child, run the clean-ups, remove every tracked dir. */
export function killAllTrackedNow(): void {
  const reg = registry();
  for (const pid of reg.pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  reg.pids.clear();
  for (const cleanup of reg.cleanups) {
    try {
      cleanup();
    } catch {
      // best effort at exit; the next run's stale-lock clean-up tries again
    }
  }
  reg.cleanups.clear();
  for (const dir of reg.dirs) rmSync(dir, { recursive: true, force: true });
  reg.dirs.clear();
}

function installExitHooks(): void {
  const reg = registry();
  if (reg.hooksInstalled) return;
  reg.hooksInstalled = true;
  process.on('exit', killAllTrackedNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      // Only act as the default handler: when someone else (Vitest, dev-clusters) handles the
      // signal, it owns the graceful shutdown and the 'exit' hook stays the backstop.
      if (process.listenerCount(signal) > 1) return;
      killAllTrackedNow();
      process.off(signal, onSignal);
      // Adding a listener disabled Node's default "terminate" action, so re-raise the signal.
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Kills etcd/kube-apiserver processes left behind by a test process that died without cleanup
 * (e.g. SIGKILL), and removes their dirs. A pid is only killed when its command line still
 * references that cluster's dir, so a recycled pid is never hit.
 */
export function reapOrphanedClusters(baseDir = tmpdir()): string[] {
  const reaped: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(baseDir).filter((e) => e.startsWith(CLUSTER_DIR_PREFIX));
  } catch {
    return reaped;
  }
  for (const entry of entries) {
    const dir = join(baseDir, entry);
    const ownerFile = join(dir, OWNER_FILE);
    if (!existsSync(ownerFile)) continue;
    let owner: OwnerRecord;
    try {
      owner = JSON.parse(readFileSync(ownerFile, 'utf8')) as OwnerRecord;
    } catch {
      continue;
    }
    if (owner.ownerPid === process.pid || isPidAlive(owner.ownerPid)) continue;
    for (const pid of owner.pids) {
      if (commandLine(pid).includes(dir)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
    reaped.push(dir);
  }
  return reaped;
}
