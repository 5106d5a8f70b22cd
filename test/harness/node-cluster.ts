import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ApiException, type V1Node, type V1Pod } from '@kubernetes/client-node';
import type { ClusterAdmin } from './cluster-admin.js';
import { startCluster, SERVICE_CLUSTER_IP_RANGE, type KubeCluster } from './kube-cluster.js';
import { adminKubeconfig, b64, type AdminAccess } from './kubeconfig.js';
import { locateNodeBinaries, type NodeBinaries } from './locate-kube-binaries.js';
import {
  pollWhileRunning,
  rssKiB,
  spawnManaged,
  tailFile,
  type ManagedProcess,
} from './managed-process.js';
import {
  cleanupNodeHost,
  hasCommand,
  newChains,
  newIpsets,
  readSysctl,
  run,
  RUN_CONTAINERD,
  snapshotHost,
  startTicks,
  writeState,
  writeSysctl,
  type NodeHostState,
} from './node-host.js';
import {
  DEFAULT_PAUSE_IMAGE,
  DEFAULT_PROBE_IMAGE,
  writeNodeImages,
  type NodeImages,
} from './node-images.js';
import { acquireNodeLock, type NodeLock } from './node-lock.js';
import { hostRoutesOverlapping, ipAt, parseCidr, primaryIpv4 } from './ipv4.js';
import {
  CNI_BIN_DIR,
  cniConfig,
  containerdConfig,
  KUBE_ROUTER_RULES,
  KUBE_ROUTER_USER,
  kubeControllerManagerArgs,
  kubeletConfig,
  kubeRouterArgs,
} from './node-config.js';
import {
  clientScript,
  parseProbeLines,
  type ProbeResult,
  type ProbeTarget,
} from './probe-script.js';
import { trackCleanup, untrackCleanup } from './process-registry.js';

export type { Protocol, ProbeOutcome, ProbeResult, ProbeTarget } from './probe-script.js';

const execFileAsync = promisify(execFile);

/** Defaults chosen so that nothing else on a machine uses them; all are options. */
export const DEFAULT_NODE_POD_CIDR = '10.244.77.0/24';
export const DEFAULT_NODE_BRIDGE = 'gbpnp0';
/**
 * The "outside" namespace, a source that is neither a pod nor the node: from the benchmarking
 * range (RFC 2544), because TEST-NET-1 is what some VMs give their own eth0. startNodeCluster
 * refuses any pod or outside CIDR that overlaps a route or address the host has.
 */
export const DEFAULT_OUTSIDE_CIDR = '198.18.77.0/30';
export const DEFAULT_NODE_NAME = 'gbp-node-0';
/** Namespace of the harness's own smoke pod. */
export const HARNESS_NAMESPACE = 'gbp-netpol-harness';

export interface StartNodeClusterOptions {
  /** Cluster name (temp dir names, kubeconfig context, CA name). */
  name?: string;
  nodeName?: string;
  /** The node's spec.podCIDR, also the CNI's subnet; an IPv4 /16../28 that nothing else uses. */
  podCidr?: string;
  /** Linux bridge of the pod network (at most 12 characters: the outside veth adds a suffix). */
  bridge?: string;
  /** A /30 for the outside namespace: .1 on the host side, .2 inside. */
  outsideCidr?: string;
  images?: Partial<NodeImages>;
  binaries?: NodeBinaries;
  /** Where the temp dirs are created (default: the OS temp dir). Keep it short: sockets live there. */
  baseDir?: string;
  /** How long to wait for another node cluster on this machine to finish (default 10 min). */
  lockTimeoutMs?: number;
  /** Budget for the node to become Ready and the enforcer to sync (default 120 s). */
  readyTimeoutMs?: number;
  /** Progress and the report; default: stderr lines prefixed with `[node harness]`. */
  log?: (line: string) => void;
}

