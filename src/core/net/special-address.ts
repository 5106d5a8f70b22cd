import { formatIp, parseIp } from './cidr.js';

/**
 * Addresses the service must not send a request to on a user's behalf (a cluster's API server,
 * a webhook): link-local (cloud metadata services such as 169.254.169.254 live there),
 * unspecified (0.0.0.0 and :: reach the local host on Linux), multicast and broadcast (no TCP
 * server; they reach a whole neighbourhood). Loopback and private ranges are ordinary: test and
 * on-premises clusters and receivers live there.
 */
export type SpecialAddressKind = 'link-local' | 'unspecified' | 'multicast' | 'broadcast';

interface Range {
  family: 4 | 6;
  first: bigint;
  prefix: number;
  kind: SpecialAddressKind;
}

const range = (family: 4 | 6, text: string, prefix: number, kind: SpecialAddressKind): Range => {
  const ip = parseIp(text);
  if (!ip || ip.family !== family) throw new Error(`bad range ${text}`);
  return { family, first: ip.value, prefix, kind };
};

const RANGES: readonly Range[] = [
  // 0.0.0.0/8 is "this network" (RFC 791); connecting to any of it reaches the local host or fails.
  range(4, '0.0.0.0', 8, 'unspecified'),
  range(4, '169.254.0.0', 16, 'link-local'),
  range(4, '224.0.0.0', 4, 'multicast'),
  range(4, '255.255.255.255', 32, 'broadcast'),
  range(6, '::', 128, 'unspecified'),
  range(6, 'fe80::', 10, 'link-local'),
  range(6, 'ff00::', 8, 'multicast'),
];

/** IPv6 prefixes that carry an IPv4 address and reach it over IPv4: where, and its bit offset. */
const IPV4_CARRIERS: readonly { first: bigint; prefix: number; shift: bigint }[] = [
  // IPv4-mapped (RFC 4291): Node connects to the IPv4 address itself.
  { first: 0xffffn << 32n, prefix: 96, shift: 0n },
  // The NAT64 well-known prefix (RFC 6052): a translator forwards to the IPv4 address.
  { first: 0x64ff9bn << 96n, prefix: 96, shift: 0n },
  // 6to4 (RFC 3056): 2002:AABB:CCDD::/48 is relayed to the IPv4 address AA.BB.CC.DD.
  { first: 0x2002n << 112n, prefix: 16, shift: 80n },
];

function inPrefix(value: bigint, bits: number, first: bigint, prefix: number): boolean {
  const shift = BigInt(bits - prefix);
  return value >> shift === first >> shift;
}

/**
 * The kind of special address `address` is, or undefined for an ordinary address and for text
 * that is not an IP address (a host name). Takes an address as Node and the WHATWG URL parser
 * write it (dotted quad; IPv6 with or without brackets). An IPv6 address that carries an IPv4
 * address (IPv4-mapped, NAT64) is judged by that IPv4 address.
 */
export function specialAddressKind(address: string): SpecialAddressKind | undefined {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  // A zone (fe80::1%eth0) says which link; the address is what it is.
  const ip = parseIp(bare.replace(/%.*$/, ''));
  if (!ip) return undefined;
  if (ip.family === 6) {
    for (const carrier of IPV4_CARRIERS) {
      if (inPrefix(ip.value, 128, carrier.first, carrier.prefix)) {
        return specialAddressKind(formatIp(4, (ip.value >> carrier.shift) & 0xffffffffn));
      }
    }
  }
  const bits = ip.family === 4 ? 32 : 128;
  return RANGES.find((r) => r.family === ip.family && inPrefix(ip.value, bits, r.first, r.prefix))
    ?.kind;
}
