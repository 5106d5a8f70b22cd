import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { DNS1123_LABEL_PATTERN, IsLabelMap } from '../../../common/dto/validators.js';
import { PolicyDocumentDto } from '../../compile/dto/policy-document.dto.js';

const DNS_LABEL = new RegExp(DNS1123_LABEL_PATTERN);

@ApiSchema({ name: 'ClusterSelector' })
export class ClusterSelectorDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description:
      'Every registered cluster whose labels include all of these is a target, including clusters registered later.',
    example: { env: 'prod' },
  })
  @IsLabelMap()
  matchLabels: Record<string, string>;
}

@ApiSchema({ name: 'PolicyTargets' })
export class PolicyTargetsDto {
  @ApiPropertyOptional({
    type: [String],
    description: 'Registered cluster names.',
    example: ['prod-eu'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @Matches(DNS_LABEL, { each: true, message: 'each cluster name must be a DNS-1123 label' })
  clusters?: string[];

  @ApiPropertyOptional({ type: ClusterSelectorDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ClusterSelectorDto)
  clusterSelector?: ClusterSelectorDto;
}

@ApiSchema({ name: 'CreatePolicy' })
export class CreatePolicyDto {
  @ApiProperty({
    description: 'Policy name, a DNS-1123 label; objects are labelled gbp-netpol.io/policy=<name>.',
    example: 'mms-example',
  })
  @IsString()
  @MaxLength(63)
  @Matches(DNS_LABEL, {
    message:
      'name must be a DNS-1123 label (lowercase letters, digits and "-", at most 63 characters)',
  })
  name: string;

  @ApiProperty({
    type: PolicyTargetsDto,
    description: 'Where the policy goes: named clusters and/or a label selector.',
  })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => PolicyTargetsDto)
  targets: PolicyTargetsDto;

  @ApiProperty({
    type: PolicyDocumentDto,
    description: 'The MMS policy document (see POST /v1/compile).',
  })
  @IsObject()
  document: Record<string, unknown>;

  @ApiPropertyOptional({
    description: 'Re-apply automatically when drift is detected.',
    default: false,
  })
  // Absent means "keep as is"; null is not a value (IsOptional would let it through).
  @ValidateIf((o: CreatePolicyDto) => o.selfHeal !== undefined)
  @IsBoolean()
  selfHeal?: boolean;
}
