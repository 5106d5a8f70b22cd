import { cidrBounds, cidrContainsIp, type Cidr } from './cidr.js';

/**
 * Arithmetic on sets of CIDRs. Two CIDRs of one family are either disjoint or one contains
 * the other, so a set of CIDRs none of which contains another is a disjoint cover, and its
 * size is the sum of its members' sizes.
 */

const BITS = { 4: 32, 6: 128 } as const;

/** Address order: family, then network address, then prefix length (the larger CIDR first). */
export function compareCidrs(a: Cidr, b: Cidr): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.network !== b.network) return a.network < b.network ? -1 : 1;
  return a.prefix - b.prefix;
}

/** True when every address of `inner` is in `outer` (equal CIDRs included); same family only. */
export function cidrCovers(outer: Cidr, inner: Cidr): boolean {
  return (
    outer.family === inner.family &&
    outer.prefix <= inner.prefix &&
    cidrContainsIp(outer, { family: inner.family, value: inner.network })
  );
}

/** True when the two CIDRs share an address: for CIDRs, when one covers the other. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return cidrCovers(a, b) || cidrCovers(b, a);
}

/** The number of addresses of a CIDR. */
export function cidrSize(c: Cidr): bigint {
  return 1n << BigInt(BITS[c.family] - c.prefix);
}

/**
 * The same union as `cidrs`, with every CIDR that another one covers left out (duplicates
 * included): disjoint, sorted in address order. O(n log n); the input is not changed.
 */
export function minimalCidrs(cidrs: readonly Cidr[]): Cidr[] {
  const sorted = [...cidrs].sort(compareCidrs);
  const out: Cidr[] = [];
  // Sorted by address with larger CIDRs first, a covered CIDR always follows its cover,
  // and nothing between them escapes the cover, so comparing with the last kept is enough.
  for (const c of sorted) {
    const last = out[out.length - 1];
    if (last && cidrCovers(last, c)) continue;
    out.push(c);
  }
  return out;
}

/**
 * True when every address of `whole` is in some CIDR of `parts` (parts of another family,
 * or outside `whole`, count for nothing). O(n log n).
 */
export function cidrsCover(parts: readonly Cidr[], whole: Cidr): boolean {
  const inside: Cidr[] = [];
  for (const p of parts) {
    if (cidrCovers(p, whole)) return true;
    if (cidrCovers(whole, p)) inside.push(p);
  }
  let covered = 0n;
  for (const p of minimalCidrs(inside)) covered += cidrSize(p);
  return covered === cidrSize(whole);
}

/**
 * The first address of `whole` that no CIDR of `holes` contains, or undefined when the holes
 * cover it all. O(n log n).
 */
export function firstAddressOutside(whole: Cidr, holes: readonly Cidr[]): bigint | undefined {
  const { first, last } = cidrBounds(whole);
  let candidate = first;
  for (const h of minimalCidrs(holes.filter((h) => cidrsOverlap(h, whole)))) {
    const b = cidrBounds(h);
    if (b.first > candidate) break;
    if (b.last >= candidate) candidate = b.last + 1n;
  }
  return candidate <= last ? candidate : undefined;
}
