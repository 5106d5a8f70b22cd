import { describe, expect, it } from 'vitest';
import { objectRef, toApplyBody } from './apply-body.js';

describe('toApplyBody', () => {
  it('sets apiVersion/kind and drops server-owned fields, keeping resourceVersion', () => {
    const live = {
      metadata: {
        name: 'p',
        namespace: 'ns',
        labels: { a: 'b' },
        resourceVersion: '42',
        uid: 'u',
        creationTimestamp: new Date('2026-01-01T00:00:00Z'),
        managedFields: [{ manager: 'kubectl', operation: 'Update' }],
        generation: 3,
      },
      spec: { podSelector: {} },
      status: {},
    };
    expect(toApplyBody(live, 'networking.k8s.io/v1', 'NetworkPolicy')).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'p', namespace: 'ns', labels: { a: 'b' }, resourceVersion: '42' },
      spec: { podSelector: {} },
    });
    expect(live.metadata.uid).toBe('u');
  });

  it('requires a name and a namespace', () => {
    expect(() => objectRef({ metadata: { name: 'x' } })).toThrow(/metadata.namespace/);
    expect(() => toApplyBody({}, 'v1', 'Pod')).toThrow(TypeError);
  });
});
