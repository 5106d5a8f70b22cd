import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { DNS1123_LABEL_PATTERN } from '../../../common/dto/validators.js';
import { PageQueryDto } from '../../../common/pagination.js';
import {
  SYNC_STATES,
  TARGET_PHASES,
  type SyncState,
  type TargetPhase,
} from '../../../infra/database/schema.js';

/** Cluster and policy names are DNS-1123 labels. */
const CLUSTER_NAME = new RegExp(DNS1123_LABEL_PATTERN);

/** `GET /v1/policies/{name}/status/resources?cluster=&action=&limit=&cursor=` */
export class StatusResourcesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only the outcomes on this cluster.', example: 'prod-eu' })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  @Matches(CLUSTER_NAME, { message: 'cluster must be a DNS-1123 label' })
  cluster?: string;

  @ApiPropertyOptional({
    description:
      'Only the outcomes with this action: created, updated, deleted, unchanged, conflict, failed or skipped.',
    example: 'failed',
  })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  action?: string;
}

/** `GET /v1/status?policy=&cluster=&sync=&phase=&limit=&cursor=` */
export class FleetStatusQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only this policy.', example: 'mms-example' })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  @Matches(CLUSTER_NAME, { message: 'policy must be a DNS-1123 label' })
  policy?: string;

  @ApiPropertyOptional({ description: 'Only this cluster.', example: 'prod-eu' })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  @Matches(CLUSTER_NAME, { message: 'cluster must be a DNS-1123 label' })
  cluster?: string;

  @ApiPropertyOptional({
    description: 'Only pairs in this sync state (as status shows it).',
    enum: SYNC_STATES,
  })
  @IsOptional()
  @IsIn(SYNC_STATES)
  sync?: SyncState;

  @ApiPropertyOptional({
    description: 'Only pairs whose latest operation is in this phase.',
    enum: TARGET_PHASES,
  })
  @IsOptional()
  @IsIn(TARGET_PHASES)
  phase?: TargetPhase;
}
