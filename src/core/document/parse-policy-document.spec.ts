import fc from 'fast-check';
import type { Problem, ProblemCode } from '../problems/problem.js';
import type { PortSpec } from '../ports/port-set.js';
import { DOCUMENT_LIMITS } from './limits.js';
import { comparePointers, sortProblems } from './ordering.js';
import { DOCUMENT_PROBLEM_CODES, parsePolicyDocument } from './parse-policy-document.js';
import {
  DEFAULT_OPTIONS,
  type NormalisedContract,
  type NormalisedDocument,
  type ParseResult,
} from './policy-document.types.js';

// ---------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

/** A valid document: namespace `mms`, one contract `c` from `q` (consumer) to `p` (provider). */
const doc = (over: Json = {}): Json => ({
  namespaces: ['mms'],
  contracts: { c: { provide_networks: ['p'], consume_networks: ['q'] } },
  ...over,
});
const withContract = (fields: Json): Json =>
  doc({ contracts: { c: { provide_networks: ['p'], consume_networks: ['q'], ...fields } } });
const withPorts = (...ports: unknown[]): Json => withContract({ ports });
const withExpose = (...entries: unknown[]): Json => doc({ expose: entries });
const withOptions = (options: unknown): Json => doc({ options });

/** The normalised contract `c` of doc(), with overrides. */
const contract = (over: Partial<NormalisedContract> = {}): NormalisedContract => ({
  name: 'c',
  providers: ['p'],
  consumers: ['q'],
  ports: [],
  providerAccess: 'full',
  ...over,
});

/** Nested lists `depth` deep around a scalar (built iteratively, any depth). */
function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

const range = (n: number, f: (i: number) => unknown): unknown[] =>
  Array.from({ length: n }, (_, i) => f(i));
const long = (n: number): string => 'a'.repeat(n);

// ---------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------

type P = [path: string, code: ProblemCode];

interface Row {
  name: string;
  input: unknown;
  /** Each given top-level key of the document must be strictly equal. */
  expected?: Partial<NormalisedDocument>;
  /** Shorthand: the ports of the only contract. */
  ports?: PortSpec[];
  /** The exact errors (path, code), in order. A row with errors expects ok: false. */
  errors?: P[];
  /** The exact warnings (path, code), in order; none when omitted. */
  warnings?: P[];
  /** Substrings that must appear in some problem's message. */
  messages?: string[];
}

