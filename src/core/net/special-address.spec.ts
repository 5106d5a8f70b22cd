import { specialAddressKind, type SpecialAddressKind } from './special-address.js';

describe('specialAddressKind', () => {
  const cases: { name: string; input: string; expected: SpecialAddressKind | undefined }[] = [
    { name: 'metadata service', input: '169.254.169.254', expected: 'link-local' },
    { name: 'link-local first', input: '169.254.0.0', expected: 'link-local' },
    { name: 'link-local last', input: '169.254.255.255', expected: 'link-local' },
    { name: 'just below link-local', input: '169.253.255.255', expected: undefined },
    { name: 'just above link-local', input: '169.255.0.0', expected: undefined },
    { name: 'ipv4 unspecified', input: '0.0.0.0', expected: 'unspecified' },
    { name: 'this network', input: '0.1.2.3', expected: 'unspecified' },
    { name: 'multicast first', input: '224.0.0.0', expected: 'multicast' },
    { name: 'multicast last', input: '239.255.255.255', expected: 'multicast' },
    { name: 'above multicast', input: '240.0.0.1', expected: undefined },
    { name: 'loopback', input: '127.0.0.1', expected: undefined },
    { name: 'private', input: '10.0.0.1', expected: undefined },
    { name: 'public', input: '203.0.113.10', expected: undefined },
    { name: 'ipv6 unspecified', input: '::', expected: 'unspecified' },
    { name: 'ipv6 unspecified, bracketed', input: '[::]', expected: 'unspecified' },
    { name: 'ipv6 loopback', input: '::1', expected: undefined },
    { name: 'ipv6 link-local', input: 'fe80::1', expected: 'link-local' },
    { name: 'ipv6 link-local, last of /10', input: 'febf::1', expected: 'link-local' },
    { name: 'ipv6 site-local is not link-local', input: 'fec0::1', expected: undefined },
    { name: 'ipv6 multicast', input: 'ff02::1', expected: 'multicast' },
    { name: 'ipv6 documentation', input: '2001:db8::1', expected: undefined },
    { name: 'ipv4-mapped link-local', input: '::ffff:169.254.169.254', expected: 'link-local' },
    { name: 'ipv4-mapped, hex', input: '[::ffff:a9fe:a9fe]', expected: 'link-local' },
    { name: 'ipv4-mapped unspecified', input: '::ffff:0.0.0.0', expected: 'unspecified' },
    { name: 'ipv4-mapped loopback', input: '::ffff:127.0.0.1', expected: undefined },
    { name: 'nat64 link-local', input: '64:ff9b::a9fe:a9fe', expected: 'link-local' },
    { name: 'host name', input: 'kubernetes.default.svc', expected: undefined },
    { name: 'empty', input: '', expected: undefined },
  ];
  it.each(cases)('$name', ({ input, expected }) => {
    expect(specialAddressKind(input)).toBe(expected);
  });

  // Every spelling the WHATWG URL parser (and so Node's http client) reads as one of these
  // addresses: specialAddressKind judges the hostname the parser made of it.
  const spellings: { url: string; expected: SpecialAddressKind | undefined }[] = [
    { url: 'https://169.254.169.254:6443', expected: 'link-local' },
    { url: 'https://2852039166', expected: 'link-local' },
    { url: 'https://0xA9FEA9FE', expected: 'link-local' },
    { url: 'https://0xa9.0xfe.0xa9.0xfe', expected: 'link-local' },
    { url: 'https://0251.0376.0251.0376', expected: 'link-local' },
    { url: 'https://025177524776', expected: 'link-local' },
    { url: 'https://169.254.43518', expected: 'link-local' },
    { url: 'https://169.16689662', expected: 'link-local' },
    { url: 'https://169.254.169.254.', expected: 'link-local' },
    { url: 'https://[::ffff:169.254.169.254]', expected: 'link-local' },
    { url: 'https://[0:0:0:0:0:ffff:a9fe:a9fe]', expected: 'link-local' },
    { url: 'https://[fe80::1]:6443', expected: 'link-local' },
    { url: 'https://[FE80:0:0:0:0:0:0:1]', expected: 'link-local' },
    { url: 'https://0.0.0.0', expected: 'unspecified' },
    { url: 'https://0', expected: 'unspecified' },
    { url: 'https://0x0', expected: 'unspecified' },
    { url: 'https://[::]', expected: 'unspecified' },
    { url: 'https://[0:0:0:0:0:0:0:0]', expected: 'unspecified' },
    { url: 'https://224.0.0.1', expected: 'multicast' },
    { url: 'https://3758096385', expected: 'multicast' },
    { url: 'https://[ff02::1]', expected: 'multicast' },
    { url: 'https://127.0.0.1:6443', expected: undefined },
    { url: 'https://2130706433', expected: undefined },
    { url: 'https://10.0.0.1', expected: undefined },
    { url: 'https://[::1]', expected: undefined },
    { url: 'https://api.example.com', expected: undefined },
  ];
  it.each(spellings)('$url', ({ url, expected }) => {
    expect(specialAddressKind(new URL(url).hostname)).toBe(expected);
  });
});

describe('specialAddressKind (webhook targets)', () => {
  it.each([
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    // IPv6 forms that carry an IPv4 address reach that address.
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['64:ff9b::169.254.169.254', 'link-local'],
    ['2002:a9fe:a9fe::1', 'link-local'],
    ['::ffff:0.0.0.0', 'unspecified'],
  ])('%s is %s', (ip, kind) => {
    expect(specialAddressKind(ip)).toBe(kind);
  });

  it.each([
    '127.0.0.1',
    '10.0.0.1',
    '192.168.1.1',
    '8.8.8.8',
    '169.253.255.255',
    '169.255.0.0',
    '::1',
    '2001:db8::1',
    'fec0::1',
    '::ffff:8.8.8.8',
    'example.com',
    '',
  ])('%s is ordinary (or not an address)', (ip) => {
    expect(specialAddressKind(ip)).toBeUndefined();
  });
});
