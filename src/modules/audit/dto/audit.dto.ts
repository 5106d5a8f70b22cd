import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'AuditEntry' })
export class AuditEntryDto {
  @ApiProperty({ example: 42 })
  id: number;

  @ApiProperty({ type: String, format: 'date-time' })
  at: Date;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Name of the token; null when none was valid.',
    example: 'ci-deployer',
  })
  tokenName: string | null;

  @ApiProperty({ example: 'PUT' })
  method: string;

  @ApiProperty({ description: 'The route pattern.', example: '/v1/policies/:name' })
  route: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The :name or :id of the route.',
    example: 'payments',
  })
  target: string | null;

  @ApiProperty({ example: 200 })
  status: number;

  @ApiProperty({
    enum: ['ok', 'denied', 'error'],
    description: 'denied: 401, 403 or 429; error: any other 4xx/5xx.',
  })
  result: string;
}

@ApiSchema({ name: 'AuditEntryList' })
export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto] })
  items: AuditEntryDto[];

  @ApiPropertyOptional({
    description: 'Pass as ?cursor= for the next (older) page; absent on the last page.',
  })
  nextCursor?: string;
}