const rows: Row[] = [
  // --- root ------------------------------------------------------------------------------
  { name: 'root null', input: null, errors: [['', 'TYPE_MISMATCH']] },
  { name: 'root list', input: [doc()], errors: [['', 'TYPE_MISMATCH']] },
  {
    name: 'root string',
    input: 'namespaces',
    errors: [['', 'TYPE_MISMATCH']],
    messages: ['must be an object'],
  },
  { name: 'root number', input: 42, errors: [['', 'TYPE_MISMATCH']] },
  { name: 'root undefined', input: undefined, errors: [['', 'TYPE_MISMATCH']] },
  { name: 'root class instance', input: new Date(0), errors: [['', 'TYPE_MISMATCH']] },
  { name: 'root empty object', input: {}, errors: [['/namespaces', 'REQUIRED']] },
  {
    name: 'root unknown field (typo)',
    input: { namspaces: ['mms'] },
    errors: [
      ['/namespaces', 'REQUIRED'],
      ['/namspaces', 'UNKNOWN_FIELD'],
    ],
  },
  {
    name: 'root unknown field next to a valid document',
    input: doc({ version: 2 }),
    errors: [['/version', 'UNKNOWN_FIELD']],
  },
  {
    name: 'root __proto__ key is an unknown field',
    input: JSON.parse('{"namespaces":["mms"],"__proto__":{"contracts":{}}}'),
    errors: [['/__proto__', 'UNKNOWN_FIELD']],
  },
  {
    name: 'root constructor key is an unknown field',
    input: JSON.parse('{"namespaces":["mms"],"constructor":{}}'),
    errors: [['/constructor', 'UNKNOWN_FIELD']],
  },
  {
    name: 'only namespaces: no contracts, no networks',
    input: { namespaces: ['mms'] },
    expected: {
      namespaces: ['mms'],
      networks: [],
      contracts: [],
      expose: [],
      options: DEFAULT_OPTIONS,
    },
  },
  {
    name: 'a field set to undefined (not JSON) counts as absent',
    input: { namespaces: ['mms'], contracts: undefined, expose: undefined, options: undefined },
    expected: { contracts: [], expose: [] },
  },

  // --- namespaces ------------------------------------------------------------------------
  {
    name: 'namespaces not a list',
    input: doc({ namespaces: 'mms' }),
    errors: [['/namespaces', 'TYPE_MISMATCH']],
    messages: ['a list of strings'],
  },
  {
    name: 'namespaces null',
    input: doc({ namespaces: null }),
    errors: [['/namespaces', 'TYPE_MISMATCH']],
  },
  {
    name: 'namespaces empty',
    input: doc({ namespaces: [] }),
    errors: [['/namespaces', 'EMPTY_LIST']],
  },
  {
    name: 'namespace not a string',
    input: doc({ namespaces: ['mms', 7] }),
    errors: [['/namespaces/1', 'TYPE_MISMATCH']],
  },
  {
    name: 'namespace upper case',
    input: doc({ namespaces: ['MMS'] }),
    errors: [['/namespaces/0', 'INVALID_NAMESPACE']],
    messages: ['"MMS"'],
  },
  {
    name: 'namespace with underscore',
    input: doc({ namespaces: ['a_b'] }),
    errors: [['/namespaces/0', 'INVALID_NAMESPACE']],
  },
  {
    name: 'namespace starting with -',
    input: doc({ namespaces: ['-a'] }),
    errors: [['/namespaces/0', 'INVALID_NAMESPACE']],
  },
  {
    name: 'namespace ending with -',
    input: doc({ namespaces: ['a-'] }),
    errors: [['/namespaces/0', 'INVALID_NAMESPACE']],
  },
  {
    name: 'namespace empty string',
    input: doc({ namespaces: [''] }),
    errors: [['/namespaces/0', 'INVALID_NAMESPACE']],
  },
  {
    name: 'namespace 64 characters',
    input: doc({ namespaces: [long(64)] }),
    errors: [['/namespaces/0', 'INVALID_NAMESPACE']],
  },
  {
    name: 'namespace 63 characters',
    input: doc({ namespaces: [long(63)] }),
    expected: { namespaces: [long(63)] },
  },
  {
    name: 'namespace longer than the string cap',
    input: doc({ namespaces: [long(DOCUMENT_LIMITS.stringLength + 1)] }),
    errors: [['/namespaces/0', 'STRING_TOO_LONG']],
  },
  {
    name: 'namespaces sorted and de-duplicated',
    input: doc({ namespaces: ['team-b', 'team-a', 'team-b', '0x'] }),
    expected: { namespaces: ['0x', 'team-a', 'team-b'] },
    warnings: [['/namespaces/2', 'DUPLICATE_NAMESPACE']],
  },
  {
    name: 'namespaces: all errors at once, in index order',
    input: doc({ namespaces: range(12, (i) => (i % 2 === 0 ? `Bad${i}` : `ok${i}`)) }),
    errors: range(6, (i) => [`/namespaces/${i * 2}`, 'INVALID_NAMESPACE']) as P[],
  },
  {
    name: 'namespaces: 1,000 is fine',
    input: doc({ namespaces: range(DOCUMENT_LIMITS.namespaces, (i) => `ns-${i}`) }),
  },
  {
    name: 'namespaces: 1,001 is too many',
    input: doc({ namespaces: range(DOCUMENT_LIMITS.namespaces + 1, (i) => `ns-${i}`) }),
    errors: [['/namespaces', 'TOO_MANY_ITEMS']],
    messages: ['1001 items', 'maximum of 1000'],
  },

  // --- contracts -------------------------------------------------------------------------
  {
    name: 'contracts absent',
    input: { namespaces: ['mms'] },
    expected: { contracts: [], networks: [] },
  },
  {
    name: 'contracts empty',
    input: doc({ contracts: {} }),
    expected: { contracts: [], networks: [] },
  },
  {
    name: 'contracts is a list',
    input: doc({ contracts: [] }),
    errors: [['/contracts', 'TYPE_MISMATCH']],
  },
  {
    name: 'contracts null',
    input: doc({ contracts: null }),
    errors: [['/contracts', 'TYPE_MISMATCH']],
  },
  {
    name: 'contract not an object',
    input: doc({ contracts: { c: ['p'] } }),
    errors: [['/contracts/c', 'TYPE_MISMATCH']],
  },
  {
    name: 'contract null',
    input: doc({ contracts: { c: null } }),
    errors: [['/contracts/c', 'TYPE_MISMATCH']],
  },
  {
    name: 'contract empty object',
    input: doc({ contracts: { c: {} } }),
    errors: [
      ['/contracts/c/consume_networks', 'REQUIRED'],
      ['/contracts/c/provide_networks', 'REQUIRED'],
    ],
  },
  {
    name: 'contract name empty',
    input: doc({ contracts: { '': { provide_networks: ['p'], consume_networks: ['q'] } } }),
    errors: [['/contracts/', 'INVALID_CONTRACT_NAME']],
  },
  {
    name: 'contract name 254 characters',
    input: doc({
      contracts: { [long(254)]: { provide_networks: ['p'], consume_networks: ['q'] } },
    }),
    errors: [[`/contracts/${long(254)}`, 'INVALID_CONTRACT_NAME']],
  },
  {
    name: 'contract name 253 characters, any characters',
    input: doc({
      contracts: { [`${long(250)} É/`]: { provide_networks: ['p'], consume_networks: ['q'] } },
    }),
    expected: { contracts: [contract({ name: `${long(250)} É/` })] },
  },
  {
    name: 'contract name with / and ~ is escaped in paths',
    input: doc({ contracts: { 'a/b~c': { provide_networks: ['p'] } } }),
    errors: [['/contracts/a~1b~0c/consume_networks', 'REQUIRED']],
  },
  {
    name: 'the seed-style contract',
    input: withPorts({ protocol: 'TCP', port: '23' }),
    expected: {
      contracts: [contract({ ports: [{ protocol: 'TCP', port: 23 }] })],
      networks: ['p', 'q'],
    },
  },
  {
    name: 'contracts sorted by name; providers and consumers sorted unique and converted',
    input: doc({
      contracts: {
        zeta: { provide_networks: ['b_net', 'a_net'], consume_networks: ['c'] },
        Alpha: { provide_networks: ['c'], consume_networks: ['b_net'] },
        '10': { provide_networks: ['a_net'], consume_networks: ['a_net'] },
      },
    }),
    expected: {
      contracts: [
        contract({ name: '10', providers: ['a-net'], consumers: ['a-net'] }),
        contract({ name: 'Alpha', providers: ['c'], consumers: ['b-net'] }),
        contract({ name: 'zeta', providers: ['a-net', 'b-net'], consumers: ['c'] }),
      ],
      networks: ['a-net', 'b-net', 'c'],
    },
  },
  {
    name: 'a network may provide and consume the same contract',
    input: withContract({ provide_networks: ['p'], consume_networks: ['p'] }),
    expected: { contracts: [contract({ providers: ['p'], consumers: ['p'] })], networks: ['p'] },
  },
  {
    name: 'provide_networks missing',
    input: doc({ contracts: { c: { consume_networks: ['q'] } } }),
    errors: [['/contracts/c/provide_networks', 'REQUIRED']],
  },
  {
    name: 'consume_networks missing',
    input: doc({ contracts: { c: { provide_networks: ['p'] } } }),
    errors: [['/contracts/c/consume_networks', 'REQUIRED']],
  },
  {
    name: 'provide_networks empty',
    input: withContract({ provide_networks: [] }),
    errors: [['/contracts/c/provide_networks', 'EMPTY_LIST']],
  },
  {
    name: 'consume_networks empty',
    input: withContract({ consume_networks: [] }),
    errors: [['/contracts/c/consume_networks', 'EMPTY_LIST']],
  },
  {
    name: 'provide_networks a string',
    input: withContract({ provide_networks: 'p' }),
    errors: [['/contracts/c/provide_networks', 'TYPE_MISMATCH']],
    messages: ['a list of strings'],
  },
  {
    name: 'provide_networks null',
    input: withContract({ provide_networks: null }),
    errors: [['/contracts/c/provide_networks', 'TYPE_MISMATCH']],
  },
  {
    name: 'network not a string',
    input: withContract({ consume_networks: ['q', { name: 'x' }] }),
    errors: [['/contracts/c/consume_networks/1', 'TYPE_MISMATCH']],
  },
  {
    name: 'networks per list: 10,001 is too many',
    input: withContract({
      provide_networks: range(DOCUMENT_LIMITS.networksPerList + 1, (i) => `n${i}`),
    }),
    errors: [['/contracts/c/provide_networks', 'TOO_MANY_ITEMS']],
  },
  {
    name: 'networks per list: 10,000 is fine',
    input: withContract({
      provide_networks: range(DOCUMENT_LIMITS.networksPerList, (i) => `n${i}`),
    }),
  },
  {
    name: 'contracts: 50,001 is too many',
    input: doc({
      contracts: Object.fromEntries(
        range(DOCUMENT_LIMITS.contracts + 1, (i) => [
          `c${i}`,
          { provide_networks: ['p'], consume_networks: ['q'] },
        ]) as [string, unknown][],
      ),
    }),
    errors: [['/contracts', 'TOO_MANY_ITEMS']],
  },
  {
    name: 'contract unknown field',
    input: withContract({ provides: ['x'] }),
    errors: [['/contracts/c/provides', 'UNKNOWN_FIELD']],
  },
  {
    name: 'contract unknown field `constructor`',
    input: withContract({ constructor: 1 }),
    errors: [['/contracts/c/constructor', 'UNKNOWN_FIELD']],
  },
  {
    name: 'contract unknown field `__proto__`',
    input: JSON.parse(
      '{"namespaces":["mms"],"contracts":{"c":{"provide_networks":["p"],"consume_networks":["q"],"__proto__":{"ports":[]}}}}',
    ),
    errors: [['/contracts/c/__proto__', 'UNKNOWN_FIELD']],
  },
  {
    name: 'contract named __proto__ is just a contract',
    input: JSON.parse(
      '{"namespaces":["mms"],"contracts":{"__proto__":{"provide_networks":["p"],"consume_networks":["q"]}}}',
    ),
    expected: { contracts: [contract({ name: '__proto__' })] },
  },
  {
    name: 'contracts named constructor, toString, hasOwnProperty',
    input: doc({
      contracts: {
        constructor: { provide_networks: ['p'], consume_networks: ['q'] },
        toString: { provide_networks: ['p'], consume_networks: ['q'] },
        hasOwnProperty: { provide_networks: ['p'], consume_networks: ['q'] },
      },
    }),
    expected: {
      contracts: [
        contract({ name: 'constructor' }),
        contract({ name: 'hasOwnProperty' }),
        contract({ name: 'toString' }),
      ],
    },
  },

  // --- provider_access ---------------------------------------------------------------------
  {
    name: 'provider_access none',
    input: withContract({ provider_access: 'none' }),
    expected: { contracts: [contract({ providerAccess: 'none' })] },
  },
  {
    name: 'provider_access full',
    input: withContract({ provider_access: 'full' }),
    expected: { contracts: [contract({ providerAccess: 'full' })] },
  },
  {
    name: 'provider_access from options',
    input: { ...withContract({}), options: { provider_access: 'none' } },
    expected: { contracts: [contract({ providerAccess: 'none' })] },
  },
  {
    name: 'contract provider_access overrides options',
    input: { ...withContract({ provider_access: 'full' }), options: { provider_access: 'none' } },
    expected: { contracts: [contract({ providerAccess: 'full' })] },
  },
  {
    name: 'provider_access invalid',
    input: withContract({ provider_access: 'partial' }),
    errors: [['/contracts/c/provider_access', 'INVALID_ENUM']],
    messages: ['"full", "none"', '"partial"'],
  },
  {
    name: 'provider_access wrong case',
    input: withContract({ provider_access: 'None' }),
    errors: [['/contracts/c/provider_access', 'INVALID_ENUM']],
  },
  {
    name: 'provider_access not a string',
    input: withContract({ provider_access: false }),
    errors: [['/contracts/c/provider_access', 'TYPE_MISMATCH']],
  },

  // --- ACI fields ----------------------------------------------------------------------
  {
    name: 'contract source_port ignored',
    input: withContract({ source_port: 1024 }),
    warnings: [['/contracts/c/source_port', 'IGNORED_SOURCE_PORT']],
    messages: ['source_port is ignored'],
  },
  {
    name: 'contract source_ports, any JSON, ignored',
    input: withContract({ source_ports: [{ from: 1, to: 2 }, null, 'x'] }),
    warnings: [['/contracts/c/source_ports', 'IGNORED_SOURCE_PORT']],
  },
  {
    name: 'contract source_port null is still ignored',
    input: withContract({ source_port: null }),
    warnings: [['/contracts/c/source_port', 'IGNORED_SOURCE_PORT']],
  },
  {
    name: 'established true ignored',
    input: withContract({ established: true }),
    warnings: [['/contracts/c/established', 'IGNORED_ESTABLISHED']],
  },
  {
    name: 'stateful false ignored',
    input: withContract({ stateful: false }),
    warnings: [['/contracts/c/stateful', 'IGNORED_ESTABLISHED']],
    messages: ['stateful is ignored'],
  },
  {
    name: 'established not a boolean',
    input: withContract({ established: 'yes' }),
    errors: [['/contracts/c/established', 'TYPE_MISMATCH']],
    messages: ['true or false'],
  },
  {
    name: 'stateful null',
    input: withContract({ stateful: null }),
    errors: [['/contracts/c/stateful', 'TYPE_MISMATCH']],
  },
  {
    name: 'action permit',
    input: withContract({ action: 'permit' }),
    expected: { contracts: [contract()] },
  },
  {
    name: 'action PERMIT',
    input: withContract({ action: 'PERMIT' }),
    expected: { contracts: [contract()] },
  },
  {
    name: 'action Permit',
    input: withContract({ action: 'Permit' }),
    expected: { contracts: [contract()] },
  },
  {
    name: 'action with a dotless i is not permit',
    input: withContract({ action: 'permıt' }),
    expected: { contracts: [] },
    warnings: [['/contracts/c/action', 'ACTION_NOT_PERMIT']],
  },
  {
    name: 'action deny drops the contract; its networks remain',
    input: withContract({ action: 'deny' }),
    expected: { contracts: [], networks: ['p', 'q'] },
    warnings: [['/contracts/c/action', 'ACTION_NOT_PERMIT']],
    messages: ['"deny"', 'dropped'],
  },
  {
    name: 'action " permit" (with a space) is not permit',
    input: withContract({ action: ' permit' }),
    expected: { contracts: [] },
    warnings: [['/contracts/c/action', 'ACTION_NOT_PERMIT']],
  },
  {
    name: 'action not a string',
    input: withContract({ action: true }),
    errors: [['/contracts/c/action', 'TYPE_MISMATCH']],
  },
  {
    name: 'a dropped contract is still validated',
    input: withContract({ action: 'deny', consume_networks: ['Bad'] }),
    errors: [['/contracts/c/consume_networks/0', 'INVALID_NETWORK_NAME']],
    warnings: [['/contracts/c/action', 'ACTION_NOT_PERMIT']],
  },
  {
    name: 'all ACI fields together',
    input: withContract({
      source_port: 1,
      source_ports: [1],
      established: true,
      stateful: true,
      action: 'permit',
    }),
    expected: { contracts: [contract()] },
    warnings: [
      ['/contracts/c/established', 'IGNORED_ESTABLISHED'],
      ['/contracts/c/source_port', 'IGNORED_SOURCE_PORT'],
      ['/contracts/c/source_ports', 'IGNORED_SOURCE_PORT'],
      ['/contracts/c/stateful', 'IGNORED_ESTABLISHED'],
    ],
  },
  {
    name: 'source_port nested 32 deep is accepted',
    input: withContract({ source_port: nested(DOCUMENT_LIMITS.nestingDepth) }),
    warnings: [['/contracts/c/source_port', 'IGNORED_SOURCE_PORT']],
  },
  {
    name: 'source_port nested 33 deep',
    input: withContract({ source_port: nested(DOCUMENT_LIMITS.nestingDepth + 1) }),
    errors: [['/contracts/c/source_port', 'NESTING_TOO_DEEP']],
    messages: ['deeper than 32 levels'],
  },
  {
    name: 'source_ports nested 100,000 deep (no stack overflow)',
    input: withContract({ source_ports: nested(100_000) }),
    errors: [['/contracts/c/source_ports', 'NESTING_TOO_DEEP']],
  },
  {
    name: 'port source_port nested too deep',
    input: withPorts({ port: 80, source_port: { a: nested(40) } }),
    errors: [['/contracts/c/ports/0/source_port', 'NESTING_TOO_DEEP']],
  },

  // --- network names -----------------------------------------------------------------------
  {
    name: 'network names: _ becomes -',
    input: withContract({ provide_networks: ['web_tier_1'], consume_networks: ['db__x'] }),
    expected: {
      contracts: [contract({ providers: ['web-tier-1'], consumers: ['db--x'] })],
      networks: ['db--x', 'web-tier-1'],
    },
  },
  {
    name: 'network name upper case',
    input: withContract({ provide_networks: ['Web_A'] }),
    errors: [['/contracts/c/provide_networks/0', 'INVALID_NETWORK_NAME']],
    messages: ['"Web_A" becomes "Web-A"'],
  },
  {
    name: 'network name starting with _',
    input: withContract({ provide_networks: ['_a'] }),
    errors: [['/contracts/c/provide_networks/0', 'INVALID_NETWORK_NAME']],
    messages: ['"-a"'],
  },
  {
    name: 'network name ending with _',
    input: withContract({ provide_networks: ['a_'] }),
    errors: [['/contracts/c/provide_networks/0', 'INVALID_NETWORK_NAME']],
  },
  {
    name: 'network name with a dot',
    input: withContract({ provide_networks: ['a.b'] }),
    errors: [['/contracts/c/provide_networks/0', 'INVALID_NETWORK_NAME']],
  },
  {
    name: 'network name empty',
    input: withContract({ provide_networks: [''] }),
    errors: [['/contracts/c/provide_networks/0', 'INVALID_NETWORK_NAME']],
  },
  {
    name: 'network name 64 characters',
    input: withContract({ provide_networks: [long(64)] }),
    errors: [['/contracts/c/provide_networks/0', 'INVALID_NETWORK_NAME']],
  },
  {
    name: 'network name 63 characters',
    input: withContract({ provide_networks: [long(63)] }),
    expected: { networks: [long(63), 'q'] },
  },
  {
    name: 'network name longer than the string cap',
    input: withContract({ provide_networks: [long(DOCUMENT_LIMITS.stringLength + 1)] }),
    errors: [['/contracts/c/provide_networks/0', 'STRING_TOO_LONG']],
  },
  {
    name: 'network name invalid at every occurrence',
    input: doc({
      contracts: {
        a: { provide_networks: ['X'], consume_networks: ['X'] },
        b: { provide_networks: ['X'], consume_networks: ['q'] },
      },
    }),
    errors: [
      ['/contracts/a/consume_networks/0', 'INVALID_NETWORK_NAME'],
      ['/contracts/a/provide_networks/0', 'INVALID_NETWORK_NAME'],
      ['/contracts/b/provide_networks/0', 'INVALID_NETWORK_NAME'],
    ],
  },
  {
    name: 'duplicate network in one list',
    input: withContract({ provide_networks: ['p', 'x', 'p'], consume_networks: ['q', 'q'] }),
    expected: { contracts: [contract({ providers: ['p', 'x'], consumers: ['q'] })] },
    warnings: [
      ['/contracts/c/consume_networks/1', 'DUPLICATE_NETWORK'],
      ['/contracts/c/provide_networks/2', 'DUPLICATE_NETWORK'],
    ],
  },
  {
    name: 'duplicate network in a long list',
    input: withContract({ provide_networks: [...range(30, (i) => `n${i}`), 'n7'] }),
    warnings: [['/contracts/c/provide_networks/30', 'DUPLICATE_NETWORK']],
  },
  {
    name: 'same spelling in several places is fine',
    input: doc({
      contracts: {
        a: { provide_networks: ['web_a'], consume_networks: ['db'] },
        b: { provide_networks: ['db'], consume_networks: ['web_a'] },
      },
      expose: [{ network: 'web_a', cidr: '10.0.0.0/8' }],
    }),
    expected: { networks: ['db', 'web-a'] },
  },
  {
    name: 'collision in one contract',
    input: withContract({ provide_networks: ['web_a'], consume_networks: ['web-a'] }),
    errors: [['/contracts/c/consume_networks/0', 'NETWORK_NAME_COLLISION']],
    messages: ['network "web-a" becomes "web-a", the same name as "web_a"'],
  },
  {
    name: 'collision in one list',
    input: withContract({ provide_networks: ['web-a', 'web_a'] }),
    errors: [['/contracts/c/provide_networks/1', 'NETWORK_NAME_COLLISION']],
    messages: ['"web_a" becomes "web-a", the same name as "web-a"'],
  },
  {
    name: 'collision across contracts, at every occurrence of the second spelling',
    input: doc({
      contracts: {
        a: { provide_networks: ['web_a'], consume_networks: ['q'] },
        b: { provide_networks: ['web-a'], consume_networks: ['web-a'] },
      },
    }),
    errors: [
      ['/contracts/b/consume_networks/0', 'NETWORK_NAME_COLLISION'],
      ['/contracts/b/provide_networks/0', 'NETWORK_NAME_COLLISION'],
    ],
  },
  {
    name: 'collision between a contract and an expose rule',
    input: withExpose(
      { network: 'p_', cidr: '10.0.0.0/8' },
      { network: 'web-a', cidr: '10.0.0.0/8' },
      { network: 'web_a', cidr: '10.0.0.0/8' },
    ),
    errors: [
      ['/expose/0/network', 'INVALID_NETWORK_NAME'],
      ['/expose/2/network', 'NETWORK_NAME_COLLISION'],
    ],
  },
  {
    name: 'three spellings of one name: both later ones name the first',
    input: withContract({ provide_networks: ['a_b'], consume_networks: ['a-b', 'a_b', 'a-b'] }),
    errors: [['/contracts/c/consume_networks/0', 'NETWORK_NAME_COLLISION']],
    warnings: [['/contracts/c/consume_networks/2', 'DUPLICATE_NETWORK']],
    messages: ['the same name as "a_b"'],
  },

  // --- ports -------------------------------------------------------------------------------
  { name: 'ports absent: every port', input: withContract({}), ports: [] },
  { name: 'ports empty: every port', input: withPorts(), ports: [] },
  {
    name: 'port number, protocol defaults to TCP',
    input: withPorts({ port: 80 }),
    ports: [{ protocol: 'TCP', port: 80 }],
  },
  {
    name: 'port decimal string',
    input: withPorts({ port: '23' }),
    ports: [{ protocol: 'TCP', port: 23 }],
  },
  {
    // Was accepted as 23. A leading zero is octal to some readers (023 = 19), and the API
    // server refuses leading zeros in CIDRs for that reason: numbers are plain decimal.
    name: 'port decimal string with leading zero',
    input: withPorts({ port: '023' }),
    errors: [['/contracts/c/ports/0/port', 'INVALID_PORT']],
    messages: ['numbers must be plain decimal'],
  },
  // Numbers in another notation are errors, not named ports ("1e3" and "0x17" are valid
  // IANA service names, so they used to become named ports silently).
  ...['1e3', '0x17', '0o17', '0b101', '1e-3', '+80', '080', ' 80', '80 ', '80.0', '.5e2'].map(
    (port): Row => ({
      name: `port ${JSON.stringify(port)}: a number in another notation`,
      input: withPorts({ port }),
      errors: [['/contracts/c/ports/0/port', 'INVALID_PORT']],
      messages: ['numbers must be plain decimal'],
    }),
  ),
  {
    name: 'port range with leading zeros',
    input: withPorts({ port: '080-090' }),
    errors: [['/contracts/c/ports/0/port', 'INVALID_PORT']],
    messages: ['numbers must be plain decimal'],
  },
  {
    name: 'port 1e3 as a JSON number is the integer 1000',
    input: JSON.parse(
      '{"namespaces":["mms"],"contracts":{"c":{"provide_networks":["p"],"consume_networks":["q"],"ports":[{"port":1e3}]}}}',
    ),
    ports: [{ protocol: 'TCP', port: 1000 }],
  },
  {
    name: 'named ports that merely start with digits stay names',
    input: withPorts({ port: '8080tcp' }, { port: 'x1e3' }),
    ports: [
      { protocol: 'TCP', port: '8080tcp' },
      { protocol: 'TCP', port: 'x1e3' },
    ],
  },
  {
    name: 'an invalid name gives no decimal hint',
    input: withPorts({ port: 'my_port' }),
    errors: [['/contracts/c/ports/0/port', 'INVALID_PORT']],
    messages: ['with at least one letter)'],
  },
  {
    name: 'port 1 and 65535',
    input: withPorts({ port: 1 }, { port: '65535' }),
    ports: [
      { protocol: 'TCP', port: 1 },
      { protocol: 'TCP', port: 65535 },
    ],
  },
  {
    name: 'protocol lower case',
    input: withPorts({ protocol: 'udp', port: 53 }),
    ports: [{ protocol: 'UDP', port: 53 }],
  },
  {
    name: 'protocol mixed case, no port: every SCTP port',
    input: withPorts({ protocol: 'Sctp' }),
    ports: [{ protocol: 'SCTP' }],
  },
  { name: 'empty port object: every TCP port', input: withPorts({}), ports: [{ protocol: 'TCP' }] },
  {
    name: 'port range',
    input: withPorts({ port: '8000-8100' }),
    ports: [{ protocol: 'TCP', port: 8000, endPort: 8100 }],
  },
  {
    name: 'port range 1-65535',
    input: withPorts({ protocol: 'UDP', port: '1-65535' }),
    ports: [{ protocol: 'UDP', port: 1, endPort: 65535 }],
  },
  {
    name: 'port range of one port',
    input: withPorts({ port: '80-80' }),
    ports: [{ protocol: 'TCP', port: 80 }],
  },
  {
    name: 'port range reversed',
    input: withPorts({ port: '8100-8000' }),
    errors: [['/contracts/c/ports/0/port', 'INVALID_PORT_RANGE']],
    messages: ['"8100-8000"'],
  },
  {
    name: 'port range from 0',
    input: withPorts({ port: '0-10' }),
    errors: [['/contracts/c/ports/0/port', 'INVALID_PORT_RANGE']],
  },
  {
    name: 'port range to 65536',
    input: withPorts({ port: '1-65536' }),
    errors: [['/contracts/c/ports/0/port', 'INVALID_PORT_RANGE']],
  },
  {
    name: 'port range with spaces',
    input: withPorts({ port: '80 - 90' }),
    errors: [['/contracts/c/ports/0/port', 'INVALID_PORT']],
  },
  {
    name: 'port range open',
    input: withPorts({ port: '80-' }),
    errors: [['/contracts/c/ports/0/port', 'INVALID_PORT']],
  },
  {
    name: 'port range of three',
    input: withPorts({ port: '80-90-100' }),
    errors: [['/contracts/c/ports/0/port', 'INVALID_PORT']],
  },
  {
    name: 'named port',
    input: withPorts({ port: 'http' }),
    ports: [{ protocol: 'TCP', port: 'http' }],
  },
  {
    name: 'named port with digits and -',
    input: withPorts({ protocol: 'UDP', port: 'dns-53' }),
    ports: [{ protocol: 'UDP', port: 'dns-53' }],
  },
  {
    name: 'named port of 15 characters',
    input: withPorts({ port: 'abcdefghij-1234' }),
    ports: [{ protocol: 'TCP', port: 'abcdefghij-1234' }],
  },
  {
    name: 'named port of 16 characters',
    input: withPorts({ port: 'abcdefghij-12345' }),
    errors: [['/contracts/c/ports/0/port', 'INVALID_PORT']],
  },
  {
    name: 'named port upper case',
    input: withPorts({ port: 'HTTP' }),
    errors: [['/contracts/c/ports/0/port', 'INVALID_PORT']],
  },
  {
    name: 'named port starting with -',
    input: withPorts({ port: '-http' }),
    errors: [['/contracts/c/ports/0/port', 'INVALID_PORT']],
  },
  {
    name: 'named port ending with -',
    input: withPorts({ port: 'http-' }),
    errors: [['/contracts/c/ports/0/port', 'INVALID_PORT']],
  },
  {
    name: 'named port with --',
    input: withPorts({ port: 'h--p' }),
    errors: [['/contracts/c/ports/0/port', 'INVALID_PORT']],
  },
  {
    name: 'named port with _',
    input: withPorts({ port: 'my_port' }),
    errors: [['/contracts/c/ports/0/port', 'INVALID_PORT']],
  },
  {
    name: 'port empty string',
    input: withPorts({ port: '' }),
    errors: [['/contracts/c/ports/0/port', 'INVALID_PORT']],
  },
  {
    name: 'port with a space',
    input: withPorts({ port: ' 80' }),
    errors: [['/contracts/c/ports/0/port', 'INVALID_PORT']],
  },
  {
    name: 'port 0',
    input: withPorts({ port: 0 }),
    errors: [['/contracts/c/ports/0/port', 'PORT_OUT_OF_RANGE']],
    messages: ['port 0 is outside 1-65535'],
  },
  {
    name: 'port 65536',
    input: withPorts({ port: 65536 }),
    errors: [['/contracts/c/ports/0/port', 'PORT_OUT_OF_RANGE']],
  },
  {
    name: 'port negative',
    input: withPorts({ port: -1 }),
    errors: [['/contracts/c/ports/0/port', 'PORT_OUT_OF_RANGE']],
  },
  {
    name: 'port "0"',
    input: withPorts({ port: '0' }),
    errors: [['/contracts/c/ports/0/port', 'PORT_OUT_OF_RANGE']],
  },
  {
    name: 'port "65536"',
    input: withPorts({ port: '65536' }),
    errors: [['/contracts/c/ports/0/port', 'PORT_OUT_OF_RANGE']],
  },
  {
    name: 'port "-5"',
    input: withPorts({ port: '-5' }),
    errors: [['/contracts/c/ports/0/port', 'PORT_OUT_OF_RANGE']],
  },
  {
    name: 'port huge digit string',
    input: withPorts({ port: '9'.repeat(400) }),
    errors: [['/contracts/c/ports/0/port', 'PORT_OUT_OF_RANGE']],
  },
  {
    name: 'port non-integer',
    input: withPorts({ port: 80.5 }),
    errors: [['/contracts/c/ports/0/port', 'INVALID_PORT']],
  },
  {
    name: 'port boolean',
    input: withPorts({ port: true }),
    errors: [['/contracts/c/ports/0/port', 'TYPE_MISMATCH']],
  },
  {
    name: 'port null',
    input: withPorts({ port: null }),
    errors: [['/contracts/c/ports/0/port', 'TYPE_MISMATCH']],
  },
  {
    name: 'port list',
    input: withPorts({ port: [80] }),
    errors: [['/contracts/c/ports/0/port', 'TYPE_MISMATCH']],
  },
  {
    name: 'port object',
    input: withPorts({ port: { from: 80 } }),
    errors: [['/contracts/c/ports/0/port', 'TYPE_MISMATCH']],
  },
  {
    name: 'port string longer than the string cap',
    input: withPorts({ port: long(DOCUMENT_LIMITS.stringLength + 1) }),
    errors: [['/contracts/c/ports/0/port', 'STRING_TOO_LONG']],
  },
  {
    name: 'protocol ICMP',
    input: withPorts({ protocol: 'ICMP', port: 1 }),
    errors: [['/contracts/c/ports/0/protocol', 'INVALID_PROTOCOL']],
    messages: ['"ICMP"'],
  },
  {
    name: 'protocol with a long s',
    input: withPorts({ protocol: 'ſctp' }),
    errors: [['/contracts/c/ports/0/protocol', 'INVALID_PROTOCOL']],
  },
  {
    name: 'protocol empty',
    input: withPorts({ protocol: '' }),
    errors: [['/contracts/c/ports/0/protocol', 'INVALID_PROTOCOL']],
  },
  {
    name: 'protocol a number',
    input: withPorts({ protocol: 6 }),
    errors: [['/contracts/c/ports/0/protocol', 'TYPE_MISMATCH']],
  },
  {
    name: 'protocol null',
    input: withPorts({ protocol: null, port: 80 }),
    errors: [['/contracts/c/ports/0/protocol', 'TYPE_MISMATCH']],
  },
  {
    name: 'port entry a number',
    input: withPorts(80),
    errors: [['/contracts/c/ports/0', 'TYPE_MISMATCH']],
  },
  {
    name: 'port entry a string',
    input: withPorts('TCP/80'),
    errors: [['/contracts/c/ports/0', 'TYPE_MISMATCH']],
  },
  {
    name: 'ports not a list',
    input: withContract({ ports: { port: 80 } }),
    errors: [['/contracts/c/ports', 'TYPE_MISMATCH']],
  },
  {
    name: 'ports null',
    input: withContract({ ports: null }),
    errors: [['/contracts/c/ports', 'TYPE_MISMATCH']],
  },
  {
    name: 'port entry unknown field',
    input: withPorts({ port: 80, prot: 'UDP' }),
    errors: [['/contracts/c/ports/0/prot', 'UNKNOWN_FIELD']],
  },
  {
    name: 'port entry endPort is not a field',
    input: withPorts({ port: 80, endPort: 90 }),
    errors: [['/contracts/c/ports/0/endPort', 'UNKNOWN_FIELD']],
  },
  {
    name: 'port entry __proto__ is an unknown field',
    input: JSON.parse(
      '{"namespaces":["mms"],"contracts":{"c":{"provide_networks":["p"],"consume_networks":["q"],"ports":[{"port":80,"__proto__":{"protocol":"UDP"}}]}}}',
    ),
    errors: [['/contracts/c/ports/0/__proto__', 'UNKNOWN_FIELD']],
  },
  {
    name: 'port entry source_port and source_ports ignored',
    input: withPorts({ port: 80, source_port: 1234, source_ports: ['1-2'] }),
    ports: [{ protocol: 'TCP', port: 80 }],
    warnings: [
      ['/contracts/c/ports/0/source_port', 'IGNORED_SOURCE_PORT'],
      ['/contracts/c/ports/0/source_ports', 'IGNORED_SOURCE_PORT'],
    ],
  },
  {
    name: 'ports sorted by protocol, then every-port, numeric, named; de-duplicated',
    input: withPorts(
      { protocol: 'UDP', port: 53 },
      { port: 'https' },
      { port: 443 },
      { port: 'http' },
      { port: 80 },
      { protocol: 'tcp', port: '80' },
      { protocol: 'SCTP' },
      { port: '70-90' },
      { port: 70 },
      { port: '70-71' },
      { protocol: 'TCP' },
      { protocol: 'UDP', port: 'dns' },
      { protocol: 'sctp' },
    ),
    ports: [
      { protocol: 'SCTP' },
      { protocol: 'TCP' },
      { protocol: 'TCP', port: 70 },
      { protocol: 'TCP', port: 70, endPort: 71 },
      { protocol: 'TCP', port: 70, endPort: 90 },
      { protocol: 'TCP', port: 80 },
      { protocol: 'TCP', port: 443 },
      { protocol: 'TCP', port: 'http' },
      { protocol: 'TCP', port: 'https' },
      { protocol: 'UDP', port: 53 },
      { protocol: 'UDP', port: 'dns' },
    ],
  },
  {
    name: 'ports: all errors, sorted by index numerically',
    input: withPorts(...range(12, (i) => (i === 2 || i === 10 ? { port: 0 } : { port: i + 1 }))),
    errors: [
      ['/contracts/c/ports/2/port', 'PORT_OUT_OF_RANGE'],
      ['/contracts/c/ports/10/port', 'PORT_OUT_OF_RANGE'],
    ],
  },
  {
    name: 'one port entry with several errors',
    input: withPorts({ protocol: 'gre', port: 0, extra: 1 }),
    errors: [
      ['/contracts/c/ports/0/extra', 'UNKNOWN_FIELD'],
      ['/contracts/c/ports/0/port', 'PORT_OUT_OF_RANGE'],
      ['/contracts/c/ports/0/protocol', 'INVALID_PROTOCOL'],
    ],
  },
  {
    name: 'ports: 1,000 is fine',
    input: withPorts(...range(DOCUMENT_LIMITS.portsPerList, (i) => ({ port: i + 1 }))),
  },
  {
    name: 'ports: 1,001 is too many',
    input: withPorts(...range(DOCUMENT_LIMITS.portsPerList + 1, (i) => ({ port: i + 1 }))),
    errors: [['/contracts/c/ports', 'TOO_MANY_ITEMS']],
  },

  // --- expose ------------------------------------------------------------------------------
  {
    name: 'expose rule, all fields',
    input: withExpose({
      network: 'edge_net',
      cidr: '10.0.0.0/8',
      except: ['10.2.0.0/16', '10.1.0.0/16'],
      ports: [{ port: 443 }],
    }),
    expected: {
      expose: [
        {
          index: 0,
          network: 'edge-net',
          cidr: '10.0.0.0/8',
          except: ['10.1.0.0/16', '10.2.0.0/16'],
          ports: [{ protocol: 'TCP', port: 443 }],
        },
      ],
      networks: ['edge-net', 'p', 'q'],
    },
  },
  {
    name: 'expose rules keep document order and index',
    input: withExpose({ network: 'z', cidr: '192.168.0.0/16' }, { network: 'a', cidr: '::/0' }),
    expected: {
      expose: [
        { index: 0, network: 'z', cidr: '192.168.0.0/16', except: [], ports: [] },
        { index: 1, network: 'a', cidr: '::/0', except: [], ports: [] },
      ],
    },
  },
  {
    name: 'expose IPv6, canonical lower-case compressed',
    input: withExpose({
      network: 'n',
      cidr: '2001:DB8:0:0:0:0:0:0/32',
      except: ['2001:db8:0:1::/64'],
    }),
    expected: {
      expose: [
        { index: 0, network: 'n', cidr: '2001:db8::/32', except: ['2001:db8:0:1::/64'], ports: [] },
      ],
    },
  },
  {
    name: 'expose except sorted by address, not text; unique after canonicalisation',
    input: withExpose({
      network: 'n',
      cidr: '0.0.0.0/0',
      except: ['10.0.0.0/8', '9.0.0.0/8', '10.0.0.0/8', '9.0.0.0/16', '10.1.1.1/8'],
    }),
    expected: {
      expose: [
        {
          index: 0,
          network: 'n',
          cidr: '0.0.0.0/0',
          except: ['9.0.0.0/8', '9.0.0.0/16', '10.0.0.0/8'],
          ports: [],
        },
      ],
    },
    warnings: [['/expose/0/except/4', 'CIDR_HOST_BITS_SET']],
  },
  {
    name: 'expose cidr with host bits',
    input: withExpose({ network: 'n', cidr: '10.1.2.3/8' }),
    expected: { expose: [{ index: 0, network: 'n', cidr: '10.0.0.0/8', except: [], ports: [] }] },
    warnings: [['/expose/0/cidr', 'CIDR_HOST_BITS_SET']],
    messages: ['"10.1.2.3/8" has host bits set; it was made canonical as 10.0.0.0/8'],
  },
  {
    name: 'expose IPv6 with host bits',
    input: withExpose({ network: 'n', cidr: '2001:db8::1/64' }),
    expected: {
      expose: [{ index: 0, network: 'n', cidr: '2001:db8::/64', except: [], ports: [] }],
    },
    warnings: [['/expose/0/cidr', 'CIDR_HOST_BITS_SET']],
  },
  {
    name: 'expose network missing',
    input: withExpose({ cidr: '10.0.0.0/8' }),
    errors: [['/expose/0/network', 'REQUIRED']],
  },
  {
    name: 'expose cidr missing',
    input: withExpose({ network: 'n' }),
    errors: [['/expose/0/cidr', 'REQUIRED']],
  },
  {
    name: 'expose network not a string',
    input: withExpose({ network: ['n'], cidr: '10.0.0.0/8' }),
    errors: [['/expose/0/network', 'TYPE_MISMATCH']],
  },
  {
    name: 'expose network invalid',
    input: withExpose({ network: 'N', cidr: '10.0.0.0/8' }),
    errors: [['/expose/0/network', 'INVALID_NETWORK_NAME']],
  },
  {
    name: 'expose cidr invalid',
    input: withExpose({ network: 'n', cidr: '10.0.0.0' }),
    errors: [['/expose/0/cidr', 'INVALID_CIDR']],
    messages: ['"10.0.0.0"'],
  },
  {
    name: 'expose cidr prefix too long',
    input: withExpose({ network: 'n', cidr: '10.0.0.0/33' }),
    errors: [['/expose/0/cidr', 'INVALID_CIDR']],
  },
  {
    name: 'expose cidr a number',
    input: withExpose({ network: 'n', cidr: 10 }),
    errors: [['/expose/0/cidr', 'TYPE_MISMATCH']],
  },
  {
    name: 'expose cidr longer than the string cap',
    input: withExpose({ network: 'n', cidr: long(DOCUMENT_LIMITS.stringLength + 1) }),
    errors: [['/expose/0/cidr', 'STRING_TOO_LONG']],
  },
  {
    name: 'except not inside the cidr',
    input: withExpose({ network: 'n', cidr: '10.0.0.0/8', except: ['11.0.0.0/16'] }),
    errors: [['/expose/0/except/0', 'EXCEPT_NOT_SUBSET']],
    messages: ['except "11.0.0.0/16" is not a strict subset of cidr 10.0.0.0/8'],
  },
  {
    name: 'except equal to the cidr',
    input: withExpose({ network: 'n', cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] }),
    errors: [['/expose/0/except/0', 'EXCEPT_NOT_SUBSET']],
  },
  {
    name: 'except larger than the cidr',
    input: withExpose({ network: 'n', cidr: '10.1.0.0/16', except: ['10.0.0.0/8'] }),
    errors: [['/expose/0/except/0', 'EXCEPT_NOT_SUBSET']],
  },
  {
    name: 'except in the other family',
    input: withExpose({ network: 'n', cidr: '0.0.0.0/0', except: ['::/1'] }),
    errors: [['/expose/0/except/0', 'EXCEPT_FAMILY_MISMATCH']],
  },
  {
    name: 'except with host bits (compared after canonicalisation)',
    input: withExpose({ network: 'n', cidr: '10.0.0.0/8', except: ['10.1.2.3/16'] }),
    expected: {
      expose: [{ index: 0, network: 'n', cidr: '10.0.0.0/8', except: ['10.1.0.0/16'], ports: [] }],
    },
    warnings: [['/expose/0/except/0', 'CIDR_HOST_BITS_SET']],
  },
  {
    name: 'except invalid',
    input: withExpose({ network: 'n', cidr: '10.0.0.0/8', except: ['10.1.0.0/16', 'ten'] }),
    errors: [['/expose/0/except/1', 'INVALID_CIDR']],
  },
  {
    name: 'except checked as CIDRs even when the cidr is invalid',
    input: withExpose({ network: 'n', cidr: 'bad', except: ['11.0.0.0/8', 'worse'] }),
    errors: [
      ['/expose/0/cidr', 'INVALID_CIDR'],
      ['/expose/0/except/1', 'INVALID_CIDR'],
    ],
  },
  {
    name: 'excepts that cover the whole cidr (the API server accepts it; it allows nothing)',
    input: withExpose({
      network: 'n',
      cidr: '10.0.0.0/24',
      except: ['10.0.0.0/25', '10.0.0.128/25'],
    }),
    errors: [['/expose/0/except', 'EXCEPT_COVERS_CIDR']],
    messages: ['the excepts cover every address of cidr 10.0.0.0/24'],
  },
  {
    name: 'excepts that cover the whole cidr, nested and IPv6',
    input: withExpose({
      network: 'n',
      cidr: '2001:db8::/32',
      except: ['2001:db8:8000::/33', '2001:db8::/34', '2001:db8:4000::/34', '2001:db8::/40'],
    }),
    errors: [['/expose/0/except', 'EXCEPT_COVERS_CIDR']],
  },
  {
    name: 'excepts that leave one address',
    input: withExpose({
      network: 'n',
      cidr: '10.0.0.0/30',
      except: ['10.0.0.0/31', '10.0.0.2/32'],
    }),
    expected: {
      expose: [
        {
          index: 0,
          network: 'n',
          cidr: '10.0.0.0/30',
          except: ['10.0.0.0/31', '10.0.0.2/32'],
          ports: [],
        },
      ],
    },
  },
  // The API server's strict CIDR validation (v1.36+): see src/core/net/cidr.spec.ts.
  {
    name: 'expose cidr IPv4-mapped IPv6 (the API server refuses it)',
    input: withExpose({ network: 'n', cidr: '::ffff:10.0.0.0/104' }),
    errors: [['/expose/0/cidr', 'CIDR_IPV4_MAPPED']],
    messages: ['"::ffff:10.0.0.0/104" is an IPv4-mapped IPv6 address', 'write it as 10.0.0.0/8'],
  },
  {
    name: 'expose cidr IPv4-mapped with a short prefix',
    input: withExpose({ network: 'n', cidr: '::ffff:0:0/80' }),
    errors: [['/expose/0/cidr', 'CIDR_IPV4_MAPPED']],
    messages: ['use an IPv4 CIDR, or an IPv6 CIDR outside ::ffff:0:0/96'],
  },
  {
    name: 'except IPv4-mapped in hex',
    input: withExpose({ network: 'n', cidr: '::/0', except: ['::ffff:a00:0/104'] }),
    errors: [['/expose/0/except/0', 'CIDR_IPV4_MAPPED']],
  },
  {
    name: 'expose cidr with a leading zero in an octet',
    input: withExpose({ network: 'n', cidr: '010.0.0.0/8' }),
    errors: [['/expose/0/cidr', 'CIDR_LEADING_ZERO']],
  },
  {
    name: 'except with a leading zero in the prefix length',
    input: withExpose({ network: 'n', cidr: '10.0.0.0/8', except: ['10.1.0.0/016'] }),
    errors: [['/expose/0/except/0', 'CIDR_LEADING_ZERO']],
  },
  {
    name: 'expose cidr with an IPv6 zone',
    input: withExpose({ network: 'n', cidr: 'fe80::%eth0/64' }),
    errors: [['/expose/0/cidr', 'INVALID_CIDR']],
  },
  {
    name: 'expose cidr IPv4-compatible IPv6 (accepted: not mapped)',
    input: withExpose({ network: 'n', cidr: '::10.0.0.0/104' }),
    expected: { expose: [{ index: 0, network: 'n', cidr: '::a00:0/104', except: [], ports: [] }] },
  },
  {
    name: 'except item not a string',
    input: withExpose({ network: 'n', cidr: '10.0.0.0/8', except: [null] }),
    errors: [['/expose/0/except/0', 'TYPE_MISMATCH']],
  },
  {
    name: 'except not a list',
    input: withExpose({ network: 'n', cidr: '10.0.0.0/8', except: '10.1.0.0/16' }),
    errors: [['/expose/0/except', 'TYPE_MISMATCH']],
  },
  {
    name: 'except: 1,001 is too many',
    input: withExpose({
      network: 'n',
      cidr: '10.0.0.0/8',
      except: range(DOCUMENT_LIMITS.except + 1, (i) => `10.${i >> 8}.${i & 255}.0/24`),
    }),
    errors: [['/expose/0/except', 'TOO_MANY_ITEMS']],
  },
  {
    name: 'except: 1,000 is fine',
    input: withExpose({
      network: 'n',
      cidr: '10.0.0.0/8',
      except: range(DOCUMENT_LIMITS.except, (i) => `10.${i >> 8}.${i & 255}.0/24`),
    }),
  },
  {
    name: 'expose port invalid',
    input: withExpose({ network: 'n', cidr: '10.0.0.0/8', ports: [{ port: 'x_y' }] }),
    errors: [['/expose/0/ports/0/port', 'INVALID_PORT']],
  },
  {
    name: 'expose port unknown field',
    input: withExpose({ network: 'n', cidr: '10.0.0.0/8', ports: [{ ports: 80 }] }),
    errors: [['/expose/0/ports/0/ports', 'UNKNOWN_FIELD']],
  },
  {
    name: 'expose unknown field',
    input: withExpose({ network: 'n', cidr: '10.0.0.0/8', port: 80 }),
    errors: [['/expose/0/port', 'UNKNOWN_FIELD']],
  },
  {
    name: 'expose entry not an object',
    input: withExpose('n=10.0.0.0/8'),
    errors: [['/expose/0', 'TYPE_MISMATCH']],
  },
  {
    name: 'expose not a list',
    input: doc({ expose: { network: 'n', cidr: '10.0.0.0/8' } }),
    errors: [['/expose', 'TYPE_MISMATCH']],
  },
  { name: 'expose null', input: doc({ expose: null }), errors: [['/expose', 'TYPE_MISMATCH']] },
  { name: 'expose empty', input: doc({ expose: [] }), expected: { expose: [] } },
  {
    name: 'expose: 10,001 is too many',
    input: doc({
      expose: range(DOCUMENT_LIMITS.expose + 1, () => ({ network: 'n', cidr: '10.0.0.0/8' })),
    }),
    errors: [['/expose', 'TOO_MANY_ITEMS']],
  },
  {
    name: 'expose-only network is a network of the document',
    input: { namespaces: ['mms'], expose: [{ network: 'only_here', cidr: '10.0.0.0/8' }] },
    expected: { networks: ['only-here'], contracts: [] },
  },

  // --- options -----------------------------------------------------------------------------
  { name: 'options absent: defaults', input: doc(), expected: { options: DEFAULT_OPTIONS } },
  {
    name: 'options empty: defaults',
    input: withOptions({}),
    expected: { options: DEFAULT_OPTIONS },
  },
  {
    name: 'every option set',
    input: withOptions({
      label_key: 'example.com/net',
      provider_access: 'none',
      peer_namespaces: 'listed',
      intra_network: 'isolate',
      egress: 'enforce',
    }),
    expected: {
      options: {
        labelKey: 'example.com/net',
        providerAccess: 'none',
        peerNamespaces: 'listed',
        intraNetwork: 'isolate',
        egress: 'enforce',
      },
      contracts: [contract({ providerAccess: 'none' })],
    },
  },
  {
    name: 'every option set to its default value',
    input: withOptions({
      label_key: 'mms_network_tag',
      provider_access: 'full',
      peer_namespaces: 'any',
      intra_network: 'allow',
      egress: 'unrestricted',
    }),
    expected: { options: DEFAULT_OPTIONS },
  },
  {
    name: 'label_key with dots and underscores',
    input: withOptions({ label_key: 'Net.tag_1' }),
    expected: { options: { ...DEFAULT_OPTIONS, labelKey: 'Net.tag_1' } },
  },
  {
    name: 'label_key one character',
    input: withOptions({ label_key: 'A' }),
    expected: { options: { ...DEFAULT_OPTIONS, labelKey: 'A' } },
  },
  {
    name: 'label_key name of 63',
    input: withOptions({ label_key: `x.io/${long(63)}` }),
    expected: { options: { ...DEFAULT_OPTIONS, labelKey: `x.io/${long(63)}` } },
  },
  {
    name: 'label_key name of 64',
    input: withOptions({ label_key: long(64) }),
    errors: [['/options/label_key', 'INVALID_LABEL_KEY']],
  },
  {
    name: 'label_key empty',
    input: withOptions({ label_key: '' }),
    errors: [['/options/label_key', 'INVALID_LABEL_KEY']],
  },
  {
    name: 'label_key two slashes',
    input: withOptions({ label_key: 'a/b/c' }),
    errors: [['/options/label_key', 'INVALID_LABEL_KEY']],
  },
  {
    name: 'label_key empty prefix',
    input: withOptions({ label_key: '/net' }),
    errors: [['/options/label_key', 'INVALID_LABEL_KEY']],
  },
  {
    name: 'label_key empty name',
    input: withOptions({ label_key: 'example.com/' }),
    errors: [['/options/label_key', 'INVALID_LABEL_KEY']],
  },
  {
    name: 'label_key upper-case prefix',
    input: withOptions({ label_key: 'Example.com/net' }),
    errors: [['/options/label_key', 'INVALID_LABEL_KEY']],
  },
  {
    name: 'label_key with a space',
    input: withOptions({ label_key: 'net tag' }),
    errors: [['/options/label_key', 'INVALID_LABEL_KEY']],
    messages: ['"net tag"'],
  },
  {
    name: 'label_key ending with -',
    input: withOptions({ label_key: 'net-' }),
    errors: [['/options/label_key', 'INVALID_LABEL_KEY']],
  },
  {
    name: 'label_key not a string',
    input: withOptions({ label_key: 1 }),
    errors: [['/options/label_key', 'TYPE_MISMATCH']],
  },
  {
    name: 'label_key longer than the string cap',
    input: withOptions({ label_key: long(DOCUMENT_LIMITS.stringLength + 1) }),
    errors: [['/options/label_key', 'STRING_TOO_LONG']],
  },
  {
    name: 'options provider_access invalid',
    input: withOptions({ provider_access: 'some' }),
    errors: [['/options/provider_access', 'INVALID_ENUM']],
  },
  {
    name: 'options peer_namespaces invalid',
    input: withOptions({ peer_namespaces: 'all' }),
    errors: [['/options/peer_namespaces', 'INVALID_ENUM']],
    messages: ['must be one of "any", "listed", got "all"'],
  },
  {
    name: 'options intra_network invalid',
    input: withOptions({ intra_network: 'deny' }),
    errors: [['/options/intra_network', 'INVALID_ENUM']],
  },
  {
    name: 'options egress wrong case',
    input: withOptions({ egress: 'Enforce' }),
    errors: [['/options/egress', 'INVALID_ENUM']],
  },
  {
    name: 'options egress not a string',
    input: withOptions({ egress: true }),
    errors: [['/options/egress', 'TYPE_MISMATCH']],
    messages: ['"unrestricted", "enforce"'],
  },
  {
    name: 'options unknown field',
    input: withOptions({ 'label-key': 'x' }),
    errors: [['/options/label-key', 'UNKNOWN_FIELD']],
  },
  {
    name: 'options __proto__ is an unknown field',
    input: JSON.parse('{"namespaces":["mms"],"options":{"__proto__":{"egress":"enforce"}}}'),
    errors: [['/options/__proto__', 'UNKNOWN_FIELD']],
  },
  {
    name: 'options not an object',
    input: withOptions(['egress']),
    errors: [['/options', 'TYPE_MISMATCH']],
  },
  { name: 'options null', input: withOptions(null), errors: [['/options', 'TYPE_MISMATCH']] },

  // --- many errors at once -----------------------------------------------------------------
  {
    name: 'every error in the document, sorted by path then code',
    input: {
      namespaces: ['ok', 'Not-Ok'],
      contracts: {
        b: { provide_networks: ['x'], consume_networks: [], ports: [{ port: 0 }] },
        a: { provide_networks: ['X'], consume_networks: ['y'], colour: 'red' },
      },
      expose: [{ network: 'y', cidr: 'nope' }],
      options: { egress: 'nope' },
      extra: true,
    },
    errors: [
      ['/contracts/a/colour', 'UNKNOWN_FIELD'],
      ['/contracts/a/provide_networks/0', 'INVALID_NETWORK_NAME'],
      ['/contracts/b/consume_networks', 'EMPTY_LIST'],
      ['/contracts/b/ports/0/port', 'PORT_OUT_OF_RANGE'],
      ['/expose/0/cidr', 'INVALID_CIDR'],
      ['/extra', 'UNKNOWN_FIELD'],
      ['/namespaces/1', 'INVALID_NAMESPACE'],
      ['/options/egress', 'INVALID_ENUM'],
    ],
  },
];