export interface NodeClusterTimings {
  /** etcd + kube-apiserver ready, from the start. */
  apiServerReadyMs: number;
  /** From starting kubelet to the Node being Ready without the not-ready taint. */
  nodeReadyMs: number;
  /** From creating the smoke pod to its phase Running. */
  firstPodRunningMs: number;
  /** From starting kube-router to its first rules for the smoke pod. */
  enforcerReadyMs: number;
  totalMs: number;
}

export const NODE_COMPONENTS = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'containerd',
  'kubelet',
  'kube-router',
] as const;
export type NodeComponent = (typeof NODE_COMPONENTS)[number];

export interface NodeCluster {
  readonly name: string;
  readonly server: string;
  /** base64 of the CA PEM. */
  readonly caData: string;
  readonly kubernetesVersion: string;
  readonly adminAccess: AdminAccess;
  readonly admin: ClusterAdmin;
  readonly adminKubeconfigPath: string;
  readonly nodeName: string;
  /**
   * The node's InternalIP (the host's primary address). Traffic the node itself sends to a pod
   * leaves from the bridge address (`gatewayIp`), and kube-router (like Kubernetes'
   * NetworkPolicy semantics) always admits traffic from the pod's own node, so the node cannot
   * show a denial: use `outside` for an external source that policies apply to.
   */
  readonly nodeIp: string;
  /** The bridge's address in the pod network, the pods' default gateway. */
  readonly gatewayIp: string;
  readonly podCidr: string;
  readonly serviceCidr: string;
  readonly bridge: string;
  /** A network namespace outside the pod network, routed to it through the host. */
  readonly outside: {
    readonly ip: string;
    readonly netns: string;
    /** Measures from the outside namespace (busybox nc for TCP, socat for UDP). */
    probe(targets: readonly ProbeTarget[], timeoutSeconds?: number): Promise<ProbeResult[]>;
  };
  readonly images: NodeImages;
  /** The node cluster's own dir (containerd, kubelet, CNI, gates); the control plane has its own. */
  readonly dir: string;
  readonly logs: Record<NodeComponent, string>;
  readonly timings: NodeClusterTimings;
  /** Resident memory of each process in KiB (shims summed as `containerd-shims`). */
  memory(): Promise<Record<string, number | undefined>>;
  /**
   * Waits until kube-router's rules reflect the given pod IPs and NetworkPolicies: every IP
   * appears in its rules, every policy in `present` is referenced and none in `absent` is.
   * kube-router writes a whole sync at once, so then its ipsets hold these pods too.
   */
  waitForEnforcer(expect: {
    podIps?: readonly string[];
    present?: readonly string[];
    absent?: readonly string[];
    timeoutMs?: number;
  }): Promise<void>;
  /** A hostPath directory for pod `namespace/name` that the harness can write into (see node-probe.ts). */
  gateDir(namespace: string, name: string): string;
  /** Stops everything and removes all it created; throws if something could not be undone. */
  stop(): Promise<void>;
}

function defaultLog(line: string): void {
  process.stderr.write(`[node harness] ${line}\n`);
}

const REQUIRED_COMMANDS = [
  'containerd',
  'containerd-shim-runc-v2',
  'runc',
  'ctr',
  'iptables',
  'iptables-save',
  'iptables-restore',
  'ipset',
  'ip',
  'umount',
  'ldd',
];

/** What this machine lacks to run a node cluster; empty when it can. */
export function nodePrerequisiteProblems(): string[] {
  const problems: string[] = [];
  if (process.getuid?.() !== 0) problems.push('must run as root (kubelet, containerd, iptables)');
  for (const cmd of REQUIRED_COMMANDS) {
    if (!hasCommand(cmd)) problems.push(`command not found: ${cmd}`);
  }
  for (const plugin of ['bridge', 'host-local', 'loopback', 'portmap']) {
    if (!existsSync(join(CNI_BIN_DIR, plugin)))
      problems.push(`CNI plugin missing: ${CNI_BIN_DIR}/${plugin}`);
  }
  for (const file of ['/usr/bin/busybox', '/usr/bin/socat']) {
    if (!existsSync(file)) problems.push(`missing: ${file}`);
  }
  if (!existsSync('/sys/fs/cgroup')) problems.push('no /sys/fs/cgroup');
  if (problems.length > 0) {
    problems.push(
      'install: apt-get install -y containerd runc containernetworking-plugins iptables ipset busybox-static socat',
    );
  }
  return problems;
}

