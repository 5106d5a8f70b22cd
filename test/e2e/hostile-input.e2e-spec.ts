import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { count } from 'drizzle-orm';
import fc from 'fast-check';
import type { Response } from 'supertest';
import { stringify as toYaml } from 'yaml';
import { parsePolicyDocument } from '../../src/core/document/parse-policy-document.js';
import { isValidLabelKey } from '../../src/core/document/label-key.js';
import { DATABASE } from '../../src/infra/database/database.module.js';
import type { DatabaseHandle } from '../../src/infra/database/database.js';
import { clusters, deployments, policies, revisions } from '../../src/infra/database/schema.js';
import { labelProblems, resolveRegistration } from '../../src/modules/clusters/cluster-input.js';
import { RESERVED_KEYS } from '../../src/common/hostile-json.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';

/**
 * Hostile input against the real app (issue "Security and reliability"): (a) every case of the
 * corpus in test/fixtures/bad/ (see its README.md) answers its status as problem+json with the
 * expected {path, code} and stores nothing; (b) fast-check POSTs arbitrary and body-shaped JSON
 * to /v1/compile, /v1/policies and /v1/clusters: never a 5xx, never a row for a bad body.
 *
 * A corpus case whose expectation carries `knownBug` documents a server bug that is not fixed
 * yet: it runs as `it.fails`, so it turns red the day the bug is fixed (then drop `knownBug`).
 * HOSTILE_INPUT_STRICT=1 runs those cases as plain tests, to see what the server answers now.
 * The property tolerates exactly the same bugs through KNOWN_BUGS below (and counts the hits).
 */

// ---------------------------------------------------------------------------------- corpus

type Route = '/v1/compile' | '/v1/policies' | '/v1/clusters';
const ROUTES: readonly Route[] = ['/v1/compile', '/v1/policies', '/v1/clusters'];

interface ExpectedError {
  path: string;
  code: string;
}

interface Expectation {
  status: 400 | 413 | 415;
  /** For 400: each must be among the answer's `errors` (the answer may list more). */
  errors?: ExpectedError[];
  /** The problem `type`, for a 400 that is not about a field (a body that cannot be decoded). */
  type?: string;
  /** Strings (secrets) the answer must not contain. */
  notEchoed?: string[];
  /** The server does not answer this yet (why, in short); the case runs as `it.fails`. */
  knownBug?: string;
}

/** Builds a large or deep part of a body at `at` (a JSON pointer into `body`; '' = the body). */
type GenerateOp = { at: string } & (
  | { repeat: unknown; count: number }
  | { entries: unknown; key: string; count: number }
  | { string: string; length: number }
  | { text: [string, number][] }
  | { nest: 'array' | 'object'; depth: number }
  | { stringify: unknown; format: 'json' | 'yaml' }
);

interface BadCase {
  name: string;
  body?: unknown;
  rawBody?: string;
  rawBase64?: string;
  noBody?: boolean;
  /** Default application/json; null sends no Content-Type. */
  contentType?: string | null;
  headers?: Record<string, string>;
  encoding?: 'gzip';
  generate?: GenerateOp[];
  expect?: Expectation;
  expectByRoute?: Partial<Record<Route, Expectation>>;
}

interface CorpusFile {
  route?: Route;
  routes?: Route[];
  description?: string;
  cases: BadCase[];
}

const CORPUS_DIR = new URL('../fixtures/bad/', import.meta.url);
const corpus: { file: string; routes: Route[]; cases: BadCase[] }[] = readdirSync(CORPUS_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => {
    const parsed = JSON.parse(readFileSync(new URL(file, CORPUS_DIR), 'utf8')) as CorpusFile;
    const routes = parsed.routes ?? (parsed.route ? [parsed.route] : []);
    return { file, routes, cases: parsed.cases };
  });

function expectationFor(c: BadCase, route: Route): Expectation {
  const e = c.expectByRoute?.[route] ?? c.expect;
  if (!e) throw new Error(`case "${c.name}" has no expectation for ${route}`);
  return e;
}

/** Replaces `{i}` in every string of a template. */
function instantiate(template: unknown, i: number): unknown {
  if (typeof template === 'string') return template.replaceAll('{i}', String(i));
  if (Array.isArray(template)) return template.map((t) => instantiate(t, i));
  if (template !== null && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, instantiate(v, i)]));
  }
  return template;
}

