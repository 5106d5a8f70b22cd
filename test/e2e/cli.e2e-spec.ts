import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { uniqueName } from '../harness/cluster-admin.js';
import { testCluster } from '../harness/kube-test-context.js';
import { tokenKubeconfig } from '../harness/kubeconfig.js';
import { createTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../support/create-test-app.js';
import { loadExampleDocument } from '../support/example-document.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** tsx's loader by path: the CLI runs in a temporary folder, where `tsx` does not resolve. */
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `gbp-netpol` as a user runs it: a child process (the source entry through tsx, as
 * `npm run cli` does) against the running app, with a real kube-apiserver behind it.
 */
describe('the gbp-netpol CLI (e2e, a child process, real kube-apiserver)', () => {
  let testApp: TestApp;
  let url: string;
  const dir = mkdtempSync(join(tmpdir(), 'gbp-netpol-cli-'));
  const cluster = testCluster(0);
  const ns = uniqueName('cli');
  const policy = uniqueName('cli-pol');
  const clusterName = uniqueName('cli-c');
  const runs: Run[] = [];

  function cli(...args: string[]): Promise<Run> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--import', TSX, join(ROOT, 'src/cli/main.ts'), ...args],
        {
          cwd: dir,
          env: { PATH: process.env.PATH, GBP_NETPOL_URL: url, GBP_NETPOL_TOKEN: TEST_ADMIN_TOKEN },
        },
        (error, stdout, stderr) => {
          const run = { code: error ? Number(error.code ?? 1) : 0, stdout, stderr };
          runs.push(run);
          resolve(run);
        },
      );
    });
  }

  const write = (name: string, content: unknown) => {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
    return name;
  };
  const documentWith = (mutate: (d: ReturnType<typeof loadExampleDocument>) => void = () => {}) => {
    const d = loadExampleDocument();
    d.namespaces = [ns];
    mutate(d);
    return d;
  };

  beforeAll(async () => {
    testApp = await createTestApp({ JOB_BACKOFF_MS: '200', JOB_ATTEMPTS: '2' });
    await testApp.app.listen(0, '127.0.0.1');
    url = await testApp.app.getUrl();
    await cluster.admin.ensureNamespace(ns);
  });

  afterAll(async () => {
    await testApp?.close();
    await cluster.deleteNamespace(ns).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('compiles offline exactly what POST /v1/compile answers, YAML and JSON', async () => {
    const file = write('doc.yaml', stringify(documentWith()));
    const served = (accept: string) =>
      fetch(`${url}/v1/compile`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
          'content-type': 'application/yaml',
          accept,
        },
        body: stringify(documentWith()),
      }).then((r) => r.text());
    // Offline: no service (an address nothing listens on) is needed.
    const yaml = await cli('compile', file, '--url', 'http://127.0.0.1:9');
    expect(yaml.code).toBe(0);
    expect(yaml.stdout).toBe(await served('application/yaml'));
    const json = await cli('compile', file, '-o', 'json');
    expect(json.stdout).toBe(`${await served('application/json')}\n`);
  });

  it('registers a cluster from a kubeconfig context', async () => {
    const identity = await cluster.leastPrivilegeIdentity([ns]);
    const kubeconfig = tokenKubeconfig('cli-ctx', identity.server, identity.caData, identity.token);
    const add = await cli(
      'clusters',
      'add',
      clusterName,
      '--kubeconfig',
      write('kubeconfig', kubeconfig),
      '--context',
      'cli-ctx',
    );
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(add.stdout).toContain(
      `cluster ${clusterName} registered (${identity.server}): Reachable`,
    );
    expect((await cli('clusters', 'list')).stdout).toContain(`${clusterName}\t`);
    // As this cluster gets the objects: its networks are asked of the service.
    const forCluster = await cli('compile', 'doc.yaml', '--cluster', clusterName);
    expect(forCluster.code).toBe(0);
    expect(forCluster.stdout).toMatch(
      /^(# Warning: .*\n)*---\napiVersion: networking.k8s.io\/v1\n/,
    );
    expect(runs.map((r) => r.stdout + r.stderr).join('')).not.toContain(identity.token);
  });

  it('applies with progress until the cluster is Synced, then shows the status', async () => {
    const file = write('policy.json', documentWith());
    const apply = await cli('apply', file, '--name', policy, '--cluster', clusterName);
    expect(apply.stderr).toBe('');
    expect(apply.code).toBe(0);
    const lines = apply.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^policy ${policy}: revision 1 stored; deployment `));
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^${clusterName}: Succeeded - 3 created$`)),
    );
    expect(lines).toContain(`  ${clusterName}: Synced Succeeded applied revision 1 - 3 created`);
    const status = await cli('status', policy, '--watch');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`${clusterName}: Synced Succeeded applied revision 1`);
  });

  it('diff --exit-code: 0 when nothing would change, 1 when something would, 3 when refused', async () => {
    const same = await cli('diff', 'policy.json', '--name', policy, '--exit-code');
    expect([same.code, same.stdout]).toEqual([0, '']);
    const narrower = write(
      'narrower.json',
      documentWith((d) => (d.expose = [])),
    );
    const changed = await cli('diff', narrower, '--name', policy, '--exit-code');
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain(`# cluster ${clusterName}: update ${ns}/`);
    expect(changed.stdout).toMatch(/^-\s+- ipBlock:/m);
    const plan = await cli('plan', narrower, '--name', policy);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`cluster ${clusterName} (apply): 0 to create, 1 to update`);
    const invalid = write(
      'invalid.json',
      documentWith((d) => (d.namespaces = ['Bad_NS'])),
    );
    const refused = await cli('diff', invalid, '--name', policy, '--exit-code');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^\/document\/namespaces\/0: /);
  });

  it('never printed the token', () => {
    expect(runs.length).toBeGreaterThan(8);
    for (const run of runs) expect(run.stdout + run.stderr).not.toContain(TEST_ADMIN_TOKEN);
  });
});
