import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { trackPid, untrackPid } from './process-registry.js';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly exited: Promise<ExitInfo>;
  exitInfo(): ExitInfo | undefined;
  /** SIGTERM, then SIGKILL once `graceMs` has passed; resolves when the process is gone. */
  stop(graceMs?: number): Promise<ExitInfo>;
}

/** Starts a binary with stdout+stderr appended to `logFile`; the pid is registered for exit-time cleanup. */
export function spawnManaged(
  name: string,
  binary: string,
  args: readonly string[],
  logFile: string,
  env?: NodeJS.ProcessEnv,
): ManagedProcess {
  const fd = openSync(logFile, 'a');
  const child = (() => {
    try {
      return spawn(binary, args, { stdio: ['ignore', fd, fd], ...(env ? { env } : {}) });
    } finally {
      closeSync(fd);
    }
  })();
  if (child.pid === undefined) throw new Error(`failed to start ${name} (${binary})`);
  const pid = child.pid;
  trackPid(pid);
  let info: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    const done = (result: ExitInfo): void => {
      if (info) return;
      info = result;
      untrackPid(pid);
      resolve(result);
    };
    child.once('exit', (code, signal) => done({ code, signal }));
    child.once('error', () => done({ code: null, signal: null }));
  });

  return {
    name,
    pid,
    logFile,
    exited,
    exitInfo: () => info,
    async stop(graceMs = 5_000) {
      if (info) return info;
      child.kill('SIGTERM');
      const timer = new AbortController();
      const graceful = await Promise.race([
        exited,
        sleep(graceMs, undefined, { signal: timer.signal }).then(
          () => undefined,
          () => undefined,
        ),
      ]);
      timer.abort();
      if (graceful) return graceful;
      child.kill('SIGKILL');
      return exited;
    },
  };
}

export async function tailFile(path: string, lines = 40): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch (error) {
    return `(cannot read ${path}: ${(error as Error).message})`;
  }
}

/**
 * Calls `probe` every `intervalMs` until it gives a value, failing at once when one of
 * `processes` exits and after `timeoutMs` with the last probe error.
 */
export async function pollWhileRunning<T>(
  what: string,
  timeoutMs: number,
  processes: readonly ManagedProcess[],
  probe: () => Promise<T | undefined>,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    for (const p of processes) {
      const exit = p.exitInfo();
      if (exit)
        throw new Error(
          `${p.name} exited (code ${exit.code}, signal ${exit.signal}) while waiting for ${what}`,
        );
    }
    try {
      const value = await probe();
      if (value !== undefined) return value;
      last = 'not yet';
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last})`);
}

/** A process's resident memory in KiB (VmRSS), or undefined once it is gone. */
export async function rssKiB(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match?.[1] ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
