import { specialAddressKind } from './special-address.js';

describe('specialAddressKind', () => {
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
