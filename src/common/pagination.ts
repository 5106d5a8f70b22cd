import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 500;

/** `?limit=&cursor=` on every list. The cursor is opaque to clients. */
export class PageQueryDto {
  @ApiPropertyOptional({
    description: `Items per page, 1-${MAX_PAGE_SIZE}.`,
    default: DEFAULT_PAGE_SIZE,
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

/** A page of a list: the items and, when more follow, the cursor of the next page. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** Encodes the sort key of the last item of a page. */
export function encodeCursor(key: string | number): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor; undefined when absent or not one of ours (then the list starts over). */
export function decodeCursor(cursor: string | undefined): string | number | undefined {
  if (!cursor) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return typeof v === 'string' || typeof v === 'number' ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Cuts `rows` (fetched with `limit + 1`, sorted by `key`) into a page: the extra row only
 * tells that another page exists.
 */
export function toPage<T>(rows: T[], limit: number, key: (row: T) => string | number): Page<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(key(items[items.length - 1])) };
}
