import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IsInt, Min } from 'class-validator';

@ApiSchema({ name: 'Rollback' })
export class RollbackDto {
  @ApiProperty({
    description:
      'The revision to return to: its document and targets become a new revision, which is deployed.',
    example: 1,
    minimum: 1,
  })
  @IsInt()
  @Min(1)
  revision: number;
}
