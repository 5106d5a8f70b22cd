import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = SecretBox.fromKey(Buffer.alloc(32, 7).toString('base64'));

  it('round-trips and never shows the plaintext', () => {
    const sealed = box.seal('{"token":"s3cr3t"}', 'cluster:prod');
    expect(sealed).not.toContain('s3cr3t');
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(box.open(sealed, 'cluster:prod')).toBe('{"token":"s3cr3t"}');
  });

  it('uses a fresh IV each time', () => {
    expect(box.seal('x', 'a')).not.toBe(box.seal('x', 'a'));
  });

  it('refuses another row, another key or a tampered value, without echoing it', () => {
    const sealed = box.seal('s3cr3t', 'cluster:prod');
    expect(() => box.open(sealed, 'cluster:dev')).toThrow(/cannot decrypt/);
    expect(() => SecretBox.fromKey('a'.repeat(64)).open(sealed, 'cluster:prod')).toThrow(
      /cannot decrypt/,
    );
    const parts = sealed.split('.');
    parts[3] = parts[3].slice(0, -2) + (parts[3].endsWith('AA') ? 'BB' : 'AA');
    expect(() => box.open(parts.join('.'), 'cluster:prod')).toThrow(/cannot decrypt/);
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => SecretBox.fromKey('c2hvcnQ=')).toThrow(/32 bytes/);
  });

  it('generates a 0600 key file once when no key is configured', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secret-box-'));
    try {
      const first = SecretBox.load(undefined, dir);
      expect(first.generated).toBe(true);
      expect(statSync(first.keyFile!).mode & 0o777).toBe(0o600);
      const sealed = first.box.seal('x', 'y');
      const second = SecretBox.load(undefined, dir);
      expect(second.generated).toBe(false);
      expect(second.box.open(sealed, 'y')).toBe('x');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
