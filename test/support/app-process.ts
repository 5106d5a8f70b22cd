import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../harness/free-port.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Under node_modules so that the built files resolve the project's dependencies.
const CACHE = join(ROOT, 'node_modules', '.cache', 'gbp-netpol-test-build');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const p = join(dir, entry);
      return statSync(p).isDirectory() ? sourceFiles(p) : entry.endsWith('.spec.ts') ? [] : [p];
    });
}

function sourceHash(): string {
  const hash = createHash('sha256');
  for (const f of sourceFiles(join(ROOT, 'src')))
    hash.update(relative(ROOT, f)).update(readFileSync(f));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Compiles src/ with tsc (as `nest build` does) into a cache keyed by the sources, once, so
 * that tests can run the service as real processes. Returns the path of main.js.
 */
export function buildAppOnce(): string {
  const out = join(CACHE, sourceHash());
  const main = join(out, 'main.js');
  if (existsSync(main)) return main;
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(ROOT, 'tsconfig.build.json'),
      '--outDir',
      tmp,
      '--incremental',
      'false',
    ],
    { cwd: ROOT, stdio: 'pipe' },
  );
  cpSync(
    join(ROOT, 'src', 'infra', 'database', 'migrations'),
    join(tmp, 'infra', 'database', 'migrations'),
    { recursive: true },
  );
  try {
    renameSync(tmp, out);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another test file built it first
  }
  return main;
}

export interface AppProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the built service as a child process with `env` and waits for /healthz. */
export async function startAppProcess(env: Record<string, string>): Promise<AppProcess> {
  const main = buildAppOnce();
  const port = await freePort();
  let out = '';
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the service exited during start:\n${out.slice(-3000)}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the service did not answer /healthz within 60 s:\n${out.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    child,
    output: () => out,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
