import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { SYNC_STATES } from '../../../infra/database/schema.js';

@ApiSchema({ name: 'DriftedResource' })
export class DriftedResourceDto {
  @ApiProperty({ description: 'Namespace of the NetworkPolicy.' })
  namespace: string;

  @ApiProperty({ description: 'Name of the NetworkPolicy.' })
  name: string;

  @ApiProperty({
    enum: ['modified', 'missing', 'extra'],
    description:
      "modified: its labels or spec differ from the applied revision; missing: it is gone; extra: it carries this policy's labels but the revision has no such object.",
  })
  change: string;

  @ApiProperty({
    type: [String],
    description:
      'JSON pointers into {metadata: {labels}, spec} whose values differ (at most 50); empty for missing and extra.',
    example: ['/spec/ingress/0/ports/0/port'],
  })
  paths: string[];

  @ApiProperty({
    type: [String],
    description:
      'Field managers that probably made the change: those owning a changed path in managedFields, else those that wrote after gbp-netpol (an approximation).',
    example: ['kubectl-edit'],
  })
  managers: string[];

  @ApiProperty({
    description:
      'False when re-applying cannot undo the change (a label or spec field another manager added is never removed by server-side apply); self-heal ignores such drift.',
  })
  healable: boolean;
}

@ApiSchema({ name: 'ClusterDrift' })
export class ClusterDriftResultDto {
  @ApiProperty({ description: 'Cluster name.' })
  cluster: string;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'The revision last applied to this cluster, the one compared with.',
  })
  appliedRevision: number | null;

  @ApiProperty({
    enum: ['in-sync', 'drifted', 'skipped', 'error'],
    description: 'The outcome of the check on this cluster.',
  })
  outcome: string;

  @ApiProperty({ enum: SYNC_STATES, description: 'The stored sync state after the check.' })
  sync: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The stored sync reason after the check (Drifted when drift was found).',
  })
  syncReason: string | null;

  @ApiProperty({
    type: [DriftedResourceDto],
    description: 'The objects that differ; empty when in sync.',
  })
  resources: DriftedResourceDto[];

  @ApiProperty({
    description: 'Kubernetes API requests made for this cluster (one list per namespace).',
  })
  apiRequests: number;

  @ApiPropertyOptional({ description: 'Why the cluster was skipped or could not be checked.' })
  message?: string;
}

@ApiSchema({ name: 'DriftCheck' })
export class DriftCheckResponseDto {
  @ApiProperty({ description: 'Policy name.' })
  policy: string;

  @ApiProperty({ format: 'date-time', description: 'When the check started.' })
  checkedAt: string;

  @ApiProperty({ description: 'Kubernetes API requests the check made in total.' })
  apiRequests: number;

  @ApiProperty({
    type: [ClusterDriftResultDto],
    description: 'One entry per cluster the policy was applied to.',
  })
  clusters: ClusterDriftResultDto[];

  @ApiProperty({
    description:
      'With selfHeal: the re-apply deployment started because of healable drift ({deploymentId}), or why it could not start ({error}); null otherwise.',
    oneOf: [
      {
        type: 'object',
        properties: { deploymentId: { type: 'string', format: 'uuid' } },
        required: ['deploymentId'],
      },
      { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] },
      { type: 'null' },
    ],
  })
  selfHeal: { deploymentId: string } | { error: string } | null;
}
