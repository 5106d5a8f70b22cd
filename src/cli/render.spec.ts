import { phaseLines, statusLines, type Deployment, type PolicyStatus } from './render.js';

const target = (cluster: string, phase: string, attempt = 1, error: string | null = null) => ({
  cluster,
  deploymentId: 'd',
  action: 'apply',
  phase,
  attempt,
  nextRetryAt: null,
  error,
  warnings: [],
  startedAt: null,
  finishedAt: null,
  updatedAt: '2026-01-01T00:00:00.000Z',
  counts: phase === 'Succeeded' ? { created: 2 } : {},
  resources: [],
});
const deployment = (...clusters: ReturnType<typeof target>[]) =>
  ({ clusters }) as unknown as Deployment;

describe('rendering the rollout', () => {
  it('prints a line per cluster and phase change, once', () => {
    const seen = new Map<string, string>();
    expect(phaseLines(deployment(target('a', 'Queued'), target('b', 'Queued')), seen)).toEqual([
      'a: Queued',
      'b: Queued',
    ]);
    expect(
      phaseLines(deployment(target('a', 'Succeeded'), target('b', 'Retrying', 2, 'timeout')), seen),
    ).toEqual(['a: Succeeded - 2 created', 'b: Retrying (attempt 2) - timeout']);
    expect(
      phaseLines(deployment(target('a', 'Succeeded'), target('b', 'Retrying', 2)), seen),
    ).toEqual([]);
  });

  it('prints the status of every cluster', () => {
    const status = {
      policy: 'p',
      latestRevision: 2,
      deleting: false,
      summary: {},
      clusters: [
        {
          cluster: 'a',
          connection: null,
          sync: { status: 'Synced', reason: null, drift: null },
          operation: { ...target('a', 'Succeeded'), deploymentId: 'd' },
          appliedRevision: 2,
          counts: { created: 2, unchanged: 4 },
        },
        {
          cluster: 'b',
          connection: null,
          sync: { status: 'Unknown', reason: 'NeverApplied', drift: null },
          operation: null,
          appliedRevision: null,
          counts: {},
        },
      ],
    } as unknown as PolicyStatus;
    expect(statusLines(status)).toEqual([
      'policy p: revision 2',
      '  a: Synced Succeeded applied revision 2 - 2 created, 4 unchanged',
      '  b: Unknown (NeverApplied) no rollout applied revision none',
    ]);
  });
});
