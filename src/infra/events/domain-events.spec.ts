import { DomainEvents } from './domain-events.js';

describe('DomainEvents', () => {
  const event = {
    cluster: 'c',
    previous: 'Unknown',
    connection: 'Reachable',
    message: null,
  } as const;

  it('delivers an event to every listener of its type, after the emitter moved on', async () => {
    const events = new DomainEvents();
    const seen: string[] = [];
    events.on('cluster.connection_changed', (e) => void seen.push(`a:${e.connection}`));
    events.on('cluster.connection_changed', (e) => void seen.push(`b:${e.connection}`));
    events.on('deployment.finished', () => void seen.push('other'));
    events.emit('cluster.connection_changed', event);
    expect(seen).toEqual([]); // emit never runs listeners in the emitter's step
    await events.settled();
    expect(seen).toEqual(['a:Reachable', 'b:Reachable']);
  });

  it('keeps a failing listener from reaching the emitter or the other listeners', async () => {
    const events = new DomainEvents();
    const seen: string[] = [];
    events.on('cluster.connection_changed', () => {
      throw new Error('boom');
    });
    events.on('cluster.connection_changed', async () => {
      await Promise.reject(new Error('async boom'));
    });
    events.on('cluster.connection_changed', () => void seen.push('ok'));
    expect(() => events.emit('cluster.connection_changed', event)).not.toThrow();
    await events.settled();
    expect(seen).toEqual(['ok']);
  });

  it('waits for slow listeners in settled(), and unsubscribes', async () => {
    const events = new DomainEvents();
    let done = false;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const off = events.on('deployment.finished', async () => {
      await gate;
      done = true;
    });
    events.emit('deployment.finished', { deploymentId: 'd' });
    const settled = events.settled();
    release();
    await settled;
    expect(done).toBe(true);
    off();
    done = false;
    events.emit('deployment.finished', { deploymentId: 'd' });
    await events.settled();
    expect(done).toBe(false);
  });

  it('turns a target update with a phase into a phase event, with the counts of its outcomes', async () => {
    const events = new DomainEvents();
    const seen: unknown[] = [];
    events.on('deployment.phase_changed', (e) => void seen.push(e));
    events.targetUpdated('d1', 'c1', { attempt: 2 } as never);
    events.targetUpdated('d1', 'c1', { phase: 'Running' });
    events.targetUpdated('d1', 'c1', {
      phase: 'Failed',
      error: 'one failed',
      resources: [
        { namespace: 'n', name: 'a', action: 'created' },
        { namespace: 'n', name: 'b', action: 'created' },
        { namespace: 'n', name: 'c', action: 'failed', message: 'x' },
      ],
    });
    await events.settled();
    expect(seen).toEqual([
      { deploymentId: 'd1', cluster: 'c1', phase: 'Running', error: null },
      {
        deploymentId: 'd1',
        cluster: 'c1',
        phase: 'Failed',
        error: 'one failed',
        counts: { created: 2, failed: 1 },
      },
    ]);
  });
});