function setAt(root: unknown, pointer: string, value: unknown): unknown {
  if (pointer === '') return value;
  const tokens = pointer
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
  let parent = root as Record<string, unknown>;
  for (const t of tokens.slice(0, -1)) parent = parent[t] as Record<string, unknown>;
  Object.defineProperty(parent, tokens[tokens.length - 1], {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return root;
}

/** JSON text of a body whose placeholders (strings) stand for raw, pre-built JSON text. */
class RawJson {
  private readonly parts: string[] = [];

  placeholder(text: string): string {
    return `\u0000raw:${this.parts.push(text) - 1}\u0000`;
  }

  stringify(value: unknown): string {
    return JSON.stringify(value).replace(
      /"\\u0000raw:(\d+)\\u0000"/g,
      (_m, i: string) => this.parts[Number(i)],
    );
  }
}

function generated(op: GenerateOp, raw: RawJson): unknown {
  if ('repeat' in op) return Array.from({ length: op.count }, (_, i) => instantiate(op.repeat, i));
  if ('entries' in op) {
    return Object.fromEntries(
      Array.from({ length: op.count }, (_, i) => [
        op.key.replaceAll('{i}', String(i)),
        instantiate(op.entries, i),
      ]),
    );
  }
  if ('string' in op)
    return op.string.repeat(Math.ceil(op.length / op.string.length)).slice(0, op.length);
  if ('text' in op) return op.text.map(([unit, times]) => unit.repeat(times)).join('');
  if ('nest' in op) {
    const [open, close] = op.nest === 'array' ? ['[', ']'] : ['{"a":', '}'];
    return raw.placeholder(open.repeat(op.depth) + '1' + close.repeat(op.depth));
  }
  return op.format === 'yaml' ? toYaml(op.stringify) : JSON.stringify(op.stringify);
}

interface Payload {
  bytes?: Buffer;
  contentType: string | null;
  headers: Record<string, string>;
}

function payloadOf(c: BadCase, route: Route): Payload {
  const headers = Object.fromEntries(
    Object.entries(c.headers ?? {}).map(([k, v]) => [k, v.replaceAll('{route}', route)]),
  );
  let bytes: Buffer | undefined;
  if (c.rawBase64 !== undefined) bytes = Buffer.from(c.rawBase64, 'base64');
  else if (c.rawBody !== undefined) bytes = Buffer.from(c.rawBody, 'utf8');
  else if (!c.noBody) {
    const raw = new RawJson();
    let body: unknown = structuredClone(c.body);
    for (const op of c.generate ?? []) body = setAt(body, op.at, generated(op, raw));
    bytes = Buffer.from(raw.stringify(body), 'utf8');
  }
  if (c.encoding === 'gzip' && bytes) {
    bytes = gzipSync(bytes);
    headers['Content-Encoding'] = 'gzip';
  }
  return {
    bytes,
    contentType: c.contentType === undefined ? 'application/json' : c.contentType,
    headers,
  };
}

// ----------------------------------------------------------------------------- the app

let testApp: TestApp;
let db: DatabaseHandle;

type RowCounts = Record<'clusters' | 'policies' | 'revisions' | 'deployments', number>;

async function rowCounts(): Promise<RowCounts> {
  const n = async (
    table: typeof clusters | typeof policies | typeof revisions | typeof deployments,
  ) => (await db.db.select({ n: count() }).from(table))[0].n;
  return {
    clusters: await n(clusters),
    policies: await n(policies),
    revisions: await n(revisions),
    deployments: await n(deployments),
  };
}

/** Removes every cluster, policy (with its revisions) and deployment: only a bad-input bug or a valid random body makes one. */
async function purge(): Promise<void> {
  for (const { name } of await db.db.select({ name: clusters.name }).from(clusters)) {
    await testApp
      .http()
      .delete(`/v1/clusters/${encodeURIComponent(name)}`)
      .expect(204);
  }
  await db.db.delete(deployments);
  await db.db.delete(policies);
}

async function send(route: Route, p: Payload): Promise<Response> {
  let req = testApp.http().post(route);
  if (p.contentType !== null) req = req.set('Content-Type', p.contentType);
  for (const [k, v] of Object.entries(p.headers)) req = req.set(k, v);
  // Bytes as they are: superagent would otherwise JSON-encode a Buffer sent as application/json.
  if (p.bytes !== undefined) req = req.serialize((b: unknown) => b as string).send(p.bytes);
  return await req;
}

interface ProblemAnswer {
  status?: number;
  type?: string;
  errors?: { path: string; code: string }[];
}

describe('hostile input (e2e)', () => {
  beforeAll(async () => {
    testApp = await createTestApp();
    db = testApp.app.get<DatabaseHandle>(DATABASE, { strict: false });
  });
  afterAll(async () => {
    await testApp?.close();
  });

  it('the corpus is well formed', () => {
    let total = 0;
    for (const { file, routes, cases } of corpus) {
      expect(routes.length, file).toBeGreaterThan(0);
      for (const route of routes) expect(ROUTES, file).toContain(route);
      for (const c of cases) {
        const sources = [
          c.body !== undefined || c.generate !== undefined,
          c.rawBody !== undefined,
          c.rawBase64 !== undefined,
          c.noBody === true,
        ];
        expect(sources.filter(Boolean), `${file}: ${c.name}`).toHaveLength(1);
        for (const route of routes) {
          const e = expectationFor(c, route);
          expect([400, 413, 415], `${file}: ${c.name}`).toContain(e.status);
          if (e.status === 400)
            expect(
              e.errors?.length ?? (e.type ? 1 : 0),
              `${file}: ${c.name} (${route}) needs {path, code}`,
            ).toBeGreaterThan(0);
          total++;
        }
      }
      expect(new Set(cases.map((c) => c.name)).size, `${file}: case names are unique`).toBe(
        cases.length,
      );
    }
    expect(total).toBeGreaterThan(250);
  });

  for (const { file, routes, cases } of corpus) {
    describe(`corpus ${file}`, () => {
      for (const c of cases) {
        for (const route of routes) {
          const e = expectationFor(c, route);
          const run = e.knownBug && !process.env['HOSTILE_INPUT_STRICT'] ? it.fails : it;
          const title = `${route} ${c.name}: ${e.status}${e.knownBug ? ` (KNOWN BUG: ${e.knownBug})` : ''}`;
          run(title, async () => {
            const before = await rowCounts();
            try {
              const res = await send(route, payloadOf(c, route));
              expect(res.status, res.text.slice(0, 600)).toBe(e.status);
              expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
              const problem = JSON.parse(res.text) as ProblemAnswer;
              expect(problem.status).toBe(e.status);
              if (e.type) expect(problem.type).toBe(e.type);
              if (e.errors && !e.knownBug) {
                const got = (problem.errors ?? []).map((x) => `${x.path} ${x.code}`);
                expect(got).toEqual(
                  expect.arrayContaining(e.errors.map((x) => `${x.path} ${x.code}`)),
                );
              }
              for (const secret of e.notEchoed ?? []) expect(res.text).not.toContain(secret);
              expect(await rowCounts()).toEqual(before);
            } finally {
              const after = await rowCounts();
              if (JSON.stringify(after) !== JSON.stringify(before)) await purge();
            }
          });
        }
      }
    });
  }

  // ------------------------------------------------------------------------- properties

  describe('arbitrary JSON (fast-check)', () => {
    it('POST /v1/compile: never a 5xx, never a row', async () => {
      await runProperty('/v1/compile', fc.oneof(anyBody, documentBody, validDocument), () => ({
        accept: false,
      }));
    });

    it('POST /v1/policies: never a 5xx, never a row for a bad body', async () => {
      await runProperty('/v1/policies', fc.oneof(anyBody, policyBody), policyVerdict);
    });

    it('POST /v1/clusters: never a 5xx, never a row for a bad body', async () => {
      await runProperty('/v1/clusters', fc.oneof(anyBody, clusterBody), clusterVerdict);
    });

    it('the service still answers afterwards', async () => {
      await testApp.http().get('/healthz').expect(200);
      await testApp.http().get('/v1/policies').expect(200);
      await testApp.http().get('/v1/clusters').expect(200);
    });
  });
});

// ------------------------------------------------------------------------------ arbitraries

/** Own keys that class-transformer (the global ValidationPipe) treats specially: inherited names. */
const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  '__defineGetter__',
];

/** Strings that trip up storage, logs and terminals: NUL, lone surrogates, separators, a BOM. */
const nastyString = fc.constantFrom(
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfff',
  '\u2028\u2029',
  '\ufeff',
  '%00',
  '\u001b[31m',
  '${x}',
  '{{x}}',
  '\ud835\udd4f',
);
const junk = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 2, stringUnit: 'binary' }),
  nastyString,
);
const anyBody = fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' });
const randomKey = fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.string({ maxLength: 8 }));

