import { ApiProperty, ApiSchema, type SchemaObject } from '@nestjs/swagger';

@ApiSchema({ name: 'Health' })
export class HealthDto {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';
}

/** Per dependency, as @nestjs/terminus reports it: `up`/`down` and what the check adds. */
const DEPENDENCY: SchemaObject = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['up', 'down'] },
    driver: { type: 'string', description: 'database: pglite or postgres.' },
    message: { type: 'string', description: 'Why it is down.' },
  },
  required: ['status'],
};
const DEPENDENCIES = {
  type: 'object' as const,
  additionalProperties: DEPENDENCY,
  example: { database: { status: 'up', driver: 'postgres' }, redis: { status: 'up' } },
};

@ApiSchema({ name: 'Readiness' })
export class ReadinessDto {
  @ApiProperty({ enum: ['ok'], description: 'Every dependency answers.' })
  status: 'ok';

  @ApiProperty({ ...DEPENDENCIES, description: 'The dependencies that are up.' })
  info: Record<string, { status: string }>;

  @ApiProperty({ ...DEPENDENCIES, description: 'The dependencies that are down (none here).' })
  error: Record<string, { status: string }>;

  @ApiProperty({ ...DEPENDENCIES, description: 'Every dependency.' })
  details: Record<string, { status: string }>;
}
