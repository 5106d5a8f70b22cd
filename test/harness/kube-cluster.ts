import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ClusterAdmin,
  type LeastPrivilegeIdentity,
  type LeastPrivilegeOptions,
} from './cluster-admin.js';
import {
  generateClusterPki,
  writeClusterPki,
  type ClientCertificate,
  type ClusterPkiFiles,
} from './cluster-pki.js';
import { freePort } from './free-port.js';
import { rawRequest } from './https-request.js';
import { adminKubeconfig, b64, type AdminAccess } from './kubeconfig.js';
import { locateKubeBinaries, type KubeBinaries } from './locate-kube-binaries.js';
import {
  pollWhileRunning,
  rssKiB,
  spawnManaged,
  tailFile,
  type ManagedProcess,
} from './managed-process.js';
import {
  CLUSTER_DIR_PREFIX,
  OWNER_FILE,
  reapOrphanedClusters,
  trackDir,
  untrackDir,
  type OwnerRecord,
} from './process-registry.js';

export interface StartClusterOptions {
  /** Used in the temp dir name, the kubeconfig context and the CA name. */
  name?: string;
  binaries?: KubeBinaries;
  /** Budget for etcd + kube-apiserver to become ready (default 120 s; cold starts on 2 cores are slow). */
  startTimeoutMs?: number;
  /** Where the per-cluster temp dir is created (default: the OS temp dir). */
  baseDir?: string;
  extraApiServerArgs?: readonly string[];
  /** kube-apiserver --authorization-mode (default `RBAC`; the node harness uses `Node,RBAC`). */
  authorizationMode?: string;
}

export interface ClusterTimings {
  etcdReadyMs: number;
  apiServerReadyMs: number;
  totalMs: number;
}

export interface ClusterProcessMemory {
  etcdRssKiB: number | undefined;
  apiServerRssKiB: number | undefined;
}

export interface KubeCluster {
  readonly name: string;
  readonly server: string;
  /** base64 of the CA PEM, as in a kubeconfig's certificate-authority-data. */
  readonly caData: string;
  readonly kubernetesVersion: string;
  readonly admin: ClusterAdmin;
  readonly adminAccess: AdminAccess;
  readonly adminKubeconfig: string;
  readonly adminKubeconfigPath: string;
  /** The cluster's temp dir (certs, etcd data, logs). */
  readonly dir: string;
  readonly logs: { etcd: string; apiServer: string };
  readonly timings: ClusterTimings;
  pids(): { etcd: number | undefined; apiServer: number | undefined };
  isApiServerRunning(): boolean;
  memory(): Promise<ClusterProcessMemory>;
  createNamespace(prefix: string): Promise<string>;
  deleteNamespace(name: string): Promise<void>;
  /** A client certificate from the cluster CA, e.g. for a kubelet (`system:node:<name>`). */
  issueClientCertificate(user: string, groups?: readonly string[]): ClientCertificate;
  leastPrivilegeIdentity(
    namespaces: string[],
    opts?: LeastPrivilegeOptions,
  ): Promise<LeastPrivilegeIdentity>;
  grant(identity: LeastPrivilegeIdentity, namespaces: string[]): Promise<LeastPrivilegeIdentity>;
  deleteIdentity(identity: LeastPrivilegeIdentity): Promise<void>;
  /** Stops only kube-apiserver; etcd keeps the data, so the cluster can come back. */
  stopApiServer(): Promise<void>;
  /** Starts kube-apiserver again on the same port with the same certificates and etcd. */
  startApiServer(): Promise<void>;
  restart(): Promise<void>;
  /** Stops both processes (SIGTERM, then SIGKILL after a grace period) and removes the temp dir. */
  stop(): Promise<void>;
}

const DEFAULT_START_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 10_000;
const LOG_TAIL_LINES = 40;
const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiServer: number;
}

