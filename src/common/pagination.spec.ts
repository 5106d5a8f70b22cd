import { decodeCursor, encodeCursor, toPage } from './pagination.js';
import { ProblemException } from './problem.exception.js';

describe('pagination', () => {
  it('round-trips cursors; no cursor is the first page', () => {
    expect(decodeCursor(encodeCursor('prod-eu'), 'string')).toBe('prod-eu');
    expect(decodeCursor(encodeCursor(42), 'number')).toBe(42);
    expect(decodeCursor(undefined, 'string')).toBeUndefined();
    expect(decodeCursor('', 'number')).toBeUndefined();
  });

  it.each([
    { name: 'not base64', cursor: '%%%', kind: 'string' },
    { name: 'not JSON', cursor: Buffer.from('garbage').toString('base64url'), kind: 'string' },
    { name: 'an object', cursor: Buffer.from('{"a":1}').toString('base64url'), kind: 'string' },
    { name: "another list's (number for names)", cursor: encodeCursor(42), kind: 'string' },
    { name: "another list's (name for ids)", cursor: encodeCursor('prod-eu'), kind: 'number' },
    { name: 'with characters base64url skips', cursor: `${encodeCursor('a')}!!`, kind: 'string' },
  ] as const)('refuses a cursor that is $name with 400 INVALID_CURSOR', ({ cursor, kind }) => {
    expect(() => decodeCursor(cursor, kind)).toThrow(ProblemException);
    try {
      decodeCursor(cursor, kind);
    } catch (e) {
      expect((e as ProblemException).problem).toMatchObject({
        status: 400,
        errors: [{ path: '/cursor', code: 'INVALID_CURSOR' }],
      });
    }
  });
  it('uses the extra row only to know there is a next page', () => {
    expect(toPage([1, 2, 3], 2, String)).toEqual({ items: [1, 2], nextCursor: encodeCursor('2') });
    expect(toPage([1, 2], 2, String)).toEqual({ items: [1, 2] });
  });
});
