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
}

const BITS = { 4: 32, 6: 128 } as const;

/** Parses an IPv4 dotted quad (no leading zeros) into a bigint, or undefined. */
function parseIPv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

/** Parses an IPv6 address (with `::` and an optional embedded IPv4 tail) into a bigint. */
function parseIPv6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.length > 45) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): string[] | undefined => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const words: number[] = [];
  const pushGroup = (g: string, isLast: boolean): boolean => {
    if (isLast && g.includes('.')) {
      const v4 = parseIPv4(g);
      if (v4 === undefined) return false;
      words.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      return true;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
    words.push(parseInt(g, 16));
    return true;
  };
  const all = [...head, ...tail];
  const headWords: number[] = [];
  for (let i = 0; i < head.length; i++) {
    if (!pushGroup(head[i], halves.length === 1 && i === head.length - 1)) return undefined;
  }
  headWords.push(...words.splice(0));
  for (let i = 0; i < tail.length; i++) {
    if (!pushGroup(tail[i], i === tail.length - 1)) return undefined;
  }
  const tailWords = words.splice(0);
  const total = headWords.length + tailWords.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  if (all.length === 0 && halves.length === 1) return undefined;
  const full = [...headWords, ...Array.from({ length: 8 - total }, () => 0), ...tailWords];
  return full.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n);
}

/** Parses a bare IPv4 or IPv6 address. */
export function parseIp(s: string): { family: 4 | 6; value: bigint } | undefined {
  if (s.includes(':')) {
    const value = parseIPv6(s);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIPv4(s);
  return value === undefined ? undefined : { family: 4, value };
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

/**
 * Parses `address/prefix`. Returns undefined when it is not a CIDR. Host bits are cleared
 * (and reported through `hadHostBits`), the way the API server's validation expects them.
 */
export function parseCidr(s: string): Cidr | undefined {
  if (typeof s !== 'string' || s.length > 64) return undefined;
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(s.slice(0, slash));
  const prefixText = s.slice(slash + 1);
  if (!ip || !/^(0|[1-9]\d{0,2})$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > BITS[ip.family]) return undefined;
  const network = ip.value & mask(ip.family, prefix);
  return {
    family: ip.family,
    network,
    prefix,
    text: `${formatIp(ip.family, network)}/${prefix}`,
    hadHostBits: network !== ip.value,
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
