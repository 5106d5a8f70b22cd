import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface KubeBinaries {
  kubeApiServer: string;
  etcd: string;
  /** The Kubernetes version `/version` must report (from tools/kube/versions.env). */
  kubernetesVersion: string;
  etcdVersion: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Parses the `KEY=value` lines of a shell env file, ignoring comments and blank lines. */
export function parseEnvFile(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match?.[1]) continue;
    result[match[1]] = (match[2] ?? '').replace(/^(['"])(.*)\1$/, '$2');
  }
  return result;
}

/** The kube-router release the node harness enforces NetworkPolicies with (tools/kube/versions.env). */
export function readKubeRouterVersion(repoRoot = REPO_ROOT): string {
  const file = join(repoRoot, 'tools/kube/versions.env');
  const version = parseEnvFile(readFileSync(file, 'utf8'))['KUBE_ROUTER_VERSION'];
  if (!version) throw new Error(`${file} must define KUBE_ROUTER_VERSION`);
  return version;
}

export function readKubeVersions(repoRoot = REPO_ROOT): { kubernetes: string; etcd: string } {
  const file = join(repoRoot, 'tools/kube/versions.env');
  const vars = parseEnvFile(readFileSync(file, 'utf8'));
  const kubernetes = vars['KUBERNETES_VERSION'];
  const etcd = vars['ETCD_VERSION'];
  if (!kubernetes || !etcd)
    throw new Error(`${file} must define KUBERNETES_VERSION and ETCD_VERSION`);
  return { kubernetes, etcd };
}

/** `${GBP_NETPOL_KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gbp-netpol/kube}`, exactly as tools/kube/build.sh. */
export function kubeCacheRoot(env: Env): string {
  const nonEmpty = (value: string | undefined): string | undefined => (value ? value : undefined);
  return (
    nonEmpty(env['GBP_NETPOL_KUBE_CACHE']) ??
    join(
      nonEmpty(env['XDG_CACHE_HOME']) ?? join(nonEmpty(env['HOME']) ?? homedir(), '.cache'),
      'gbp-netpol/kube',
    )
  );
}

export interface BinaryCandidate {
  path: string;
  /** Where the path came from, for error messages. */
  source: string;
}

/** Where each binary is expected, by envtest precedence: TEST_ASSET_* → KUBEBUILDER_ASSETS → the kube:build cache. */
export function kubeBinaryCandidates(
  env: Env,
  versions: { kubernetes: string; etcd: string },
): { kubeApiServer: BinaryCandidate; etcd: BinaryCandidate } {
  const pick = (assetVar: string, name: string, cacheDir: string): BinaryCandidate => {
    const asset = env[assetVar];
    if (asset) return { path: asset, source: assetVar };
    const assets = env['KUBEBUILDER_ASSETS'];
    if (assets) return { path: join(assets, name), source: 'KUBEBUILDER_ASSETS' };
    return {
      path: join(kubeCacheRoot(env), cacheDir, name),
      source: 'the npm run kube:build cache',
    };
  };
  return {
    kubeApiServer: pick(
      'TEST_ASSET_KUBE_APISERVER',
      'kube-apiserver',
      `kubernetes-${versions.kubernetes}`,
    ),
    etcd: pick('TEST_ASSET_ETCD', 'etcd', `etcd-${versions.etcd}`),
  };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function locateKubeBinaries(env: Env = process.env, repoRoot = REPO_ROOT): KubeBinaries {
  const versions = readKubeVersions(repoRoot);
  const candidates = kubeBinaryCandidates(env, versions);
  const missing = Object.values(candidates).filter((c) => !isExecutable(c.path));
  if (missing.length > 0) {
    const list = missing.map((c) => `  ${c.path} (from ${c.source})`).join('\n');
    throw new Error(
      `Kubernetes test binaries not found or not executable:\n${list}\n` +
        'Run `npm run kube:build` to build kube-apiserver and etcd into the cache, ' +
        'or point TEST_ASSET_KUBE_APISERVER + TEST_ASSET_ETCD (or KUBEBUILDER_ASSETS) at existing binaries.',
    );
  }
  return {
    kubeApiServer: candidates.kubeApiServer.path,
    etcd: candidates.etcd.path,
    kubernetesVersion: versions.kubernetes,
    etcdVersion: versions.etcd,
  };
}

/** The node binaries of the node harness, all from the `npm run kube:build` cache. */
export interface NodeBinaries {
  kubelet: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubeRouter: string;
  kubernetesVersion: string;
  kubeRouterVersion: string;
}

export function nodeBinaryPaths(env: Env = process.env, repoRoot = REPO_ROOT): NodeBinaries {
  const versions = readKubeVersions(repoRoot);
  const kubeRouterVersion = readKubeRouterVersion(repoRoot);
  const kubeDir = join(kubeCacheRoot(env), `kubernetes-${versions.kubernetes}`);
  return {
    kubelet: join(kubeDir, 'kubelet'),
    kubeControllerManager: join(kubeDir, 'kube-controller-manager'),
    kubeScheduler: join(kubeDir, 'kube-scheduler'),
    kubeRouter: join(kubeCacheRoot(env), `kube-router-${kubeRouterVersion}`, 'kube-router'),
    kubernetesVersion: versions.kubernetes,
    kubeRouterVersion,
  };
}

export function locateNodeBinaries(env: Env = process.env, repoRoot = REPO_ROOT): NodeBinaries {
  const paths = nodeBinaryPaths(env, repoRoot);
  const missing = [
    paths.kubelet,
    paths.kubeControllerManager,
    paths.kubeScheduler,
    paths.kubeRouter,
  ].filter((path) => !isExecutable(path));
  if (missing.length > 0) {
    throw new Error(
      `node harness binaries not found or not executable:\n${missing.map((p) => `  ${p}`).join('\n')}\n` +
        'Run `npm run kube:build` to build kubelet, kube-scheduler, kube-controller-manager and kube-router into the cache.',
    );
  }
  return paths;
}
