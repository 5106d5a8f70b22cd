import { isDns1123Label, isDns1123Subdomain } from './dns-names.js';
import { childPath, isPlainObject, nestingDepthExceeds } from './json-shape.js';
import { isValidLabelKey } from './label-key.js';
import { NetworkNames, convertNetworkName } from './network-names.js';
import { comparePointers, sortProblems } from './ordering.js';
import { comparePortSpecs, isIanaSvcName, parsePortValue, sortPortSpecs } from './parse-ports.js';
import { ProblemSink } from './problem-sink.js';
import { pointer, problem } from '../problems/problem.js';

describe('DNS-1123 names', () => {
  it.each([
    { s: 'a', label: true, subdomain: true },
    { s: '0', label: true, subdomain: true },
    { s: 'a-b', label: true, subdomain: true },
    { s: 'a.b', label: false, subdomain: true },
    { s: 'a..b', label: false, subdomain: false },
    { s: '.a', label: false, subdomain: false },
    { s: 'A', label: false, subdomain: false },
    { s: '-a', label: false, subdomain: false },
    { s: 'a-', label: false, subdomain: false },
    { s: '', label: false, subdomain: false },
    { s: 'a'.repeat(63), label: true, subdomain: true },
    { s: 'a'.repeat(64), label: false, subdomain: true },
    { s: 'a'.repeat(253), label: false, subdomain: true },
    { s: 'a'.repeat(254), label: false, subdomain: false },
  ])('$s', ({ s, label, subdomain }) => {
    expect(isDns1123Label(s)).toBe(label);
    expect(isDns1123Subdomain(s)).toBe(subdomain);
  });
});

describe('isValidLabelKey', () => {
  it.each([
    { key: 'mms_network_tag', valid: true },
    { key: 'app.kubernetes.io/name', valid: true },
    { key: 'example.com/Net_Tag.1', valid: true },
    { key: 'a', valid: true },
    { key: `${'a'.repeat(253)}/${'b'.repeat(63)}`, valid: true },
    { key: `${'a'.repeat(254)}/b`, valid: false },
    { key: `a/${'b'.repeat(64)}`, valid: false },
    { key: '', valid: false },
    { key: '/a', valid: false },
    { key: 'a/', valid: false },
    { key: 'a/b/c', valid: false },
    { key: 'A.com/b', valid: false },
    { key: '_a', valid: false },
    { key: 'a_', valid: false },
    { key: 'a b', valid: false },
  ])('$key → $valid', ({ key, valid }) => {
    expect(isValidLabelKey(key)).toBe(valid);
  });
});

describe('isIanaSvcName', () => {
  it.each([
    { s: 'http', valid: true },
    { s: 'h2', valid: true },
    { s: 'a-1', valid: true },
    { s: '1a', valid: true },
    { s: 'x'.repeat(15), valid: true },
    { s: 'x'.repeat(16), valid: false },
    { s: '80', valid: false },
    { s: '8-0', valid: false },
    { s: 'a--b', valid: false },
    { s: '-a', valid: false },
    { s: 'a-', valid: false },
    { s: 'A', valid: false },
    { s: 'a_b', valid: false },
    { s: '', valid: false },
  ])('$s → $valid', ({ s, valid }) => {
    expect(isIanaSvcName(s)).toBe(valid);
  });
});

describe('parsePortValue', () => {
  it.each([
    { value: 80 as unknown, expected: { port: 80 }, code: undefined },
    { value: '80', expected: { port: 80 } },
    { value: '8000-8100', expected: { port: 8000, endPort: 8100 } },
    { value: '80-80', expected: { port: 80 } },
    { value: 'http', expected: { port: 'http' } },
    { value: 0, code: 'PORT_OUT_OF_RANGE' },
    { value: -0, code: 'PORT_OUT_OF_RANGE' },
    { value: '-1', code: 'PORT_OUT_OF_RANGE' },
    { value: 1e300, code: 'PORT_OUT_OF_RANGE' },
    { value: 0.5, code: 'INVALID_PORT' },
    { value: '1.5', code: 'INVALID_PORT' },
    // Valid IANA service names for Kubernetes, but numbers in another notation: reading them
    // as names would silently open a different port (issue 10, section 7).
    { value: '1e3', code: 'INVALID_PORT' },
    { value: '0x50', code: 'INVALID_PORT' },
    { value: '+80', code: 'INVALID_PORT' },
    { value: '080', code: 'INVALID_PORT' },
    { value: '0', code: 'PORT_OUT_OF_RANGE' },
    { value: ' 80', code: 'INVALID_PORT' },
    { value: '2-1', code: 'INVALID_PORT_RANGE' },
    { value: false, code: 'TYPE_MISMATCH' },
    { value: undefined, code: 'TYPE_MISMATCH' },
  ])('$value', ({ value, expected, code }) => {
    const sink = new ProblemSink();
    const result = parsePortValue(value, '/p', sink);
    expect(result).toStrictEqual(expected);
    expect(sink.errors.map((e) => e.code)).toEqual(code ? [code] : []);
  });

  it('sorts port specs canonically and drops duplicates', () => {
    const specs = sortPortSpecs([
      { protocol: 'UDP', port: 1 },
      { protocol: 'TCP', port: 'b' },
      { protocol: 'TCP', port: 'a' },
      { protocol: 'TCP', port: 9, endPort: 10 },
      { protocol: 'TCP', port: 9 },
      { protocol: 'TCP', port: 9 },
      { protocol: 'TCP' },
      { protocol: 'SCTP', port: 2 },
    ]);
    expect(specs).toStrictEqual([
      { protocol: 'SCTP', port: 2 },
      { protocol: 'TCP' },
      { protocol: 'TCP', port: 9 },
      { protocol: 'TCP', port: 9, endPort: 10 },
      { protocol: 'TCP', port: 'a' },
      { protocol: 'TCP', port: 'b' },
      { protocol: 'UDP', port: 1 },
    ]);
    expect(comparePortSpecs({ protocol: 'TCP', port: 9 }, { protocol: 'TCP', port: 9 })).toBe(0);
  });
});

