import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsDns1123Label } from '../../../common/dto/validators.js';

/** An image reference: registry/path:tag or @digest, without spaces or shell characters. */
const IMAGE = /^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/;

export class CreateProbesDto {
  @ApiProperty({
    description: 'The registered cluster to create the test pods in.',
    example: 'prod-eu',
  })
  @IsDns1123Label()
  cluster: string;

  @ApiPropertyOptional({
    description:
      'Container image; it must provide `sh` and busybox `nc`. Another image than the default needs an admin token.',
    default: 'busybox:1.36',
    maxLength: 255,
  })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @Matches(IMAGE, { message: 'image must be an image reference (letters, digits and . _ / : @ -)' })
  image?: string;
}

export class ProbesQueryDto {
  @ApiProperty({
    description: 'The registered cluster whose test pods are meant.',
    example: 'prod-eu',
  })
  @IsDns1123Label()
  cluster: string;
}

export class ProbePodDto {
  @ApiProperty({
    description: 'Pod name: `<network>-pod`, or `<namespace>-out` for the untagged pod.',
  })
  name: string;

  @ApiProperty({ description: 'Namespace of the pod.' })
  namespace: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'The pod labels (network membership and the probe labels).',
  })
  labels: Record<string, string>;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'status.phase (Pending until a kubelet runs the pod).',
  })
  phase: string | null;
}

export class ProbeCellDto {
  @ApiProperty({ description: 'Namespace of the destination pod.' })
  namespace: string;

  @ApiProperty({ description: 'Source pod, `namespace/name`.' })
  source: string;

  @ApiProperty({ description: 'Destination pod, `namespace/name`.' })
  destination: string;

  @ApiProperty({
    description: '"all", or a list of {protocol, ports} the destination accepts from the source.',
    oneOf: [
      { type: 'string', enum: ['all'] },
      { type: 'array', items: { type: 'object' } },
    ],
  })
  allowed: unknown;
}

export class ProbesViewDto {
  @ApiProperty({ description: 'Policy name.' })
  policy: string;

  @ApiProperty({ description: 'Cluster name.' })
  cluster: string;

  @ApiProperty({
    description:
      'The revision whose objects the expected connectivity is computed from (the latest).',
  })
  revision: number;

  @ApiProperty({
    type: [ProbePodDto],
    description: 'The probe pods of this policy found in the cluster.',
  })
  pods: ProbePodDto[];

  @ApiProperty({
    type: [ProbeCellDto],
    description:
      'What the revision should allow between those pods, by the evaluator: only pairs that allow something; a missing pair is denied.',
  })
  expected: ProbeCellDto[];
}
