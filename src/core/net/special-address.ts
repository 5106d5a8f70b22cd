import { cidrContainsIp, parseCidr, parseIp, type Cidr } from './cidr.js';

/**
 * Why an address must not be the target of a request the service makes on a user's behalf
 * (webhooks; see the README, Security): it reaches the machine itself or its neighbourhood in
 * ways no remote service needs.
 */
export type SpecialAddressKind = 'link-local' | 'unspecified' | 'multicast' | 'broadcast';

const RANGES: readonly { cidr: Cidr; kind: SpecialAddressKind }[] = [
  // 169.254.169.254 is the metadata service of most clouds.
  ['169.254.0.0/16', 'link-local'],
  ['fe80::/10', 'link-local'],
  // "this network": 0.0.0.0 reaches the local host on many systems.
  ['0.0.0.0/8', 'unspecified'],
  ['::/128', 'unspecified'],
  ['224.0.0.0/4', 'multicast'],
  ['ff00::/8', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
].map(([text, kind]) => ({ cidr: parseCidr(text)!, kind: kind as SpecialAddressKind }));

/**
 * The IPv4 address an IPv6 address carries and that routers or the host would reach instead:
 * IPv4-mapped (`::ffff:a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`), 6to4 (`2002:AABB:CCDD::`).
 */
function embeddedIPv4(value: bigint): bigint | undefined {
  if (value >> 32n === 0xffffn) return value & 0xffffffffn;
  if (value >> 32n === 0x64ff9b_0000_0000_0000_0000n) return value & 0xffffffffn;
  if (value >> 112n === 0x2002n) return (value >> 80n) & 0xffffffffn;
  return undefined;
}

/**
 * The kind of special address `ip` is (an IPv4 or IPv6 address as text, without brackets or
 * zone), looking through IPv6 forms that embed an IPv4 address; undefined for an ordinary one
 * and for text that is not an address.
 */
export function specialAddressKind(ip: string): SpecialAddressKind | undefined {
  const parsed = parseIp(ip.replace(/%.*$/, ''));
  if (!parsed) return undefined;
  const candidates = [parsed];
  if (parsed.family === 6) {
    const v4 = embeddedIPv4(parsed.value);
    if (v4 !== undefined) candidates.push({ family: 4, value: v4 });
  }
  for (const c of candidates) for (const r of RANGES) if (cidrContainsIp(r.cidr, c)) return r.kind;
  return undefined;
}
