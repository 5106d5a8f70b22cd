import { ANY_JSON } from '../../../common/dto/any-json.js';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ProblemItemDto } from '../../../common/dto/problem.dto.js';
import { ALLOWED_PORTS } from '../../compile/dto/compile-response.dto.js';
import { PolicyTargetsDto } from '../../policies/dto/create-policy.dto.js';

// Answer shapes of the diff and plan routes, for OpenAPI only (the service returns plain objects).

@ApiSchema({ name: 'JsonPatchOperation' })
export class JsonPatchOpDto {
  @ApiProperty({
    enum: ['add', 'remove', 'replace'],
    description: 'RFC 6902 operation; only these three are emitted.',
  })
  op: 'add' | 'remove' | 'replace';

  @ApiProperty({
    description:
      "RFC 6901 JSON pointer; '' is the whole object (add: it would be created, remove: deleted).",
    example: '/spec/ingress/0/ports/0/port',
  })
  path: string;

  @ApiPropertyOptional({ description: 'The new value (add, replace).', example: 3306, ...ANY_JSON })
  value?: unknown;
}

@ApiSchema({ name: 'FieldOwner' })
export class FieldOwnerDto {
  @ApiProperty({ description: 'A path of the patch.', example: '/spec/ingress/0/ports/0/port' })
  path: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      "The field manager that owns it in the live object's managedFields (the deepest owner along the path); null when none does.",
    example: 'kubectl-edit',
  })
  manager: string | null;
}

@ApiSchema({ name: 'ResourceError' })
export class ResourceErrorDto {
  @ApiProperty({
    description:
      'forbidden (RBAC denial), invalid (rejected by API-server validation), conflict, notFound, other, or namespaceMissing.',
    example: 'forbidden',
  })
  kind: string;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'HTTP status of the API server, null when there was none.',
    example: 403,
  })
  status: number | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Kubernetes Status reason.',
    example: 'Forbidden',
  })
  reason: string | null;

  @ApiProperty({ description: "The API server's message (never containing credentials)." })
  message: string;
}

@ApiSchema({ name: 'ResourceDiff' })
export class ResourceDiffDto {
  @ApiProperty({ description: 'Namespace of the NetworkPolicy.', example: 'mms' })
  namespace: string;

  @ApiProperty({
    description:
      "Name of the NetworkPolicy ('*' for a namespace that could not be searched for objects to prune).",
    example: 'hangwe-inst-network01',
  })
  name: string;

  @ApiProperty({
    enum: ['create', 'update', 'delete', 'unchanged', 'conflict', 'error'],
    description:
      'What applying the desired revision would do: create, update (forced server-side apply), delete (owned by this policy, no longer produced), unchanged, conflict (an object of that name this policy does not own: never overwritten) or error (the dry run was refused).',
  })
  action: string;

  @ApiPropertyOptional({
    enum: ['create', 'update', 'delete', 'unknown'],
    description: 'For error: what gbp-netpol would have tried.',
  })
  intended?: string;

  @ApiPropertyOptional({
    description:
      'For update: true when the new object allows everything the live one allowed (the worker applies widening updates first).',
  })
  widening?: boolean;

  @ApiPropertyOptional({
    description: 'For conflict: who owns the existing object.',
    example: 'not managed by gbp-netpol; field managers: kubectl-create',
  })
  owner?: string;

  @ApiPropertyOptional({ type: ResourceErrorDto, description: 'For error: why.' })
  error?: ResourceErrorDto;

  @ApiProperty({
    type: [JsonPatchOpDto],
    description:
      'RFC 6902 operations turning the normalised live object into the normalised result of the dry-run (server fields removed). Empty when unchanged.',
  })
  patch: JsonPatchOpDto[];

  @ApiProperty({
    description:
      'Unified diff of the two YAML renderings (headers live/<ns>/<name> and desired/<ns>/<name>); empty when unchanged.',
  })
  unified: string;

  @ApiProperty({
    type: [FieldOwnerDto],
    description: 'For update and conflict: who owns each changed path live.',
  })
  owners: FieldOwnerDto[];
}

@ApiSchema({ name: 'ClusterError' })
export class ClusterErrorDto {
  @ApiProperty({
    description:
      'unreachable, unauthorized, other (API server failing) or unavailable (not registered, credentials unreadable, insecure URL refused).',
    example: 'unreachable',
  })
  kind: string;

  @ApiProperty({ type: Number, nullable: true, description: 'HTTP status, when there was one.' })
  status: number | null;

  @ApiProperty({ description: 'What failed (never containing credentials).' })
  message: string;
}

@ApiSchema({ name: 'ActionSummary' })
export class ActionSummaryDto {
  @ApiProperty({ description: 'Objects that would be created.' })
  create: number;

  @ApiProperty({ description: 'Objects that would be updated.' })
  update: number;

  @ApiProperty({ description: 'Objects that would be deleted.' })
  delete: number;

  @ApiProperty({ description: 'Objects already as desired.' })
  unchanged: number;

  @ApiProperty({ description: 'Objects of the same name not owned by this policy.' })
  conflict: number;

  @ApiProperty({ description: 'Objects whose dry run was refused or that could not be read.' })
  error: number;
}

@ApiSchema({ name: 'ClusterDiff' })
export class ClusterDiffDto {
  @ApiProperty({ description: 'Registered cluster name.', example: 'prod-eu' })
  cluster: string;

  @ApiProperty({
    enum: ['apply', 'prune'],
    description:
      "apply: the cluster is a target; prune: it is not (any more), only this policy's objects would be deleted.",
  })
  action: string;

