import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';

export class DeleteClusterQueryDto {
  @ApiPropertyOptional({
    description:
      "First delete gbp-netpol's objects from the cluster (through the registered prune hooks); if that fails the answer is 502 and the cluster stays registered.",
    type: Boolean,
    default: false,
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean()
  prune?: boolean;
}
