import type {
  LabelSelector,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
} from '../kube/network-policy.types.js';
import { isDns1123Label, isDns1123Subdomain } from '../document/dns-names.js';
import { isValidLabelKey } from '../document/label-key.js';
import { isValidLabelValue } from '../document/label-map.js';
import { checkCidr, cidrIsStrictSubset, type Cidr } from '../net/cidr.js';

const IANA_SVC_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

function checkSelector(sel: LabelSelector, at: string, out: string[]): void {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    if (!isValidLabelKey(k)) out.push(`${at}.matchLabels: invalid key ${k}`);
    if (!isValidLabelValue(v)) out.push(`${at}.matchLabels: invalid value ${v}`);
  }
  (sel.matchExpressions ?? []).forEach((r, i) => {
    const where = `${at}.matchExpressions[${i}]`;
    if (!isValidLabelKey(r.key)) out.push(`${where}: invalid key ${r.key}`);
    const values = r.values ?? [];
    if ((r.operator === 'In' || r.operator === 'NotIn') && values.length === 0)
      out.push(`${where}: ${r.operator} needs values`);
    if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && values.length > 0)
      out.push(`${where}: ${r.operator} takes no values`);
    for (const v of values) if (!isValidLabelValue(v)) out.push(`${where}: invalid value ${v}`);
  });
}

function checkPort(p: NetworkPolicyPort, at: string, out: string[]): void {
  if (p.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(p.protocol))
    out.push(`${at}.protocol: ${p.protocol}`);
  if (typeof p.port === 'number') {
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535)
      out.push(`${at}.port: ${p.port} out of range`);
    if (
      p.endPort !== undefined &&
      (!Number.isInteger(p.endPort) || p.endPort < p.port || p.endPort > 65535)
    )
      out.push(`${at}.endPort: ${p.endPort}`);
  } else if (typeof p.port === 'string') {
    if (p.port.length > 15 || !IANA_SVC_NAME.test(p.port))
      out.push(`${at}.port: invalid named port ${p.port}`);
    if (p.endPort !== undefined) out.push(`${at}.endPort: not allowed with a named port`);
  } else if (p.endPort !== undefined) out.push(`${at}.endPort: needs a numeric port`);
}

/**
 * Checks one ipBlock CIDR as the API server does for a new object (checkCidr), host bits
 * included: the API server refuses them since StrictIPCIDRValidation (v1.36).
 */
function checkIpBlockCidr(value: string, at: string, out: string[]): Cidr | undefined {
  const check = checkCidr(value);
  if (!check.ok) {
    out.push(`${at}: ${check.code} ${value}`);
    return undefined;
  }
  if (check.cidr.hadHostBits) out.push(`${at}: host bits set ${value}`);
  return check.cidr;
}

function checkPeer(peer: NetworkPolicyPeer, at: string, out: string[]): void {
  const selectors = peer.podSelector !== undefined || peer.namespaceSelector !== undefined;
  if (peer.ipBlock) {
    if (selectors) out.push(`${at}: ipBlock must not be combined with a selector`);
    const cidr = checkIpBlockCidr(peer.ipBlock.cidr, `${at}.ipBlock.cidr`, out);
    (peer.ipBlock.except ?? []).forEach((e, i) => {
      const x = checkIpBlockCidr(e, `${at}.ipBlock.except[${i}]`, out);
      if (x && cidr && !cidrIsStrictSubset(x, cidr))
        out.push(`${at}.ipBlock.except: ${e} is not a strict subset of ${peer.ipBlock!.cidr}`);
    });
  } else if (!selectors) out.push(`${at}: a peer needs a selector or an ipBlock`);
  if (peer.podSelector) checkSelector(peer.podSelector, `${at}.podSelector`, out);
  if (peer.namespaceSelector) checkSelector(peer.namespaceSelector, `${at}.namespaceSelector`, out);
}

/**
 * Checks a NetworkPolicy against the API server's validation rules for the fields gbp-netpol
 * emits (names, labels, selectors, ports, endPort, ipBlocks). Returns the problems found;
 * an empty list means the object is valid. Used by tests and before every apply.
 */
export function validateNetworkPolicy(np: NetworkPolicy): string[] {
  const out: string[] = [];
  const { name, namespace, labels = {}, annotations = {} } = np.metadata;
  if (!isDns1123Subdomain(name)) out.push(`metadata.name: invalid ${name}`);
  if (!isDns1123Label(namespace)) out.push(`metadata.namespace: invalid ${namespace}`);
  for (const [k, v] of Object.entries(labels)) {
    if (!isValidLabelKey(k)) out.push(`metadata.labels: invalid key ${k}`);
    if (!isValidLabelValue(v)) out.push(`metadata.labels: invalid value ${v}`);
  }
  let annotationBytes = 0;
  for (const [k, v] of Object.entries(annotations)) {
    if (!isValidLabelKey(k)) out.push(`metadata.annotations: invalid key ${k}`);
    annotationBytes += k.length + v.length;
  }
  if (annotationBytes > MAX_ANNOTATIONS_BYTES)
    out.push(`metadata.annotations: ${annotationBytes} bytes, more than 256 KiB`);
  checkSelector(np.spec.podSelector, 'spec.podSelector', out);
  const types = np.spec.policyTypes ?? [];
  if (new Set(types).size !== types.length || types.some((t) => t !== 'Ingress' && t !== 'Egress'))
    out.push(`spec.policyTypes: ${types.join(',')}`);
  np.spec.ingress?.forEach((r, i) => {
    r.from?.forEach((p, j) => checkPeer(p, `spec.ingress[${i}].from[${j}]`, out));
    r.ports?.forEach((p, j) => checkPort(p, `spec.ingress[${i}].ports[${j}]`, out));
  });
  np.spec.egress?.forEach((r, i) => {
    r.to?.forEach((p, j) => checkPeer(p, `spec.egress[${i}].to[${j}]`, out));
    r.ports?.forEach((p, j) => checkPort(p, `spec.egress[${i}].ports[${j}]`, out));
  });
  return out;
}
