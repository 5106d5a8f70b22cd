import type { LookupAddress } from 'node:dns';
import { guardedLookup, type Resolver } from './webhook-sender.js';

/** A resolver that answers these addresses for any name. */
const answering =
  (...addresses: string[]): Resolver =>
  (_host, _options, callback) =>
    callback(
      null,
      addresses.map((address): LookupAddress => ({
        address,
        family: address.includes(':') ? 6 : 4,
      })),
    );

function lookup(
  resolver: Resolver,
  allowSpecial: boolean,
  all: boolean,
): Promise<{ err: Error | null; result: unknown }> {
  return new Promise((resolve) =>
    (
      guardedLookup(allowSpecial, resolver) as unknown as (
        h: string,
        o: { all: boolean },
        cb: (err: Error | null, a?: unknown, f?: number) => void,
      ) => void
    )('hooks.example', { all }, (err, a, f) =>
      resolve({ err, result: all ? a : { address: a, family: f } }),
    ),
  );
}

describe('guardedLookup', () => {
  it('passes ordinary addresses through, one or all as asked', async () => {
    expect(await lookup(answering('10.0.0.5', '2001:db8::5'), false, false)).toEqual({
      err: null,
      result: { address: '10.0.0.5', family: 4 },
    });
    const all = await lookup(answering('10.0.0.5', '2001:db8::5'), false, true);
    expect(all.result).toHaveLength(2);
  });

  it.each([['169.254.169.254'], ['::ffff:169.254.169.254'], ['0.0.0.0'], ['fe80::1']])(
    'refuses a name that resolves to %s, even beside an ordinary address',
    async (special) => {
      const { err } = await lookup(answering('10.0.0.5', special), false, true);
      expect(err?.name).toBe('ForbiddenWebhookAddressError');
      expect(err?.message).toMatch(/which webhooks never target/);
    },
  );

  it('lets special addresses through when configured to', async () => {
    const { err } = await lookup(answering('169.254.169.254'), true, false);
    expect(err).toBeNull();
  });
});
