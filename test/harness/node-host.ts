import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The host state a node cluster changes (network links, iptables chains, ipsets, sysctls, mounts,
// container processes), recorded in a state file before it is changed so that a later process
// can undo it after a crash. Every function here is synchronous: it also runs from an 'exit'
// handler, where nothing asynchronous completes.

export const NODE_STATE_FILE = 'node-state.json';

/** What existed before the node cluster started: only what is new afterwards is removed. */
export interface HostSnapshot {
  /** `iptables-save` binary name -> table -> chain names. */
  chains: Record<string, Record<string, string[]>>;
  ipsets: string[];
  /** cgroup hierarchies (dirs of /sys/fs/cgroup) that already had a `k8s.io` cgroup. */
  cgroupParents: string[];
  /** Whether /run/netns existed (`ip netns add` creates it). */
  netnsDirExisted: boolean;
}

const NETNS_DIR = '/run/netns';

/** The cgroup parent containerd's CRI uses when kubelet gives none (cgroupsPerQOS: false). */
export const CONTAINERD_CGROUP_PARENT = 'k8s.io';
const CGROUP_ROOT = '/sys/fs/cgroup';

export interface SysctlChange {
  key: string;
  before: string;
  set: string;
}

export interface NodeHostState {
  ownerPid: number;
  /** Start time of the owner (field 22 of /proc/<pid>/stat), so a recycled pid is not taken for it. */
  ownerStartTicks: string;
  dir: string;
  bridge: string;
  podCidr: string;
  outside: { netns: string; hostVeth: string; cidr: string };
  containerdSocket: string;
  /** containerd's state dir: its task dirs name every container that has a process. */
  containerdState: string;
  runcRoot: string;
  snapshot: HostSnapshot;
  sysctls: SysctlChange[];
  /** Pids of the processes the harness started, with their start times. */
  pids: { pid: number; startTicks: string }[];
  /** Whether /run/containerd (shim sockets) existed before; if not, ours to remove. */
  runContainerdExisted: boolean;
}

export const RUN_CONTAINERD = '/run/containerd';

/** Chains and ipsets that kubelet, kube-router and the CNI plugins create. Only new ones are removed. */
const OWNED_CHAIN = /^(KUBE-|CNI-)/;
const OWNED_IPSET = /^(KUBE-|kube-router|inet6:KUBE-|inet6:kube-router)/;

export function run(cmd: string, args: readonly string[], input?: string): string {
  return execFileSync(cmd, args, {
    encoding: 'utf8',
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: 30_000,
  });
}

function tryRun(cmd: string, args: readonly string[], input?: string): string | undefined {
  try {
    return run(cmd, args, input);
  } catch {
    return undefined;
  }
}

export function hasCommand(cmd: string): boolean {
  return tryRun('sh', ['-c', `command -v ${cmd}`]) !== undefined;
}

export function startTicks(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after it are space separated.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

export function isSameProcess(pid: number, ticks: string): boolean {
  return ticks !== '' && startTicks(pid) === ticks;
}

// iptables-nft and, where installed, iptables-legacy: kubelet and kube-router pick one at run time.
function iptablesVariants(): string[] {
  return ['iptables', 'ip6tables', 'iptables-legacy', 'ip6tables-legacy'].filter(hasCommand);
}

/** table -> { chains, rules } from `<variant>-save`. */
function parseSave(text: string): Map<string, { chains: string[]; rules: string[] }> {
  const tables = new Map<string, { chains: string[]; rules: string[] }>();
  let current: { chains: string[]; rules: string[] } | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      current = { chains: [], rules: [] };
      tables.set(line.slice(1).trim(), current);
    } else if (line.startsWith(':') && current) {
      current.chains.push(line.slice(1).split(' ')[0] ?? '');
    } else if (line.startsWith('-A ') && current) {
      current.rules.push(line);
    }
  }
  return tables;
}

function saveOf(variant: string): string | undefined {
  return tryRun(`${variant}-save`, []);
}

export function snapshotHost(): HostSnapshot {
  const chains: HostSnapshot['chains'] = {};
  for (const variant of iptablesVariants()) {
    const text = saveOf(variant);
    if (text === undefined) continue;
    chains[variant] = Object.fromEntries(
      [...parseSave(text)].map(([table, t]) => [table, t.chains]),
    );
  }
  const ipsets = (tryRun('ipset', ['list', '-n']) ?? '').split('\n').filter(Boolean);
  const cgroupParents = cgroupHierarchies().filter((h) =>
    existsSync(join(CGROUP_ROOT, h, CONTAINERD_CGROUP_PARENT)),
  );
  return { chains, ipsets, cgroupParents, netnsDirExisted: existsSync(NETNS_DIR) };
}

