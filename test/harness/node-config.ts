import { stringify } from 'yaml';

// Configuration files of the node's components, as pure functions of their paths.

export const CNI_BIN_DIR = '/usr/lib/cni';

export function containerdConfig(p: {
  root: string;
  state: string;
  socket: string;
  runcRoot: string;
  cniConfDir: string;
  sandboxImage: string;
}): string {
  const q = (s: string): string => JSON.stringify(s);
  return `version = 2
root = ${q(p.root)}
state = ${q(p.state)}
# The opt plugin would install into /opt/containerd; the others are not used.
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = ${q(p.socket)}

[ttrpc]
  address = ${q(`${p.socket}.ttrpc`)}

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${q(p.sandboxImage)}
  # These machines lack CAP_SYS_RESOURCE, so a negative oom_score_adj would be refused.
  restrict_oom_score_adj = true
  # Pod network namespaces under our state dir, so that clean-up finds exactly ours.
  netns_mounts_under_state_dir = true
  disable_apparmor = true
  enable_selinux = false
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        # runc, not crun: crun refuses the hybrid cgroup v1 layout of these machines.
        BinaryName = "runc"
        Root = ${q(p.runcRoot)}
        SystemdCgroup = false

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = ${q(CNI_BIN_DIR)}
    conf_dir = ${q(p.cniConfDir)}
    max_conf_num = 1
`;
}

export function cniConfig(p: {
  bridge: string;
  podCidr: string;
  gatewayIp: string;
  ipamDir: string;
}): string {
  return JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'gbp-netpol-node',
      plugins: [
        {
          type: 'bridge',
          bridge: p.bridge,
          isGateway: true,
          // No masquerade: pod and outside addresses stay visible to the policies.
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: p.podCidr, gateway: p.gatewayIp }]],
            routes: [{ dst: '0.0.0.0/0' }],
            dataDir: p.ipamDir,
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  );
}

export function kubeletConfig(p: { socket: string; podLogsDir: string }): string {
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // These machines run cgroup v1 (hybrid) and have no swap accounting to speak of.
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    cgroupsPerQOS: false,
    enforceNodeAllocatable: [],
    failSwapOn: false,
    containerRuntimeEndpoint: `unix://${p.socket}`,
    podLogsDir: p.podLogsDir,
    // No kubelet API server: tests read pod status from kube-apiserver only.
    enableServer: false,
    readOnlyPort: 0,
    healthzPort: 0,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: false } },
    authorization: { mode: 'AlwaysAllow' },
    registerNode: true,
    clusterDomain: 'cluster.local',
    clusterDNS: [],
    resolvConf: '/etc/resolv.conf',
    // Never evict or garbage-collect images because of the host's disk.
    evictionHard: {
      'imagefs.available': '0%',
      'nodefs.available': '0%',
      'nodefs.inodesFree': '0%',
    },
    imageGCHighThresholdPercent: 100,
    localStorageCapacityIsolation: false,
    nodeStatusUpdateFrequency: '2s',
    nodeStatusReportFrequency: '10s',
    syncFrequency: '10s',
    fileCheckFrequency: '10s',
    serializeImagePulls: false,
    rotateCertificates: false,
    serverTLSBootstrap: false,
    shutdownGracePeriod: '0s',
    shutdownGracePeriodCriticalPods: '0s',
  });
}

/** kube-router's needs for its firewall controller, as in its own RBAC manifests. */
export const KUBE_ROUTER_RULES = [
  {
    apiGroups: [''],
    resources: ['namespaces', 'pods', 'services', 'nodes', 'endpoints'],
    verbs: ['get', 'list', 'watch'],
  },
  {
    apiGroups: ['networking.k8s.io'],
    resources: ['networkpolicies'],
    verbs: ['get', 'list', 'watch'],
  },
  {
    apiGroups: ['discovery.k8s.io'],
    resources: ['endpointslices'],
    verbs: ['get', 'list', 'watch'],
  },
];
export const KUBE_ROUTER_USER = 'gbp-netpol:kube-router';

export function kubeControllerManagerArgs(p: {
  kubeconfig: string;
  podCidr: string;
  serviceCidr: string;
}): string[] {
  const maskSize = p.podCidr.split('/')[1] ?? '24';
  return [
    `--kubeconfig=${p.kubeconfig}`,
    // Each controller acts as its own ServiceAccount (tokens via the TokenRequest API), with
    // the bootstrap RBAC roles system:controller:*.
    '--use-service-account-credentials=true',
    // Node IPAM sets spec.podCIDR (the whole pod CIDR for our one node); node lifecycle removes
    // the node.kubernetes.io/not-ready taint once kubelet reports Ready.
    '--controllers=node-ipam-controller,node-lifecycle-controller',
    '--allocate-node-cidrs=true',
    `--cluster-cidr=${p.podCidr}`,
    `--node-cidr-mask-size=${maskSize}`,
    `--service-cluster-ip-range=${p.serviceCidr}`,
    '--node-monitor-period=1s',
    '--leader-elect=false',
    '--secure-port=0',
    '--v=1',
  ];
}

/** kube-router's NetworkPolicy firewall alone: no routing, no service proxy, no CNI. */
export function kubeRouterArgs(p: {
  kubeconfig: string;
  nodeName: string;
  serviceCidr: string;
}): string[] {
  return [
    `--kubeconfig=${p.kubeconfig}`,
    `--hostname-override=${p.nodeName}`,
    '--run-firewall=true',
    '--run-router=false',
    '--run-service-proxy=false',
    '--enable-cni=false',
    '--health-port=0',
    '--metrics-port=0',
    `--service-cluster-ip-range=${p.serviceCidr}`,
    '--v=1',
  ];
}