function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

function nodeIsReady(node: V1Node | undefined): boolean {
  const ready = node?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  const tainted = (node?.spec?.taints ?? []).some(
    (t) => t.key === 'node.kubernetes.io/not-ready' || t.key === 'node.kubernetes.io/unreachable',
  );
  return ready && !tainted && Boolean(node?.spec?.podCIDR);
}

/** Deletes every pod and waits (bounded) until containerd runs no container of ours. */
async function removeAllPods(
  state: NodeHostState,
  processes: ReadonlyMap<NodeComponent, ManagedProcess>,
  cpPromise: Promise<KubeCluster> | undefined,
): Promise<void> {
  const kubelet = processes.get('kubelet');
  const containerd = processes.get('containerd');
  if (!cpPromise || !kubelet || kubelet.exitInfo() || !containerd || containerd.exitInfo()) return;
  const cp = await cpPromise;
  const namespaces = await cp.admin.core.listNamespace();
  await Promise.all(
    (namespaces.items ?? []).map((ns) =>
      cp.admin.core.deleteCollectionNamespacedPod({
        namespace: ns.metadata?.name ?? '',
        gracePeriodSeconds: 0,
      }),
    ),
  );
  const taskDir = join(state.containerdState, 'io.containerd.runtime.v2.task', 'k8s.io');
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const tasks = await readdir(taskDir).catch(() => []);
    if (tasks.length === 0) return;
    await sleep(200);
  }
  throw new Error('containers still running 20 s after their pods were deleted');
}

/** Bridged pod-to-pod traffic must pass iptables, and the host routes for the outside namespace. */
function setKernelSettings(state: NodeHostState): void {
  if (readSysctl('net/bridge/bridge-nf-call-iptables') === undefined) {
    if (!hasCommand('modprobe'))
      throw new Error('br_netfilter is not loaded and there is no modprobe (apt-get install kmod)');
    run('modprobe', ['br_netfilter']);
  }
  for (const key of ['net/bridge/bridge-nf-call-iptables', 'net/ipv4/ip_forward']) {
    const before = readSysctl(key);
    if (before === undefined) throw new Error(`no /proc/sys/${key}`);
    if (before !== '1') {
      // Recorded before it is changed, so that even a crash right after puts it back.
      state.sysctls.push({ key, before, set: '1' });
      writeState(state);
      writeSysctl(key, '1');
    }
  }
}

interface OutsideNamespace {
  netns: string;
  hostVeth: string;
  peerVeth: string;
  hostIp: string;
  ip: string;
  cidr: string;
}

function outsideNamespace(bridge: string, cidr: string): OutsideNamespace {
  const net = parseCidr(cidr);
  if (net.bits !== 30) throw new Error(`the outside CIDR must be a /30: ${cidr}`);
  return {
    netns: `${bridge}-outside`,
    hostVeth: `${bridge}o`,
    peerVeth: `${bridge}x`,
    hostIp: ipAt(net.base, 1),
    ip: ipAt(net.base, 2),
    cidr: `${ipAt(net.base, 0)}/30`,
  };
}

