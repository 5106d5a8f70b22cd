import {
  DOMAIN_EVENT_TYPES,
  type DomainEventMap,
  type DomainEventType,
} from '../../infra/events/domain-events.js';
import type { DeploymentRow, DeploymentTargetRow } from '../../infra/database/schema.js';

/** The events a webhook may subscribe to: the domain events, under the same names. */
export const WEBHOOK_EVENT_TYPES: readonly DomainEventType[] = DOMAIN_EVENT_TYPES;
export type WebhookEventType = DomainEventType;

/** The body of every delivery (Standard Webhooks' recommended shape). */
export interface WebhookPayload {
  type: WebhookEventType;
  /** When the event happened (ISO 8601); webhook-timestamp is when the attempt was made. */
  timestamp: string;
  data: Record<string, unknown>;
}

/** Drifted objects listed in a drift.detected payload; `resourceCount` has them all. */
export const MAX_DRIFT_RESOURCES = 100;

const deploymentFields = (d: DeploymentRow) => ({
  deploymentId: d.id,
  policy: d.policyName,
  revision: d.revision,
  kind: d.kind,
});

/** How a closed deployment went, across its clusters. */
export function deploymentOutcome(
  targets: readonly Pick<DeploymentTargetRow, 'phase'>[],
): 'Succeeded' | 'Failed' | 'Superseded' {
  if (targets.some((t) => t.phase === 'Failed')) return 'Failed';
  if (targets.some((t) => t.phase === 'Superseded')) return 'Superseded';
  return 'Succeeded';
}

/** The `data` of deployment.phase_changed. */
export function phaseChangedData(
  e: DomainEventMap['deployment.phase_changed'],
  d: DeploymentRow,
): Record<string, unknown> {
  return {
    ...deploymentFields(d),
    cluster: e.cluster,
    phase: e.phase,
    error: e.error,
    ...(e.counts ? { counts: e.counts } : {}),
  };
}

/** The `data` of deployment.finished. */
export function deploymentFinishedData(
  d: DeploymentRow,
  targets: readonly DeploymentTargetRow[],
): Record<string, unknown> {
  return {
    ...deploymentFields(d),
    outcome: deploymentOutcome(targets),
    createdAt: d.createdAt.toISOString(),
    finishedAt: d.finishedAt?.toISOString() ?? null,
    clusters: targets.map((t) => ({
      cluster: t.clusterName,
      action: t.action,
      phase: t.phase,
      error: t.error,
    })),
  };
}

/** The `data` of drift.detected: at most MAX_DRIFT_RESOURCES objects, with their changed paths. */
export function driftDetectedData(e: DomainEventMap['drift.detected']): Record<string, unknown> {
  return {
    policy: e.policy,
    cluster: e.cluster,
    checkedAt: e.checkedAt,
    resourceCount: e.resources.length,
    resources: e.resources.slice(0, MAX_DRIFT_RESOURCES).map((r) => ({
      namespace: r.namespace,
      name: r.name,
      change: r.change,
      paths: r.paths,
      managers: r.managers,
    })),
  };
}

/** The `data` of cluster.connection_changed. */
export function connectionChangedData(
  e: DomainEventMap['cluster.connection_changed'],
): Record<string, unknown> {
  return { ...e };
}