/** An object with these own entries (`__proto__` included, as JSON.parse would make it). */
function objectOf(entries: [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries)
    if (v !== undefined)
      Object.defineProperty(out, k, {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  return out;
}

const dictionary = (key: fc.Arbitrary<string>, value: fc.Arbitrary<unknown>, maxLength = 3) =>
  fc.uniqueArray(fc.tuple(key, value), { selector: (e) => e[0], maxLength }).map(objectOf);

/** Mostly the plausible value, sometimes anything. */
const orJunk = (arb: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 5, arbitrary: arb }, { weight: 1, arbitrary: junk });

/** A record of optional fields, sometimes with extra keys such as `__proto__` or `constructor`. */
function shaped(
  fields: Record<string, fc.Arbitrary<unknown>>,
): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(fields);
  return fc
    .tuple(
      fc.tuple(...keys.map((k) => fc.option(fields[k], { nil: undefined, freq: 4 }))),
      fc.oneof(
        { weight: 4, arbitrary: fc.constant([] as [string, unknown][]) },
        {
          weight: 1,
          arbitrary: fc.array(fc.tuple(randomKey, junk), { minLength: 1, maxLength: 2 }),
        },
      ),
    )
    .map(([values, extra]) =>
      objectOf([...keys.map((k, i): [string, unknown] => [k, values[i]]), ...extra]),
    );
}

