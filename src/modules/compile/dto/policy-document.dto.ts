import { ANY_JSON } from '../../../common/dto/any-json.js';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiSchema,
  getSchemaPath,
} from '@nestjs/swagger';

// These classes document the MMS document format in OpenAPI. Validation itself is done by
// the pure core parser (src/core/document), which reports every problem with a JSON pointer.

@ApiSchema({ name: 'Port' })
export class PortDto {
  @ApiPropertyOptional({
    description: 'TCP, UDP or SCTP, in any case. Default TCP.',
    example: 'TCP',
  })
  protocol?: string;

  @ApiPropertyOptional({
    description:
      'An integer 1-65535 or its decimal string ("23"), a range "8000-8100", or a named port (at most 15 lowercase letters, digits and "-", with a letter). Omitted: every port of the protocol.',
    oneOf: [{ type: 'integer', minimum: 1, maximum: 65535 }, { type: 'string' }],
    example: '23',
  })
  port?: number | string;

  @ApiPropertyOptional({
    description:
      'ACI source port: accepted and ignored with a warning (NetworkPolicy matches destination ports only).',
    ...ANY_JSON,
  })
  source_port?: unknown;

  @ApiPropertyOptional({
    description: 'ACI source ports: accepted and ignored with a warning.',
    ...ANY_JSON,
  })
  source_ports?: unknown;
}

@ApiSchema({ name: 'Contract' })
export class ContractDto {
  @ApiProperty({
    type: [String],
    description: 'Networks that provide the service (at least one). `_` becomes `-`.',
    example: ['hangwe_inst_network02'],
  })
  provide_networks: string[];

  @ApiProperty({
    type: [String],
    description: 'Networks that consume the service (at least one).',
    example: ['hangwe_inst_network01'],
  })
  consume_networks: string[];

  @ApiPropertyOptional({
    type: [PortDto],
    description:
      'Ports the providers open to the consumers. Absent or empty: all ports and protocols.',
  })
  ports?: PortDto[];

  @ApiPropertyOptional({
    enum: ['full', 'none'],
    description:
      "Overrides options.provider_access for this contract: may providers reach consumers on every port ('full') or not at all ('none')?",
  })
  provider_access?: 'full' | 'none';

  @ApiPropertyOptional({ description: 'ACI: accepted and ignored with a warning.', ...ANY_JSON })
  source_port?: unknown;

  @ApiPropertyOptional({ description: 'ACI: accepted and ignored with a warning.', ...ANY_JSON })
  source_ports?: unknown;

  @ApiPropertyOptional({
    type: Boolean,
    description: 'ACI: ignored with a warning; NetworkPolicy is always stateful.',
  })
  established?: boolean;

  @ApiPropertyOptional({
    type: Boolean,
    description: 'ACI: ignored with a warning; NetworkPolicy is always stateful.',
  })
  stateful?: boolean;

  @ApiPropertyOptional({
    description:
      "ACI action. 'permit' (default) is enforced; any other action cannot be expressed by NetworkPolicy, so the contract is dropped (allows nothing) with a warning.",
    example: 'permit',
  })
  action?: string;
}

@ApiSchema({ name: 'ExposeRule' })
export class ExposeDto {
  @ApiProperty({
    description: 'The network that is reachable from outside.',
    example: 'hangwe_inst_network01',
  })
  network: string;

  @ApiProperty({
    description: 'IPv4 or IPv6 CIDR allowed in. Host bits are cleared with a warning.',
    example: '0.0.0.0/0',
  })
  cidr: string;

  @ApiPropertyOptional({
    type: [String],
    description: 'Strict subsets of cidr that are not allowed.',
    example: [],
  })
  except?: string[];

  @ApiPropertyOptional({
    type: [PortDto],
    description: 'Ports open to that range. Absent or empty: all.',
  })
  ports?: PortDto[];
}

@ApiSchema({ name: 'DocumentOptions' })
export class DocumentOptionsDto {
  @ApiPropertyOptional({
    description: 'Pod label whose value names the network a pod belongs to.',
    default: 'mms_network_tag',
  })
  label_key?: string;

  @ApiPropertyOptional({
    enum: ['full', 'none'],
    default: 'full',
    description: 'What providers may reach on consumers of a contract they do not consume.',
  })
  provider_access?: 'full' | 'none';

  @ApiPropertyOptional({
    enum: ['any', 'listed'],
    default: 'any',
    description:
      "Whether members are labelled pods in any namespace ('any') or only in the document's namespaces ('listed').",
  })
  peer_namespaces?: 'any' | 'listed';

  @ApiPropertyOptional({
    enum: ['allow', 'isolate'],
    default: 'allow',
    description: "'isolate': members of a network never reach each other.",
  })
  intra_network?: 'allow' | 'isolate';

  @ApiPropertyOptional({
    enum: ['unrestricted', 'enforce'],
    default: 'unrestricted',
    description:
      "'enforce': members may only open the connections their destinations accept, plus DNS.",
  })
  egress?: 'unrestricted' | 'enforce';
}

@ApiExtraModels(ContractDto)
@ApiSchema({ name: 'PolicyDocument' })
export class PolicyDocumentDto {
  @ApiProperty({
    type: [String],
    description: 'Namespaces (DNS-1123 labels) that receive one NetworkPolicy per network.',
    example: ['mms'],
  })
  namespaces: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(ContractDto) },
    description: 'Contracts keyed by name.',
  })
  contracts?: Record<string, ContractDto>;

  @ApiPropertyOptional({
    type: [ExposeDto],
    description: 'Which CIDRs may reach a network, on which ports.',
  })
  expose?: ExposeDto[];

  @ApiPropertyOptional({
    type: DocumentOptionsDto,
    description: 'Options; the defaults reproduce the original behaviour.',
  })
  options?: DocumentOptionsDto;
}
