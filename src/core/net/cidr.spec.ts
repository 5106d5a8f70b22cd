import {
  checkCidr,
  cidrContainsIp,
  cidrIsStrictSubset,
  formatIp,
  parseCidr,
  parseIp,
  type CidrRefusal,
} from './cidr.js';

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

describe('checkCidr: the API server verdict on ipBlock cidr/except (kube-apiserver v1.37.2)', () => {
  // `apiserver` is what k8s.io/kubernetes@v1.37.2 pkg/apis/networking/validation
  // ValidateNetworkPolicy answers for a NEW NetworkPolicy holding the value as ipBlock.cidr
  // (StrictIPCIDRValidation is on by default since v1.36): "ok" or its error message, run
  // against the real Go code. `expected` is ours: the canonical text we emit, or the code.
  const cases: {
    input: string;
    apiserver: string;
    expected: string | CidrRefusal;
    hostBits?: true;
  }[] = [
    { input: '10.0.0.0/8', apiserver: 'ok', expected: '10.0.0.0/8' },
    { input: '0.0.0.0/0', apiserver: 'ok', expected: '0.0.0.0/0' },
    { input: '1.2.3.4/32', apiserver: 'ok', expected: '1.2.3.4/32' },
    { input: '::/0', apiserver: 'ok', expected: '::/0' },
    // Non-canonical IPv6 spellings are accepted (legacy field); we emit RFC 5952.
    { input: '2001:DB8::/32', apiserver: 'ok', expected: '2001:db8::/32' },
    { input: '2001:0db8::/32', apiserver: 'ok', expected: '2001:db8::/32' },
    { input: '2001:db8:0:0:0:0:0:0/32', apiserver: 'ok', expected: '2001:db8::/32' },
    { input: '1:2:3:4:5:6:7::/128', apiserver: 'ok', expected: '1:2:3:4:5:6:7:0/128' },
    // IPv4-compatible and NAT64 addresses with a dotted tail are not IPv4-mapped.
    { input: '::1.2.3.4/128', apiserver: 'ok', expected: '::102:304/128' },
    { input: '::10.0.0.0/104', apiserver: 'ok', expected: '::a00:0/104' },
    { input: '64:ff9b::10.0.0.0/120', apiserver: 'ok', expected: '64:ff9b::a00:0/120' },
    { input: '::fffe:0:0/96', apiserver: 'ok', expected: '::fffe:0:0/96' },
    // Host bits: refused by the API server, but its canonical form is not; we emit that.
    {
      input: '10.1.2.3/8',
      apiserver: 'must not have bits set beyond the prefix length',
      expected: '10.0.0.0/8',
      hostBits: true,
    },
    {
      input: '1.2.3.4/0',
      apiserver: 'must not have bits set beyond the prefix length',
      expected: '0.0.0.0/0',
      hostBits: true,
    },
    {
      input: '2001:db8::1/64',
      apiserver: 'must not have bits set beyond the prefix length',
      expected: '2001:db8::/64',
      hostBits: true,
    },
    // IPv4-mapped IPv6: refused whatever the prefix length and the spelling.
    {
      input: '::ffff:10.0.0.0/104',
      apiserver: 'must not have an IPv4-mapped IPv6 address',
      expected: 'CIDR_IPV4_MAPPED',
    },
    {
      input: '::ffff:a00:0/104',
      apiserver: 'must not have an IPv4-mapped IPv6 address',
      expected: 'CIDR_IPV4_MAPPED',
    },
    {
      input: '::ffff:10.0.0.0/8',
      apiserver: 'must not have an IPv4-mapped IPv6 address',
      expected: 'CIDR_IPV4_MAPPED',
    },
    {
      input: '::ffff:0:0/96',
      apiserver: 'must not have an IPv4-mapped IPv6 address',
      expected: 'CIDR_IPV4_MAPPED',
    },
    {
      input: '::ffff:0:0/95',
      apiserver: 'must not have an IPv4-mapped IPv6 address',
      expected: 'CIDR_IPV4_MAPPED',
    },
    // Leading zeros (octal in some software): refused.
    {
      input: '010.0.0.0/8',
      apiserver: 'must not have leading 0s in IP or prefix length',
      expected: 'CIDR_LEADING_ZERO',
    },
    {
      input: '10.0.0.00/24',
      apiserver: 'must not have leading 0s in IP or prefix length',
      expected: 'CIDR_LEADING_ZERO',
    },
    {
      input: '10.0.0.0/08',
      apiserver: 'must not have leading 0s in IP or prefix length',
      expected: 'CIDR_LEADING_ZERO',
    },
    {
      input: '::/00',
      apiserver: 'must not have leading 0s in IP or prefix length',
      expected: 'CIDR_LEADING_ZERO',
    },
    {
      input: '02001:db8::/32',
      apiserver: 'must not have leading 0s in IP or prefix length',
      expected: 'CIDR_LEADING_ZERO',
    },
    {
      input: '::01.2.3.4/128',
      apiserver: 'must not have leading 0s in IP or prefix length',
      expected: 'CIDR_LEADING_ZERO',
    },
    // Not a CIDR at all.
    { input: 'fe80::%eth0/64', apiserver: 'must be a valid CIDR value', expected: 'INVALID_CIDR' },
    { input: 'fe80::1%eth0/64', apiserver: 'must be a valid CIDR value', expected: 'INVALID_CIDR' },
    { input: '10.0.0.0/33', apiserver: 'must be a valid CIDR value', expected: 'INVALID_CIDR' },
    { input: '::/129', apiserver: 'must be a valid CIDR value', expected: 'INVALID_CIDR' },
    { input: '10.0.0.0', apiserver: 'must be a valid CIDR value', expected: 'INVALID_CIDR' },
    { input: ' 10.0.0.0/8', apiserver: 'must be a valid CIDR value', expected: 'INVALID_CIDR' },
    { input: '10.0.0.0/8 ', apiserver: 'must be a valid CIDR value', expected: 'INVALID_CIDR' },
    { input: '10.0.0.0/+8', apiserver: 'must be a valid CIDR value', expected: 'INVALID_CIDR' },
    { input: '10.0.0/24', apiserver: 'must be a valid CIDR value', expected: 'INVALID_CIDR' },
    {
      input: '1:2:3:4:5:6:7:8::/128',
      apiserver: 'must be a valid CIDR value',
      expected: 'INVALID_CIDR',
    },
    { input: '12345::/16', apiserver: 'must be a valid CIDR value', expected: 'INVALID_CIDR' },
    { input: '10.0.0.0/8/8', apiserver: 'must be a valid CIDR value', expected: 'INVALID_CIDR' },
  ];
  it.each(cases)('$input: API server says "$apiserver"', ({ input, expected, hostBits }) => {
    const check = checkCidr(input);
    expect(check.ok ? check.cidr.text : check.code).toBe(expected);
    if (check.ok) expect(check.cidr.hadHostBits).toBe(hostBits ?? false);
  });

  it('parseCidr still reads an IPv4-mapped CIDR (as IPv6) for evaluating stored objects', () => {
    const c = parseCidr('::ffff:10.0.0.0/104')!;
    expect(c).toMatchObject({ family: 6, prefix: 104, ipv4Mapped: true, text: '::ffff:a00:0/104' });
    expect(parseCidr('010.0.0.0/8')).toBeUndefined();
  });

  it('parseIp is strict: no leading zeros, no zone', () => {
    expect(parseIp('010.0.0.1')).toBeUndefined();
    expect(parseIp('fe80::1%eth0')).toBeUndefined();
    expect(parseIp('::ffff:10.0.0.1')).toEqual({ family: 6, value: 0xffff0a000001n });
  });
});
