import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import type { DocumentOptionInfo, VersionInfo } from '../version.service.js';

@ApiSchema({ name: 'BuildInfo' })
export class BuildInfoDto {
  @ApiPropertyOptional({
    description: 'The commit the image was built from (BUILD_COMMIT); absent when run from source.',
    example: '3f2c1a9',
  })
  commit?: string;

  @ApiPropertyOptional({
    description: 'When the image was built (BUILD_DATE, ISO 8601).',
    example: '2025-01-31T12:00:00Z',
  })
  date?: string;
}

@ApiSchema({ name: 'DocumentOption' })
export class DocumentOptionDto implements DocumentOptionInfo {
  @ApiProperty({ description: "The key in the document's `options`.", example: 'egress' })
  name: string;

  @ApiProperty({
    description: 'The value when the document leaves it out.',
    example: 'unrestricted',
  })
  default: string;

  @ApiPropertyOptional({
    type: [String],
    description: 'The accepted values, when the option is an enumeration.',
    example: ['unrestricted', 'enforce'],
  })
  values?: string[];

  @ApiPropertyOptional({ description: 'True when a contract may also set it for itself.' })
  perContract?: boolean;
}

@ApiSchema({ name: 'DocumentSupport' })
export class DocumentSupportDto {
  @ApiProperty({
    type: [String],
    description: 'Media types accepted for request bodies.',
    example: ['application/json', 'application/yaml'],
  })
  contentTypes: string[];

  @ApiProperty({ type: [DocumentOptionDto], description: 'Every document option.' })
  options: DocumentOptionDto[];
}

@ApiSchema({ name: 'Version' })
export class VersionDto implements VersionInfo {
  @ApiProperty({ enum: ['gbp-netpol'] })
  name: 'gbp-netpol';

  @ApiProperty({ description: 'The service version (package.json).', example: '0.1.0' })
  version: string;

  @ApiProperty({ type: BuildInfoDto })
  build: BuildInfoDto;

  @ApiProperty({ description: 'The Node.js version running the service.', example: 'v24.22.3' })
  node: string;

  @ApiProperty({ enum: ['api', 'worker', 'all'], description: 'The process role (ROLE).' })
  role: 'api' | 'worker' | 'all';

  @ApiProperty({ type: DocumentSupportDto })
  document: DocumentSupportDto;

  @ApiProperty({
    type: [String],
    description: 'The events webhooks can subscribe to (POST /v1/webhooks).',
    example: ['deployment.phase_changed', 'deployment.finished'],
  })
  webhookEvents: string[];
}
