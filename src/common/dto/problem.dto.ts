import { ROLES, type Role } from '../auth/roles.js';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'ProblemItem' })
export class ProblemItemDto {
  @ApiProperty({
    description: 'RFC 6901 JSON pointer to the offending field in the request body.',
    example: '/contracts/web_to_db/ports/0/port',
  })
  path: string;

  @ApiProperty({ description: 'Stable machine-readable code.', example: 'PORT_OUT_OF_RANGE' })
  code: string;

  @ApiProperty({
    description: 'Human-readable explanation.',
    example: 'port 70000 is outside 1-65535',
  })
  message: string;
}

@ApiSchema({ name: 'Problem' })
export class ProblemDto {
  @ApiProperty({
    description: 'URI identifying the problem type: urn:gbp-netpol:problem:<code>.',
    format: 'uri',
    example: 'urn:gbp-netpol:problem:invalid-document',
  })
  type: string;

  @ApiProperty({ description: 'Short summary of the problem type.', example: 'Bad Request' })
  title: string;

  @ApiProperty({ type: 'integer', description: 'HTTP status code.', example: 400 })
  status: number;

  @ApiProperty({
    description: 'Explanation of this occurrence.',
    example: 'The document has 2 errors.',
  })
  detail: string;

  @ApiPropertyOptional({ description: 'The request path.', example: '/v1/compile' })
  instance?: string;

  @ApiPropertyOptional({ type: [ProblemItemDto], description: 'Every problem found, all at once.' })
  errors?: ProblemItemDto[];

  @ApiPropertyOptional({ type: [ProblemItemDto], description: 'Warnings found while validating.' })
  warnings?: ProblemItemDto[];

  @ApiPropertyOptional({
    enum: ROLES,
    description: 'insufficient-role: the role the operation needs.',
  })
  requiredRole?: Role;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'object', additionalProperties: {} },
    description: 'service-unavailable (/readyz): every dependency with its state.',
    example: { database: { status: 'up' }, redis: { status: 'down', message: 'ECONNREFUSED' } },
  })
  details?: Record<string, unknown>;
}
