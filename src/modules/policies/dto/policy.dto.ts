import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ProblemItemDto } from '../../../common/dto/problem.dto.js';
import { TARGET_ACTIONS, type TargetAction } from '../../../infra/database/schema.js';
import { NetworkPolicyDto } from '../../compile/dto/compile-response.dto.js';
import { PolicyDocumentDto } from '../../compile/dto/policy-document.dto.js';
import { PolicyTargetsDto } from './create-policy.dto.js';

// Answer shapes of the policy routes, as policyView/revisionView (policies.service.ts) make them.

@ApiSchema({ name: 'PolicySummary' })
export class PolicySummaryDto {
  @ApiProperty({ description: 'Policy name (DNS-1123 label).', example: 'mms-example' })
  name: string;

  @ApiProperty({
    type: 'integer',
    description: 'The number of the latest revision (0 before the first one is stored).',
    example: 3,
  })
  latestRevision: number;

  @ApiProperty({ description: 'Whether drift is re-applied automatically.' })
  selfHeal: boolean;

  @ApiProperty({
    description: "True while the policy's objects are being removed (DELETE); it then goes.",
  })
  deleting: boolean;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: string;
}

@ApiSchema({ name: 'Policy' })
export class PolicyDto extends PolicySummaryDto {
  @ApiProperty({
    type: PolicyTargetsDto,
    nullable: true,
    description: 'The targets of the latest revision; null without one.',
  })
  targets: PolicyTargetsDto | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'What equal content is recognised by (compiled objects and targets); null without a revision.',
  })
  contentHash: string | null;
}

@ApiSchema({ name: 'PolicyList' })
export class PolicyListDto {
  @ApiProperty({ type: [PolicySummaryDto], description: 'Policies sorted by name.' })
  items: PolicySummaryDto[];

  @ApiPropertyOptional({
    description: 'Pass as ?cursor= for the next page; absent on the last page.',
  })
  nextCursor?: string;
}

@ApiSchema({ name: 'RevisionSummary' })
export class RevisionSummaryDto {
  @ApiProperty({ description: 'Policy name.', example: 'mms-example' })
  policy: string;

  @ApiProperty({ type: 'integer', description: 'Revision number, from 1.', example: 1 })
  revision: number;

  @ApiProperty({ description: 'Hash of the compiled objects and the targets.' })
  contentHash: string;

  @ApiProperty({ type: PolicyTargetsDto, description: 'The targets, in canonical form.' })
  targets: PolicyTargetsDto;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({
    type: 'integer',
    description: 'How many NetworkPolicies the document compiles to.',
    example: 6,
  })
  objectCount: number;
}

@ApiSchema({ name: 'Revision' })
export class RevisionDto extends RevisionSummaryDto {
  @ApiProperty({ type: PolicyDocumentDto, description: 'The document exactly as it was sent.' })
  document: PolicyDocumentDto;
}

@ApiSchema({ name: 'RevisionList' })
export class RevisionListDto {
  @ApiProperty({
    type: [RevisionSummaryDto],
    description: 'Revisions, newest first, without their documents.',
  })
  items: RevisionSummaryDto[];

  @ApiPropertyOptional({
    description: 'Pass as ?cursor= for the next (older) page; absent on the last page.',
  })
  nextCursor?: string;
}

@ApiSchema({ name: 'TargetAssignment' })
export class TargetAssignmentDto {
  @ApiProperty({ description: 'Registered cluster name.', example: 'prod-eu' })
  cluster: string;

  @ApiProperty({
    enum: TARGET_ACTIONS,
    description: "apply: the revision is applied there; prune: the policy's objects are removed.",
  })
  action: TargetAction;
}

/** What POST /v1/policies and rollback answer with, beyond the revision. */
class StoredAnswerDto extends RevisionDto {
  @ApiProperty({
    type: [ProblemItemDto],
    description: 'Warnings of the document (paths relative to the document).',
  })
  warnings: ProblemItemDto[];

  @ApiPropertyOptional({
    type: 'integer',
    description: 'Rollback only: the revision whose document and targets were stored again.',
  })
  rolledBackTo?: number;
}

@ApiSchema({ name: 'StoredRevision' })
export class StoredRevisionDto extends StoredAnswerDto {
  @ApiProperty({
    format: 'uuid',
    description: 'The deployment rolling the revision out (Location: /v1/deployments/{id}).',
  })
  deploymentId: string;

  @ApiProperty({
    type: [TargetAssignmentDto],
    description: 'Per cluster, what the deployment does.',
  })
  clusters: TargetAssignmentDto[];
}

@ApiSchema({ name: 'UnchangedRevision' })
export class UnchangedRevisionDto extends StoredAnswerDto {
  @ApiProperty({
    enum: [true],
    description: 'The content equals the latest revision: nothing was stored or deployed.',
  })
  unchanged: true;

  @ApiProperty({ type: 'null', description: 'No deployment was started.' })
  deploymentId: null;
}

@ApiSchema({ name: 'Manifests' })
export class ManifestsDto {
  @ApiProperty({
    type: [NetworkPolicyDto],
    description:
      'The NetworkPolicies exactly as applied: labels and annotations included; with ?cluster=, as that cluster gets them.',
  })
  items: NetworkPolicyDto[];

  @ApiPropertyOptional({
    type: [ProblemItemDto],
    description: "With ?cluster=: what compiling for the cluster's networks warned about.",
  })
  warnings?: ProblemItemDto[];
}

@ApiSchema({ name: 'QueuedDeployment' })
export class QueuedDeploymentDto {
  @ApiProperty({ format: 'uuid', description: 'Follow it at /v1/deployments/{id}.' })
  deploymentId: string;

  @ApiProperty({ example: 'mms-example' })
  policy: string;

  @ApiProperty({ type: 'integer', description: 'The revision deployed (or removed).' })
  revision: number;

  @ApiProperty({ type: [String], description: 'The clusters the deployment touches.' })
  clusters: string[];
}
