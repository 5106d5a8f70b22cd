import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { CONNECTION_STATES, type ConnectionState } from '../../../infra/database/schema.js';
import type { AuthMode } from '../cluster-input.js';
import type { ClusterView, ConnectionView } from '../cluster-view.js';

@ApiSchema({ name: 'Connection' })
export class ConnectionDto implements ConnectionView {
  @ApiProperty({
    enum: CONNECTION_STATES,
    description:
      'Reachable: the API server answered with these credentials. Unauthorized: it rejected them (401/403). Unreachable: no usable answer (network, TLS, timeout, server error). Unknown: never checked.',
  })
  state: ConnectionState;

  @ApiPropertyOptional({ description: 'Why the last check failed; never contains a credential.' })
  message?: string;

  @ApiPropertyOptional({
    description: 'When the connection was last checked (ISO 8601).',
    format: 'date-time',
  })
  checkedAt?: string;

  @ApiPropertyOptional({
    description: 'gitVersion of the API server at the last successful check.',
    example: 'v1.37.2',
  })
  serverVersion?: string;
}

/** A registered cluster; credentials are never part of it. */
@ApiSchema({ name: 'ConfiguredNetworks' })
export class ConfiguredNetworksDto {
  @ApiProperty({
    type: [String],
    nullable: true,
    description: 'Pod networks as configured (POST/PATCH); null: not configured.',
  })
  podCIDRs: string[] | null;

  @ApiProperty({
    type: [String],
    nullable: true,
    description: 'Service networks as configured; null: not configured.',
  })
  serviceCIDRs: string[] | null;
}

@ApiSchema({ name: 'DetectedNetworks' })
export class DetectedNetworksDto {
  @ApiProperty({
    type: [String],
    nullable: true,
    description:
      "Pod networks read from the nodes' spec.podCIDRs at the last detection; null: unknown.",
  })
  podCIDRs: string[] | null;

  @ApiProperty({
    type: [String],
    nullable: true,
    description:
      'Service networks read from ServiceCIDR objects at the last detection; null: unknown.',
  })
  serviceCIDRs: string[] | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      'When the networks were last detected (registration, PATCH of the connection, /check).',
  })
  detectedAt: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why something could not be detected (e.g. the identity may not list nodes).',
  })
  message: string | null;
}

@ApiSchema({ name: 'ClusterNetworks' })
export class NetworksDto {
  @ApiProperty({
    type: [String],
    nullable: true,
    description:
      "The pod networks the cluster's objects are compiled with (configured, else detected). null: unknown; then expose rules are applied as written, and in-cluster pods may reach exposed ports on plugins that match pod IPs against ipBlocks.",
  })
  podCIDRs: string[] | null;

  @ApiProperty({
    type: [String],
    nullable: true,
    description: 'The Service networks the objects are compiled with.',
  })
  serviceCIDRs: string[] | null;

  @ApiProperty({ type: ConfiguredNetworksDto, description: 'What was configured.' })
  configured: ConfiguredNetworksDto;

  @ApiProperty({ type: DetectedNetworksDto, description: 'What was detected.' })
  detected: DetectedNetworksDto;
}

@ApiSchema({ name: 'Cluster' })
export class ClusterViewDto implements ClusterView {
  @ApiProperty({ description: 'Unique name (DNS-1123 label).', example: 'prod-eu-1' })
  name: string;

  @ApiProperty({ description: 'API server URL.', example: 'https://10.0.0.1:6443' })
  server: string;

  @ApiProperty({
    description: 'Labels that policies select clusters by.',
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { env: 'prod' },
  })
  labels: Record<string, string>;

  @ApiProperty({ description: 'Whether TLS verification of the API server is disabled.' })
  insecureSkipTlsVerify: boolean;

  @ApiProperty({
    type: [String],
    description:
      'Noteworthy facts about the configuration, e.g. "TLS verification is disabled for this cluster".',
  })
  warnings: string[];

  @ApiProperty({
    type: ConnectionDto,
    description: 'The outcome of the last connection check or rollout call.',
  })
  connection: ConnectionDto;

  @ApiProperty({
    enum: ['token', 'clientCertificate', 'none'],
    description: 'How gbp-netpol authenticates (the credentials themselves are never shown).',
  })
  auth: AuthMode;

  @ApiProperty({ type: NetworksDto, description: "The cluster's pod and Service networks." })
  networks: NetworksDto;

  @ApiProperty({ format: 'date-time', description: 'When the cluster was registered.' })
  createdAt: string;

  @ApiProperty({
    format: 'date-time',
    description: 'When its configuration last changed (connection checks do not count).',
  })
  updatedAt: string;
}

@ApiSchema({ name: 'ClusterList' })
export class ClusterListDto {
  @ApiProperty({ type: [ClusterViewDto], description: 'Clusters sorted by name.' })
  items: ClusterViewDto[];

  @ApiPropertyOptional({
    description: 'Pass as `cursor` to get the next page; absent on the last page.',
  })
  nextCursor?: string;
}
