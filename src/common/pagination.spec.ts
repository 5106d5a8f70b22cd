import { decodeCursor, encodeCursor, toPage } from './pagination.js';

describe('pagination', () => {
  it('round-trips cursors and ignores foreign ones', () => {
    expect(decodeCursor(encodeCursor('prod-eu'))).toBe('prod-eu');
    expect(decodeCursor(encodeCursor(42))).toBe(42);
    expect(decodeCursor('%%%')).toBeUndefined();
    expect(decodeCursor(Buffer.from('{"a":1}').toString('base64url'))).toBeUndefined();
  });
  it('uses the extra row only to know there is a next page', () => {
    expect(toPage([1, 2, 3], 2, String)).toEqual({ items: [1, 2], nextCursor: encodeCursor('2') });
    expect(toPage([1, 2], 2, String)).toEqual({ items: [1, 2] });
  });
});
