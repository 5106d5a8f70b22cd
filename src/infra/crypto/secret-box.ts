import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const VERSION = 'v1';
const KEY_FILE = 'encryption.key';

/** What a usable ENCRYPTION_KEY is (the value itself is never shown). */
export const ENCRYPTION_KEY_RULE =
  'ENCRYPTION_KEY must be 32 bytes, as base64 (44 characters) or hex (64 characters)';

/** The 32 bytes of a key written as hex or base64 (surrounding whitespace ignored), or undefined. */
export function decodeEncryptionKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  return key.length === 32 ? key : undefined;
}

/**
 * AES-256-GCM encryption of small secrets (cluster credentials) at rest. The output is
 * `v1.<iv>.<tag>.<ciphertext>` in base64url; the associated data binds a ciphertext to the
 * row it belongs to, so a blob copied to another cluster's row does not decrypt.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** From a 32-byte key given as base64 or hex. */
  static fromKey(text: string): SecretBox {
    const key = decodeEncryptionKey(text);
    if (!key) throw new Error(ENCRYPTION_KEY_RULE);
    return new SecretBox(key);
  }

  /**
   * The key from ENCRYPTION_KEY, else from `<dataDir>/encryption.key`, creating that file
   * (mode 0600) when absent. `generated` tells the caller to warn that the key lives beside
   * the data it protects.
   */
  static load(
    encryptionKey: string | undefined,
    dataDir: string,
  ): { box: SecretBox; generated: boolean; keyFile?: string } {
    if (encryptionKey) return { box: SecretBox.fromKey(encryptionKey), generated: false };
    const keyFile = join(dataDir, KEY_FILE);
    if (existsSync(keyFile))
      return { box: SecretBox.fromKey(readFileSync(keyFile, 'utf8')), generated: false, keyFile };
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    chmodSync(keyFile, 0o600);
    return { box: SecretBox.fromKey(readFileSync(keyFile, 'utf8')), generated: true, keyFile };
  }

  seal(plaintext: string, associatedData: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(associatedData));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      VERSION,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      body.toString('base64url'),
    ].join('.');
  }

  open(sealed: string, associatedData: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || body === undefined)
      throw new Error('unrecognised encrypted value');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([
        decipher.update(Buffer.from(body, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      // Never echo the value: say only that the key or the row does not match.
      throw new Error(
        'cannot decrypt stored credentials: wrong ENCRYPTION_KEY, or the value was moved or altered',
      );
    }
  }
}
