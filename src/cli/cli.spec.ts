import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { EXIT } from './args.js';
import { runCli, type CliIo } from './cli.js';
import type { Plan } from './render.js';

const EXAMPLE = readFileSync(
  new URL('../core/compiler/golden/example.document.json', import.meta.url),
);
const GOLDEN_YAML = readFileSync(
  new URL('../core/compiler/golden/example.compiled.yaml', import.meta.url),
  'utf8',
);

/** A CLI world of files in memory, an answering fetch, and captured output. */
function world(files: Record<string, string | Buffer>, fetch?: typeof globalThis.fetch) {
  const out = { stdout: '', stderr: '' };
  const io: CliIo = {
    stdout: (t) => (out.stdout += t),
    stderr: (t) => (out.stderr += t),
    env: { GBP_NETPOL_TOKEN: 'gbpn_secret-token-value' },
    read: async (path) => {
      const f = files[path];
      if (f === undefined) throw Object.assign(new Error('no'), { code: 'ENOENT' });
      return Buffer.from(f);
    },
    pause: async () => undefined,
    ...(fetch ? { fetch } : {}),
  };
  return { io, out, run: (...argv: string[]) => runCli(argv, io) };
}

const json = (status: number, body: unknown, type = 'application/json') =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });

const plan = (actions: string[]): Plan =>
  ({
    policy: 'p',
    exists: true,
    unchanged: false,
    revision: 2,
    baseRevision: 1,
    targets: { clusters: ['c1'] },
    warnings: [],
    document: [],
    connectivity: { gained: [], lost: [] },
    clusters: [
      {
        cluster: 'c1',
        action: 'apply',
        error: null,
        warnings: [],
        summary: { create: 0, update: 0, delete: 0, unchanged: 0, conflict: 0, error: 0 },
        resources: actions.map((action, i) => ({
          namespace: 'mms',
          name: `n${i}`,
          action,
          patch: [],
          unified: action === 'unchanged' ? '' : `--- live/mms/n${i}\n+++ desired/mms/n${i}\n`,
          owners: [],
        })),
      },
    ],
  }) as unknown as Plan;

describe('gbp-netpol (the CLI, with its world in memory)', () => {
  it('compiles offline to the golden YAML, JSON or YAML in', async () => {
    const w = world({
      'doc.json': EXAMPLE,
      'doc.yaml': stringify(JSON.parse(EXAMPLE.toString('utf8'))),
    });
    expect(await w.run('compile', 'doc.json')).toBe(EXIT.OK);
    expect(w.out.stdout).toBe(GOLDEN_YAML);
    w.out.stdout = '';
    expect(await w.run('compile', 'doc.yaml', '-o', 'json')).toBe(EXIT.OK);
    expect(JSON.parse(w.out.stdout)).toMatchObject({ warnings: [] });
    expect(JSON.parse(w.out.stdout).items).toHaveLength(3);
  });

  it('puts warnings on stderr and, in YAML, as leading comments', async () => {
    const doc = JSON.parse(EXAMPLE.toString('utf8')) as { contracts: Record<string, object> };
    Object.values(doc.contracts)[0] = Object.assign(Object.values(doc.contracts)[0], {
      established: true,
    });
    const w = world({ 'doc.json': JSON.stringify(doc) });
    expect(await w.run('compile', 'doc.json')).toBe(EXIT.OK);
    expect(w.out.stderr).toMatch(
      /^Warning: \/contracts\/[^/]+\/established: established is ignored/,
    );
    expect(w.out.stdout).toMatch(/^# Warning: \/contracts\/[^/]+\/established: /);
  });

  it('prints every problem of a refused document as path: message, exit 3', async () => {
    const w = world({ 'bad.json': '{"namespaces":["Bad_NS"],"typo":1}' });
    expect(await w.run('compile', 'bad.json')).toBe(EXIT.REFUSED);
    expect(w.out.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^\/namespaces\/0: namespace "?Bad_NS"? is not a DNS-1123 label/),
      expect.stringMatching(/^\/typo: is not a known field/),
    ]);
    expect(w.out.stdout).toBe('');
  });

  it('exits 2 on a file it cannot read', async () => {
    const w = world({});
    expect(await w.run('compile', 'missing.yaml')).toBe(EXIT.USAGE);
    expect(w.out.stderr).toBe('cannot read missing.yaml: ENOENT\n');
  });

  it('diff: 0 without --exit-code, 1 with differences, 0 when all is unchanged', async () => {
    let answer = plan(['create', 'unchanged']);
    const w = world({ 'd.json': EXAMPLE }, async () => json(200, answer));
    expect(await w.run('diff', 'd.json', '--name', 'p')).toBe(EXIT.OK);
    expect(w.out.stdout).toContain('# cluster c1: create mms/n0\n--- live/mms/n0\n');
    expect(await w.run('diff', 'd.json', '--name', 'p', '--exit-code')).toBe(EXIT.DIFFERENCES);
    answer = plan(['unchanged', 'unchanged']);
    expect(await w.run('diff', 'd.json', '--name', 'p', '--exit-code')).toBe(EXIT.OK);
  });

  it('prints a problem of the service as path: message, never the token', async () => {
    const problem = {
      type: 'urn:gbp-netpol:problem:invalid-request',
      title: 'Bad Request',
      status: 400,
      // A service never echoes the token; if one did, the CLI still would not print it.
      detail: 'The request has 1 error.',
      errors: [{ path: '/targets', code: 'X', message: 'bad gbpn_secret-token-value' }],
    };
    const w = world({ 'd.json': EXAMPLE }, async () =>
      json(400, problem, 'application/problem+json'),
    );
    expect(await w.run('plan', 'd.json', '--name', 'p')).toBe(EXIT.REFUSED);
    expect(w.out.stderr).toBe('/targets: bad ***\n');
  });

  it('says the service cannot be reached, exit 3, without the token', async () => {
    const w = world({}, async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    });
    expect(await w.run('status', 'p', '--url', 'http://127.0.0.1:9/base')).toBe(EXIT.REFUSED);
    expect(w.out.stderr).toBe('cannot reach http://127.0.0.1:9: ECONNREFUSED\n');
  });
});