  @ApiProperty({
    type: ClusterErrorDto,
    nullable: true,
    description:
      'Set when the cluster could not be diffed at all; it then has no resources and is never to be read as unchanged.',
  })
  error: ClusterErrorDto | null;

  @ApiProperty({
    type: [ProblemItemDto],
    description:
      "What compiling the objects for this cluster's networks warned about (e.g. POD_NETWORKS_UNKNOWN).",
  })
  warnings: ProblemItemDto[];

  @ApiProperty({ type: ActionSummaryDto, description: 'Number of resources per action.' })
  summary: ActionSummaryDto;

  @ApiProperty({
    type: [ResourceDiffDto],
    description: 'Per NetworkPolicy, sorted by namespace then name.',
  })
  resources: ResourceDiffDto[];
}

@ApiSchema({ name: 'PolicyDiff' })
export class PolicyDiffResponseDto {
  @ApiProperty({ description: 'Policy name.' })
  policy: string;

  @ApiProperty({ description: 'The latest revision, compared with what runs in each cluster.' })
  revision: number;

  @ApiProperty({ type: [ClusterDiffDto], description: 'One entry per cluster, sorted by name.' })
  clusters: ClusterDiffDto[];
}

@ApiSchema({ name: 'ConnectivityDelta' })
export class ConnectivityDeltaDto {
  @ApiProperty({ description: 'Namespace of both ends.', example: 'mms' })
  namespace: string;

  @ApiProperty({
    description: 'Source: network:<name>, untagged, or cidr:<cidr>[ except ...].',
    example: 'network:hangwe-inst-network03',
  })
  source: string;

  @ApiProperty({ description: 'Destination network.', example: 'hangwe-inst-network01' })
  destination: string;

  @ApiProperty({
    description: 'The ports gained or lost, e.g. "TCP:23,3306", "all".',
    example: 'TCP:23',
  })
  ports: string;

  @ApiProperty({
    description: 'The same ports: "all" or per protocol.',
    ...ALLOWED_PORTS,
  })
  allowed: unknown;
}

@ApiSchema({ name: 'ConnectivityChange' })
export class ConnectivityChangeDto {
  @ApiProperty({
    type: [ConnectivityDeltaDto],
    description:
      "Connections allowed after and not before (only the added ports). Evaluated over the union of both documents' namespaces, networks and cidrs; pods a document does not select are unrestricted.",
  })
  gained: ConnectivityDeltaDto[];

  @ApiProperty({
    type: [ConnectivityDeltaDto],
    description: 'Connections allowed before and not after (only the removed ports).',
  })
  lost: ConnectivityDeltaDto[];
}

@ApiSchema({ name: 'RevisionDiff' })
export class RevisionDiffResponseDto {
  @ApiProperty({ description: 'Policy name.' })
  policy: string;

  @ApiProperty({ description: 'The old revision (a).' })
  from: number;

  @ApiProperty({ description: 'The new revision (b).' })
  to: number;

  @ApiProperty({
    type: [JsonPatchOpDto],
    description:
      'RFC 6902 operations turning document a into document b (canonical JSON: keys sorted, arrays by index).',
  })
  document: JsonPatchOpDto[];

  @ApiProperty({
    type: [JsonPatchOpDto],
    description: 'RFC 6902 operations turning the targets of a into those of b.',
  })
  targets: JsonPatchOpDto[];

  @ApiProperty({
    description:
      'Unified diff of the two compiled manifest sets as YAML, one section per changed object, sorted by namespace/name (headers revision-<a>/<ns>/<name>, revision-<b>/<ns>/<name>; rollout annotations excluded).',
  })
  manifests: string;

  @ApiProperty({
    type: ConnectivityChangeDto,
    description:
      'Who may reach whom, gained and lost, computed by the evaluator from the compiled objects.',
  })
  connectivity: ConnectivityChangeDto;
}

@ApiSchema({ name: 'Plan' })
export class PlanResponseDto {
  @ApiProperty({ description: 'Policy name.' })
  policy: string;

  @ApiProperty({ description: 'Whether the policy exists already.' })
  exists: boolean;

  @ApiProperty({
    description:
      'True when the document and targets equal the latest revision: a POST would store nothing and deploy nothing (clusters then show the drift a sync would see).',
  })
  unchanged: boolean;

  @ApiProperty({ description: 'The revision a POST would create (the latest one when unchanged).' })
  revision: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'The latest revision, compared with; null for a new policy.',
  })
  baseRevision: number | null;

  @ApiProperty({
    type: PolicyTargetsDto,
    description: 'The targets planned with (canonical form).',
  })
  targets: PolicyTargetsDto;

  @ApiProperty({
    type: [ProblemItemDto],
    description:
      'Warnings of the document, as POST /v1/policies answers them (paths relative to the document).',
  })
  warnings: ProblemItemDto[];

  @ApiProperty({
    type: [JsonPatchOpDto],
    description:
      "RFC 6902 operations from the latest revision's document to this one (one root add for a new policy).",
  })
  document: JsonPatchOpDto[];

  @ApiProperty({
    type: [ClusterDiffDto],
    description:
      'Per cluster a POST would touch: targets (apply) and clusters it reached before and no longer targets (prune).',
  })
  clusters: ClusterDiffDto[];

  @ApiProperty({
    type: ConnectivityChangeDto,
    description:
      'Connectivity gained and lost versus the latest revision (versus no policy at all for a new one).',
  })
  connectivity: ConnectivityChangeDto;
}