/** Chains created since the snapshot, per variant and table (names matching OWNED_CHAIN only). */
export function newChains(snapshot: HostSnapshot): Record<string, Record<string, string[]>> {
  const result: Record<string, Record<string, string[]>> = {};
  for (const variant of iptablesVariants()) {
    const text = saveOf(variant);
    if (text === undefined) continue;
    for (const [table, t] of parseSave(text)) {
      const before = new Set(snapshot.chains[variant]?.[table] ?? []);
      const created = t.chains.filter((c) => OWNED_CHAIN.test(c) && !before.has(c));
      if (created.length > 0) (result[variant] ??= {})[table] = created;
    }
  }
  return result;
}

export function newIpsets(snapshot: HostSnapshot): string[] {
  const before = new Set(snapshot.ipsets);
  return (tryRun('ipset', ['list', '-n']) ?? '')
    .split('\n')
    .filter((name) => name && OWNED_IPSET.test(name) && !before.has(name));
}

/**
 * Removes the chains created since the snapshot: first every rule that jumps to one of them
 * (also in built-in chains such as INPUT and FORWARD), then the chains themselves, in one
 * `iptables-restore --noflush` per table. Rules in chains we did not create are left alone
 * unless they point at a chain we created.
 */
function removeNewChains(snapshot: HostSnapshot, problems: string[]): void {
  for (const variant of iptablesVariants()) {
    const text = saveOf(variant);
    if (text === undefined) continue;
    for (const [table, t] of parseSave(text)) {
      const before = new Set(snapshot.chains[variant]?.[table] ?? []);
      const created = new Set(t.chains.filter((c) => OWNED_CHAIN.test(c) && !before.has(c)));
      if (created.size === 0) continue;
      const jumpsToCreated = t.rules.filter((rule) => {
        const chain = rule.split(' ')[1] ?? '';
        const target = / -[jg] (\S+)/.exec(rule)?.[1];
        return !created.has(chain) && target !== undefined && created.has(target);
      });
      const script = [
        `*${table}`,
        ...jumpsToCreated.map((rule) => rule.replace(/^-A /, '-D ')),
        ...[...created].map((c) => `-F ${c}`),
        ...[...created].map((c) => `-X ${c}`),
        'COMMIT',
        '',
      ].join('\n');
      try {
        run(`${variant}-restore`, ['--noflush'], script);
      } catch (error) {
        problems.push(`${variant}-restore (${table}): ${(error as Error).message.split('\n')[0]}`);
      }
    }
  }
}

function removeNewIpsets(snapshot: HostSnapshot, problems: string[]): void {
  for (const name of newIpsets(snapshot)) {
    if (tryRun('ipset', ['destroy', name]) === undefined) problems.push(`ipset destroy ${name}`);
  }
}

/** Mount points at or under `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  let text = '';
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  // Field 5 is the mount point, with spaces etc. octal-escaped.
  const points = text
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === dir || p.startsWith(prefix));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

function unmountAll(dir: string, problems: string[]): void {
  for (let pass = 0; pass < 3; pass++) {
    const points = mountsUnder(dir);
    if (points.length === 0) return;
    for (const point of points) {
      if (tryRun('umount', [point]) === undefined) tryRun('umount', ['-l', point]);
    }
  }
  const left = mountsUnder(dir);
  if (left.length > 0) problems.push(`still mounted: ${left.join(', ')}`);
}

function linkExists(name: string): boolean {
  return tryRun('ip', ['link', 'show', 'dev', name]) !== undefined;
}

function netnsExists(name: string): boolean {
  return existsSync(join(NETNS_DIR, name));
}

function processesWithArg(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.split('\0').includes(needle)) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function cgroupHierarchies(): string[] {
  try {
    return readdirSync(CGROUP_ROOT, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * The ids of our containers: containerd's task dirs and runc's state dirs (the shim runs runc
 * with `<Root>/<namespace>`), both inside our dir, so nothing else's containers are named.
 */
export function containerIds(state: NodeHostState): string[] {
  const ids = new Set([
    ...listDir(join(state.containerdState, 'io.containerd.runtime.v2.task', 'k8s.io')),
    ...listDir(join(state.runcRoot, 'k8s.io')),
  ]);
  return [...ids].filter((id) => /^[0-9a-f]{64}$/.test(id));
}

/**
 * Kills and deletes our containers: runc first, then every process still in their cgroups
 * (containers outlive containerd and the shims by design), then the cgroups themselves, and
 * the `k8s.io` parents that did not exist before.
 */