describe('nestingDepthExceeds', () => {
  it.each([
    { value: 1 as unknown, depth: 0 },
    { value: null, depth: 0 },
    { value: [], depth: 1 },
    { value: {}, depth: 1 },
    { value: [[1], 2], depth: 2 },
    { value: { a: [{ b: [] }] }, depth: 4 },
  ])('$value has depth $depth', ({ value, depth }) => {
    expect(nestingDepthExceeds(value, depth)).toBe(false);
    if (depth > 0) expect(nestingDepthExceeds(value, depth - 1)).toBe(true);
  });

  it('is iterative and terminates on cycles', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 200_000; i++) deep = { x: deep };
    expect(nestingDepthExceeds(deep, 32)).toBe(true);
    const cyclic: unknown[] = [];
    cyclic.push(cyclic, cyclic);
    expect(nestingDepthExceeds(cyclic, 32)).toBe(false);
  });
});

describe('json shape helpers', () => {
  it('isPlainObject accepts JSON objects only', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject(JSON.parse('{"__proto__":1}'))).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(null)).toBe(false);
    expect(isPlainObject(new Map())).toBe(false);
    expect(isPlainObject('x')).toBe(false);
  });

  it.each(['a', 'a/b', '~', '~1', '', '__proto__', 0, 12])(
    'childPath(%s) equals pointer()',
    (token) => {
      expect(childPath('/x', token)).toBe(`/x${pointer(token)}`);
    },
  );
});

describe('NetworkNames', () => {
  it('converts, collects and reports collisions at each later occurrence', () => {
    const names = new NetworkNames();
    const sink = new ProblemSink();
    expect(convertNetworkName('a_b_c')).toBe('a-b-c');
    expect(names.register('web_a', '/l', 0, sink)).toBe('web-a');
    expect(names.register('web-a', '/l', 1, sink)).toBeUndefined();
    expect(names.register('web-a', '/m', 'n', sink)).toBeUndefined();
    expect(names.register('web_a', '/l', 2, sink)).toBe('web-a');
    expect(names.register('db', '/l', 3, sink)).toBe('db');
    expect(sink.errors.map((e) => [e.path, e.code])).toEqual([
      ['/l/1', 'NETWORK_NAME_COLLISION'],
      ['/m/n', 'NETWORK_NAME_COLLISION'],
    ]);
    expect(names.sorted()).toEqual(['db', 'web-a']);
  });
});

describe('problem ordering', () => {
  it('orders by path tokens (indexes numerically, before names), then code', () => {
    const ps = [
      problem('/b', 'REQUIRED'),
      problem('/a/10', 'REQUIRED'),
      problem('/a/x', 'REQUIRED'),
      problem('/a/2', 'UNKNOWN_FIELD'),
      problem('/a/2', 'EMPTY_LIST'),
      problem('', 'TYPE_MISMATCH'),
      problem('/a', 'REQUIRED'),
    ];
    expect(sortProblems(ps).map((p) => `${p.path} ${p.code}`)).toEqual([
      ' TYPE_MISMATCH',
      '/a REQUIRED',
      '/a/2 EMPTY_LIST',
      '/a/2 UNKNOWN_FIELD',
      '/a/10 REQUIRED',
      '/a/x REQUIRED',
      '/b REQUIRED',
    ]);
    expect(comparePointers('/a/01', '/a/1')).toBeGreaterThan(0);
    expect(comparePointers('/a/9', '/a/10')).toBeLessThan(0);
    expect(comparePointers('/a/99999999999999999999', '/a/100000000000000000000')).toBeLessThan(0);
  });
});