const summary = (ps: readonly Problem[]): P[] => ps.map((p) => [p.path, p.code]);

describe('parsePolicyDocument: table', () => {
  it.each(rows)('$name', (row) => {
    const result = parsePolicyDocument(row.input);
    expect(summary(result.warnings)).toEqual(row.warnings ?? []);
    if (row.errors) {
      expect(result.ok).toBe(false);
      expect(result.ok ? [] : summary(result.errors)).toEqual(row.errors);
    } else {
      expect(result.ok ? [] : summary(result.errors)).toEqual([]);
      expect(result.ok).toBe(true);
    }
    if (result.ok) {
      for (const [key, value] of Object.entries(row.expected ?? {})) {
        expect(result.document[key as keyof NormalisedDocument]).toStrictEqual(value);
      }
      if (row.ports) {
        expect(result.document.contracts).toHaveLength(1);
        expect(result.document.contracts[0].ports).toStrictEqual(row.ports);
      }
    }
    const all = [...(result.ok ? [] : result.errors), ...result.warnings];
    for (const m of row.messages ?? []) {
      expect(all.map((p) => p.message).join('\n')).toContain(m);
    }
  });

  it('has a row for every code the parser can emit', () => {
    const covered = new Set(
      rows.flatMap((r) => [...(r.errors ?? []), ...(r.warnings ?? [])].map(([, code]) => code)),
    );
    expect(DOCUMENT_PROBLEM_CODES.filter((c) => !covered.has(c))).toEqual([]);
    // And nothing else is emitted (INVALID_JSON belongs to the HTTP layer: input is parsed).
    expect(
      [...covered].filter((c) => !(DOCUMENT_PROBLEM_CODES as readonly ProblemCode[]).includes(c)),
    ).toEqual([]);
  });

  it('leaves no {placeholder} unfilled in any message', () => {
    for (const row of rows) {
      const result = parsePolicyDocument(row.input);
      for (const p of [...(result.ok ? [] : result.errors), ...result.warnings]) {
        expect(p.message, `${row.name}: ${p.message}`).not.toMatch(/\{\w+\}/);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------
// The seed example and golden documents
// ---------------------------------------------------------------------------------------

async function fixture(name: string): Promise<unknown> {
  const mod = (await import(`../../../test/fixtures/documents/${name}.json`, {
    with: { type: 'json' },
  })) as {
    default: unknown;
  };
  return structuredClone(mod.default);
}

describe('parsePolicyDocument: seed example', () => {
  it('normalises the MMS seed document exactly', async () => {
    const result = parsePolicyDocument(await fixture('mms-seed'));
    const expected: ParseResult = {
      ok: true,
      warnings: [],
      document: {
        namespaces: ['mms'],
        networks: ['hangwe-inst-network01', 'hangwe-inst-network02', 'hangwe-inst-network03'],
        contracts: [
          {
            name: 'hangwe_inst_constract01',
            providers: ['hangwe-inst-network02'],
            consumers: ['hangwe-inst-network01'],
            ports: [
              { protocol: 'TCP', port: 23 },
              { protocol: 'TCP', port: 3306 },
            ],
            providerAccess: 'full',
          },
          {
            name: 'hangwe_inst_constract02',
            providers: ['hangwe-inst-network01'],
            consumers: ['hangwe-inst-network03'],
            ports: [{ protocol: 'TCP', port: 23 }],
            providerAccess: 'full',
          },
        ],
        expose: [
          {
            index: 0,
            network: 'hangwe-inst-network01',
            cidr: '0.0.0.0/0',
            except: [],
            ports: [{ protocol: 'TCP', port: 80 }],
          },
        ],
        options: {
          labelKey: 'mms_network_tag',
          providerAccess: 'full',
          peerNamespaces: 'any',
          intraNetwork: 'allow',
          egress: 'unrestricted',
        },
      },
    };
    expect(result).toStrictEqual(expected);
  });

  it.each(['mms-seed', 'full-featured', 'invalid-mixed'])('golden %s', async (name) => {
    const result = parsePolicyDocument(await fixture(name));
    expect(result).toEqual(await fixture(`${name}.expected`));
  });
});

// ---------------------------------------------------------------------------------------
// Hostile input
// ---------------------------------------------------------------------------------------

describe('parsePolicyDocument: hostile input', () => {
  it('does not pollute prototypes with __proto__ / constructor keys anywhere', () => {
    const text =
      '{"namespaces":["mms"],"contracts":{' +
      '"__proto__":{"provide_networks":["polluted"],"consume_networks":["q"],"ports":[{"port":80}]},' +
      '"constructor":{"provide_networks":["p"],"consume_networks":["q"]},' +
      '"prototype":{"provide_networks":["p"],"consume_networks":["q"]}}}';
    const result = parsePolicyDocument(JSON.parse(text));
    expect(result.ok).toBe(true);
    if (result.ok)
      expect(result.document.contracts.map((c) => c.name)).toEqual([
        '__proto__',
        'constructor',
        'prototype',
      ]);
    const probe: Record<string, unknown> = {};
    expect(probe.provide_networks).toBeUndefined();
    expect(probe.ports).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('provide_networks');
  });

  it('ignores inherited properties, even if Object.prototype is polluted', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.ports = [{ port: 0 }];
    proto.action = 'deny';
    proto.options = { egress: 'nope' };
    try {
      const result = parsePolicyDocument({
        namespaces: ['mms'],
        contracts: { c: { provide_networks: ['p'], consume_networks: ['q'] } },
      });
      expect(result.ok).toBe(true);
      if (result.ok) expect(result.document.contracts).toStrictEqual([contract()]);
    } finally {
      delete proto.ports;
      delete proto.action;
      delete proto.options;
    }
  });

  it('accepts null-prototype objects', () => {
    const c = Object.assign(Object.create(null) as Json, {
      provide_networks: ['p'],
      consume_networks: ['q'],
    });
    const result = parsePolicyDocument(
      Object.assign(Object.create(null) as Json, { namespaces: ['mms'], contracts: { c } }),
    );
    expect(result.ok).toBe(true);
  });

  it('terminates on a cyclic source_port (not JSON, but must not hang)', () => {
    const cyclic: Json = { a: 1 };
    cyclic.self = cyclic;
    cyclic.list = [cyclic, cyclic];
    const result = parsePolicyDocument(withContract({ source_port: cyclic }));
    expect(result.warnings.map((w) => w.code)).toEqual(['IGNORED_SOURCE_PORT']);
  });

  // Speed is measured by `npm run bench:compile`, never asserted in a test.
  it('parses 5,000 networks and 10,000 contracts', () => {
    const contracts: Json = {};
    for (let i = 0; i < 10_000; i++) {
      contracts[`contract_${i}`] = {
        provide_networks: [`net_${i % 5000}`, `net_${(i * 7) % 5000}`],
        consume_networks: [`net_${(i + 1) % 5000}`],
        ports: [{ protocol: 'TCP', port: String(1 + (i % 60000)) }],
      };
    }
    const result = parsePolicyDocument(
      JSON.parse(JSON.stringify({ namespaces: ['mms'], contracts })) as unknown,
    );
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.document.networks).toHaveLength(5000);
      expect(result.document.contracts).toHaveLength(10_000);
    }
  }, 30_000);

  it('reports all errors of a large invalid document (linear, no early stop)', () => {
    const contracts: Json = {};
    for (let i = 0; i < 2000; i++)
      contracts[`c${i}`] = { provide_networks: [`Bad_${i}`], consume_networks: [`q`] };
    const result = parsePolicyDocument({ namespaces: ['mms'], contracts });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toHaveLength(2000);
  });
});

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

const VALID_POINTER = /^(\/([^~/]|~[01])*)*$/;

/** Checks the invariants of any result. */
function checkResult(result: ParseResult): void {
  const problems = [...(result.ok ? [] : result.errors), ...result.warnings];
  for (const p of problems) {
    expect(p.path === '' || p.path.startsWith('/')).toBe(true);
    expect(p.path).toMatch(VALID_POINTER);
    expect(DOCUMENT_PROBLEM_CODES).toContain(p.code);
    expect(p.message).not.toBe('');
    expect(typeof p.message).toBe('string');
  }
  expect(sortProblems(result.warnings)).toEqual(result.warnings);
  if (!result.ok) {
    expect(result.errors.length).toBeGreaterThan(0);
    expect(sortProblems(result.errors)).toEqual(result.errors);
    return;
  }
  const d = result.document;
  const sortedUnique = (xs: string[]) => [...new Set(xs)].sort();
  expect(d.namespaces).toEqual(sortedUnique(d.namespaces));
  expect(d.namespaces.length).toBeGreaterThan(0);
  expect(d.networks).toEqual(sortedUnique(d.networks));
  const networks = new Set(d.networks);
  for (const c of d.contracts) {
    expect(c.providers).toEqual(sortedUnique(c.providers));
    expect(c.consumers).toEqual(sortedUnique(c.consumers));
    for (const n of [...c.providers, ...c.consumers]) expect(networks.has(n)).toBe(true);
  }
  expect(d.contracts.map((c) => c.name)).toEqual(d.contracts.map((c) => c.name).sort());
  for (const e of d.expose) expect(networks.has(e.network)).toBe(true);
}

const NAMES = [
  'web',
  'web_a',
  'web-a',
  'db',
  'db_1',
  'DB',
  '',
  '_x',
  '__proto__',
  'a/b~c',
  'cache',
];
const anyName = fc.oneof(
  fc.constantFrom(...NAMES),
  fc.string({ maxLength: 8 }),
  fc.jsonValue({ maxDepth: 1 }),
);
const portEntry = fc.oneof(
  fc.record(
    {
      protocol: fc.oneof(
        fc.constantFrom('TCP', 'udp', 'Sctp', 'icmp', ''),
        fc.jsonValue({ maxDepth: 1 }),
      ),
      port: fc.oneof(
        fc.integer({ min: -3, max: 70_000 }),
        fc.constantFrom(
          '80',
          '023',
          '8000-8100',
          '80-80',
          '90-80',
          'http',
          'x--y',
          '0',
          '',
          1.5,
          null,
          true,
        ),
      ),
      source_port: fc.jsonValue({ maxDepth: 2 }),
      typo: fc.constant(1),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
const contractArb = fc.oneof(
  fc.record(
    {
      provide_networks: fc.oneof(
        fc.array(anyName, { maxLength: 4 }),
        fc.jsonValue({ maxDepth: 1 }),
      ),
      consume_networks: fc.oneof(
        fc.array(anyName, { maxLength: 4 }),
        fc.jsonValue({ maxDepth: 1 }),
      ),
      ports: fc.oneof(fc.array(portEntry, { maxLength: 4 }), fc.jsonValue({ maxDepth: 1 })),
      provider_access: fc.oneof(
        fc.constantFrom('full', 'none', 'Full'),
        fc.jsonValue({ maxDepth: 1 }),
      ),
      action: fc.oneof(
        fc.constantFrom('permit', 'PERMIT', 'deny', 'redirect'),
        fc.jsonValue({ maxDepth: 1 }),
      ),
      established: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 1 })),
      source_ports: fc.jsonValue({ maxDepth: 3 }),
      constructor: fc.constant('x'),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
const exposeArb = fc.oneof(
  fc.record(
    {
      network: anyName,
      cidr: fc.oneof(
        fc.constantFrom('10.0.0.0/8', '10.1.2.3/8', '::/0', '2001:db8::/32', 'bad', '10.0.0.0/33'),
        fc.jsonValue({ maxDepth: 1 }),
      ),
      except: fc.oneof(
        fc.array(
          fc.constantFrom('10.1.0.0/16', '10.0.0.0/8', '::/1', '11.0.0.0/8', 'x', '10.1.1.1/16'),
          { maxLength: 4 },
        ),
        fc.jsonValue({ maxDepth: 1 }),
      ),
      ports: fc.array(portEntry, { maxLength: 3 }),
      extra: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
const optionsArb = fc.oneof(
  fc.record(
    {
      label_key: fc.oneof(
        fc.constantFrom('mms_network_tag', 'a.io/net', 'bad key', '', 'a/b/c'),
        fc.jsonValue({ maxDepth: 1 }),
      ),
      provider_access: fc.constantFrom('full', 'none', 'x'),
      peer_namespaces: fc.constantFrom('any', 'listed', 'x'),
      intra_network: fc.constantFrom('allow', 'isolate', 'x'),
      egress: fc.oneof(
        fc.constantFrom('unrestricted', 'enforce', 'x'),
        fc.jsonValue({ maxDepth: 1 }),
      ),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
const documentLike = fc.record(
  {
    namespaces: fc.oneof(
      fc.array(fc.constantFrom('mms', 'team-a', 'Bad', '', 'mms'), { maxLength: 4 }),
      fc.jsonValue({ maxDepth: 1 }),
    ),
    contracts: fc.oneof(
      fc.dictionary(
        fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'a/b')),
        contractArb,
        { maxKeys: 5 },
      ),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    expose: fc.oneof(fc.array(exposeArb, { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })),
    options: optionsArb,
    typo: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);

/** A small deterministic PRNG (mulberry32) so that shuffles are reproducible from a seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(xs: readonly T[], next: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The same document with contract keys and every list except `expose` in another order. */
function reorder(input: unknown, seed: number): unknown {
  const next = rng(seed);
  const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
  const shuffleList = (v: unknown) => (Array.isArray(v) ? shuffle(v, next) : v);
  const shuffleKeys = (o: Json): Json => {
    const out: Json = {};
    for (const k of shuffle(Object.keys(o), next))
      Object.defineProperty(out, k, {
        value: o[k],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  };
  if (!isObj(input)) return input;
  const out = shuffleKeys(input);
  out.namespaces = shuffleList(out.namespaces);
  if (isObj(out.contracts)) {
    const contracts = shuffleKeys(out.contracts);
    for (const k of Object.keys(contracts)) {
      const c = contracts[k];
      if (!isObj(c)) continue;
      const copy = shuffleKeys(c);
      for (const f of ['provide_networks', 'consume_networks', 'ports'])
        if (Object.hasOwn(copy, f)) copy[f] = shuffleList(copy[f]);
      Object.defineProperty(contracts, k, {
        value: copy,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    out.contracts = contracts;
  }
  if (Array.isArray(out.expose)) {
    out.expose = out.expose.map((e: unknown) => {
      if (!isObj(e)) return e;
      const copy = shuffleKeys(e);
      for (const f of ['except', 'ports'])
        if (Object.hasOwn(copy, f)) copy[f] = shuffleList(copy[f]);
      return copy;
    });
  }
  return out;
}

/** A valid-ish document: mostly valid names and ports, so most samples parse. */
const validName = fc.constantFrom('web', 'web_a', 'db', 'db_1', 'cache', 'api_gw', 'x');
const validPort = fc.oneof(
  fc.record(
    {
      protocol: fc.constantFrom('TCP', 'udp', 'SCTP'),
      port: fc.oneof(
        fc.integer({ min: 1, max: 65535 }),
        fc.constantFrom('80', '8000-8100', 'http', 'dns'),
      ),
    },
    { requiredKeys: [] },
  ),
);
const validDocument = fc.record(
  {
    namespaces: fc.array(fc.constantFrom('mms', 'team-a', 'team-b'), {
      minLength: 1,
      maxLength: 4,
    }),
    contracts: fc.dictionary(
      fc.constantFrom('c1', 'c2', 'web_to_db', '10', '__proto__', 'z'),
      fc.record(
        {
          provide_networks: fc.array(validName, { minLength: 1, maxLength: 4 }),
          consume_networks: fc.array(validName, { minLength: 1, maxLength: 4 }),
          ports: fc.array(validPort, { maxLength: 5 }),
          provider_access: fc.constantFrom('full', 'none'),
          action: fc.constantFrom('permit', 'deny'),
        },
        { requiredKeys: ['provide_networks', 'consume_networks'] },
      ),
      { maxKeys: 5 },
    ),
    expose: fc.array(
      fc
        .tuple(
          validName,
          fc.constantFrom(
            { cidr: '10.0.0.0/8', except: ['10.2.0.0/16', '10.1.0.0/16', '10.1.0.0/16'] },
            { cidr: '0.0.0.0/0', except: [] },
            { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] },
          ),
          fc.array(validPort, { maxLength: 3 }),
        )
        .map(([network, c, ports]) => ({ network, cidr: c.cidr, except: c.except, ports })),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: ['namespaces'] },
);

/** The normalised document written back as a raw document. */
function toRaw(d: NormalisedDocument): Json {
  const rawPorts = (ps: PortSpec[]) =>
    ps.map((p) =>
      p.endPort === undefined ? { ...p } : { protocol: p.protocol, port: `${p.port}-${p.endPort}` },
    );
  const contracts: Json = {};
  for (const c of d.contracts) {
    Object.defineProperty(contracts, c.name, {
      value: {
        provide_networks: c.providers,
        consume_networks: c.consumers,
        ports: rawPorts(c.ports),
        provider_access: c.providerAccess,
      },
      enumerable: true,
    });
  }
  return {
    namespaces: d.namespaces,
    contracts,
    expose: d.expose.map((e) => ({
      network: e.network,
      cidr: e.cidr,
      except: e.except,
      ports: rawPorts(e.ports),
    })),
    options: {
      label_key: d.options.labelKey,
      provider_access: d.options.providerAccess,
      peer_namespaces: d.options.peerNamespaces,
      intra_network: d.options.intraNetwork,
      egress: d.options.egress,
    },
  };
}

describe('parsePolicyDocument: properties', () => {
  it('never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (input) => {
        checkResult(parsePolicyDocument(input));
      }),
      { numRuns: 300 },
    );
  }, 30_000);

  it('never throws on document-shaped input, and every path is a JSON pointer', () => {
    fc.assert(
      fc.property(documentLike, (input) => {
        checkResult(parsePolicyDocument(input));
        // The same through a JSON round trip (as the HTTP layer delivers it).
        checkResult(parsePolicyDocument(JSON.parse(JSON.stringify(input)) as unknown));
      }),
      { numRuns: 250 },
    );
  }, 30_000);

  it('gives an equal result whatever the order of contract keys and lists', () => {
    fc.assert(
      fc.property(fc.oneof(validDocument, documentLike), fc.integer(), (input, seed) => {
        const a = parsePolicyDocument(input);
        const b = parsePolicyDocument(reorder(input, seed));
        expect(b.ok).toBe(a.ok);
        if (a.ok && b.ok) expect(b.document).toStrictEqual(a.document);
        if (!a.ok && !b.ok)
          expect(new Set(b.errors.map((e) => e.code))).toEqual(
            new Set(a.errors.map((e) => e.code)),
          );
      }),
      { numRuns: 300 },
    );
  }, 30_000);

  it('most valid-ish documents parse (the generator is meaningful)', () => {
    const samples = fc.sample(validDocument, { numRuns: 200, seed: 42 });
    const ok = samples.filter((s) => parsePolicyDocument(s).ok).length;
    expect(ok).toBeGreaterThan(150);
  });

  it('a normalised document written back parses to itself', () => {
    fc.assert(
      fc.property(validDocument, (input) => {
        const a = parsePolicyDocument(input);
        if (!a.ok) return;
        // Networks named only by dropped contracts cannot be written back as contracts.
        const dropped = Object.values((input.contracts ?? {}) as Json).some(
          (c) => (c as Json).action === 'deny',
        );
        const b = parsePolicyDocument(toRaw(a.document));
        expect(b.ok).toBe(true);
        if (!b.ok) return;
        expect(b.warnings).toEqual([]);
        if (dropped)
          expect({ ...b.document, networks: [] }).toStrictEqual({ ...a.document, networks: [] });
        else expect(b.document).toStrictEqual(a.document);
      }),
      { numRuns: 300 },
    );
  }, 30_000);

  it('orders problem paths as a total order (indexes numerically)', () => {
    expect(comparePointers('/a/2', '/a/10')).toBeLessThan(0);
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(
            '',
            '/a',
            '/a/0',
            '/a/2',
            '/a/10',
            '/a/b',
            '/a/1a',
            '/a/01',
            '/b/9',
            '/a/0/x',
          ),
          { minLength: 3, maxLength: 3 },
        ),
        ([x, y, z]) => {
          const c = comparePointers;
          expect(Math.sign(c(x, y)) + Math.sign(c(y, x))).toBe(0);
          if (c(x, y) <= 0 && c(y, z) <= 0) expect(c(x, z)).toBeLessThanOrEqual(0);
        },
      ),
    );
  });
});