function removeContainers(state: NodeHostState, problems: string[]): void {
  const ids = containerIds(state);
  const runcRoot = join(state.runcRoot, 'k8s.io');
  for (const id of ids) {
    if (existsSync(join(runcRoot, id))) tryRun('runc', ['--root', runcRoot, 'delete', '-f', id]);
  }
  const cgroups = cgroupHierarchies().flatMap((h) =>
    ids.map((id) => join(CGROUP_ROOT, h, CONTAINERD_CGROUP_PARENT, id)).filter(existsSync),
  );
  for (let attempt = 0; attempt < 20 && cgroups.some(existsSync); attempt++) {
    for (const cgroup of cgroups.filter(existsSync)) {
      for (const pid of listCgroupProcs(cgroup)) kill(pid);
      try {
        rmdirSync(cgroup);
      } catch {
        // still has processes that are dying: next attempt
      }
    }
    if (cgroups.some(existsSync)) sleepSync(100);
  }
  for (const cgroup of cgroups.filter(existsSync)) problems.push(`cgroup ${cgroup} not removed`);
  for (const h of cgroupHierarchies()) {
    if (state.snapshot.cgroupParents.includes(h)) continue;
    const parent = join(CGROUP_ROOT, h, CONTAINERD_CGROUP_PARENT);
    if (!existsSync(parent)) continue;
    try {
      rmdirSync(parent); // only succeeds when empty, i.e. when nobody else uses it
    } catch {
      // in use by other containers: not ours to remove
    }
  }
}

function listCgroupProcs(cgroup: string): number[] {
  try {
    return readFileSync(join(cgroup, 'cgroup.procs'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

export function readSysctl(key: string): string | undefined {
  try {
    return readFileSync(`/proc/sys/${key}`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function writeSysctl(key: string, value: string): void {
  writeFileSync(`/proc/sys/${key}`, `${value}\n`);
}

export function writeState(state: NodeHostState): void {
  writeFileSync(join(state.dir, NODE_STATE_FILE), JSON.stringify(state, null, 2));
}

export function readState(dir: string): NodeHostState | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, NODE_STATE_FILE), 'utf8')) as NodeHostState;
  } catch {
    return undefined;
  }
}

/**
 * Undoes everything recorded in the state: processes (only pids whose start time still
 * matches), containers and their shims, mounts under the dir (which include the pods' network
 * namespaces: containerd keeps them under its state dir), the outside namespace and its veth,
 * the bridge, new iptables chains and ipsets, changed sysctls, and finally the dir. Returns
 * what could not be undone; an empty list means the host is as it was.
 */
export function cleanupNodeHost(state: NodeHostState): string[] {
  const problems: string[] = [];
  for (const { pid, startTicks: ticks } of state.pids) {
    if (isSameProcess(pid, ticks)) kill(pid);
  }
  removeContainers(state, problems);
  // Shims are re-parented to init, so they are found by the containerd socket they serve.
  for (const pid of processesWithArg(state.containerdSocket)) kill(pid);
  unmountAll(state.dir, problems);
  if (netnsExists(state.outside.netns)) {
    if (tryRun('ip', ['netns', 'delete', state.outside.netns]) === undefined)
      problems.push(`ip netns delete ${state.outside.netns}`);
  }
  // `ip netns add` made /run/netns (a bind mount of itself); put it back if it is empty.
  if (!state.snapshot.netnsDirExisted && listDir(NETNS_DIR).length === 0) {
    while (
      mountsUnder(NETNS_DIR).includes(NETNS_DIR) &&
      tryRun('umount', [NETNS_DIR]) !== undefined
    );
    try {
      rmdirSync(NETNS_DIR);
    } catch {
      // still mounted or in use
    }
  }
  for (const link of [state.outside.hostVeth, state.bridge]) {
    if (linkExists(link) && tryRun('ip', ['link', 'delete', link]) === undefined)
      problems.push(`ip link delete ${link}`);
  }
  // The shims keep their sockets in /run/containerd/s whatever containerd's state dir is. When
  // that dir did not exist before and no system containerd serves there, all in it is ours.
  if (!state.runContainerdExisted && !existsSync(join(RUN_CONTAINERD, 'containerd.sock'))) {
    rmSync(RUN_CONTAINERD, { recursive: true, force: true });
  }
  removeNewChains(state.snapshot, problems);
  removeNewIpsets(state.snapshot, problems);
  for (const change of [...state.sysctls].reverse()) {
    // Put a value back only if nobody changed it since we did.
    if (readSysctl(change.key) === change.set) {
      try {
        writeSysctl(change.key, change.before);
      } catch (error) {
        problems.push(`sysctl ${change.key}: ${(error as Error).message}`);
      }
    }
  }
  if (mountsUnder(state.dir).length === 0) {
    rmSync(state.dir, { recursive: true, force: true });
  } else {
    problems.push(`${state.dir} kept: mounts remain under it`);
  }
  return problems;
}