const dnsish = fc.oneof(
  fc.constantFrom(
    'a',
    'mms',
    'web',
    'db',
    'x',
    'y',
    'Bad',
    '-x',
    'web_a',
    'web-a',
    '',
    'a'.repeat(64),
  ),
  fc.stringMatching(/^[a-z0-9_-]{1,10}$/),
  fc.string({ maxLength: 6, unit: 'binary' }),
);
const port = fc.oneof(
  fc.integer({ min: -2, max: 65_537 }),
  fc.constantFrom(
    0,
    1,
    80,
    65_535,
    65_536,
    80.5,
    1e21,
    '80',
    '0',
    '65536',
    '1-65535',
    '90-80',
    'http',
    'HTTP',
    '',
    '-1',
  ),
);
const portEntry = shaped({
  protocol: orJunk(fc.constantFrom('TCP', 'udp', 'SCTP', 'ICMP', '\u017fctp')),
  port: orJunk(port),
  source_port: junk,
});
const portList = orJunk(fc.array(portEntry, { maxLength: 3 }));
const cidr = fc.constantFrom(
  '10.0.0.0/8',
  '0.0.0.0/0',
  '10.1.2.3/8',
  '10.0.0.0/33',
  '::/0',
  '::/129',
  '010.0.0.0/8',
  '1.2.3.4',
  '',
  'fe80::/10',
  '10.0.0.0/24',
);
const contract = shaped({
  provide_networks: orJunk(fc.array(dnsish, { maxLength: 3 })),
  consume_networks: orJunk(fc.array(dnsish, { maxLength: 3 })),
  ports: portList,
  provider_access: orJunk(fc.constantFrom('full', 'none', 'partial')),
  action: orJunk(fc.constantFrom('permit', 'PERMIT', 'deny', 'perm\u0131t')),
  established: orJunk(fc.boolean()),
  source_ports: junk,
});
const contractName = fc.oneof(
  fc.constantFrom('c', 'web_to_db', '', ...PROTOTYPE_KEYS),
  fc.string({ maxLength: 6 }),
);
const documentBody = shaped({
  namespaces: orJunk(fc.array(dnsish, { minLength: 1, maxLength: 3 })),
  contracts: orJunk(dictionary(contractName, orJunk(contract))),
  expose: orJunk(
    fc.array(
      shaped({
        network: orJunk(dnsish),
        cidr: orJunk(cidr),
        except: orJunk(fc.array(cidr, { maxLength: 2 })),
        ports: portList,
      }),
      { maxLength: 2 },
    ),
  ),
  options: orJunk(
    shaped({
      label_key: orJunk(
        fc.constantFrom('mms_network_tag', 'app', 'example.com/x', 'bad key!', 'a/b/c'),
      ),
      provider_access: fc.constantFrom('full', 'none', 'x'),
      peer_namespaces: fc.constantFrom('any', 'listed', 'x'),
      intra_network: fc.constantFrom('allow', 'isolate', 'x'),
      egress: fc.constantFrom('unrestricted', 'enforce', 'x'),
    }),
  ),
});

