import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import type { NetworkPolicy } from '../../core/kube/network-policy.types.js';
import type { ResourceOutcome, SyncState } from '../../core/reconcile/settle-target.js';
import type { PolicyTargets, TargetAction } from '../../core/reconcile/targets.js';
import { ROLES } from '../../common/auth/roles.js';

export type { PolicyTargets, ResourceOutcome, SyncState, TargetAction };

export const CONNECTION_STATES = ['Unknown', 'Reachable', 'Unreachable', 'Unauthorized'] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

export const DEPLOYMENT_KINDS = ['apply', 'delete', 'sync'] as const;
export type DeploymentKind = (typeof DEPLOYMENT_KINDS)[number];

export const TARGET_PHASES = [
  'Queued',
  'Running',
  'Succeeded',
  'Failed',
  'Retrying',
  'Superseded',
] as const;
export type TargetPhase = (typeof TARGET_PHASES)[number];

export const TARGET_ACTIONS = ['apply', 'prune'] as const satisfies readonly TargetAction[];

export const SYNC_STATES = [
  'Synced',
  'OutOfSync',
  'Unknown',
] as const satisfies readonly SyncState[];

export const TOKEN_ROLES = ROLES;

export const TOKEN_SOURCES = ['env', 'api', 'bootstrap'] as const;
export type TokenSource = (typeof TOKEN_SOURCES)[number];

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () =>
  timestamp('updated_at', { withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());

export const clusters = pgTable('clusters', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  server: text('server').notNull(),
  labels: jsonb('labels').$type<Record<string, string>>().notNull().default({}),
  /** Encrypted blob; the clear credentials never reach the database. */
  credentials: text('credentials').notNull(),
  insecureSkipTlsVerify: boolean('insecure_skip_tls_verify').notNull().default(false),
  connection: text('connection', { enum: CONNECTION_STATES }).notNull().default('Unknown'),
  connectionMessage: text('connection_message'),
  connectionCheckedAt: timestamp('connection_checked_at', { withTimezone: true }),
  serverVersion: text('server_version'),
  /** The cluster's pod networks as configured (null: not configured). */
  podCidrs: jsonb('pod_cidrs').$type<string[]>(),
  /** The cluster's Service networks as configured (null: not configured). */
  serviceCidrs: jsonb('service_cidrs').$type<string[]>(),
  /** Pod networks read from the nodes' spec.podCIDRs at the last detection (null: unknown). */
  detectedPodCidrs: jsonb('detected_pod_cidrs').$type<string[]>(),
  /** Service networks read from ServiceCIDR objects at the last detection (null: unknown). */
  detectedServiceCidrs: jsonb('detected_service_cidrs').$type<string[]>(),
  networksDetectedAt: timestamp('networks_detected_at', { withTimezone: true }),
  /** Why the last detection found nothing (e.g. the identity may not list nodes). */
  networksDetectionMessage: text('networks_detection_message'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const policies = pgTable('policies', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  selfHeal: boolean('self_heal').notNull().default(false),
  latestRevision: integer('latest_revision').notNull().default(0),
  deleting: boolean('deleting').notNull().default(false),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const revisions = pgTable(
  'revisions',
  {
    policyId: uuid('policy_id')
      .notNull()
      .references(() => policies.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    /** The policy document exactly as the client sent it. */
    document: jsonb('document').$type<unknown>().notNull(),
    targets: jsonb('targets').$type<PolicyTargets>().notNull(),
    objects: jsonb('objects').$type<NetworkPolicy[]>().notNull(),
    contentHash: text('content_hash').notNull(),
    /** The connectivity matrix of the (cluster-independent) objects, computed once when stored. */
    connectivity: jsonb('connectivity').$type<unknown>(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.policyId, t.number] })],
);

export const deployments = pgTable(
  'deployments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // Kept (with the name) after the policy is deleted, so a deletion's progress stays visible.
    policyId: uuid('policy_id').references(() => policies.id, { onDelete: 'set null' }),
    policyName: text('policy_name').notNull(),
    revision: integer('revision').notNull(),
    kind: text('kind', { enum: DEPLOYMENT_KINDS }).notNull(),
    createdAt: createdAt(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('deployments_policy_created_idx').on(t.policyId, t.createdAt)],
);

export const deploymentTargets = pgTable(
  'deployment_targets',
  {
    deploymentId: uuid('deployment_id')
      .notNull()
      .references(() => deployments.id, { onDelete: 'cascade' }),
    clusterName: text('cluster_name').notNull(),
    /** `apply` the revision's objects, or `prune`: remove everything of this policy from the cluster. */
    action: text('action', { enum: TARGET_ACTIONS }).notNull().default('apply'),
    phase: text('phase', { enum: TARGET_PHASES }).notNull(),
    attempt: integer('attempt').notNull().default(0),
    nextRetryAt: timestamp('next_retry_at', { withTimezone: true }),
    error: text('error'),
    resources: jsonb('resources').$type<ResourceOutcome[]>().notNull().default([]),
    /** How many resources ended with each action (created, updated, ...): the status summary. */
    counts: jsonb('counts').$type<Record<string, number>>().notNull().default({}),
    /** What compiling the revision for this cluster warned about (e.g. its pod networks are unknown). */
    warnings: jsonb('warnings')
      .$type<{ path: string; code: string; message: string }[]>()
      .notNull()
      .default([]),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.deploymentId, t.clusterName] }),
    index('deployment_targets_phase_idx').on(t.phase, t.nextRetryAt),
    index('deployment_targets_cluster_idx').on(t.clusterName),
  ],
);

