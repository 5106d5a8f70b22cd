import type { NormalisedDocument } from '../document/policy-document.types.js';
import type { EvalPod, EvalSource } from '../evaluator/evaluator.types.js';
import { cidrContainsIp, parseCidr, parseIp } from '../net/cidr.js';
import {
  ALL_PORTS,
  NO_PORTS,
  intersectPortSets,
  portSetFromPorts,
  portSetFromSpecs,
  unionPortSets,
  type PortSet,
} from '../ports/port-set.js';

/**
 * Test oracle shared by the property specs (not used by production code): the truth table
 * of src/core/README.md restated naively, independently of network-grants.ts, so that the
 * differential tests compare two implementations of the spec: this one, and compile →
 * evaluate.
 */

/** A namespace the document does not list. */
export const OUTSIDE_NS = 'outside';
const DNS_PORTS = portSetFromPorts([
  { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 53 },
]);

function memberOf(doc: NormalisedDocument, pod: EvalPod): string | undefined {
  const value = pod.labels[doc.options.labelKey];
  if (value === undefined || !doc.networks.includes(value)) return undefined;
  if (doc.options.peerNamespaces === 'listed' && !doc.namespaces.includes(pod.namespace))
    return undefined;
  return value;
}

/** Rules 1–3: the ports members of `dst` accept from members of `src`. */
function networkGrant(doc: NormalisedDocument, src: string, dst: string): PortSet {
  if (src === dst && doc.options.intraNetwork === 'isolate') return NO_PORTS;
  let ports: PortSet = src === dst ? ALL_PORTS : NO_PORTS;
  for (const c of doc.contracts) {
    const provides = c.providers.includes(dst);
    const consumes = c.consumers.includes(dst);
    if (provides && (c.consumers.includes(src) || (consumes && c.providers.includes(src)))) {
      ports = unionPortSets(ports, portSetFromSpecs(c.ports));
    }
    if (consumes && !provides && c.providerAccess === 'full' && c.providers.includes(src))
      ports = ALL_PORTS;
  }
  return ports;
}

function expectedIngress(doc: NormalisedDocument, src: EvalSource, dst: EvalPod): PortSet {
  const dstNet = dst.labels[doc.options.labelKey];
  if (
    !doc.namespaces.includes(dst.namespace) ||
    dstNet === undefined ||
    !doc.networks.includes(dstNet)
  )
    return ALL_PORTS;
  if (src.kind === 'pod') {
    const srcNet = memberOf(doc, src.pod);
    return srcNet === undefined ? NO_PORTS : networkGrant(doc, srcNet, dstNet);
  }
  const ip = parseIp(src.ip)!;
  let ports: PortSet = NO_PORTS;
  for (const e of doc.expose) {
    if (e.network !== dstNet) continue;
    const inside = cidrContainsIp(parseCidr(e.cidr)!, ip);
    const excluded = e.except.some((x) => cidrContainsIp(parseCidr(x)!, ip));
    if (inside && !excluded) ports = unionPortSets(ports, portSetFromSpecs(e.ports));
  }
  return ports;
}

function expectedEgress(doc: NormalisedDocument, src: EvalPod, dst: EvalSource): PortSet {
  const srcNet = src.labels[doc.options.labelKey];
  const isolated =
    doc.options.egress === 'enforce' &&
    doc.namespaces.includes(src.namespace) &&
    srcNet !== undefined &&
    doc.networks.includes(srcNet);
  if (!isolated) return ALL_PORTS;
  if (dst.kind === 'external') return NO_PORTS;
  const dstNet = memberOf(doc, dst.pod);
  let ports = dstNet === undefined ? NO_PORTS : networkGrant(doc, srcNet, dstNet);
  if (dst.pod.namespace === 'kube-system' && dst.pod.labels['k8s-app'] === 'kube-dns')
    ports = unionPortSets(ports, DNS_PORTS);
  return ports;
}

/** The ports the truth table allows from `src` to `dst` (ingress and, for pods, egress). */
export function expected(doc: NormalisedDocument, src: EvalSource, dst: EvalPod): PortSet {
  const ingress = expectedIngress(doc, src, dst);
  return src.kind === 'pod'
    ? intersectPortSets(ingress, expectedEgress(doc, src.pod, { kind: 'pod', pod: dst }))
    : ingress;
}

/** Every kind of pod the truth table distinguishes, in listed, unlisted and system namespaces. */
export function worldPods(doc: NormalisedDocument): EvalPod[] {
  const key = doc.options.labelKey;
  const pods: EvalPod[] = [{ namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }];
  for (const namespace of [...doc.namespaces, OUTSIDE_NS]) {
    for (const n of doc.networks) pods.push({ namespace, labels: { [key]: n } });
    pods.push(
      { namespace, labels: {} },
      { namespace, labels: { [key]: 'stranger' } },
      { namespace, labels: { other: 'x' } },
    );
  }
  return pods;
}

/** Addresses inside and outside every cidr and except of the document, plus fixed ones. */
export function worldAddresses(doc: NormalisedDocument): string[] {
  const ips = new Set(['8.8.8.8', '10.9.9.9', '2001:db8:ffff::1', '::1']);
  for (const e of doc.expose) {
    for (const c of [e.cidr, ...e.except]) {
      const ip = c.split('/')[0];
      ips.add(ip);
      if (!ip.includes(':')) ips.add(ip.replace(/\.0$/, '.9'));
    }
  }
  return [...ips].sort();
}