/** A valid document, often with one hostile twist that keeps it valid or nearly so. */
const netName = fc.constantFrom('x', 'y', 'z', 'web_a');
const validDocument = fc
  .record({
    namespaces: fc.uniqueArray(fc.constantFrom('a', 'b', 'mms'), { minLength: 1, maxLength: 2 }),
    contracts: dictionary(
      fc.constantFrom('c', 'd', 'web_to_db'),
      fc.record(
        {
          provide_networks: fc.uniqueArray(netName, { minLength: 1, maxLength: 2 }),
          consume_networks: fc.uniqueArray(netName, { minLength: 1, maxLength: 2 }),
          ports: fc.array(
            fc.record({
              protocol: fc.constantFrom('TCP', 'UDP'),
              port: fc.integer({ min: 1, max: 65_535 }),
            }),
            { maxLength: 2 },
          ),
          // Ignored fields: any JSON (with a warning), so anything a client sends ends up stored.
          source_port: junk,
          action: fc.oneof(fc.constant('permit'), fc.string({ maxLength: 4, unit: 'binary' })),
        },
        { requiredKeys: ['provide_networks', 'consume_networks'] },
      ),
      2,
    ),
  })
  .chain((doc) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant(doc as Record<string, unknown>) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(randomKey, junk)
          .map(([k, v]) => objectOf([...Object.entries(doc), [k, v]])),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom(...PROTOTYPE_KEYS), junk)
          .map(([k, v]) =>
            objectOf([
              ...Object.entries(doc),
              ['contracts', objectOf([...Object.entries(doc.contracts), [k, v]])],
            ]),
          ),
      },
    ),
  );

const labelKey = fc.oneof(
  fc.constantFrom('env', 'tier', 'example.com/team', 'bad key!', '', ...PROTOTYPE_KEYS),
  fc.string({ maxLength: 6 }),
);
const labelValue = orJunk(
  fc.constantFrom('prod', '', 'hostile-nowhere', 'not ok!', 'v'.repeat(64), 'a\u0000'),
);
/**
 * A valid body, or one with a single twist: a field dropped, a field replaced by any JSON, or
 * an extra key (often `__proto__`, `constructor`, ...). Most twists must give a 4xx.
 */
function nearlyValid(
  base: fc.Arbitrary<Record<string, unknown>>,
  fields: string[],
): fc.Arbitrary<Record<string, unknown>> {
  return base.chain((b) => {
    const entries = Object.entries(b);
    const without = (f: string) => entries.filter(([k]) => k !== f);
    return fc.oneof(
      fc.constant(b),
      fc.constantFrom(...fields).map((f) => objectOf(without(f))),
      fc.tuple(fc.constantFrom(...fields), junk).map(([f, v]) => objectOf([...without(f), [f, v]])),
      fc.tuple(randomKey, junk).map(([k, v]) => objectOf([...entries, [k, v]])),
    );
  });
}

const validName = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/);
const goodLabels = dictionary(
  fc.constantFrom('env', 'tier', 'example.com/team'),
  fc.constantFrom('hostile-nowhere', 'prod', ''),
  2,
);
const randomPolicy = shaped({
  name: fc.oneof({ weight: 3, arbitrary: validName }, { weight: 1, arbitrary: orJunk(dnsish) }),
  targets: fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({ clusterSelector: fc.record({ matchLabels: goodLabels }) }),
    },
    { weight: 1, arbitrary: fc.constant({ clusters: ['not-registered'] }) },
    {
      weight: 2,
      arbitrary: orJunk(
        shaped({
          clusters: orJunk(
            fc.array(fc.constantFrom('not-registered', 'Bad_Name', 'x', ''), { maxLength: 2 }),
          ),
          clusterSelector: orJunk(
            shaped({ matchLabels: orJunk(dictionary(labelKey, labelValue)) }),
          ),
        }),
      ),
    },
  ),
  document: fc.oneof(
    { weight: 3, arbitrary: validDocument },
    { weight: 1, arbitrary: orJunk(documentBody) },
  ),
  selfHeal: orJunk(fc.boolean()),
});
const policyBody = fc.oneof(
  nearlyValid(
    fc.record(
      {
        name: validName,
        targets: fc.record({ clusterSelector: fc.record({ matchLabels: goodLabels }) }),
        document: validDocument,
        selfHeal: fc.boolean(),
      },
      { requiredKeys: ['name', 'targets', 'document'] },
    ),
    ['name', 'targets', 'document', 'selfHeal'],
  ),
  randomPolicy,
);

