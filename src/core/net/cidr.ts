/** An IP network: address family, prefix length and the network address as a bigint. */
export interface Cidr {
  family: 4 | 6;
  /** The address with host bits cleared. */
  network: bigint;
  prefix: number;
  /** Canonical text: dotted quad, or RFC 5952 IPv6, then `/prefix`. */
  text: string;
  /** True when the input had host bits set (it was canonicalised). */
  hadHostBits: boolean;
  /** True when the address written is an IPv4-mapped IPv6 address (in `::ffff:0:0/96`). */
  ipv4Mapped: boolean;
}

const BITS = { 4: 32, 6: 128 } as const;
/** Longer than any CIDR the API server accepts, even with the leading zeros it refuses. */
const MAX_TEXT = 64;

/**
 * An address as Kubernetes' "sloppy" parser (k8s.io/utils/net ParseIPSloppy, a fork of Go's
 * old net.ParseIP) reads it: leading zeros are allowed in IPv4 octets and IPv6 groups.
 * `leadingZero` records that they were there, because the API server's strict check
 * (netip.ParseAddr) then refuses the value.
 */
interface ScannedAddress {
  family: 4 | 6;
  value: bigint;
  leadingZero: boolean;
}

const DIGITS = /^[0-9]+$/;
const HEX = /^[0-9a-fA-F]+$/;

function scanIPv4(s: string): { value: bigint; leadingZero: boolean } | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  let leadingZero = false;
  for (const p of parts) {
    if (!DIGITS.test(p)) return undefined;
    if (p.length > 1 && p[0] === '0') leadingZero = true;
    const n = Number(p);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return { value, leadingZero };
}

function scanIPv6(s: string): { value: bigint; leadingZero: boolean } | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const elided = halves.length === 2;
  const groupsOf = (h: string): string[] => (h === '' ? [] : h.split(':'));
  const head = groupsOf(halves[0]);
  const tail = elided ? groupsOf(halves[1]) : [];
  let leadingZero = false;
  // Parses the groups of one half; an IPv4 tail is allowed as the last group of the address.
  const words = (groups: string[], holdsLast: boolean): number[] | undefined => {
    const out: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      if (holdsLast && i === groups.length - 1 && g.includes('.')) {
        const v4 = scanIPv4(g);
        if (!v4) return undefined;
        leadingZero ||= v4.leadingZero;
        out.push(Number(v4.value >> 16n), Number(v4.value & 0xffffn));
        continue;
      }
      if (!HEX.test(g)) return undefined;
      // Go's netip allows at most 4 hex digits; more can only be leading zeros here.
      if (g.length > 4) leadingZero = true;
      const n = parseInt(g, 16);
      if (n > 0xffff) return undefined;
      out.push(n);
    }
    return out;
  };
  const headWords = words(head, !elided);
  const tailWords = words(tail, elided);
  if (!headWords || !tailWords) return undefined;
  const total = headWords.length + tailWords.length;
  // Without `::` exactly 8 words; with it, `::` must stand for at least one zero word.
  if (elided ? total > 7 : total !== 8) return undefined;
  const full = [...headWords, ...Array<number>(8 - total).fill(0), ...tailWords];
  return { value: full.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n), leadingZero };
}

function scanAddress(s: string): ScannedAddress | undefined {
  if (s.length > MAX_TEXT) return undefined;
  const family = s.includes(':') ? 6 : 4;
  const scanned = family === 6 ? scanIPv6(s) : scanIPv4(s);
  return scanned && { family, ...scanned };
}

/** True when a 128-bit value lies in `::ffff:0:0/96`, the IPv4-mapped IPv6 addresses. */
function isIPv4MappedValue(value: bigint): boolean {
  return value >> 32n === 0xffffn;
}

/**
 * Parses a bare IPv4 or IPv6 address. Strict, as Go's netip.ParseAddr: no leading zeros, no
 * zone. IPv4-mapped IPv6 addresses are read as the IPv6 addresses they are.
 */
export function parseIp(s: string): { family: 4 | 6; value: bigint } | undefined {
  if (typeof s !== 'string') return undefined;
  const a = scanAddress(s);
  return a && !a.leadingZero ? { family: a.family, value: a.value } : undefined;
}

/** Formats an address of the given family canonically (RFC 5952 for IPv6). */
export function formatIp(family: 4 | 6, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((sh) => String((value >> sh) & 0xffn)).join('.');
  }
  const words = Array.from({ length: 8 }, (_, i) =>
    Number((value >> BigInt(112 - 16 * i)) & 0xffffn),
  );
  // RFC 5952: compress the longest run (length >= 2) of zero words, the first on a tie.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

