import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsBoolean, IsObject, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { DNS1123_LABEL_PATTERN, IsDns1123Label } from '../../../common/dto/validators.js';
import { MAX_CLUSTER_CIDRS } from '../cluster-networks.js';
import { IsCidrList } from './cidr-list.validator.js';

export const MAX_KUBECONFIG_LENGTH = 256 * 1024;
export const MAX_PEM_DATA_LENGTH = 64 * 1024;
export const MAX_TOKEN_LENGTH = 16 * 1024;

/**
 * Registers a cluster: either `server` (with `caData` and a token or a client certificate), or
 * a `kubeconfig` reduced to one context. Secrets are stored encrypted and never shown again.
 */
@ApiSchema({ name: 'CreateCluster' })
export class CreateClusterDto {
  @ApiProperty({
    description: 'Unique name of the cluster: a DNS-1123 label. It cannot be changed.',
    example: 'prod-eu-1',
    pattern: DNS1123_LABEL_PATTERN,
    maxLength: 63,
  })
  @IsString()
  @IsDns1123Label()
  name: string;

  @ApiPropertyOptional({
    description:
      'API server URL; https:// (http:// only with ALLOW_INSECURE_CLUSTER_URLS=true). Required unless `kubeconfig` is given.',
    example: 'https://10.0.0.1:6443',
    maxLength: 2048,
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  server?: string;

  @ApiPropertyOptional({
    description:
      'base64 of the PEM CA bundle that signed the API server certificate (as certificate-authority-data in a kubeconfig). Without it the system roots are used.',
    maxLength: MAX_PEM_DATA_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_PEM_DATA_LENGTH)
  caData?: string;

  @ApiPropertyOptional({
    description: 'Bearer token (e.g. of a ServiceAccount). Stored encrypted; never shown.',
    writeOnly: true,
    maxLength: MAX_TOKEN_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_TOKEN_LENGTH)
  token?: string;

  @ApiPropertyOptional({
    description: 'base64 of the PEM client certificate; requires `clientKeyData`.',
    maxLength: MAX_PEM_DATA_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_PEM_DATA_LENGTH)
  clientCertificateData?: string;

  @ApiPropertyOptional({
    description:
      'base64 of the PEM client private key; requires `clientCertificateData`. Stored encrypted; never shown.',
    writeOnly: true,
    maxLength: MAX_PEM_DATA_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_PEM_DATA_LENGTH)
  clientKeyData?: string;

  @ApiPropertyOptional({
    description:
      'A kubeconfig (YAML or JSON text) instead of `server` and the credential fields. Only the context named by `context` (else its current-context) is kept. Users with `exec`, `auth-provider`, file references or basic auth are rejected. Stored encrypted; never shown.',
    writeOnly: true,
    maxLength: MAX_KUBECONFIG_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_KUBECONFIG_LENGTH)
  kubeconfig?: string;

  @ApiPropertyOptional({
    description:
      'The kubeconfig context to use; only with `kubeconfig`. Default: its current-context.',
    example: 'prod-eu-1',
    maxLength: 253,
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(253)
  context?: string;

  @ApiPropertyOptional({
    description:
      'Do not verify the API server certificate (for test clusters only; the cluster then shows a warning). With `kubeconfig`, taken from its insecure-skip-tls-verify.',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  insecureSkipTlsVerify?: boolean;

  @ApiPropertyOptional({
    description:
      'Kubernetes-style labels (valid label keys and values, at most 64), used by policies to select clusters.',
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { env: 'prod', region: 'eu' },
  })
  @IsOptional()
  @IsObject()
  labels?: Record<string, string>;

  @ApiPropertyOptional({
    description:
      "The cluster's pod networks (IPv4 and IPv6 CIDRs). Expose rules are compiled for this cluster with these taken out of their ipBlocks, so that in-cluster pods never reach exposed ports through them. Absent: detected from the nodes' spec.podCIDRs when the identity may read nodes.",
    type: [String],
    maxItems: MAX_CLUSTER_CIDRS,
    example: ['10.244.0.0/16', 'fd00:10:244::/56'],
  })
  @IsCidrList()
  podCIDRs?: string[];

  @ApiPropertyOptional({
    description:
      "The cluster's Service networks (CIDRs), taken out of expose ipBlocks like the pod networks. Absent: detected from ServiceCIDR objects (networking.k8s.io/v1) when the identity may read them.",
    type: [String],
    maxItems: MAX_CLUSTER_CIDRS,
    example: ['10.96.0.0/12'],
  })
  @IsCidrList()
  serviceCIDRs?: string[];
}