const UNREACHABLE = 'https://127.0.0.1:1';
const kubeconfigs = [
  toYaml({
    clusters: [{ name: 'k', cluster: { server: UNREACHABLE } }],
    users: [{ name: 'u', user: { token: 'abc' } }],
    contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
    'current-context': 'c',
  }),
  toYaml({
    clusters: [{ name: 'k', cluster: { server: UNREACHABLE } }],
    users: [{ name: 'u', user: { exec: { command: 'sh' } } }],
    contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
    'current-context': 'c',
  }),
  'a: [b',
  '',
];
const randomCluster = shaped({
  name: fc.oneof({ weight: 3, arbitrary: validName }, { weight: 1, arbitrary: orJunk(dnsish) }),
  server: orJunk(
    fc.constantFrom(
      UNREACHABLE,
      'http://127.0.0.1:1',
      'ftp://127.0.0.1',
      'not a url',
      'https://u:p@127.0.0.1:1',
      'https://127.0.0.1:1/?x=1',
      '',
    ),
  ),
  caData: orJunk(fc.constantFrom('', 'bm90IGEgcGVt', '%%%')),
  token: orJunk(fc.constantFrom('abc', '', 'a b', 'tok\u0000')),
  clientCertificateData: orJunk(fc.constantFrom('bm90IGEgcGVt')),
  clientKeyData: orJunk(fc.constantFrom('bm90IGEgcGVt')),
  kubeconfig: orJunk(fc.constantFrom(...kubeconfigs)),
  context: orJunk(fc.constantFrom('c', 'nope', '')),
  insecureSkipTlsVerify: orJunk(fc.boolean()),
  labels: orJunk(dictionary(labelKey, labelValue)),
});
const clusterBody = fc.oneof(
  nearlyValid(
    fc.record(
      {
        name: validName,
        server: fc.constant(UNREACHABLE),
        labels: goodLabels,
        insecureSkipTlsVerify: fc.boolean(),
        token: fc.constantFrom('abc', 'a.b-c_d'),
      },
      { requiredKeys: ['name', 'server'] },
    ),
    [
      'name',
      'server',
      'labels',
      'insecureSkipTlsVerify',
      'token',
      'caData',
      'kubeconfig',
      'context',
    ],
  ),
  randomCluster,
);

// ------------------------------------------------------------------------------- oracles

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Record<string, unknown>, k: string): unknown =>
  Object.hasOwn(o, k) ? o[k] : undefined;
const onlyKeys = (o: Record<string, unknown>, allowed: string[]) =>
  Object.keys(o).every((k) => allowed.includes(k));
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const isDnsLabel = (v: unknown): v is string =>
  typeof v === 'string' && v.length <= 63 && DNS_LABEL.test(v);
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function hasPrototypeKey(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasPrototypeKey);
  if (isObject(v))
    return Object.keys(v).some((k) => PROTOTYPE_KEYS.includes(k) || hasPrototypeKey(v[k]));
  return false;
}

/** A NUL or a lone surrogate somewhere in the body (JSON.stringify escapes exactly those). */
const hasUnstorableString = (v: unknown) =>
  /\\u0000|\\ud[89a-f][0-9a-f]{2}/i.test(JSON.stringify(v) ?? '');

/**
 * The server bugs this file found, as predicates on a body; all are fixed, so no verdict
 * tolerates them any more (a 5xx or a stored row for a bad body fails the property). A bug
 * found later is added here and to a verdict's tolerate list, with a `knownBug` corpus case.
 */
