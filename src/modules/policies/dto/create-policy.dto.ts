import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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
  registerDecorator,
  type ValidationArguments,
} from 'class-validator';
import { isValidLabelKey } from '../../../core/document/label-key.js';
import { PolicyDocumentDto } from '../../compile/dto/policy-document.dto.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const MAX_SELECTOR_LABELS = 64;

/** A Kubernetes label map: valid keys, string values that are valid label values, at most 64 entries. */
function labelMapProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'must be an object of label keys to label values';
  const entries = Object.entries(value);
  if (entries.length > MAX_SELECTOR_LABELS)
    return `has ${entries.length} labels, more than ${MAX_SELECTOR_LABELS}`;
  for (const [k, v] of entries) {
    if (!isValidLabelKey(k))
      return `key ${JSON.stringify(k.slice(0, 80))} is not a valid Kubernetes label key`;
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v))
      return `the value of ${JSON.stringify(k.slice(0, 80))} is not a valid label value (a string of at most 63 letters, digits, "-", "_" or ".")`;
  }
  return undefined;
}

/** A Kubernetes label map: valid keys, string values that are valid label values, at most 64 entries. */
function IsLabelMap(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isLabelMap',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => labelMapProblem(value) === undefined,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'labels'} ${labelMapProblem(args?.value) ?? 'is invalid'}`,
      },
    });
}

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
