import { run } from './node-host.js';

// IPv4 arithmetic and host route checks for the node harness (IPv4 only: the node is IPv4).

/** A CIDR's network address (as a number) and prefix length; host bits are cleared. */
export function parseCidr(cidr: string): { base: number; bits: number } {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!match) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const octets = match.slice(1, 5).map(Number);
  const bits = Number(match[5]);
  if (octets.some((o) => o > 255) || bits > 32) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const value = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - bits);
  return { base: value - (value % size), bits };
}

export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  const bits = Math.min(x.bits, y.bits);
  const size = 2 ** (32 - bits);
  return x.base - (x.base % size) === y.base - (y.base % size);
}

/** Host routes (all tables, so also local addresses) that overlap `cidr`; the default route aside. */
export function hostRoutesOverlapping(cidr: string): string[] {
  const routes = JSON.parse(run('ip', ['-j', '-4', 'route', 'show', 'table', 'all'])) as {
    dst?: string;
    dev?: string;
    table?: string;
  }[];
  return routes
    .filter((r) => r.dst && r.dst !== 'default')
    .filter((r) => cidrsOverlap(cidr, r.dst?.includes('/') ? r.dst : `${r.dst}/32`))
    .map((r) => `${r.dst} dev ${r.dev ?? '?'}${r.table ? ` table ${r.table}` : ''}`);
}

export function ipAt(base: number, offset: number): string {
  const value = base + offset;
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** The address of the interface that holds the default route, else the first global IPv4. */
export function primaryIpv4(exclude: readonly string[]): string {
  try {
    const route = JSON.parse(run('ip', ['-j', '-4', 'route', 'get', '192.0.2.255'])) as {
      prefsrc?: string;
      dev?: string;
    }[];
    const src = route[0]?.prefsrc;
    if (src && !exclude.includes(route[0]?.dev ?? '')) return src;
  } catch {
    // no default route: fall through
  }
  const addrs = JSON.parse(run('ip', ['-j', '-4', 'addr', 'show', 'scope', 'global'])) as {
    ifname: string;
    addr_info?: { local?: string }[];
  }[];
  for (const link of addrs) {
    if (exclude.includes(link.ifname)) continue;
    const local = link.addr_info?.find((a) => a.local)?.local;
    if (local) return local;
  }
  throw new Error('the node needs a global IPv4 address (none found)');
}
