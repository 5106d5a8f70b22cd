import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ProblemItemDto } from '../../../common/dto/problem.dto.js';
import { IsDns1123Label } from '../../../common/dto/validators.js';
import { ALLOWED_PORTS } from '../../compile/dto/compile-response.dto.js';

/** An image reference: registry/path:tag or @digest, without spaces or shell characters. */
const IMAGE = /^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/;

@ApiSchema({ name: 'CreateProbes' })
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

@ApiSchema({ name: 'ProbeCluster' })
export class ProbesQueryDto {
  @ApiProperty({
    description: 'The registered cluster whose test pods are meant.',
    example: 'prod-eu',
  })
  @IsDns1123Label()
  cluster: string;
}

@ApiSchema({ name: 'ProbePod' })
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

  @ApiProperty({ type: String, nullable: true, description: 'status.podIP, once it has one.' })
  ip: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The node it runs on.' })
  nodeName: string | null;

  @ApiPropertyOptional({
    description: 'Why it is not Running (waiting reason, unschedulable message), when it is not.',
  })
  reason?: string;
}

@ApiSchema({ name: 'ProbePort' })
export class ProbePortDto {
  @ApiProperty({ enum: ['TCP', 'UDP'] })
  protocol: 'TCP' | 'UDP';

  @ApiProperty({ type: 'integer', example: 3306 })
  port: number;
}

@ApiSchema({ name: 'ProbePodResult' })
export class ProbePodResultDto {
  @ApiProperty()
  namespace: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: ['created', 'exists'], description: 'Created now, or already there.' })
  result: 'created' | 'exists';
}

@ApiSchema({ name: 'CreatedProbes' })
export class CreatedProbesDto {
  @ApiProperty({ description: 'Policy name.' })
  policy: string;

  @ApiProperty({ description: 'Cluster name.' })
  cluster: string;

  @ApiProperty({ type: 'integer', description: 'The revision the pods are made for.' })
  revision: number;

  @ApiProperty({ description: 'The image the pods run.' })
  image: string;

  @ApiProperty({ type: [ProbePortDto], description: 'The ports the pods listen on.' })
  ports: ProbePortDto[];

  @ApiProperty({ type: [ProbePodResultDto] })
  pods: ProbePodResultDto[];
}

@ApiSchema({ name: 'ProbeRun' })
export class ProbeRunDto {
  @ApiProperty({ description: 'Policy name.' })
  policy: string;

  @ApiProperty({ description: 'Cluster name.' })
  cluster: string;

  @ApiProperty({ description: 'The id of the run (its pods carry it as a label).' })
  run: string;

  @ApiProperty({ type: 'integer', description: 'Measuring pods created.' })
  measuringPods: number;

  @ApiProperty({ type: 'integer', description: 'Measurements planned, in all.' })
  targets: number;

  @ApiProperty({
    type: [ProblemItemDto],
    description:
      'Measuring pods the cluster refused (e.g. a hostNetwork pod refused by admission).',
  })
  refused: ProblemItemDto[];
}

@ApiSchema({ name: 'PodRef' })
export class PodRefDto {
  @ApiProperty()
  namespace: string;

  @ApiProperty()
  name: string;
}

@ApiSchema({ name: 'DeletedProbes' })
export class DeletedProbesDto {
  @ApiProperty({ description: 'Policy name.' })
  policy: string;

  @ApiProperty({ description: 'Cluster name.' })
  cluster: string;

  @ApiProperty({ type: [PodRefDto], description: 'The pods deleted.' })
  deleted: PodRefDto[];
}

@ApiSchema({ name: 'ProbeExpectation' })
export class ProbeCellDto {
  @ApiProperty({ description: 'Namespace of the destination pod.' })
  namespace: string;

  @ApiProperty({ description: 'Source pod, `namespace/name`.' })
  source: string;

  @ApiProperty({ description: 'Destination pod, `namespace/name`.' })
  destination: string;

  @ApiProperty({
    description: '"all", or the ports per protocol the destination accepts from the source.',
    ...ALLOWED_PORTS,
  })
  allowed: unknown;
}

@ApiSchema({ name: 'ProbeCell' })
export class MeasuredCellDto {
  @ApiProperty({ description: 'Source: a test pod `namespace/name`, or `node`.' })
  source: string;

  @ApiProperty({ description: 'Destination test pod, `namespace/name`.' })
  destination: string;

  @ApiProperty({ enum: ['TCP', 'UDP'] })
  protocol: 'TCP' | 'UDP';

  @ApiProperty({ type: 'integer' })
  port: number;

  @ApiProperty({ enum: ['allowed', 'denied'], description: 'What the evaluator expects.' })
  expected: 'allowed' | 'denied';

  @ApiProperty({ enum: ['allowed', 'denied', 'not-measured'] })
  measured: 'allowed' | 'denied' | 'not-measured';

  @ApiPropertyOptional({
    description: 'Why it was not measured, or why the expectation is what it is.',
  })
  reason?: string;

  @ApiProperty({ description: 'measured = expected.' })
  match: boolean;
}

@ApiSchema({ name: 'ProbeSummary' })
export class ProbeSummaryDto {
  @ApiProperty({ type: 'integer' })
  cells: number;

  @ApiProperty({ type: 'integer' })
  measured: number;

  @ApiProperty({ type: 'integer' })
  notMeasured: number;

  @ApiProperty({ type: 'integer' })
  mismatches: number;

  @ApiProperty({
    description: 'True only when every cell was measured and every one matched.',
  })
  allMatch: boolean;
}

@ApiSchema({ name: 'ProbeReport' })
export class ProbeReportDto {
  @ApiProperty({ description: 'The run id.' })
  run: string;

  @ApiProperty({ enum: ['running', 'complete', 'failed', 'timed-out'] })
  state: 'running' | 'complete' | 'failed' | 'timed-out';

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt: string | null;

  @ApiProperty({ type: ProbeSummaryDto })
  summary: ProbeSummaryDto;

  @ApiProperty({ type: [MeasuredCellDto], description: 'Expected against measured, per cell.' })
  cells: MeasuredCellDto[];

  @ApiProperty({ type: [MeasuredCellDto], description: 'The cells that did not match.' })
  mismatches: MeasuredCellDto[];

  @ApiProperty({
    type: [MeasuredCellDto],
    nullable: true,
    description: "From the node's address: the external view; null when not measured.",
  })
  external: MeasuredCellDto[] | null;

  @ApiProperty({
    type: [String],
    description: 'Problems of the run as a whole: pods that never started, a run that timed out.',
  })
  problems: string[];
}

@ApiSchema({ name: 'Probes' })
export class ProbesViewDto {
  @ApiProperty({ description: 'Policy name.' })
  policy: string;

  @ApiProperty({ description: 'Cluster name.' })
  cluster: string;

  @ApiProperty({
    type: 'integer',
    description:
      'The revision whose objects the expected connectivity is computed from (the latest).',
  })
  revision: number;

  @ApiProperty({
    type: [ProbePodDto],
    description: 'The test pods of this policy found in the cluster.',
  })
  pods: ProbePodDto[];

  @ApiProperty({
    type: [ProbeCellDto],
    description:
      'What the revision should allow between those pods, by the evaluator: only pairs that allow something; a missing pair is denied.',
  })
  expected: ProbeCellDto[];

  @ApiProperty({
    type: ProbeReportDto,
    nullable: true,
    description: 'The report of the latest probe run; null before the first one.',
  })
  run: ProbeReportDto | null;
}
