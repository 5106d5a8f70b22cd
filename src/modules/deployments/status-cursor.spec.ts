import { ProblemException } from '../../common/problem.exception.js';
import { decodeStatusCursor, encodeStatusCursor } from './status-cursor.js';

describe('status cursors', () => {
  it('round-trips the key of the last item', () => {
    const cursor = encodeStatusCursor(['prod-eu', 42]);
    expect(decodeStatusCursor(cursor, ['string', 'number'] as const)).toEqual(['prod-eu', 42]);
    expect(decodeStatusCursor(undefined, ['string'] as const)).toBeUndefined();
  });

  const garbage: { name: string; input: string }[] = [
    { name: 'not base64url', input: 'not a cursor!' },
    { name: 'not JSON', input: Buffer.from('{oops').toString('base64url') },
    { name: 'another shape', input: encodeStatusCursor(['a', 'b']) },
    { name: 'a plain string key (another list)', input: Buffer.from('"a"').toString('base64url') },
    { name: 'too short', input: encodeStatusCursor(['a']) },
  ];
  it.each(garbage)('refuses $name with 400 INVALID_CURSOR', ({ input }) => {
    let error: unknown;
    try {
      decodeStatusCursor(input, ['string', 'number'] as const);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProblemException);
    expect((error as ProblemException).problem).toMatchObject({
      status: 400,
      type: 'urn:gbp-netpol:problem:invalid-cursor',
    });
  });
});
