import { ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import {
  IsBoolean,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';
import {
  MAX_KUBECONFIG_LENGTH,
  MAX_PEM_DATA_LENGTH,
  MAX_TOKEN_LENGTH,
} from './create-cluster.dto.js';
import { MAX_CLUSTER_CIDRS } from '../cluster-networks.js';
import { IsCidrList } from './cidr-list.validator.js';

/** Given (not undefined): `null` is then rejected by the type check. */
const Given = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

/**
 * Changes a cluster. Absent fields stay as they are; `null` removes `caData`, `token` or the
 * client certificate pair. Changing any connection field checks the connection again.
 */
@ApiSchema({ name: 'UpdateCluster' })
export class UpdateClusterDto {
  @ApiPropertyOptional({
    description:
      'New API server URL; https:// (http:// only with ALLOW_INSECURE_CLUSTER_URLS=true).',
    example: 'https://10.0.0.1:6443',
    maxLength: 2048,
  })
  @Given()
  @IsString()
  @MaxLength(2048)
  server?: string;

  @ApiPropertyOptional({
    description: 'New base64 PEM CA bundle; null removes it (the system roots are then used).',
    type: String,
    nullable: true,
    maxLength: MAX_PEM_DATA_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_PEM_DATA_LENGTH)
  caData?: string | null;

  @ApiPropertyOptional({
    description:
      'New bearer token; it replaces a client certificate unless the same request sets one. null removes it. Never shown.',
    type: String,
    nullable: true,
    writeOnly: true,
    maxLength: MAX_TOKEN_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_TOKEN_LENGTH)
  token?: string | null;

  @ApiPropertyOptional({
    description:
      'New base64 PEM client certificate, together with `clientKeyData`; it replaces a token unless the same request sets one. null (with clientKeyData null) removes the pair.',
    type: String,
    nullable: true,
    maxLength: MAX_PEM_DATA_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_PEM_DATA_LENGTH)
  clientCertificateData?: string | null;

  @ApiPropertyOptional({
    description: 'New base64 PEM client key, together with `clientCertificateData`. Never shown.',
    type: String,
    nullable: true,
    writeOnly: true,
    maxLength: MAX_PEM_DATA_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_PEM_DATA_LENGTH)
  clientKeyData?: string | null;

  @ApiPropertyOptional({
    description:
      'A kubeconfig (YAML or JSON) replacing the whole connection (server, CA, credentials, TLS verification); cannot be combined with those fields. Never shown.',
    writeOnly: true,
    maxLength: MAX_KUBECONFIG_LENGTH,
  })
  @Given()
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_KUBECONFIG_LENGTH)
  kubeconfig?: string;

  @ApiPropertyOptional({
    description:
      'The kubeconfig context to use; only with `kubeconfig`. Default: its current-context.',
    maxLength: 253,
  })
  @Given()
  @IsString()
  @MinLength(1)
  @MaxLength(253)
  context?: string;

  @ApiPropertyOptional({
    description: 'Do not verify the API server certificate (test clusters only; shows a warning).',
  })
  @Given()
  @IsBoolean()
  insecureSkipTlsVerify?: boolean;

  @ApiPropertyOptional({
    description: 'The complete new set of labels (replaces the current ones; {} removes all).',
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { env: 'prod' },
  })
  @Given()
  @IsObject()
  labels?: Record<string, string>;

  @ApiPropertyOptional({
    description:
      'New pod networks (CIDRs), replacing the configured ones; null forgets them (the detected ones are then used). The per-cluster objects are compiled again at the next rollout.',
    type: [String],
    nullable: true,
    maxItems: MAX_CLUSTER_CIDRS,
  })
  @IsCidrList()
  podCIDRs?: string[] | null;

  @ApiPropertyOptional({
    description:
      'New Service networks (CIDRs), replacing the configured ones; null forgets them (the detected ones are then used).',
    type: [String],
    nullable: true,
    maxItems: MAX_CLUSTER_CIDRS,
  })
  @IsCidrList()
  serviceCIDRs?: string[] | null;
}
