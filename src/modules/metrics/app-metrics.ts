import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { SYNC_STATES, type SyncState } from '../../infra/database/schema.js';

/** The states BullMQ counts jobs in, as `gbp_netpol_queue_jobs{state}` shows them. */
export const QUEUE_JOB_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'completed',
  'failed',
] as const;

/** Outcomes of an object in a rollout that made a write to the API server (or tried to). */
export const APPLY_RESULTS = ['created', 'updated', 'deleted', 'conflict', 'failed'] as const;

/** What the scrape-time gauges read from the database and Redis. */
export interface MetricsSources {
  /** Every (policy, cluster) pair with its sync state. */
  syncStates(): Promise<{ policy: string; cluster: string; sync: SyncState }[]>;
  /** Jobs per state, of each queue by name. */
  queueCounts(): Promise<Record<string, Record<string, number>>>;
}

/**
 * The service's Prometheus metrics, in a registry of its own (one per application, so that
 * several apps in one test process do not collide). Counters and histograms count what this
 * process did; the gauges of sync state and queue depth are read from the database and Redis
 * at each scrape, so every process reports the same values for them.
 */
export class AppMetrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'gbp_netpol_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern (not the raw URL) and status, and how long they took.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly rolloutDuration = new Histogram({
    name: 'gbp_netpol_rollout_duration_seconds',
    help: 'From a deployment being queued to one of its clusters reaching a final phase (Succeeded, Failed, Superseded), by that phase.',
    labelNames: ['result'] as const,
    buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [this.registry],
  });

  readonly applyRequests = new Counter({
    name: 'gbp_netpol_apply_requests_total',
    help: 'Objects a rollout wrote to a cluster (or tried to), by result: created, updated, deleted, conflict, failed. Unchanged objects make no request and are not counted.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly driftDetections = new Counter({
    name: 'gbp_netpol_drift_detections_total',
    help: 'Drift checks that found a cluster no longer running what was applied to it (it was in sync before), by policy and cluster.',
    labelNames: ['policy', 'cluster'] as const,
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'gbp_netpol_webhook_deliveries_total',
    help: 'Webhook delivery attempts by result: delivered, retried (a later attempt follows), failed (no attempt left, or refused).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor(sources: MetricsSources, onCollectError: (what: string, err: unknown) => void) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'gbp_netpol_policy_sync_status',
      help: 'Sync state of each policy on each cluster it targets: 1 for the current status (Synced, OutOfSync, Unknown), 0 for the others.',
      labelNames: ['policy', 'cluster', 'status'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          for (const s of await sources.syncStates())
            for (const status of SYNC_STATES)
              this.set({ policy: s.policy, cluster: s.cluster, status }, s.sync === status ? 1 : 0);
        } catch (err) {
          onCollectError('sync states', err);
        }
      },
    });
    new Gauge({
      name: 'gbp_netpol_queue_jobs',
      help: 'Jobs by queue (rollout: rollouts and drift checks; webhooks: deliveries) and BullMQ state.',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          for (const [queue, counts] of Object.entries(await sources.queueCounts()))
            for (const state of QUEUE_JOB_STATES) this.set({ queue, state }, counts[state] ?? 0);
        } catch (err) {
          onCollectError('queue depth', err);
        }
      },
    });
  }

  /** The exposition text of every metric. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
