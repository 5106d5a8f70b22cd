import fc from 'fast-check';
import { cidrContainsIp, parseCidr, formatIp, type Cidr } from './cidr.js';
import {
  cidrCovers,
  cidrsCover,
  cidrsOverlap,
  firstAddressOutside,
  minimalCidrs,
} from './cidr-set.js';

const c = (s: string): Cidr => parseCidr(s)!;
const texts = (cs: Cidr[]) => cs.map((x) => x.text);

describe('cidrCovers and cidrsOverlap', () => {
  it.each([
    {
      name: 'strict subset',
      outer: '10.0.0.0/8',
      inner: '10.1.0.0/16',
      covers: true,
      overlap: true,
    },
    { name: 'equal', outer: '10.0.0.0/8', inner: '10.0.0.0/8', covers: true, overlap: true },
    { name: 'bigger', outer: '10.1.0.0/16', inner: '10.0.0.0/8', covers: false, overlap: true },
    { name: 'disjoint', outer: '10.0.0.0/8', inner: '11.0.0.0/8', covers: false, overlap: false },
    {
      name: 'adjacent',
      outer: '10.0.0.0/25',
      inner: '10.0.0.128/25',
      covers: false,
      overlap: false,
    },
    {
      name: 'IPv6 subset',
      outer: '2001:db8::/32',
      inner: '2001:db8:1::/48',
      covers: true,
      overlap: true,
    },
    {
      name: 'IPv6 disjoint',
      outer: '2001:db8::/32',
      inner: 'fd00::/8',
      covers: false,
      overlap: false,
    },
    { name: 'mixed families', outer: '::/0', inner: '10.0.0.0/8', covers: false, overlap: false },
    { name: 'all IPv4', outer: '0.0.0.0/0', inner: '10.244.0.0/16', covers: true, overlap: true },
  ])('$name', ({ outer, inner, covers, overlap }) => {
    expect(cidrCovers(c(outer), c(inner))).toBe(covers);
    expect(cidrsOverlap(c(outer), c(inner))).toBe(overlap);
    expect(cidrsOverlap(c(inner), c(outer))).toBe(overlap);
  });
});

describe('minimalCidrs', () => {
  it.each([
    { name: 'empty', input: [], expected: [] },
    {
      name: 'nested and duplicates dropped, sorted',
      input: ['10.1.2.0/24', '10.1.0.0/16', '192.168.0.0/16', '10.1.0.0/16', '10.2.0.0/16'],
      expected: ['10.1.0.0/16', '10.2.0.0/16', '192.168.0.0/16'],
    },
    {
      name: 'IPv4 before IPv6',
      input: ['fd00::/8', '10.0.0.0/8', 'fd00:1::/32'],
      expected: ['10.0.0.0/8', 'fd00::/8'],
    },
    {
      name: 'a cover that comes after a disjoint block',
      input: ['10.0.0.0/24', '10.0.1.0/24', '10.0.0.0/16'],
      expected: ['10.0.0.0/16'],
    },
  ])('$name', ({ input, expected }) => {
    expect(texts(minimalCidrs(input.map(c)))).toEqual(expected);
  });
});

describe('cidrsCover and firstAddressOutside', () => {
  it.each([
    {
      name: 'two halves',
      whole: '10.0.0.0/24',
      parts: ['10.0.0.0/25', '10.0.0.128/25'],
      covers: true,
      first: undefined,
    },
    {
      name: 'one half',
      whole: '10.0.0.0/24',
      parts: ['10.0.0.0/25'],
      covers: false,
      first: '10.0.0.128',
    },
    {
      name: 'quarters, one missing',
      whole: '10.0.0.0/24',
      parts: ['10.0.0.0/26', '10.0.0.128/26', '10.0.0.192/26'],
      covers: false,
      first: '10.0.0.64',
    },
    {
      name: 'quarters, nested duplicates',
      whole: '10.0.0.0/24',
      parts: ['10.0.0.0/26', '10.0.0.0/27', '10.0.0.64/26', '10.0.0.128/25', '10.0.0.128/26'],
      covers: true,
      first: undefined,
    },
    {
      name: 'a bigger part',
      whole: '10.1.0.0/16',
      parts: ['10.0.0.0/8'],
      covers: true,
      first: undefined,
    },
    {
      name: 'other family',
      whole: '10.0.0.0/8',
      parts: ['::/0'],
      covers: false,
      first: '10.0.0.0',
    },
    { name: 'no parts', whole: '::/0', parts: [], covers: false, first: '::' },
    {
      name: 'IPv6 halves',
      whole: '2001:db8::/32',
      parts: ['2001:db8::/33', '2001:db8:8000::/33'],
      covers: true,
      first: undefined,
    },
  ])('$name', ({ whole, parts, covers, first }) => {
    const w = c(whole);
    expect(cidrsCover(parts.map(c), w)).toBe(covers);
    const f = firstAddressOutside(w, parts.map(c));
    expect(f === undefined ? undefined : formatIp(w.family, f)).toBe(first);
  });

  it('agree with address-by-address counting on a /28', () => {
    const whole = c('10.0.0.0/28');
    const arbPart = fc
      .tuple(fc.integer({ min: 28, max: 32 }), fc.integer({ min: 0, max: 15 }))
      .map(([prefix, offset]) => c(`10.0.0.${offset}/${prefix}`));
    fc.assert(
      fc.property(fc.array(arbPart, { maxLength: 8 }), (parts) => {
        const free: bigint[] = [];
        for (let i = 0n; i < 16n; i++) {
          const ip = { family: 4 as const, value: whole.network + i };
          if (!parts.some((p) => cidrContainsIp(p, ip))) free.push(ip.value);
        }
        expect(cidrsCover(parts, whole)).toBe(free.length === 0);
        expect(firstAddressOutside(whole, parts)).toBe(free[0]);
      }),
      { numRuns: 500 },
    );
  });
});