export function etcdArgs(dataDir: string, ports: Ports): string[] {
  const client = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return [
    '--name=default',
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`,
    // The data is thrown away after the run, so skip fsync like envtest does.
    '--unsafe-no-fsync=true',
  ];
}

/** The Service CIDR of every test cluster (kube-apiserver --service-cluster-ip-range). */
export const SERVICE_CLUSTER_IP_RANGE = '10.0.0.0/24';

export function apiServerArgs(
  pki: ClusterPkiFiles,
  certDir: string,
  ports: Ports,
  extra: readonly string[] = [],
  authorizationMode = 'RBAC',
): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${ports.apiServer}`,
    `--cert-dir=${certDir}`,
    `--tls-cert-file=${pki.servingCert}`,
    `--tls-private-key-file=${pki.servingKey}`,
    `--client-ca-file=${pki.caCert}`,
    `--authorization-mode=${authorizationMode}`,
    `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-account-key-file=${pki.serviceAccountPublicKey}`,
    `--service-account-signing-key-file=${pki.serviceAccountPrivateKey}`,
    `--api-audiences=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
    '--allow-privileged=true',
    // Without kube-controller-manager nobody creates the `default` ServiceAccount, so the
    // ServiceAccount admission plugin would reject every Pod (envtest disables it too).
    '--disable-admission-plugins=ServiceAccount',
    // Single apiserver, no node network: don't maintain the `kubernetes` Service endpoints.
    '--endpoint-reconciler-type=none',
    '--profiling=false',
    ...extra,
  ];
}

async function waitFor(
  what: string,
  timeoutMs: number,
  processes: ManagedProcess[],
  probe: () => Promise<boolean>,
): Promise<void> {
  await pollWhileRunning(
    what,
    timeoutMs,
    processes,
    async () => ((await probe()) ? true : undefined),
    100,
  );
}

/** The `[-]name failed: …` lines of a verbose /readyz answer, i.e. what is not ready yet. */
function failingChecks(readyz: string): string {
  const failing = readyz.split('\n').filter((line) => line.startsWith('[-]'));
  return failing.length > 0 ? failing.join('; ') : readyz.slice(0, 300);
}

async function describeFailure(
  error: Error,
  logs: { etcd: string; apiServer: string },
): Promise<Error> {
  const [etcdTail, apiTail] = await Promise.all([
    tailFile(logs.etcd, LOG_TAIL_LINES),
    tailFile(logs.apiServer, LOG_TAIL_LINES),
  ]);
  return new Error(
    `test cluster failed to start: ${error.message}\n` +
      `--- last ${LOG_TAIL_LINES} lines of the kube-apiserver log ---\n${apiTail}\n` +
      `--- last ${LOG_TAIL_LINES} lines of the etcd log ---\n${etcdTail}`,
  );
}

/**
 * Starts one cluster the way controller-runtime's envtest does: a private etcd and a
 * kube-apiserver (RBAC, client-certificate admin, ServiceAccount tokens) on free 127.0.0.1
 * ports, with everything in a fresh temp dir. Retries with new ports if one was taken meanwhile.
 */
export async function startCluster(opts: StartClusterOptions = {}): Promise<KubeCluster> {
  reapOrphanedClusters(opts.baseDir);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startClusterOnce(opts);
    } catch (error) {
      const message = (error as Error).message;
      if (attempt >= 3 || !/address already in use/i.test(message)) throw error;
    }
  }
}

async function startClusterOnce(opts: StartClusterOptions): Promise<KubeCluster> {
  const started = Date.now();
  const name = opts.name ?? 'test';
  const binaries = opts.binaries ?? locateKubeBinaries();
  const timeoutMs = opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const dir = await mkdtemp(join(opts.baseDir ?? tmpdir(), `${CLUSTER_DIR_PREFIX}${name}-`));
  trackDir(dir);
  const certDir = join(dir, 'pki');
  const logs = { etcd: join(dir, 'etcd.log'), apiServer: join(dir, 'kube-apiserver.log') };
  await mkdir(certDir, { recursive: true });

  const pki = generateClusterPki(name);
  const pkiFiles = await writeClusterPki(pki, certDir);
  const ports: Ports = {
    etcdClient: await freePort(),
    etcdPeer: await freePort(),
    apiServer: await freePort(),
  };
  const server = `https://127.0.0.1:${ports.apiServer}`;
  const adminAccess: AdminAccess = {
    name,
    server,
    caData: b64(pki.caCertPem),
    clientCertificateData: b64(pki.adminCertPem),
    clientKeyData: b64(pki.adminKeyPem),
  };
  const adminRequest = (path: string) =>
    rawRequest({
      url: `${server}${path}`,
      ca: pki.caCertPem,
      clientCertPem: pki.adminCertPem,
      clientKeyPem: pki.adminKeyPem,
      timeoutMs: 5_000,
    });

  let etcd: ManagedProcess | undefined;
  let apiServer: ManagedProcess | undefined;
  const writeOwner = async (): Promise<void> => {
    const record: OwnerRecord = {
      ownerPid: process.pid,
      pids: [etcd?.pid, apiServer?.pid].filter((p): p is number => p !== undefined),
    };
    await writeFile(join(dir, OWNER_FILE), JSON.stringify(record));
  };

  const launchApiServer = async (budgetMs: number): Promise<void> => {
    apiServer = spawnManaged(
      'kube-apiserver',
      binaries.kubeApiServer,
      apiServerArgs(pkiFiles, certDir, ports, opts.extraApiServerArgs, opts.authorizationMode),
      logs.apiServer,
    );
    await writeOwner();
    const running = etcd ? [etcd, apiServer] : [apiServer];
    // /readyz includes etcd, the RBAC bootstrap roles and the other post-start hooks.
    await waitFor(`kube-apiserver /readyz on ${server}`, budgetMs, running, async () => {
      const res = await adminRequest('/readyz');
      if (res.status !== 200)
        throw new Error(`/readyz answered ${res.status}: ${failingChecks(res.text)}`);
      return true;
    });
  };

  const stopApiServer = async (): Promise<void> => {
    const current = apiServer;
    if (!current) return;
    await current.stop(STOP_GRACE_MS);
    apiServer = undefined;
    await writeOwner();
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await stopApiServer().catch(() => undefined);
      await etcd?.stop(STOP_GRACE_MS);
      etcd = undefined;
      await rm(dir, { recursive: true, force: true });
      untrackDir(dir);
    })());

  let timings: ClusterTimings;
  try {
    etcd = spawnManaged('etcd', binaries.etcd, etcdArgs(join(dir, 'etcd-data'), ports), logs.etcd);
    await writeOwner();
    const etcdProcess = etcd;
    await waitFor(
      `etcd /health on 127.0.0.1:${ports.etcdClient}`,
      timeoutMs,
      [etcdProcess],
      async () => {
        const res = await rawRequest({
          url: `http://127.0.0.1:${ports.etcdClient}/health`,
          timeoutMs: 2_000,
        });
        return (
          res.status === 200 && (JSON.parse(res.text) as { health?: string }).health === 'true'
        );
      },
    );
    const etcdReadyMs = Date.now() - started;
    await launchApiServer(Math.max(timeoutMs - etcdReadyMs, 1_000));
    const apiServerReadyMs = Date.now() - started;

    const version = await adminRequest('/version');
    const gitVersion = (JSON.parse(version.text) as { gitVersion?: string }).gitVersion;
    if (gitVersion !== binaries.kubernetesVersion) {
      throw new Error(
        `/version reports ${gitVersion}, expected ${binaries.kubernetesVersion} (${binaries.kubeApiServer})`,
      );
    }
    timings = { etcdReadyMs, apiServerReadyMs, totalMs: Date.now() - started };
  } catch (error) {
    const described = await describeFailure(error as Error, logs);
    await stop();
    throw described;
  }

  const startApiServer = async (): Promise<void> => {
    if (stopping) throw new Error(`cluster ${name} is stopped`);
    if (apiServer && apiServer.exitInfo() === undefined) return;
    try {
      await launchApiServer(timeoutMs);
    } catch (error) {
      const described = await describeFailure(error as Error, logs);
      await stopApiServer();
      throw described;
    }
  };

  const kubeconfig = adminKubeconfig(adminAccess);
  const kubeconfigPath = join(dir, 'admin.kubeconfig');
  await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });
  const admin = new ClusterAdmin(adminAccess);

  return {
    name,
    server,
    caData: adminAccess.caData,
    kubernetesVersion: binaries.kubernetesVersion,
    admin,
    adminAccess,
    adminKubeconfig: kubeconfig,
    adminKubeconfigPath: kubeconfigPath,
    dir,
    logs,
    timings,
    pids: () => ({ etcd: etcd?.pid, apiServer: apiServer?.pid }),
    isApiServerRunning: () => apiServer !== undefined && apiServer.exitInfo() === undefined,
    memory: async () => ({
      etcdRssKiB: await rssKiB(etcd?.pid),
      apiServerRssKiB: await rssKiB(apiServer?.pid),
    }),
    createNamespace: (prefix) => admin.createNamespace(prefix),
    deleteNamespace: (ns) => admin.deleteNamespace(ns),
    issueClientCertificate: (user, groups) => pki.issueClientCertificate(user, groups),
    leastPrivilegeIdentity: (namespaces, o) => admin.leastPrivilegeIdentity(namespaces, o),
    grant: (identity, namespaces) => admin.grant(identity, namespaces),
    deleteIdentity: (identity) => admin.deleteIdentity(identity),
    stopApiServer,
    startApiServer,
    async restart() {
      await stopApiServer();
      await startApiServer();
    },
    stop,
  };
}
