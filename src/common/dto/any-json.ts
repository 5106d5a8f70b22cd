import type { SchemaObject } from '@nestjs/swagger';

/**
 * Any JSON value, for `@ApiProperty` (without it, a field typed `unknown` is documented as an
 * object, which is untrue for a value that may be a number or a list).
 */
export const ANY_JSON: Pick<SchemaObject, 'anyOf'> = {
  anyOf: [
    { type: 'string' },
    { type: 'number' },
    { type: 'boolean' },
    { type: 'object', additionalProperties: {} },
    { type: 'array', items: {} },
    { type: 'null' },
  ],
};
