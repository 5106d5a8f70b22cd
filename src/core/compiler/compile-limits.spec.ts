import fc from 'fast-check';
import { syntheticDocument } from '../../../bench/synthetic-document.js';
import { rawDocumentArbitrary } from '../../../test/support/policy-document.arbitrary.js';
import { parsePolicyDocument } from '../document/parse-policy-document.js';
import type { NormalisedDocument } from '../document/policy-document.types.js';
import { compileDocument } from './compile-document.js';
import {
  DEFAULT_COMPILE_LIMITS,
  formatCount,
  measureObjects,
  resolveLimits,
  type CompileLimits,
} from './compile-limits.js';
import { compileNetworkPolicies, compileWithinLimits } from './compile-network-policies.js';

function parseOk(raw: unknown): NormalisedDocument {
  const r = parsePolicyDocument(raw);
  if (!r.ok) throw new Error(`invalid document: ${JSON.stringify(r.errors)}`);
  return r.document;
}

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** One contract: `providers` × `consumers` distinct networks, on one port. */
const bigContract = (providers: number, consumers: number, namespaces = ['mms']) => ({
  namespaces,
  contracts: {
    c1: {
      provide_networks: names('p', providers),
      consume_networks: names('c', consumers),
      ports: [{ port: 443 }],
    },
  },
});

const UNLIMITED: CompileLimits = {
  objects: Number.MAX_SAFE_INTEGER,
  rules: Number.MAX_SAFE_INTEGER,
  peers: Number.MAX_SAFE_INTEGER,
  selectorValues: Number.MAX_SAFE_INTEGER,
  grantPairs: Number.MAX_SAFE_INTEGER,
};

describe('compile limits', () => {
  it('refuses a 2,000 × 2,000 contract from the document alone, naming the contract', () => {
    const doc = parseOk(bigContract(2000, 2000));
    const r = compileWithinLimits(doc);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      {
        path: '',
        code: 'COMPILE_LIMIT_EXCEEDED',
        message:
          'the compiled objects would hold 8,004,000 network pairs listed by contracts, more than the grantPairs limit of 1,000,000; largest contributors: contract "c1" (2,000 providers × 2,000 consumers: 8,000,000 pairs)',
      },
    ]);
  });

  it('compiles a 400 × 400 contract in one namespace (320,800 selector values)', () => {
    const r = compileWithinLimits(parseOk(bigContract(400, 400)));
    expect(r.ok).toBe(true);
    if (r.ok) expect(measureObjects(r.objects).selectorValues).toBe(320_800);
  });

  it('refuses the same contract in three namespaces, naming the networks with the most values', () => {
    const r = compileWithinLimits(parseOk(bigContract(400, 400, ['a', 'b', 'c'])));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.message)).toEqual([
      'the compiled objects would hold 962,400 selector values, more than the selectorValues limit of 750,000; largest contributors: network c0 (401 selector values in each of 3 namespaces); network c1 (401 selector values in each of 3 namespaces); network c10 (401 selector values in each of 3 namespaces)',
    ]);
  });

  it('compiles the 20,000-network synthetic document of the benchmark, with at least 2× margin', () => {
    const doc = parseOk(syntheticDocument(20_000));
    const r = compileWithinLimits(doc);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const size = measureObjects(r.objects);
    expect(size).toEqual({
      objects: 60_000,
      rules: 126_000,
      peers: 126_000,
      selectorValues: 311_988,
      grantPairs: 0,
    });
    for (const key of ['objects', 'rules', 'peers', 'selectorValues'] as const)
      expect(DEFAULT_COMPILE_LIMITS[key]).toBeGreaterThanOrEqual(2 * size[key]);
    // 179,992 grant pairs (20,000 intra-network + 40,000 contracts of 1 × 2, both ways).
    expect(compileWithinLimits(doc, { limits: { grantPairs: 179_991 } }).ok).toBe(false);
    expect(DEFAULT_COMPILE_LIMITS.grantPairs).toBeGreaterThanOrEqual(2 * 179_992);
  }, 60_000);

  it.each([
    {
      name: 'objects: networks × namespaces',
      limits: { objects: 5 },
      message:
        'the compiled objects would hold 6 NetworkPolicies, more than the objects limit of 5; largest contributors: 3 networks × 2 namespaces',
    },
    {
      name: 'rules',
      limits: { rules: 7 },
      message:
        'the compiled objects would hold 8 rules, more than the rules limit of 7; largest contributors: network db (2 rules in each of 2 namespaces); network cache (1 rules in each of 2 namespaces); network web (1 rules in each of 2 namespaces)',
    },
  ])('$name', ({ limits, message }) => {
    const doc = parseOk({
      namespaces: ['a', 'b'],
      contracts: {
        c: { provide_networks: ['db'], consume_networks: ['web'], ports: [{ port: 5432 }] },
        d: { provide_networks: ['cache'], consume_networks: ['cache'] },
      },
    });
    const r = compileWithinLimits(doc, { limits });
    expect(r.ok ? [] : r.errors.map((e) => e.message)).toEqual([message]);
  });

  it('counts exactly what is emitted: each limit passes at the count and fails one below it', () => {
    fc.assert(
      fc.property(rawDocumentArbitrary, (raw) => {
        const doc = parseOk(raw);
        const size = measureObjects(compileNetworkPolicies(doc));
        const exact = compileWithinLimits(doc, {
          limits: { ...UNLIMITED, ...size, grantPairs: UNLIMITED.grantPairs },
        });
        expect(exact.ok).toBe(true);
        if (exact.ok)
          expect(JSON.stringify(exact.objects)).toBe(JSON.stringify(compileNetworkPolicies(doc)));
        for (const key of ['objects', 'rules', 'peers', 'selectorValues'] as const) {
          if (size[key] === 0) continue;
          const r = compileWithinLimits(doc, { limits: { ...UNLIMITED, [key]: size[key] - 1 } });
          expect(r.ok).toBe(false);
          if (!r.ok) {
            expect(r.errors).toHaveLength(1);
            expect(r.errors[0].message).toContain(`would hold ${formatCount(size[key])} `);
            expect(r.errors[0].message).toContain(
              `the ${key} limit of ${formatCount(size[key] - 1)}`,
            );
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('compileDocument tells a too-large document from an invalid one', () => {
    const tooLarge = compileDocument(bigContract(3, 3), { limits: { grantPairs: 5 } });
    expect(tooLarge).toMatchObject({ ok: false, reason: 'too-large' });
    expect(compileDocument({ namespaces: [] })).toMatchObject({ ok: false, reason: 'invalid' });
    expect(compileDocument(bigContract(3, 3)).ok).toBe(true);
  });

  it('resolveLimits applies valid overrides only', () => {
    expect(resolveLimits({ rules: 10, peers: -1, objects: 1.5 })).toEqual({
      ...DEFAULT_COMPILE_LIMITS,
      rules: 10,
    });
    expect(resolveLimits(undefined)).toEqual(DEFAULT_COMPILE_LIMITS);
  });

  it('formats counts without a locale', () => {
    expect([0, 999, 1000, 1234567].map(formatCount)).toEqual(['0', '999', '1,000', '1,234,567']);
  });
});
