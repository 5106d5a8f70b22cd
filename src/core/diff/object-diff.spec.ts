import type { NetworkPolicy } from '../kube/network-policy.types.js';
import type { LiveNetworkPolicy } from '../reconcile/live-object.js';
import { diffManifestSets, diffObjects, normaliseForDiff, renderYaml } from './object-diff.js';

function np(name: string, port: number, namespace = 'ns'): NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name,
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'gbp-netpol' },
      annotations: { 'gbp-netpol.io/revision': '1' },
    },
    spec: {
      podSelector: { matchLabels: { net: name } },
      policyTypes: ['Ingress'],
      ingress: [{ ports: [{ protocol: 'TCP', port }] }],
    },
  };
}

/** The object as the API server answers it: server fields added, keys in the server's order. */
function live(o: NetworkPolicy): LiveNetworkPolicy {
  return {
    kind: 'NetworkPolicy',
    apiVersion: 'networking.k8s.io/v1',
    metadata: {
      ...o.metadata,
      uid: '3b1c',
      resourceVersion: '42',
      generation: 3,
      creationTimestamp: '2026-01-01T00:00:00Z',
      managedFields: [{ manager: 'gbp-netpol', operation: 'Apply', fieldsV1: { 'f:spec': {} } }],
    },
    spec: o.spec,
    status: {},
  };
}

describe('normaliseForDiff', () => {
  it('drops server fields and status and sorts keys at every level', () => {
    const n = normaliseForDiff(live(np('a', 80)));
    expect(Object.keys(n)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(Object.keys(n.metadata)).toEqual(['annotations', 'labels', 'name', 'namespace']);
    expect(n).toEqual(np('a', 80));
    expect(JSON.stringify(n)).not.toMatch(
      /uid|resourceVersion|generation|creationTimestamp|managedFields|status/,
    );
  });

  it('is idempotent and does not mutate its input', () => {
    const l = live(np('a', 80));
    const copy = structuredClone(l);
    const once = normaliseForDiff(l);
    expect(normaliseForDiff(once)).toEqual(once);
    expect(l).toEqual(copy);
  });
});

describe('diffObjects', () => {
  const cases: {
    name: string;
    live: LiveNetworkPolicy | null;
    desired: NetworkPolicy | null;
    action: string;
    patch: unknown[];
  }[] = [
    {
      name: 'equal apart from server fields: unchanged',
      live: live(np('a', 80)),
      desired: np('a', 80),
      action: 'unchanged',
      patch: [],
    },
    {
      name: 'a changed port: update with its path',
      live: live(np('a', 80)),
      desired: np('a', 81),
      action: 'update',
      patch: [{ op: 'replace', path: '/spec/ingress/0/ports/0/port', value: 81 }],
    },
    {
      name: 'absent live: create (add at the root)',
      live: null,
      desired: np('a', 80),
      action: 'create',
      patch: [{ op: 'add', path: '', value: np('a', 80) }],
    },
    {
      name: 'absent desired: delete (remove the root)',
      live: live(np('a', 80)),
      desired: null,
      action: 'delete',
      patch: [{ op: 'remove', path: '' }],
    },
    { name: 'both absent: unchanged', live: null, desired: null, action: 'unchanged', patch: [] },
  ];
  it.each(cases)('$name', (c) => {
    const d = diffObjects(c.live, c.desired);
    expect(d.action).toBe(c.action);
    expect(d.patch).toEqual(c.patch);
    expect(d.unified === '').toBe(c.action === 'unchanged');
  });

  it('renders a unified diff of the YAML with live/ and desired/ headers', () => {
    const d = diffObjects(live(np('a', 80)), np('a', 81));
    expect(d.unified.split('\n').slice(0, 2)).toEqual(['--- live/ns/a', '+++ desired/ns/a']);
    expect(d.unified).toContain('-        - port: 80\n+        - port: 81\n');
    expect(diffObjects(null, np('a', 80)).unified).toMatch(
      /^--- live\/ns\/a\n\+\+\+ desired\/ns\/a\n@@ -0,0 \+1,\d+ @@\n\+apiVersion: networking.k8s.io\/v1\n/,
    );
  });

  it('takes other header prefixes', () => {
    expect(
      diffObjects(np('a', 1), np('a', 2), { from: 'revision-1', to: 'revision-2' }).unified,
    ).toMatch(/^--- revision-1\/ns\/a\n\+\+\+ revision-2\/ns\/a\n/);
  });
});

describe('renderYaml', () => {
  it('never folds long lines nor uses anchors', () => {
    const long = 'x'.repeat(300);
    const shared = { a: 1 };
    const text = renderYaml({ long, one: shared, two: shared });
    expect(text).toContain(`long: ${long}\n`);
    expect(text).not.toMatch(/[&*]a\d/);
    expect(renderYaml(null)).toBe('');
  });
});

describe('diffManifestSets', () => {
  it('pairs objects by namespace/name, in that order, and shows only the differing ones', () => {
    const before = [np('b', 1, 'z'), np('a', 1, 'y'), np('same', 5, 'y')];
    const after = [np('c', 1, 'y'), np('same', 5, 'y'), np('b', 2, 'z')];
    const text = diffManifestSets(before, after, { from: 'revision-1', to: 'revision-2' });
    const headers = text.split('\n').filter((l) => l.startsWith('--- '));
    expect(headers).toEqual(['--- revision-1/y/a', '--- revision-1/y/c', '--- revision-1/z/b']);
    expect(diffManifestSets(before, [...before].reverse())).toBe('');
  });
});
