import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ConnectionDto } from './cluster-view.dto.js';

export const CHECKED_VERBS = ['get', 'list', 'create', 'patch', 'delete'] as const;
export type CheckedVerb = (typeof CHECKED_VERBS)[number];

@ApiSchema({ name: 'NetworkPolicyPermissions' })
export class NetworkPolicyPermissionsDto {
  @ApiProperty({ description: 'May get networkpolicies.networking.k8s.io.' })
  get: boolean;

  @ApiProperty({ description: 'May list networkpolicies.networking.k8s.io.' })
  list: boolean;

  @ApiProperty({ description: 'May create networkpolicies.networking.k8s.io.' })
  create: boolean;

  @ApiProperty({ description: 'May patch (server-side apply) networkpolicies.networking.k8s.io.' })
  patch: boolean;

  @ApiProperty({ description: 'May delete networkpolicies.networking.k8s.io.' })
  delete: boolean;
}

@ApiSchema({ name: 'NamespaceCheck' })
export class NamespaceCheckDto {
  @ApiProperty({ description: 'The namespace.', example: 'team-a' })
  namespace: string;

  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: 'Whether it exists; null when the credentials may not read namespaces.',
  })
  exists: boolean | null;

  @ApiProperty({
    type: NetworkPolicyPermissionsDto,
    description:
      'What the credentials may do with NetworkPolicies there (SelfSubjectAccessReview).',
  })
  permissions: NetworkPolicyPermissionsDto;

  @ApiProperty({
    type: [String],
    description: 'The permissions a rollout needs and lacks, as resource/verb.',
    example: ['networkpolicies/create'],
  })
  missing: string[];
}

@ApiSchema({ name: 'ClusterCheck' })
export class ClusterCheckDto {
  @ApiProperty({
    type: ConnectionDto,
    description: 'The connection state found now (also stored on the cluster).',
  })
  connection: ConnectionDto;

  @ApiPropertyOptional({
    description: 'gitVersion of the API server, when reachable.',
    example: 'v1.37.2',
  })
  serverVersion?: string;

  @ApiProperty({
    type: [NamespaceCheckDto],
    description:
      'One entry per requested namespace, in request order; empty when the cluster is not Reachable.',
  })
  namespaces: NamespaceCheckDto[];
}
