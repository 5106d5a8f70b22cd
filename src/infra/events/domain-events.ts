import { Global, Injectable, Logger, Module, type BeforeApplicationShutdown } from '@nestjs/common';
import type { DriftedResource } from '../../core/reconcile/detect-drift.js';
import type { ResourceOutcome } from '../../core/reconcile/settle-target.js';
import type { ConnectionState, TargetPhase } from '../database/schema.js';

/** The part of a deployment target update that the phase event reports. */
export interface TargetUpdate {
  phase?: TargetPhase;
  error?: string | null;
  resources?: readonly ResourceOutcome[];
  counts?: Record<string, number>;
}

/** Objects per action: the stored counts, else counted from the outcomes. */
function countsOf(update: TargetUpdate): Record<string, number> | undefined {
  if (update.counts) return update.counts;
  if (!update.resources) return undefined;
  const counts: Record<string, number> = {};
  for (const r of update.resources) counts[r.action] = (counts[r.action] ?? 0) + 1;
  return counts;
}

/**
 * What happened, as the module that made it happen says it: after the change is stored, with
 * ids and the few facts a subscriber cannot read back cheaply. Never a credential or a document.
 */
export interface DomainEventMap {
  /** A target (one cluster of one deployment) entered `phase` (also Running again on a retry). */
  'deployment.phase_changed': {
    deploymentId: string;
    cluster: string;
    phase: TargetPhase;
    /** The error recorded with the phase (Retrying, Failed), else null. */
    error: string | null;
    /** How many objects ended with each action (created, updated, unchanged, failed...), when recorded. */
    counts?: Record<string, number>;
  };
  /** The last open target of a deployment finished: the deployment is closed. */
  'deployment.finished': { deploymentId: string };
  /** A drift check found a cluster that no longer runs what was applied (it was in sync before). */
  'drift.detected': {
    policyId: string;
    policy: string;
    cluster: string;
    checkedAt: string;
    resources: DriftedResource[];
  };
  /** A cluster's connection state changed (Unknown → Reachable, Reachable → Unreachable, ...). */
  'cluster.connection_changed': {
    cluster: string;
    previous: ConnectionState;
    connection: ConnectionState;
    /** Why the last call failed (scrubbed of credentials), else null. */
    message: string | null;
  };
}

export type DomainEventType = keyof DomainEventMap;

/** Every event type, for subscribers and meta tests. */
export const DOMAIN_EVENT_TYPES: readonly DomainEventType[] = [
  'deployment.phase_changed',
  'deployment.finished',
  'drift.detected',
  'cluster.connection_changed',
];

type Listener<T extends DomainEventType> = (event: DomainEventMap[T]) => void | Promise<void>;

/**
 * The in-process event bus: modules `emit` after storing a change, other modules (webhooks,
 * metrics) subscribe with `on`. Emitting never throws and never waits: each listener runs
 * after the emitter's current step, its failures are logged (by name), and shutdown waits for
 * the listeners still running. Events reach other processes only through what the listeners
 * store or enqueue (the webhook outbox puts delivery jobs on the queue).
 */
@Injectable()
export class DomainEvents implements BeforeApplicationShutdown {
  private readonly logger = new Logger(DomainEvents.name);
  readonly #listeners = new Map<DomainEventType, Listener<DomainEventType>[]>();
  readonly #running = new Set<Promise<void>>();

  /** Subscribes; returns the function that unsubscribes. */
  on<T extends DomainEventType>(type: T, listener: Listener<T>): () => void {
    const list = this.#listeners.get(type) ?? [];
    list.push(listener as Listener<DomainEventType>);
    this.#listeners.set(type, list);
    return () => {
      const i = list.indexOf(listener as Listener<DomainEventType>);
      if (i >= 0) list.splice(i, 1);
    };
  }

  emit<T extends DomainEventType>(type: T, event: DomainEventMap[T]): void {
    for (const listener of this.#listeners.get(type) ?? []) {
      const run: Promise<void> = Promise.resolve()
        .then(() => listener(event))
        .catch((err: unknown) =>
          this.logger.warn(
            { event: type, err: err instanceof Error ? err.name : typeof err },
            'an event listener failed',
          ),
        )
        .finally(() => this.#running.delete(run));
      this.#running.add(run);
    }
  }

  /** After a stored target update: a `deployment.phase_changed` event when it set a phase. */
  targetUpdated(deploymentId: string, cluster: string, update: TargetUpdate): void {
    if (!update.phase) return;
    const counts = countsOf(update);
    this.emit('deployment.phase_changed', {
      deploymentId,
      cluster,
      phase: update.phase,
      error: update.error ?? null,
      ...(counts ? { counts } : {}),
    });
  }

  /** Resolves when every listener started so far has finished (shutdown; tests). */
  async settled(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.settled();
  }
}

/** Provides the one DomainEvents of the application to every module. */
@Global()
@Module({ providers: [DomainEvents], exports: [DomainEvents] })
export class EventsModule {}