export const policyClusterState = pgTable(
  'policy_cluster_state',
  {
    policyId: uuid('policy_id')
      .notNull()
      .references(() => policies.id, { onDelete: 'cascade' }),
    clusterName: text('cluster_name').notNull(),
    appliedRevision: integer('applied_revision'),
    appliedHash: text('applied_hash'),
    sync: text('sync', { enum: SYNC_STATES }).notNull().default('Unknown'),
    syncReason: text('sync_reason'),
    drift: jsonb('drift').$type<unknown>(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.policyId, t.clusterName] }),
    index('policy_cluster_state_cluster_idx').on(t.clusterName),
  ],
);

export const apiTokens = pgTable('api_tokens', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  role: text('role', { enum: TOKEN_ROLES }).notNull(),
  secretHash: text('secret_hash').notNull(),
  source: text('source', { enum: TOKEN_SOURCES }).notNull(),
  createdAt: createdAt(),
});

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    tokenName: text('token_name'),
    method: text('method').notNull(),
    route: text('route').notNull(),
    target: text('target'),
    status: integer('status').notNull(),
    result: text('result').notNull(),
  },
  (t) => [index('audit_log_at_idx').on(t.at.desc())],
);

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    key: text('key').notNull(),
    tokenName: text('token_name').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    requestHash: text('request_hash').notNull(),
    status: integer('status').notNull(),
    response: jsonb('response').$type<unknown>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tokenName, t.key] }),
    index('idempotency_keys_created_idx').on(t.createdAt),
  ],
);

/** One row: this installation's id, claimed in Redis under the queue prefix at start. */
export const installation = pgTable('installation', {
  id: uuid('id').primaryKey().defaultRandom(),
  createdAt: createdAt(),
});

export const WEBHOOK_DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const;
export type WebhookDeliveryState = (typeof WEBHOOK_DELIVERY_STATES)[number];

/** Orchestrators' webhooks: where events go, which ones, and the signing secret (sealed). */
export const webhooks = pgTable('webhooks', {
  id: uuid('id').primaryKey().defaultRandom(),
  url: text('url').notNull(),
  events: jsonb('events').$type<string[]>().notNull(),
  /** Encrypted; the clear secret is shown once, when the webhook is created. */
  secret: text('secret').notNull(),
  createdAt: createdAt(),
});

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    /** Also the `webhook-id` header: receivers deduplicate by it. */
    id: uuid('id').primaryKey().defaultRandom(),
    webhookId: uuid('webhook_id')
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    event: text('event').notNull(),
    payload: jsonb('payload').$type<unknown>().notNull(),
    state: text('state', { enum: WEBHOOK_DELIVERY_STATES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    createdAt: createdAt(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [index('webhook_deliveries_webhook_created_idx').on(t.webhookId, t.createdAt.desc())],
);

export type ClusterRow = typeof clusters.$inferSelect;
export type PolicyRow = typeof policies.$inferSelect;
export type RevisionRow = typeof revisions.$inferSelect;
export type DeploymentRow = typeof deployments.$inferSelect;
export type DeploymentTargetRow = typeof deploymentTargets.$inferSelect;
export type PolicyClusterStateRow = typeof policyClusterState.$inferSelect;
export type ApiTokenRow = typeof apiTokens.$inferSelect;
export type AuditLogRow = typeof auditLog.$inferSelect;
export type IdempotencyKeyRow = typeof idempotencyKeys.$inferSelect;
export type WebhookRow = typeof webhooks.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
