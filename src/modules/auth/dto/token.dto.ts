import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsIn, IsString, Matches } from 'class-validator';
import { ROLES, type Role } from '../../../common/auth/roles.js';
import { TOKEN_NAME_PATTERN } from '../../../common/auth/token-secret.js';
import { TOKEN_SOURCES, type TokenSource } from '../../../infra/database/schema.js';

@ApiSchema({ name: 'CreateToken' })
export class CreateTokenDto {
  @ApiProperty({
    description: 'Unique name, shown in the audit log.',
    pattern: TOKEN_NAME_PATTERN.source,
    example: 'ci-deployer',
  })
  @IsString()
  @Matches(TOKEN_NAME_PATTERN, { message: `name must match ${TOKEN_NAME_PATTERN.source}` })
  name: string;

  @ApiProperty({
    enum: ROLES,
    description:
      'reader: every GET; writer: also writes except clusters and tokens; admin: everything.',
  })
  @IsIn(ROLES)
  role: Role;
}

@ApiSchema({ name: 'CreatedToken' })
export class CreatedTokenDto {
  @ApiProperty({ example: 'ci-deployer' })
  name: string;

  @ApiProperty({ enum: ROLES })
  role: Role;

  @ApiProperty({
    description: 'The secret: shown this once, stored only as a hash.',
    example: 'gbpn_3q2-7wX...',
  })
  token: string;
}

@ApiSchema({ name: 'Token' })
export class TokenDto {
  @ApiProperty({ example: 'ci-deployer' })
  name: string;

  @ApiProperty({ enum: ROLES })
  role: Role;

  @ApiProperty({
    enum: TOKEN_SOURCES,
    description: 'env: from API_TOKENS; api: created here; bootstrap: created at the first start.',
  })
  source: TokenSource;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;
}

@ApiSchema({ name: 'TokenList' })
export class TokenPageDto {
  @ApiProperty({ type: [TokenDto] })
  items: TokenDto[];

  @ApiPropertyOptional({
    description: 'Pass as ?cursor= for the next page; absent on the last page.',
  })
  nextCursor?: string;
}