const KNOWN_BUGS = {
  /** CreatePolicyDto.targets has no @IsDefined: PoliciesService.create reads undefined.clusters. */
  policyWithoutTargets: (b: unknown) => isObject(b) && own(b, 'targets') === undefined,
  /** @IsOptional lets selfHeal: null through to the NOT NULL column. */
  policySelfHealNull: (b: unknown) => isObject(b) && own(b, 'selfHeal') === null,
  /** A NUL or lone surrogate in a stored JSON value (document, matchLabels): PostgreSQL's jsonb refuses it. */
  unstorableString: hasUnstorableString,
  /** class-transformer drops own keys named like Object.prototype members before the whitelist and the parsers see them. */
  prototypeKeysDropped: hasPrototypeKey,
  /** matchLabels is only @IsObject(): any keys and values are stored. */
  matchLabelsUnchecked: (b: unknown) => {
    const t = isObject(b) ? own(b, 'targets') : undefined;
    const s = isObject(t) ? own(t, 'clusterSelector') : undefined;
    const m = isObject(s) ? own(s, 'matchLabels') : undefined;
    return isObject(m) && !validLabels(m);
  },
} satisfies Record<string, (body: unknown) => boolean>;

type KnownBug = keyof typeof KNOWN_BUGS;

interface Verdict {
  /** The body is valid: it must be accepted, and a stored row is right (it is removed again). */
  accept: boolean;
  /** Known bugs that explain a 5xx / a stored row for this body. */
  tolerate5xx?: KnownBug[];
  tolerateStored?: KnownBug[];
}

function validLabels(m: Record<string, unknown>): boolean {
  const entries = Object.entries(m);
  return (
    entries.length <= 64 &&
    entries.every(
      ([k, v]) =>
        isValidLabelKey(k) && typeof v === 'string' && v.length <= 63 && LABEL_VALUE.test(v),
    )
  );
}

/** True when a key named like an Object.prototype member appears outside the `skip` top-level field (such bodies are refused). */
function reservedKeyOutside(b: unknown, skip?: string): boolean {
  const stack: { v: unknown; top: boolean }[] = [{ v: b, top: true }];
  while (stack.length > 0) {
    const { v, top } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    for (const [k, x] of Object.entries(v)) {
      if (top && k === skip) continue;
      if (!Array.isArray(v) && RESERVED_KEYS.has(k)) return true;
      stack.push({ v: x, top: false });
    }
  }
  return false;
}

/** Whether POST /v1/policies must accept the body, given that no cluster is registered. */
function policyVerdict(b: unknown): Verdict {
  // Every bug this property found is fixed: nothing is tolerated any more.
  const verdict = (accept: boolean): Verdict => ({ accept });
  if (reservedKeyOutside(b, 'document')) return verdict(false);
  if (!isObject(b) || !onlyKeys(b, ['name', 'targets', 'document', 'selfHeal']))
    return verdict(false);
  const selfHeal = own(b, 'selfHeal');
  if (!isDnsLabel(own(b, 'name')) || (selfHeal !== undefined && typeof selfHeal !== 'boolean'))
    return verdict(false);
  const t = own(b, 'targets');
  if (!isObject(t) || !onlyKeys(t, ['clusters', 'clusterSelector'])) return verdict(false);
  const named = own(t, 'clusters');
  // No cluster is registered: a named one is a 400 UNKNOWN_CLUSTER.
  if (named !== undefined && named !== null && !(Array.isArray(named) && named.length === 0))
    return verdict(false);
  const s = own(t, 'clusterSelector');
  if (!isObject(s) || !onlyKeys(s, ['matchLabels'])) return verdict(false);
  const m = own(s, 'matchLabels');
  if (!isObject(m) || !validLabels(m)) return verdict(false);
  return verdict(parsePolicyDocument(own(b, 'document')).ok && !hasUnstorableString(b));
}

const CLUSTER_FIELDS = [
  'name',
  'server',
  'caData',
  'token',
  'clientCertificateData',
  'clientKeyData',
  'kubeconfig',
  'context',
  'insecureSkipTlsVerify',
  'labels',
];
const STRING_CAPS: Record<string, [number, number]> = {
  server: [0, 2048],
  caData: [0, 65_536],
  token: [1, 16_384],
  clientCertificateData: [0, 65_536],
  clientKeyData: [0, 65_536],
  kubeconfig: [1, 262_144],
  context: [1, 253],
};