/** Refuses names and networks that exist on the host already: they are not ours to change. */
function checkHostIsFree(bridge: string, podCidr: string, outside: OutsideNamespace): void {
  const links = run('ip', ['-j', 'link', 'show']);
  for (const link of [bridge, outside.hostVeth]) {
    if (links.includes(`"ifname":"${link}"`))
      throw new Error(`network link ${link} exists already; choose another bridge name`);
  }
  if (existsSync(join('/run/netns', outside.netns)))
    throw new Error(`network namespace ${outside.netns} exists already`);
  // Our routes must not shadow the host's own networks (e.g. its default gateway).
  for (const [what, cidr, option] of [
    ['pod CIDR', podCidr, 'podCidr / GBP_NODE_POD_CIDR'],
    ['outside CIDR', outside.cidr, 'outsideCidr / GBP_NODE_OUTSIDE_CIDR'],
  ] as const) {
    const clash = hostRoutesOverlapping(cidr);
    if (clash.length > 0)
      throw new Error(`${what} ${cidr} overlaps host routes (${clash.join('; ')}): set ${option}`);
  }
}

/** A network namespace with a veth to the host: a source that is neither a pod nor the node. */
function createOutsideNamespace(o: OutsideNamespace): void {
  run('ip', ['netns', 'add', o.netns]);
  run('ip', [
    'link',
    'add',
    o.hostVeth,
    'type',
    'veth',
    'peer',
    'name',
    o.peerVeth,
    'netns',
    o.netns,
  ]);
  run('ip', ['addr', 'add', `${o.hostIp}/30`, 'dev', o.hostVeth]);
  run('ip', ['link', 'set', o.hostVeth, 'up']);
  const inNs = (...args: string[]): string => run('ip', ['netns', 'exec', o.netns, ...args]);
  inNs('ip', 'addr', 'add', `${o.ip}/30`, 'dev', o.peerVeth);
  inNs('ip', 'link', 'set', o.peerVeth, 'up');
  inNs('ip', 'link', 'set', 'lo', 'up');
  inNs('ip', 'route', 'add', 'default', 'via', o.hostIp);
}

/** Measures from the outside namespace with the host's busybox and socat (the probe image's tools). */
async function probeFromNamespace(
  netns: string,
  scratchDir: string,
  targets: readonly ProbeTarget[],
  timeoutSeconds: number,
): Promise<ProbeResult[]> {
  const script = clientScript(targets, timeoutSeconds).replaceAll(
    '/tmp/probe.',
    `${scratchDir}/outside.`,
  );
  const { stdout } = await execFileAsync(
    'ip',
    ['netns', 'exec', netns, '/usr/bin/busybox', 'sh', '-c', script],
    { env: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin' }, timeout: (timeoutSeconds + 10) * 1000 },
  );
  return parseProbeLines(stdout);
}

/** kube-router's own identity: a client certificate user bound to what its firewall reads. */
async function grantKubeRouter(admin: ClusterAdmin): Promise<void> {
  const name = 'gbp-netpol-kube-router';
  await admin.rbac.createClusterRole({ body: { metadata: { name }, rules: KUBE_ROUTER_RULES } });
  await admin.rbac.createClusterRoleBinding({
    body: {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: KUBE_ROUTER_USER }],
    },
  });
}

/** Creates a pod and returns it once Running with an IP; proves images, CNI and scheduling. */
async function runSmokePod(
  admin: ClusterAdmin,
  image: string,
  timeoutMs: number,
  running: readonly ManagedProcess[],
): Promise<V1Pod> {
  await admin.ensureNamespace(HARNESS_NAMESPACE);
  await admin.core.createNamespacedPod({
    namespace: HARNESS_NAMESPACE,
    body: {
      metadata: { name: 'smoke' },
      spec: {
        containers: [
          { name: 'smoke', image, imagePullPolicy: 'Never', command: ['sleep', '3600'] },
        ],
        terminationGracePeriodSeconds: 0,
      },
    },
  });
  return pollWhileRunning<V1Pod>('the smoke pod Running', timeoutMs, running, async () => {
    const p = await admin.core.readNamespacedPod({ namespace: HARNESS_NAMESPACE, name: 'smoke' });
    return p.status?.phase === 'Running' && p.status.podIP ? p : undefined;
  });
}

