import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ProblemItemDto } from '../../../common/dto/problem.dto.js';
import {
  DEPLOYMENT_KINDS,
  SYNC_STATES,
  TARGET_ACTIONS,
  TARGET_PHASES,
  type DeploymentKind,
  type SyncState,
  type TargetAction,
  type TargetPhase,
} from '../../../infra/database/schema.js';
import { ConnectionDto } from '../../clusters/dto/cluster-view.dto.js';
import { DriftedResourceDto } from '../../drift/dto/drift-check.dto.js';

// Answer shapes of the status routes, as StatusService (status.service.ts) makes them.

@ApiSchema({ name: 'ResourceOutcome' })
export class ResourceOutcomeDto {
  @ApiProperty({ example: 'mms' })
  namespace: string;

  @ApiProperty({ example: 'hangwe-inst-network01' })
  name: string;

  @ApiProperty({
    description:
      'What happened to the object: created, updated, unchanged, deleted, conflict, failed, ...',
    example: 'created',
  })
  action: string;

  @ApiPropertyOptional({ description: 'Why it failed or conflicted (never a credential).' })
  message?: string;
}

/** The fields of one cluster's part of a deployment. */
class TargetOperationDto {
  @ApiProperty({ enum: TARGET_ACTIONS, description: 'apply the revision, or prune the policy.' })
  action: TargetAction;

  @ApiProperty({ enum: TARGET_PHASES })
  phase: TargetPhase;

  @ApiProperty({ type: 'integer', description: 'Attempts made so far.' })
  attempt: number;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When it is retried.',
  })
  nextRetryAt: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Why the last attempt failed.' })
  error: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt: string | null;
}

@ApiSchema({ name: 'Operation' })
export class OperationDto extends TargetOperationDto {
  @ApiProperty({ format: 'uuid', description: 'The deployment this operation belongs to.' })
  deploymentId: string;

  @ApiProperty({ type: 'integer', description: 'The revision it deploys.' })
  revision: number;

  @ApiProperty({
    type: [ProblemItemDto],
    description: "What compiling the revision for this cluster's networks warned about.",
  })
  warnings: ProblemItemDto[];
}

/** How many objects an operation left with each outcome (created, updated, ...). */
const COUNTS = {
  type: 'object' as const,
  additionalProperties: { type: 'integer' },
  example: { created: 4, unchanged: 2 },
};

@ApiSchema({ name: 'Drift' })
export class DriftDto {
  @ApiProperty({ type: String, format: 'date-time', description: 'When drift was found.' })
  checkedAt: string;

  @ApiProperty({ type: [DriftedResourceDto] })
  resources: DriftedResourceDto[];
}

@ApiSchema({ name: 'SyncStatus' })
export class SyncStatusDto {
  @ApiProperty({
    enum: SYNC_STATES,
    description:
      'Synced: the applied revision runs there; OutOfSync: a rollout is in progress, failed or drifted; Unknown: the cluster cannot be reached, or nothing was applied.',
  })
  status: SyncState;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Why: Progressing, Drifted, ClusterUnreachable, ClusterUnauthorized, ClusterNotRegistered, NeverApplied, ...',
  })
  reason: string | null;

  @ApiProperty({ type: DriftDto, nullable: true, description: 'The drift found; null: none.' })
  drift: DriftDto | null;
}

@ApiSchema({ name: 'ClusterStatus' })
export class ClusterStatusDto {
  @ApiProperty({ example: 'prod-eu' })
  cluster: string;

  @ApiProperty({
    type: ConnectionDto,
    nullable: true,
    description: 'The connection state; null when the cluster is no longer registered.',
  })
  connection: ConnectionDto | null;

  @ApiProperty({ type: SyncStatusDto })
  sync: SyncStatusDto;

  @ApiProperty({
    type: OperationDto,
    nullable: true,
    description: 'The latest deployment there; null: none.',
  })
  operation: OperationDto | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'The revision running there.' })
  appliedRevision: number | null;

  @ApiProperty({
    ...COUNTS,
    description:
      'How many objects the latest operation left with each outcome; the outcomes themselves: GET /v1/policies/{name}/status/resources.',
  })
  counts: Record<string, number>;
}

@ApiSchema({ name: 'PolicyStatus' })
export class PolicyStatusDto {
  @ApiProperty({ example: 'mms-example' })
  policy: string;

  @ApiProperty({ type: 'integer' })
  latestRevision: number;

  @ApiProperty({ description: 'True while the policy is being removed.' })
  deleting: boolean;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'How many clusters are in each sync state and each phase.',
    example: { Synced: 2, Succeeded: 2 },
  })
  summary: Record<string, number>;

  @ApiProperty({ type: [ClusterStatusDto], description: 'Per cluster, sorted by name.' })
  clusters: ClusterStatusDto[];
}

@ApiSchema({ name: 'DeploymentTarget' })
export class DeploymentTargetDto extends TargetOperationDto {
  @ApiProperty({ example: 'prod-eu' })
  cluster: string;

  @ApiProperty({ format: 'uuid' })
  deploymentId: string;

  @ApiProperty({ ...COUNTS, description: 'How many objects ended with each outcome.' })
  counts: Record<string, number>;

  @ApiProperty({ type: [ResourceOutcomeDto], description: 'Per object.' })
  resources: ResourceOutcomeDto[];

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: string;
}

@ApiSchema({ name: 'Deployment' })
export class DeploymentDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'mms-example' })
  policy: string;

  @ApiProperty({ type: 'integer' })
  revision: number;

  @ApiProperty({
    enum: DEPLOYMENT_KINDS,
    description: 'apply: a new revision; sync: a re-apply; delete: the removal of the policy.',
  })
  kind: DeploymentKind;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When every cluster finished; null while it runs.',
  })
  finishedAt: string | null;

  @ApiProperty({ type: [DeploymentTargetDto], description: 'One entry per cluster.' })
  clusters: DeploymentTargetDto[];
}

@ApiSchema({ name: 'ClusterResourceOutcome' })
export class ClusterResourceOutcomeDto extends ResourceOutcomeDto {
  @ApiProperty({ example: 'prod-eu' })
  cluster: string;
}

@ApiSchema({ name: 'ResourceOutcomeList' })
export class ResourceOutcomeListDto {
  @ApiProperty({
    type: [ClusterResourceOutcomeDto],
    description: "The latest operation's outcomes, by cluster, then namespace and name.",
  })
  items: ClusterResourceOutcomeDto[];

  @ApiPropertyOptional({
    description: 'Pass as ?cursor= for the next page; absent on the last page.',
  })
  nextCursor?: string;
}

@ApiSchema({ name: 'FleetStatusItem' })
export class FleetStatusItemDto extends ClusterStatusDto {
  @ApiProperty({ example: 'mms-example' })
  policy: string;

  @ApiProperty({ type: 'integer', description: "The policy's latest revision." })
  latestRevision: number;
}

@ApiSchema({ name: 'FleetStatus' })
export class FleetStatusDto {
  @ApiProperty({
    type: [FleetStatusItemDto],
    description: 'Every policy × cluster pair, by policy then cluster.',
  })
  items: FleetStatusItemDto[];

  @ApiPropertyOptional({
    description: 'Pass as ?cursor= for the next page; absent on the last page.',
  })
  nextCursor?: string;
}