function mask(family: 4 | 6, prefix: number): bigint {
  const bits = BigInt(BITS[family]);
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

/** Builds the Cidr of a network address (host bits already clear) and prefix length. */
export function makeCidr(family: 4 | 6, network: bigint, prefix: number): Cidr {
  return {
    family,
    network,
    prefix,
    text: `${formatIp(family, network)}/${prefix}`,
    hadHostBits: false,
    ipv4Mapped: family === 6 && isIPv4MappedValue(network),
  };
}

/** Why the API server refuses a CIDR string (see checkCidr). */
export type CidrRefusal = 'INVALID_CIDR' | 'CIDR_LEADING_ZERO' | 'CIDR_IPV4_MAPPED';

/** The API server's verdict on a CIDR string, and the canonical CIDR when it is usable. */
export type CidrCheck = { ok: true; cidr: Cidr } | { ok: false; code: CidrRefusal };

/**
 * Checks a CIDR string exactly as kube-apiserver v1.37 validates a NetworkPolicy's
 * `ipBlock.cidr` and `ipBlock.except` on a new object (apimachinery's
 * IsValidCIDRForLegacyField with StrictIPCIDRValidation, on by default since v1.36):
 *
 * - `INVALID_CIDR`: netutils.ParseCIDRSloppy refuses it: no `/`, a bad address, a prefix
 *   length out of range or not decimal digits, an IPv6 zone (`%eth0`), any whitespace;
 * - `CIDR_LEADING_ZERO`: the sloppy parser reads it but netip.ParsePrefix does not: a
 *   leading zero in an IPv4 octet (also inside IPv6), more than 4 digits in an IPv6 group,
 *   or a leading zero in the prefix length;
 * - `CIDR_IPV4_MAPPED`: the address is IPv4-mapped IPv6 (in `::ffff:0:0/96`), whatever the
 *   prefix length and however it is spelled (`::ffff:10.0.0.0` or `::ffff:a00:0`);
 * - otherwise ok. Host bits set (`10.1.2.3/8`) are refused by the API server as well, but
 *   the canonical form is not, so the CIDR is returned canonical with `hadHostBits` for the
 *   caller to warn about. IPv6 in any valid spelling (upper case, `0db8`, no `::`) is
 *   accepted by the API server; the canonical text is RFC 5952.
 *
 * The checks run in the API server's order, and the first that fails is the answer.
 */
export function checkCidr(s: string): CidrCheck {
  if (typeof s !== 'string' || s.length > MAX_TEXT) return { ok: false, code: 'INVALID_CIDR' };
  // The sloppy parser splits at the first `/`; netip at the last. A second `/` fails both.
  const slash = s.indexOf('/');
  if (slash < 0) return { ok: false, code: 'INVALID_CIDR' };
  const address = scanAddress(s.slice(0, slash));
  const prefixText = s.slice(slash + 1);
  if (!address || !DIGITS.test(prefixText)) return { ok: false, code: 'INVALID_CIDR' };
  const prefix = Number(prefixText);
  if (prefix > BITS[address.family]) return { ok: false, code: 'INVALID_CIDR' };
  if (address.leadingZero || (prefixText.length > 1 && prefixText[0] === '0'))
    return { ok: false, code: 'CIDR_LEADING_ZERO' };
  if (address.family === 6 && isIPv4MappedValue(address.value))
    return { ok: false, code: 'CIDR_IPV4_MAPPED' };
  const network = address.value & mask(address.family, prefix);
  return {
    ok: true,
    cidr: { ...makeCidr(address.family, network, prefix), hadHostBits: network !== address.value },
  };
}

/**
 * Parses `address/prefix` for evaluation. Returns undefined when it is not a CIDR (leading
 * zeros included, as in checkCidr). Host bits are cleared (and reported through
 * `hadHostBits`). Unlike checkCidr it accepts IPv4-mapped IPv6 CIDRs, reading them as the
 * IPv6 networks they are (an object stored before strict validation may hold one); use
 * checkCidr to decide what the API server accepts.
 */
export function parseCidr(s: string): Cidr | undefined {
  const check = checkCidr(s);
  if (check.ok) return check.cidr;
  if (check.code !== 'CIDR_IPV4_MAPPED') return undefined;
  const slash = s.indexOf('/');
  const address = scanAddress(s.slice(0, slash))!;
  const prefix = Number(s.slice(slash + 1));
  const network = address.value & mask(6, prefix);
  return {
    ...makeCidr(6, network, prefix),
    hadHostBits: network !== address.value,
    ipv4Mapped: true,
  };
}

/** True when `ip` (same family) lies inside `cidr`. */
export function cidrContainsIp(cidr: Cidr, ip: { family: 4 | 6; value: bigint }): boolean {
  return cidr.family === ip.family && (ip.value & mask(cidr.family, cidr.prefix)) === cidr.network;
}

/** True when `inner` is inside `outer` and smaller than it (a strict subset). */
export function cidrIsStrictSubset(inner: Cidr, outer: Cidr): boolean {
  return (
    inner.family === outer.family &&
    inner.prefix > outer.prefix &&
    cidrContainsIp(outer, { family: inner.family, value: inner.network })
  );
}

/** The first and last address of a CIDR. */
export function cidrBounds(c: Cidr): { first: bigint; last: bigint } {
  const hostBits = BigInt(BITS[c.family] - c.prefix);
  return { first: c.network, last: c.network | ((1n << hostBits) - 1n) };
}