/** Pids of the shims serving our containerd (they are not our children). */
function shimPids(socket: string, own: readonly number[]): number[] {
  return run('sh', [
    '-c',
    `grep -l -a -F -- ${JSON.stringify(socket)} /proc/[0-9]*/cmdline 2>/dev/null || true`,
  ])
    .split('\n')
    .map((line) => /^\/proc\/(\d+)\//.exec(line)?.[1])
    .filter((pid): pid is string => pid !== undefined)
    .map(Number)
    .filter((pid) => !own.includes(pid));
}

function formatMemory(memory: Record<string, number | undefined>): string {
  return Object.entries(memory)
    .map(([k, v]) => `${k} ${v === undefined ? '?' : (v / 1024).toFixed(0)}`)
    .join(', ');
}

/**
 * Starts a cluster with one real node: etcd + kube-apiserver (Node,RBAC), kube-controller-manager
 * (node IPAM gives the node spec.podCIDR; node lifecycle removes the not-ready taint),
 * kube-scheduler, containerd + runc with a CNI bridge, kubelet, and kube-router's firewall
 * controller enforcing NetworkPolicies. Holds the machine-wide node lock until stop().
 * Everything it changes on the host is recorded first and undone by stop(), by the process exit
 * hooks, or by the next run if this process is killed.
 */
export async function startNodeCluster(opts: StartNodeClusterOptions = {}): Promise<NodeCluster> {
  const started = Date.now();
  const log = opts.log ?? defaultLog;
  const problems = nodePrerequisiteProblems();
  if (problems.length > 0)
    throw new Error(`cannot start a node cluster:\n  ${problems.join('\n  ')}`);
  const binaries = opts.binaries ?? locateNodeBinaries();
  const name = opts.name ?? 'node';
  const nodeName = opts.nodeName ?? DEFAULT_NODE_NAME;
  const podCidr = opts.podCidr ?? process.env['GBP_NODE_POD_CIDR'] ?? DEFAULT_NODE_POD_CIDR;
  const bridge = opts.bridge ?? process.env['GBP_NODE_BRIDGE'] ?? DEFAULT_NODE_BRIDGE;
  if (!/^[a-z][a-z0-9-]{0,11}$/.test(bridge))
    throw new Error(`bridge name must be 1-12 of [a-z0-9-]: ${bridge}`);
  const pod = parseCidr(podCidr);
  if (pod.bits < 16 || pod.bits > 28) throw new Error(`pod CIDR must be /16../28: ${podCidr}`);
  const gatewayIp = ipAt(pod.base, 1);
  const outside = outsideNamespace(
    bridge,
    opts.outsideCidr ?? process.env['GBP_NODE_OUTSIDE_CIDR'] ?? DEFAULT_OUTSIDE_CIDR,
  );
  const images: NodeImages = {
    pause: opts.images?.pause ?? DEFAULT_PAUSE_IMAGE,
    probe: opts.images?.probe ?? DEFAULT_PROBE_IMAGE,
  };
  const readyTimeoutMs = opts.readyTimeoutMs ?? 120_000;

  const lock: NodeLock = await acquireNodeLock({
    log,
    ...(opts.lockTimeoutMs !== undefined ? { timeoutMs: opts.lockTimeoutMs } : {}),
  });
  let dir: string;
  try {
    checkHostIsFree(bridge, podCidr, outside);
    dir = await mkdtemp(join(opts.baseDir ?? tmpdir(), 'gbp-netpol-node-'));
  } catch (error) {
    lock.release();
    throw error;
  }
  lock.setDir(dir);

  const paths = {
    containerdRoot: join(dir, 'containerd'),
    containerdState: join(dir, 'run'),
    socket: join(dir, 'run', 'containerd.sock'),
    runcRoot: join(dir, 'run', 'runc'),
    cniConfDir: join(dir, 'cni', 'net.d'),
    ipamDir: join(dir, 'cni', 'ipam'),
    kubeletRoot: join(dir, 'kubelet'),
    podLogs: join(dir, 'pod-logs'),
    gates: join(dir, 'gates'),
    config: join(dir, 'config'),
    logs: join(dir, 'logs'),
  };
  // Everything the run may change on the host, written down before it is changed.
  const state: NodeHostState = {
    ownerPid: process.pid,
    ownerStartTicks: startTicks(process.pid),
    dir,
    bridge,
    podCidr,
    outside: { netns: outside.netns, hostVeth: outside.hostVeth, cidr: outside.cidr },
    containerdSocket: paths.socket,
    containerdState: paths.containerdState,
    runcRoot: paths.runcRoot,
    snapshot: snapshotHost(),
    sysctls: [],
    pids: [],
    runContainerdExisted: existsSync(RUN_CONTAINERD),
  };
  writeState(state);
  // Runs from the exit hooks if the process ends without stop() (Ctrl-C, a crash in a test).
  const cleanupNow = (): void => {
    cleanupNodeHost(state);
    lock.release();
  };
  trackCleanup(cleanupNow);

  const processes = new Map<NodeComponent, ManagedProcess>();
  let cpPromise: Promise<KubeCluster> | undefined;
  const env = {
    ...process.env,
    PATH: `${process.env['PATH'] ?? ''}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
  };
  const spawn = (component: NodeComponent, binary: string, args: string[]): ManagedProcess => {
    const p = spawnManaged(component, binary, args, join(paths.logs, `${component}.log`), env);
    processes.set(component, p);
    state.pids.push({ pid: p.pid, startTicks: startTicks(p.pid) });
    writeState(state);
    return p;
  };
  const logs = Object.fromEntries(
    NODE_COMPONENTS.map((c) => [c, join(paths.logs, `${c}.log`)]),
  ) as Record<NodeComponent, string>;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      // Graceful first: pods deleted while kubelet and containerd run get their network torn
      // down by CNI and their containers removed. Then the same forced clean-up that a
      // crashed run gets, which catches whatever is left.
      await removeAllPods(state, processes, cpPromise).catch((error: unknown) =>
        log(`graceful pod removal: ${(error as Error).message}`),
      );
      const order = [
        'kube-router',
        'kubelet',
        'kube-scheduler',
        'kube-controller-manager',
        'containerd',
      ] as const;
      for (const component of order) await processes.get(component)?.stop(5_000);
      const left = cleanupNodeHost(state);
      untrackCleanup(cleanupNow);
      if (cpPromise)
        await cpPromise.then(
          (cp) => cp.stop(),
          () => undefined,
        );
      lock.release();
      const leftovers = [
        ...left,
        ...Object.entries(newChains(state.snapshot)).flatMap(([variant, tables]) =>
          Object.entries(tables).map(
            ([table, chains]) => `${variant} ${table}: ${chains.join(' ')}`,
          ),
        ),
        ...newIpsets(state.snapshot).map((s) => `ipset ${s}`),
      ];
      if (leftovers.length > 0)
        throw new Error(`node cluster clean-up left: ${leftovers.join('; ')}`);
    })());

  try {
    const { socket: _socket, ...dirs } = paths;
    await Promise.all(Object.values(dirs).map((p) => mkdir(p, { recursive: true })));
    setKernelSettings(state);

    // The control plane starts while images, CNI and containerd are prepared.
    const cpStarted = Date.now();
    cpPromise = startCluster({
      name,
      ...(opts.baseDir ? { baseDir: opts.baseDir } : {}),
      authorizationMode: 'Node,RBAC',
      extraApiServerArgs: ['--enable-admission-plugins=NodeRestriction'],
    });
    // Awaited below or in stop(); this only keeps an early failure from being "unhandled".
    cpPromise.catch(() => undefined);

    const imageFiles = writeNodeImages(paths.config, images);
    await writeFile(
      join(paths.cniConfDir, '10-gbp-netpol.conflist'),
      cniConfig({ bridge, podCidr, gatewayIp, ipamDir: paths.ipamDir }),
    );
    const containerdToml = join(paths.config, 'containerd.toml');
    await writeFile(
      containerdToml,
      containerdConfig({
        root: paths.containerdRoot,
        state: paths.containerdState,
        socket: paths.socket,
        runcRoot: paths.runcRoot,
        cniConfDir: paths.cniConfDir,
        sandboxImage: images.pause,
      }),
    );
    const containerd = spawn('containerd', 'containerd', ['--config', containerdToml]);
    const ctr = (...args: string[]) =>
      execFileAsync('ctr', ['-a', paths.socket, '-n', 'k8s.io', ...args], { env });
    await pollWhileRunning('containerd', 30_000, [containerd], async () =>
      (await ctr('version')) ? true : undefined,
    );
    await ctr('images', 'import', imageFiles.pause);
    await ctr('images', 'import', imageFiles.probe);

    const cp = await cpPromise;
    const apiServerReadyMs = Date.now() - cpStarted;
    log(`control plane ready in ${apiServerReadyMs} ms (${cp.server})`);

    /** A kubeconfig with a fresh client certificate from the cluster CA (written 0600). */
    const kubeconfigFor = async (
      component: NodeComponent,
      user: string,
      groups: readonly string[] = [],
    ): Promise<string> => {
      const cert = cp.issueClientCertificate(user, groups);
      const path = join(paths.config, `${component}.kubeconfig`);
      const access = {
        name,
        server: cp.server,
        caData: cp.caData,
        clientCertificateData: b64(cert.certPem),
        clientKeyData: b64(cert.keyPem),
      };
      await writeFile(path, adminKubeconfig(access), { mode: 0o600 });
      return path;
    };

    const kcm = spawn(
      'kube-controller-manager',
      binaries.kubeControllerManager,
      kubeControllerManagerArgs({
        kubeconfig: await kubeconfigFor(
          'kube-controller-manager',
          'system:kube-controller-manager',
        ),
        podCidr,
        serviceCidr: SERVICE_CLUSTER_IP_RANGE,
      }),
    );
    const scheduler = spawn('kube-scheduler', binaries.kubeScheduler, [
      `--kubeconfig=${await kubeconfigFor('kube-scheduler', 'system:kube-scheduler')}`,
      '--leader-elect=false',
      '--secure-port=0',
      '--v=1',
    ]);

    const nodeIp = primaryIpv4([bridge, outside.hostVeth]);
    const kubeletConfigPath = join(paths.config, 'kubelet.yaml');
    await writeFile(
      kubeletConfigPath,
      kubeletConfig({ socket: paths.socket, podLogsDir: paths.podLogs }),
    );
    const kubeletStarted = Date.now();
    const kubeletKubeconfig = await kubeconfigFor('kubelet', `system:node:${nodeName}`, [
      'system:nodes',
    ]);
    const kubelet = spawn('kubelet', binaries.kubelet, [
      `--config=${kubeletConfigPath}`,
      `--kubeconfig=${kubeletKubeconfig}`,
      `--root-dir=${paths.kubeletRoot}`,
      `--hostname-override=${nodeName}`,
      `--node-ip=${nodeIp}`,
      '--v=1',
    ]);
    const running = [containerd, kcm, scheduler, kubelet];
    await pollWhileRunning(`node ${nodeName} Ready`, readyTimeoutMs, running, async () => {
      try {
        return nodeIsReady(await cp.admin.core.readNode({ name: nodeName })) ? true : undefined;
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    });
    const nodeReadyMs = Date.now() - kubeletStarted;
    log(`node ${nodeName} Ready in ${nodeReadyMs} ms after kubelet start (podCIDR ${podCidr})`);

    await grantKubeRouter(cp.admin);
    const routerStarted = Date.now();
    running.push(
      spawn(
        'kube-router',
        binaries.kubeRouter,
        kubeRouterArgs({
          kubeconfig: await kubeconfigFor('kube-router', KUBE_ROUTER_USER),
          nodeName,
          serviceCidr: SERVICE_CLUSTER_IP_RANGE,
        }),
      ),
    );
    createOutsideNamespace(outside);

    const waitForEnforcer: NodeCluster['waitForEnforcer'] = async (expect) => {
      await pollWhileRunning('kube-router rules', expect.timeoutMs ?? 60_000, running, async () => {
        const rules = run('iptables-save', ['-t', 'filter']);
        const ipsOk = (expect.podIps ?? []).every((ip) => rules.includes(` ${ip}/32 `));
        const presentOk = (expect.present ?? []).every((p) => rules.includes(`nw policy ${p}"`));
        const absentOk = (expect.absent ?? []).every((p) => !rules.includes(`nw policy ${p}"`));
        return ipsOk && presentOk && absentOk ? true : undefined;
      });
    };

    const podStarted = Date.now();
    const smoke = await runSmokePod(cp.admin, images.probe, readyTimeoutMs, running);
    const firstPodRunningMs = Date.now() - podStarted;
    await waitForEnforcer({ podIps: [smoke.status?.podIP ?? ''], timeoutMs: readyTimeoutMs });
    const enforcerReadyMs = Date.now() - routerStarted;
    await cp.admin.core.deleteNamespacedPod({
      namespace: HARNESS_NAMESPACE,
      name: 'smoke',
      gracePeriodSeconds: 0,
    });

    const memory = async (): Promise<Record<string, number | undefined>> => {
      const result: Record<string, number | undefined> = {};
      const pids = cp.pids();
      result['etcd'] = await rssKiB(pids.etcd);
      result['kube-apiserver'] = await rssKiB(pids.apiServer);
      for (const [component, p] of processes) result[component] = await rssKiB(p.pid);
      let shims = 0;
      for (const pid of shimPids(
        paths.socket,
        state.pids.map((p) => p.pid),
      ))
        shims += (await rssKiB(pid)) ?? 0;
      result['containerd-shims'] = shims;
      return result;
    };

    const timings: NodeClusterTimings = {
      apiServerReadyMs,
      nodeReadyMs,
      firstPodRunningMs,
      enforcerReadyMs,
      totalMs: Date.now() - started,
    };
    log(
      `ready in ${timings.totalMs} ms: node Ready ${nodeReadyMs} ms, first pod Running ${firstPodRunningMs} ms, ` +
        `kube-router synced ${enforcerReadyMs} ms; RSS MiB ${formatMemory(await memory())}`,
    );

    return {
      name,
      server: cp.server,
      caData: cp.caData,
      kubernetesVersion: cp.kubernetesVersion,
      adminAccess: cp.adminAccess,
      admin: cp.admin,
      adminKubeconfigPath: cp.adminKubeconfigPath,
      nodeName,
      nodeIp,
      gatewayIp,
      podCidr,
      serviceCidr: SERVICE_CLUSTER_IP_RANGE,
      bridge,
      outside: {
        ip: outside.ip,
        netns: outside.netns,
        probe: (targets, timeoutSeconds = 2) =>
          probeFromNamespace(outside.netns, paths.gates, targets, timeoutSeconds),
      },
      images,
      dir,
      logs: { ...logs, etcd: cp.logs.etcd, 'kube-apiserver': cp.logs.apiServer },
      timings,
      memory,
      waitForEnforcer,
      gateDir: (namespace, podName) => join(paths.gates, `${namespace}.${podName}`),
      stop,
    };
  } catch (error) {
    const tails = await Promise.all(
      [...processes.values()].map(
        async (p) => `--- ${p.name} (last 15 lines) ---\n${await tailFile(p.logFile, 15)}`,
      ),
    );
    await stop().catch((e: unknown) => tails.push(`clean-up: ${(e as Error).message}`));
    throw new Error(
      `node cluster failed to start: ${(error as Error).message}\n${tails.join('\n')}`,
    );
  }
}
