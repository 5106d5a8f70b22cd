import { ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsOptional } from 'class-validator';
import { IsDns1123Label } from '../../../common/dto/validators.js';

export const MAX_CHECK_NAMESPACES = 50;

/** Which namespaces `POST /v1/clusters/{name}/check` examines. */
@ApiSchema({ name: 'CheckCluster' })
export class CheckClusterDto {
  @ApiPropertyOptional({
    description: `Namespaces whose NetworkPolicy permissions to check (at most ${MAX_CHECK_NAMESPACES}). Without it only the connection is checked.`,
    type: [String],
    example: ['team-a', 'team-b'],
    maxItems: MAX_CHECK_NAMESPACES,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_CHECK_NAMESPACES)
  @ArrayUnique()
  @IsDns1123Label({ each: true })
  namespaces?: string[];
}
