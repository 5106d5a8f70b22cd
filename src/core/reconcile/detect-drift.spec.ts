import type { NetworkPolicy } from '../kube/network-policy.types.js';
import type { LiveNetworkPolicy } from './live-object.js';
import { decorateForRollout } from './plan-rollout.js';
import { changedPaths, detectDrift, isHealablePath, likelyManagers } from './detect-drift.js';

function np(name: string, port: number): NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: 'ns', labels: { 'gbp-netpol.io/network': name } },
    spec: {
      podSelector: { matchLabels: { net: name } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ podSelector: { matchLabels: { net: 'client' } }, namespaceSelector: {} }],
          ports: [{ protocol: 'TCP', port }],
        },
      ],
    },
  };
}

const APPLY = {
  manager: 'gbp-netpol',
  operation: 'Apply',
  time: '2026-01-01T00:00:00Z',
  fieldsV1: {
    'f:metadata': { 'f:labels': { 'f:gbp-netpol.io/network': {} } },
    'f:spec': { 'f:ingress': {}, 'f:podSelector': {}, 'f:policyTypes': {} },
  },
};

function live(
  o: NetworkPolicy,
  managedFields: LiveNetworkPolicy['metadata']['managedFields'] = [APPLY],
): LiveNetworkPolicy {
  return structuredClone({
    ...o,
    metadata: { ...o.metadata, resourceVersion: '1', uid: 'u', managedFields },
  });
}

describe('changedPaths', () => {
  it('lists the deepest differing leaves and the shallowest one-sided paths, as JSON pointers', () => {
    expect(
      changedPaths({ a: { b: 1, c: [1, 2] }, 'x/y': 1 }, { a: { b: 2, c: [1] }, d: true }),
    ).toEqual(['/a/b', '/a/c/1', '/d', '/x~1y']);
    expect(changedPaths({ a: [1] }, { a: [1] })).toEqual([]);
    expect(changedPaths({ a: 1 }, { a: { b: 1 } })).toEqual(['/a']);
  });
});

describe('isHealablePath', () => {
  const desired = { metadata: { labels: { a: '1' } }, spec: { ingress: [{ ports: [] }] } };
  it('an added label or spec field cannot be removed by apply; anything inside an atomic value can be reset', () => {
    expect(isHealablePath(desired, '/metadata/labels/extra')).toBe(false);
    expect(isHealablePath(desired, '/spec/egress')).toBe(false);
    expect(isHealablePath(desired, '/metadata/labels/a')).toBe(true);
    expect(isHealablePath(desired, '/spec/ingress/1')).toBe(true);
    expect(isHealablePath(desired, '/spec/ingress/0/from')).toBe(true);
  });
});

describe('likelyManagers', () => {
  it('names the owner of a changed field, else whoever wrote after our apply', () => {
    const edited = live(np('a', 80), [
      APPLY,
      {
        manager: 'kubectl-edit',
        operation: 'Update',
        time: '2026-01-02T00:00:00Z',
        fieldsV1: { 'f:spec': { 'f:ingress': {} } },
      },
    ]);
    expect(likelyManagers(edited, ['/spec/ingress/0/ports/0/port'], 'gbp-netpol')).toEqual([
      'kubectl-edit',
    ]);
    const removed = live(np('a', 80), [
      APPLY,
      { manager: 'old', operation: 'Update', time: '2025-01-01T00:00:00Z', fieldsV1: {} },
      {
        manager: 'late',
        operation: 'Update',
        time: '2026-02-01T00:00:00Z',
        fieldsV1: { 'f:metadata': { 'f:annotations': {} } },
      },
    ]);
    expect(likelyManagers(removed, ['/spec/policyTypes'], 'gbp-netpol')).toEqual(['late']);
  });
});

describe('detectDrift', () => {
  const desired = decorateForRollout([np('a', 80), np('b', 443)], 'shop', 1);
  const owned = (o: NetworkPolicy) => live(o);

  it('finds nothing when every live object hashes like its desired one (server fields ignored)', () => {
    expect(
      detectDrift({
        policyName: 'shop',
        desired,
        live: desired.map(owned),
        ownManager: 'gbp-netpol',
      }),
    ).toEqual([]);
  });

  it('reports modified (paths, managers), missing and extra objects, sorted', () => {
    const a = owned(desired[0]);
    a.spec!.ingress![0].ports![0].port = 8080;
    a.metadata.managedFields = [
      APPLY,
      {
        manager: 'kubectl-edit',
        operation: 'Update',
        time: '2026-01-02T00:00:00Z',
        fieldsV1: { 'f:spec': { 'f:ingress': {} } },
      },
    ];
    const stray = owned(decorateForRollout([np('stray', 1)], 'shop', 1)[0]);
    const otherPolicy = owned(decorateForRollout([np('z', 1)], 'other', 1)[0]);
    expect(
      detectDrift({
        policyName: 'shop',
        desired,
        live: [a, stray, otherPolicy],
        ownManager: 'gbp-netpol',
      }),
    ).toEqual([
      {
        namespace: 'ns',
        name: 'a',
        change: 'modified',
        paths: ['/spec/ingress/0/ports/0/port'],
        managers: ['kubectl-edit'],
        healable: true,
      },
      { namespace: 'ns', name: 'b', change: 'missing', paths: [], managers: [], healable: true },
      {
        namespace: 'ns',
        name: 'stray',
        change: 'extra',
        paths: [],
        managers: ['gbp-netpol'],
        healable: true,
      },
    ]);
  });

  it('an extra label only is drift that a re-apply cannot heal', () => {
    const a = owned(desired[0]);
    a.metadata.labels = { ...a.metadata.labels, team: 'x' };
    const [d] = detectDrift({
      policyName: 'shop',
      desired: [desired[0]],
      live: [a],
      ownManager: 'gbp-netpol',
    });
    expect(d).toMatchObject({
      change: 'modified',
      paths: ['/metadata/labels/team'],
      healable: false,
    });
  });
});
