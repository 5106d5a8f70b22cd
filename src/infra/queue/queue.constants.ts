/** The rollout queue: per-(deployment, cluster) rollout jobs, and the repeatable drift check. */
export const ROLLOUT_QUEUE = 'rollout';

export const JOB_APPLY_TARGET = 'apply-target';

/** A rollout job carries ids only, never credentials or documents: the database holds those. */
export interface ApplyTargetJob {
  deploymentId: string;
  clusterName: string;
}

/** BullMQ forbids `:` in custom ids; the id is deterministic so a re-enqueue is a no-op. */
export function applyTargetJobId(job: ApplyTargetJob): string {
  return `apply__${job.deploymentId}__${job.clusterName}`;
}

/** The repeatable drift check (a BullMQ job scheduler on the rollout queue; worker role only). */
export const JOB_DRIFT_CHECK = 'drift-check';

/** The job scheduler's id: one per deployment of gbp-netpol (its queue prefix), so upserting is idempotent. */
export const DRIFT_SCHEDULER_ID = 'drift-check';

/** A drift-check job carries nothing: it checks every policy. */
export type DriftCheckJob = Record<string, never>;

/**
 * Webhook deliveries have a queue of their own, so that a slow or dead receiver (each attempt
 * may wait WEBHOOK_TIMEOUT_MS) never holds a worker slot a rollout needs.
 */
export const WEBHOOK_QUEUE = 'webhooks';

export const JOB_DELIVER_WEBHOOK = 'deliver-webhook';

/** One delivery of one event to one webhook: the row id only (payload and secret are in the database). */
export interface DeliverWebhookJob {
  deliveryId: string;
}

/** Deterministic, so that re-enqueuing a pending delivery (after a Redis loss) is a no-op. */
export function deliverWebhookJobId(job: DeliverWebhookJob): string {
  return `webhook__${job.deliveryId}`;
}

/** Every job name of the queues and the payload its jobs carry. */
export interface JobPayloads {
  [JOB_APPLY_TARGET]: ApplyTargetJob;
  [JOB_DRIFT_CHECK]: DriftCheckJob;
  [JOB_DELIVER_WEBHOOK]: DeliverWebhookJob;
}

export type JobName = keyof JobPayloads;

/** Every job name; the worker refuses to start while one of them has no handler. */
export const JOB_NAMES: readonly JobName[] = [
  JOB_APPLY_TARGET,
  JOB_DRIFT_CHECK,
  JOB_DELIVER_WEBHOOK,
];