/** Whether POST /v1/clusters must accept the body (it would register an unreachable cluster). */
function clusterVerdict(b: unknown): Verdict {
  const verdict = (accept: boolean): Verdict => ({ accept });
  if (reservedKeyOutside(b)) return verdict(false);
  if (!isObject(b) || !onlyKeys(b, CLUSTER_FIELDS) || !isDnsLabel(own(b, 'name')))
    return verdict(false);
  for (const [field, [min, max]] of Object.entries(STRING_CAPS)) {
    const v = own(b, field);
    if (
      v !== undefined &&
      v !== null &&
      (typeof v !== 'string' || v.length < min || v.length > max)
    )
      return verdict(false);
  }
  const insecure = own(b, 'insecureSkipTlsVerify');
  if (insecure !== undefined && insecure !== null && typeof insecure !== 'boolean')
    return verdict(false);
  const labels = own(b, 'labels');
  if (
    labels !== undefined &&
    labels !== null &&
    (!isObject(labels) || labelProblems(labels).length > 0)
  )
    return verdict(false);
  return verdict(resolveRegistration(b, { allowInsecureClusterUrls: false }).ok);
}

// ------------------------------------------------------------------------------ the runner

/** Fixed seeds (HOSTILE_INPUT_SEED=n explores others: n, n+1, n+2). */
const BASE_SEED = Number(process.env['HOSTILE_INPUT_SEED'] ?? 20_261_126);
const SEEDS: Record<Route, number> = {
  '/v1/compile': BASE_SEED,
  '/v1/policies': BASE_SEED + 1,
  '/v1/clusters': BASE_SEED + 2,
};
const RUNS = 200;
const TIME_LIMIT_MS = 12_000;
let idempotencyCounter = 0;

async function runProperty(
  route: Route,
  bodies: fc.Arbitrary<unknown>,
  verdictOf: (body: unknown) => Verdict,
): Promise<void> {
  const hits: Partial<Record<KnownBug | 'validAndStored', number>> = {};
  const hit = (k: KnownBug | 'validAndStored') => (hits[k] = (hits[k] ?? 0) + 1);
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(bodies, fc.boolean(), async (body, withKey) => {
      runs++;
      const before = await rowCounts();
      const headers: Record<string, string> = withKey
        ? { 'Idempotency-Key': `property-${++idempotencyCounter}` }
        : {};
      const res = await send(route, {
        bytes: Buffer.from(JSON.stringify(body), 'utf8'),
        contentType: 'application/json',
        headers,
      });
      const after = await rowCounts();
      const stored = JSON.stringify(after) !== JSON.stringify(before);
      if (stored) await purge();
      const verdict = verdictOf(body);
      const explain = (candidates: KnownBug[] | undefined) =>
        (candidates ?? []).find((k) => KNOWN_BUGS[k](body));

      if (res.status >= 500) {
        const bug = explain(verdict.tolerate5xx);
        expect(bug, `${route} answered ${res.status} ${res.text.slice(0, 300)}`).toBeDefined();
        hit(bug!);
        return;
      }
      if (res.status >= 400)
        expect(res.headers['content-type'], res.text.slice(0, 300)).toMatch(
          /^application\/problem\+json/,
        );
      if (verdict.accept)
        expect(res.status, `${route} refused a valid body: ${res.text.slice(0, 300)}`).toBeLessThan(
          300,
        );
      if (stored) {
        expect(res.status, `${route} stored a row and answered ${res.status}`).toBeLessThan(300);
        if (verdict.accept) hit('validAndStored');
        else {
          const bug = explain(verdict.tolerateStored);
          expect(
            bug,
            `${route} stored a row for a bad body (answer ${res.status} ${res.text.slice(0, 300)})`,
          ).toBeDefined();
          hit(bug!);
        }
      }
      if (route === '/v1/compile') expect([200, 400]).toContain(res.status);
    }),
    {
      numRuns: RUNS,
      seed: SEEDS[route],
      interruptAfterTimeLimit: TIME_LIMIT_MS,
      markInterruptAsFailure: false,
    },
  );
  expect(runs).toBeGreaterThan(50);
  // One line per route: how often a known bug had to be tolerated, and valid random bodies (removed again).
  console.info(
    `[hostile-input] ${route}: ${runs} runs (seed ${SEEDS[route]}), tolerated/noted: ${JSON.stringify(hits)}`,
  );
}
