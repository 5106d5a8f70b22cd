import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ProblemItemDto } from '../../../common/dto/problem.dto.js';

export class NetworkPolicyDto {
  @ApiProperty({ example: 'networking.k8s.io/v1' })
  apiVersion: string;

  @ApiProperty({ example: 'NetworkPolicy' })
  kind: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'name (the network), namespace, labels (managed-by, network, policy) and annotations tracing each rule to the document.',
  })
  metadata: Record<string, unknown>;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'A canonical NetworkPolicySpec: explicit policyTypes and protocols, merged and sorted rules.',
  })
  spec: Record<string, unknown>;
}

export class CompileResponseDto {
  @ApiProperty({
    type: [NetworkPolicyDto],
    description: 'One NetworkPolicy per network and namespace, sorted by namespace then name.',
  })
  items: NetworkPolicyDto[];

  @ApiProperty({
    type: [ProblemItemDto],
    description: 'Accepted but noteworthy input (ignored ACI fields, canonicalised CIDRs, ...).',
  })
  warnings: ProblemItemDto[];
}

export class PortSelectionDto {
  @ApiProperty({ enum: ['TCP', 'UDP', 'SCTP'] })
  protocol: string;

  @ApiProperty({
    description: '"all", or ports and ranges such as "23", "8000-8100", "http".',
    oneOf: [
      { type: 'string', enum: ['all'] },
      { type: 'array', items: { type: 'string' } },
    ],
  })
  ports: 'all' | string[];
}

export class ConnectivitySourceDto {
  @ApiProperty({
    example: 'network:hangwe-inst-network01',
    description: 'network:<name>, untagged, or cidr:<cidr>[ except ...]',
  })
  id: string;

  @ApiProperty({ enum: ['network', 'untagged', 'cidr'] })
  kind: string;

  @ApiPropertyOptional()
  network?: string;

  @ApiPropertyOptional()
  cidr?: string;

  @ApiPropertyOptional({ description: 'The address of the cidr that was evaluated.' })
  sampleAddress?: string;
}

export class ConnectivityCellDto {
  @ApiProperty()
  namespace: string;

  @ApiProperty({ description: 'A source id.' })
  source: string;

  @ApiProperty({ description: 'A destination network.' })
  destination: string;

  @ApiProperty({
    description: '"all" (every port of every protocol) or the allowed ports per protocol.',
    oneOf: [
      { type: 'string', enum: ['all'] },
      { type: 'array', items: { $ref: '#/components/schemas/PortSelectionDto' } },
    ],
  })
  allowed: 'all' | PortSelectionDto[];
}

export class ConnectivityResponseDto {
  @ApiProperty({ type: [String] })
  namespaces: string[];

  @ApiProperty({ type: [ConnectivitySourceDto] })
  sources: ConnectivitySourceDto[];

  @ApiProperty({ type: [String] })
  destinations: string[];

  @ApiProperty({
    type: [ConnectivityCellDto],
    description:
      'Only allowed pairs; an absent pair is denied. Computed by the evaluator from the compiled objects.',
  })
  cells: ConnectivityCellDto[];

  @ApiProperty({ type: [ProblemItemDto] })
  warnings: ProblemItemDto[];
}
