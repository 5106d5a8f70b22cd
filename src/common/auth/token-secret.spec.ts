import {
  ApiTokensError,
  digestOfStoredHash,
  generateTokenSecret,
  hashSecret,
  parseApiTokens,
  parseBearer,
  secretMatches,
} from './token-secret.js';

describe('token secrets', () => {
  it('generates gbpn_ + 32 random bytes in base64url', () => {
    const a = generateTokenSecret();
    expect(a).toMatch(/^gbpn_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.slice(5), 'base64url')).toHaveLength(32);
    expect(generateTokenSecret()).not.toBe(a);
  });

  it('stores sha256:<hex> and compares in constant time', () => {
    const secret = generateTokenSecret();
    const stored = hashSecret(secret);
    expect(stored).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(stored).not.toContain(secret);
    expect(hashSecret(secret)).toBe(stored); // deterministic: a lookup needs no salt
    expect(secretMatches(secret, stored)).toBe(true);
    expect(secretMatches(`${secret}x`, stored)).toBe(false);
    expect(secretMatches(secret, 'sha256:abcd')).toBe(false);
    expect(secretMatches(secret, `md5:${stored.slice(7)}`)).toBe(false);
    expect(digestOfStoredHash('plain-text-secret')).toBeUndefined();
  });

  it('reads a Bearer header', () => {
    expect(parseBearer(undefined)).toBeUndefined();
    expect(parseBearer('Bearer abc.def-1')).toBe('abc.def-1');
    expect(parseBearer('bearer   abc ')).toBe('abc');
    expect(parseBearer('Basic abc')).toBeNull();
    expect(parseBearer('Bearer')).toBeNull();
    expect(parseBearer('Bearer a b')).toBeNull();
    expect(parseBearer(`Bearer ${'a'.repeat(513)}`)).toBeNull();
    expect(parseBearer(['Bearer a', 'Bearer b'])).toBeNull();
  });
});

describe('parseApiTokens', () => {
  const s = (n: number) => `secret-${String(n).padStart(12, '0')}`;

  it('parses name:role:secret entries, tolerating blanks and colons in secrets', () => {
    expect(parseApiTokens('')).toEqual([]);
    expect(parseApiTokens(` ci:writer:${s(1)} , ops:admin:${s(2)}:with:colons,`)).toEqual([
      { name: 'ci', role: 'writer', secret: s(1) },
      { name: 'ops', role: 'admin', secret: `${s(2)}:with:colons` },
    ]);
  });

  it('reports every problem at once without ever printing a secret', () => {
    const raw = [
      `ok:reader:${s(1)}`,
      'lonely-secret-value-123456',
      `bad name:reader:${s(2)}`,
      `ci:superuser:${s(3)}`,
      'short:reader:tiny',
      `ok:admin:${s(4)}`,
      `dup:reader:${s(1)}`,
    ].join(',');
    let error: unknown;
    try {
      parseApiTokens(raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiTokensError);
    const { problems, message } = error as ApiTokensError;
    expect(problems).toEqual([
      'entry 2 is not name:role:secret',
      'entry 3: the name must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
      'entry 4 ("ci"): the role must be one of reader, writer, admin',
      'entry 5 ("short"): the secret must be 16-512 printable characters without spaces',
      'entry 6 ("ok"): the name is already used by entry 1',
      'entry 7 ("dup"): the secret is the same as entry 1\'s; every token needs its own',
    ]);
    for (const secret of ['lonely-secret-value', s(1), s(2), s(3), 'tiny', s(4), 'superuser']) {
      expect(message).not.toContain(secret);
    }
  });
});
