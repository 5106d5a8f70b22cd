import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { DNS1123_LABEL_PATTERN } from '../../../common/dto/validators.js';

export class DiffQueryDto {
  @ApiPropertyOptional({
    description:
      'Diff this registered cluster only. Default: every current target cluster of the latest revision. A cluster that is not a target shows only the objects a prune would delete.',
    example: 'prod-eu',
  })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  @Matches(new RegExp(DNS1123_LABEL_PATTERN), { message: 'cluster must be a DNS-1123 label' })
  cluster?: string;
}
