import { cidrContainsIp, cidrIsStrictSubset, formatIp, parseCidr, parseIp } from './cidr.js';

describe('parseCidr', () => {
  const cases: { name: string; input: string; expected: string | undefined; hostBits?: boolean }[] =
    [
      { name: 'ipv4 canonical', input: '10.0.0.0/8', expected: '10.0.0.0/8', hostBits: false },
      { name: 'ipv4 host bits', input: '10.1.2.3/8', expected: '10.0.0.0/8', hostBits: true },
      { name: 'ipv4 /0', input: '0.0.0.0/0', expected: '0.0.0.0/0' },
      { name: 'ipv4 /32', input: '192.168.1.7/32', expected: '192.168.1.7/32' },
      {
        name: 'ipv6 compress',
        input: '2001:DB8:0:0:0:0:0:0/32',
        expected: '2001:db8::/32',
        hostBits: false,
      },
      {
        name: 'ipv6 host bits',
        input: '2001:db8::1/64',
        expected: '2001:db8::/64',
        hostBits: true,
      },
      { name: 'ipv6 all', input: '::/0', expected: '::/0' },
      { name: 'ipv6 v4 tail', input: '::ffff:10.0.0.1/128', expected: '::ffff:a00:1/128' },
      { name: 'no prefix', input: '10.0.0.0', expected: undefined },
      { name: 'prefix too long v4', input: '10.0.0.0/33', expected: undefined },
      { name: 'prefix too long v6', input: '::/129', expected: undefined },
      { name: 'octet too big', input: '256.0.0.0/8', expected: undefined },
      { name: 'leading zero octet', input: '010.0.0.0/8', expected: undefined },
      { name: 'leading zero prefix', input: '10.0.0.0/08', expected: undefined },
      { name: 'two double colons', input: '1::2::3/64', expected: undefined },
      { name: 'garbage', input: 'abc/8', expected: undefined },
      { name: 'empty', input: '', expected: undefined },
    ];
  it.each(cases)('$name', ({ input, expected, hostBits }) => {
    const c = parseCidr(input);
    expect(c?.text).toBe(expected);
    if (hostBits !== undefined) expect(c?.hadHostBits).toBe(hostBits);
  });
});

describe('subset and containment', () => {
  const c = (s: string) => parseCidr(s)!;
  it.each([
    { inner: '10.1.0.0/16', outer: '10.0.0.0/8', expected: true },
    { inner: '10.0.0.0/8', outer: '10.0.0.0/8', expected: false },
    { inner: '11.0.0.0/16', outer: '10.0.0.0/8', expected: false },
    { inner: '2001:db8::/48', outer: '2001:db8::/32', expected: true },
    { inner: '::/1', outer: '0.0.0.0/0', expected: false },
  ])('$inner ⊂ $outer = $expected', ({ inner, outer, expected }) => {
    expect(cidrIsStrictSubset(c(inner), c(outer))).toBe(expected);
  });
  it('contains an address of its family only', () => {
    expect(cidrContainsIp(c('10.0.0.0/8'), parseIp('10.9.9.9')!)).toBe(true);
    expect(cidrContainsIp(c('10.0.0.0/8'), parseIp('11.0.0.0')!)).toBe(false);
    expect(cidrContainsIp(c('::/0'), parseIp('10.0.0.1')!)).toBe(false);
  });
  it('formats RFC 5952', () => {
    expect(formatIp(6, parseIp('2001:0db8:0000:0000:0001:0000:0000:0001')!.value)).toBe(
      '2001:db8::1:0:0:1',
    );
    expect(formatIp(6, 0n)).toBe('::');
  });
});
