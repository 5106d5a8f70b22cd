import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { problem } from '../core/problems/problem.js';
import { invalidRequest } from './validation.pipe.js';

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

type CursorKind = 'string' | 'number';
type CursorValue<K extends CursorKind> = K extends 'string' ? string : number;

/**
 * Decodes the cursor of a list whose sort key is a `kind`: undefined when absent (the first
 * page). A cursor that is not one of this list's (garbage, edited, or another list's) is a 400
 * INVALID_CURSOR at /cursor: silently starting over would make a client walk a list forever.
 */
export function decodeCursor<K extends CursorKind>(
  cursor: string | undefined,
  kind: K,
): CursorValue<K> | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  // base64url decoding skips characters outside its alphabet, so only an exact round trip counts.
  const ours = typeof value === kind && encodeCursor(value as string | number) === cursor;
  if (!ours) throw invalidRequest([problem('/cursor', 'INVALID_CURSOR')]);
  return value as CursorValue<K>;
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
