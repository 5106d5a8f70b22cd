import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { DNS1123_LABEL_PATTERN } from '../../../common/dto/validators.js';

/** `?cluster=`: the objects as that registered cluster gets them (its networks taken out of ipBlocks). */
export class ClusterQueryDto {
  @ApiPropertyOptional({
    description:
      "Compile for this registered cluster: expose ipBlocks exclude its pod and Service networks (see the cluster's `networks`), with the warnings that go with it. Absent: the cluster-independent objects.",
    example: 'prod-eu',
  })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  @Matches(new RegExp(DNS1123_LABEL_PATTERN), { message: 'cluster must be a DNS-1123 label' })
  cluster?: string;
}
