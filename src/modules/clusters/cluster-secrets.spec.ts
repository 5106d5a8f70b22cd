import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox } from '../../infra/crypto/secret-box.js';
import { loadSecretBox, openSecrets, sealSecrets, tryOpenSecrets } from './cluster-secrets.js';

describe('loadSecretBox', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gbp-netpol-secrets-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('generates a 0600 key file and warns where it is when ENCRYPTION_KEY is not set', () => {
    const warn = vi.fn();
    const box = loadSecretBox({ encryptionKey: undefined, dataDir: dir }, { warn });
    const keyFile = join(dir, 'encryption.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toContain(keyFile);
    expect(warn.mock.calls[0][0]).toContain('ENCRYPTION_KEY');
    expect(warn.mock.calls[0][0]).toContain('newly generated');

    // The next start reads the same key (and still warns: the key lives beside the data).
    const again = vi.fn();
    const sealed = sealSecrets(box, 'c', { token: 't' });
    expect(
      openSecrets(
        loadSecretBox({ encryptionKey: undefined, dataDir: dir }, { warn: again }),
        'c',
        sealed,
      ),
    ).toEqual({ token: 't' });
    expect(again.mock.calls[0][0]).not.toContain('newly generated');
  });

  it('uses ENCRYPTION_KEY silently', () => {
    const warn = vi.fn();
    loadSecretBox(
      { encryptionKey: Buffer.alloc(32, 1).toString('base64'), dataDir: dir },
      { warn },
    );
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('sealSecrets / openSecrets', () => {
  const box = SecretBox.fromKey(Buffer.alloc(32, 2).toString('base64'));

  it('round-trips the credentials, bound to the cluster name', () => {
    const secrets = {
      caData: 'Y2E=',
      token: 'tok-123',
      clientCertificateData: 'Y2VydA==',
      clientKeyData: 'a2V5',
    };
    const sealed = sealSecrets(box, 'prod', secrets);
    expect(sealed).not.toContain('tok-123');
    expect(openSecrets(box, 'prod', sealed)).toEqual(secrets);
    expect(() => openSecrets(box, 'other', sealed)).toThrow(/cannot decrypt/);
    expect(tryOpenSecrets(box, 'other', sealed)).toBeUndefined();
  });

  it('never quotes a malformed plaintext in its error', () => {
    const sealed = box.seal('not json but secret-ish', 'cluster:x');
    expect(() => openSecrets(box, 'x', sealed)).toThrow(
      'stored credentials have an unexpected shape',
    );
  });
});
