import { ApiProperty, ApiPropertyOptional, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { ProblemItemDto } from '../../../common/dto/problem.dto.js';

// The subset of networking.k8s.io/v1 NetworkPolicy that gbp-netpol emits
// (src/core/kube/network-policy.types.ts), as the Kubernetes API names its parts.

const STRING_MAP = { type: 'object', additionalProperties: { type: 'string' } } as const;

@ApiSchema({ name: 'LabelSelectorRequirement' })
export class LabelSelectorRequirementDto {
  @ApiProperty({ description: 'The label key.', example: 'kubernetes.io/metadata.name' })
  key: string;

  @ApiProperty({ enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] })
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

  @ApiPropertyOptional({ type: [String], description: 'For In and NotIn.' })
  values?: string[];
}

@ApiSchema({ name: 'LabelSelector' })
export class LabelSelectorDto {
  @ApiPropertyOptional({ ...STRING_MAP, example: { mms_network_tag: 'hangwe-inst-network01' } })
  matchLabels?: Record<string, string>;

  @ApiPropertyOptional({ type: [LabelSelectorRequirementDto] })
  matchExpressions?: LabelSelectorRequirementDto[];
}

@ApiSchema({ name: 'IPBlock' })
export class IpBlockDto {
  @ApiProperty({ example: '0.0.0.0/0' })
  cidr: string;

  @ApiPropertyOptional({ type: [String], example: ['10.244.0.0/16'] })
  except?: string[];
}

@ApiSchema({ name: 'NetworkPolicyPeer' })
export class NetworkPolicyPeerDto {
  @ApiPropertyOptional({ type: LabelSelectorDto })
  podSelector?: LabelSelectorDto;

  @ApiPropertyOptional({ type: LabelSelectorDto })
  namespaceSelector?: LabelSelectorDto;

  @ApiPropertyOptional({ type: IpBlockDto, description: 'Never combined with a selector.' })
  ipBlock?: IpBlockDto;
}

@ApiSchema({ name: 'NetworkPolicyPort' })
export class NetworkPolicyPortDto {
  @ApiPropertyOptional({ enum: ['TCP', 'UDP', 'SCTP'], description: 'Always set by gbp-netpol.' })
  protocol?: 'TCP' | 'UDP' | 'SCTP';

  @ApiPropertyOptional({
    description: 'A port number or a named port; absent: every port of the protocol.',
    oneOf: [{ type: 'integer', minimum: 1, maximum: 65535 }, { type: 'string' }],
    example: 3306,
  })
  port?: number | string;

  @ApiPropertyOptional({ type: 'integer', description: 'The last port of a range.' })
  endPort?: number;
}

@ApiSchema({ name: 'NetworkPolicyIngressRule' })
export class NetworkPolicyIngressRuleDto {
  @ApiPropertyOptional({ type: [NetworkPolicyPeerDto], description: 'Absent: from anywhere.' })
  from?: NetworkPolicyPeerDto[];

  @ApiPropertyOptional({ type: [NetworkPolicyPortDto], description: 'Absent: every port.' })
  ports?: NetworkPolicyPortDto[];
}

@ApiSchema({ name: 'NetworkPolicyEgressRule' })
export class NetworkPolicyEgressRuleDto {
  @ApiPropertyOptional({ type: [NetworkPolicyPeerDto], description: 'Absent: to anywhere.' })
  to?: NetworkPolicyPeerDto[];

  @ApiPropertyOptional({ type: [NetworkPolicyPortDto], description: 'Absent: every port.' })
  ports?: NetworkPolicyPortDto[];
}

@ApiSchema({ name: 'NetworkPolicySpec' })
export class NetworkPolicySpecDto {
  @ApiProperty({ type: LabelSelectorDto, description: 'The members of the network.' })
  podSelector: LabelSelectorDto;

  @ApiPropertyOptional({
    enum: ['Ingress', 'Egress'],
    isArray: true,
    description: 'Always explicit in what gbp-netpol emits.',
  })
  policyTypes?: ('Ingress' | 'Egress')[];

  @ApiPropertyOptional({ type: [NetworkPolicyIngressRuleDto] })
  ingress?: NetworkPolicyIngressRuleDto[];

  @ApiPropertyOptional({ type: [NetworkPolicyEgressRuleDto] })
  egress?: NetworkPolicyEgressRuleDto[];
}

@ApiSchema({ name: 'ObjectMeta' })
export class ObjectMetaDto {
  @ApiProperty({ description: 'The network name.', example: 'hangwe-inst-network01' })
  name: string;

  @ApiProperty({ example: 'mms' })
  namespace: string;

  @ApiPropertyOptional({
    ...STRING_MAP,
    description: 'managed-by, network and (as applied) policy labels.',
  })
  labels?: Record<string, string>;

  @ApiPropertyOptional({
    ...STRING_MAP,
    description:
      'Annotations tracing each rule to the document (and, as applied, the revision and content hash).',
  })
  annotations?: Record<string, string>;
}

@ApiSchema({ name: 'NetworkPolicy' })
export class NetworkPolicyDto {
  @ApiProperty({ enum: ['networking.k8s.io/v1'] })
  apiVersion: 'networking.k8s.io/v1';

  @ApiProperty({ enum: ['NetworkPolicy'] })
  kind: 'NetworkPolicy';

  @ApiProperty({ type: ObjectMetaDto })
  metadata: ObjectMetaDto;

  @ApiProperty({
    type: NetworkPolicySpecDto,
    description:
      'A canonical NetworkPolicySpec: explicit policyTypes and protocols, merged and sorted rules.',
  })
  spec: NetworkPolicySpecDto;
}

@ApiSchema({ name: 'CompileResult' })
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

@ApiSchema({ name: 'PortSelection' })
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

/** `allowed` of a connectivity cell: "all", or the allowed ports per protocol (portSetToJson). */
export const ALLOWED_PORTS = {
  oneOf: [
    { type: 'string', enum: ['all'] },
    { type: 'array', items: { $ref: getSchemaPath(PortSelectionDto) } },
  ],
};

@ApiSchema({ name: 'ConnectivitySource' })
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

@ApiSchema({ name: 'ConnectivityCell' })
export class ConnectivityCellDto {
  @ApiProperty()
  namespace: string;

  @ApiProperty({ description: 'A source id.' })
  source: string;

  @ApiProperty({ description: 'A destination network.' })
  destination: string;

  @ApiProperty({
    description: '"all" (every port of every protocol) or the allowed ports per protocol.',
    ...ALLOWED_PORTS,
  })
  allowed: 'all' | PortSelectionDto[];
}

@ApiSchema({ name: 'Connectivity' })
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

@ApiSchema({ name: 'PolicyConnectivity' })
export class PolicyConnectivityDto extends ConnectivityResponseDto {
  @ApiProperty({ description: 'Policy name.', example: 'mms-example' })
  policy: string;

  @ApiProperty({
    type: 'integer',
    description: 'The latest revision, whose objects are evaluated.',
  })
  revision: number;
}
