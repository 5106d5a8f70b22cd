import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, ValidateNested } from 'class-validator';
import { PolicyDocumentDto } from '../../compile/dto/policy-document.dto.js';
import { PolicyTargetsDto } from '../../policies/dto/create-policy.dto.js';

/** The body of `POST /v1/policies/{name}/plan`: what a `POST /v1/policies` would send, without name and selfHeal. */
@ApiSchema({ name: 'PlanRequest' })
export class PlanRequestDto {
  @ApiPropertyOptional({
    type: PolicyTargetsDto,
    description:
      "Where the policy would go (named clusters and/or a label selector). Default: the latest revision's targets; required for a policy that does not exist yet.",
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => PolicyTargetsDto)
  targets?: PolicyTargetsDto;

  @ApiProperty({
    type: PolicyDocumentDto,
    description:
      'The MMS policy document to plan (validated exactly as POST /v1/policies does; problems have paths under /document).',
  })
  @IsObject()
  document: Record<string, unknown>;
}
