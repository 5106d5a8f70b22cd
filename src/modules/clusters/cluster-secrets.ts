import { Logger, type Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { SecretBox } from '../../infra/crypto/secret-box.js';
import type { ClusterSecrets } from './cluster-input.js';

/** Injection token of the {@link SecretBox} that seals cluster credentials. */
export const SECRET_BOX = Symbol('SECRET_BOX');

/**
 * The box from ENCRYPTION_KEY, else from (and, the first time, generated into)
 * `<dataDir>/encryption.key`. Without ENCRYPTION_KEY it warns, once per start, that the key
 * lives beside the data it protects.
 */
export function loadSecretBox(
  config: Pick<AppConfig, 'encryptionKey' | 'dataDir'>,
  logger: Pick<Logger, 'warn'> = new Logger('ClustersModule'),
): SecretBox {
  const { box, generated, keyFile } = SecretBox.load(config.encryptionKey, config.dataDir);
  if (keyFile) {
    logger.warn(
      `ENCRYPTION_KEY is not set: cluster credentials are encrypted with ${generated ? 'a newly generated key written to' : 'the generated key in'} ${keyFile} (mode 0600), beside the data it protects. ` +
        'Set ENCRYPTION_KEY (32 bytes as base64 or hex, e.g. from a secret store) to keep the key apart from the data; ' +
        'to migrate, set it to the content of that file.',
    );
  }
  return box;
}

export const secretBoxProvider: Provider = {
  provide: SECRET_BOX,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => loadSecretBox(config),
};

/** Binds a sealed value to its row: a blob copied to another cluster does not open. */
export const associatedData = (clusterName: string): string => `cluster:${clusterName}`;

export function sealSecrets(box: SecretBox, clusterName: string, secrets: ClusterSecrets): string {
  const { caData, token, clientCertificateData, clientKeyData } = secrets;
  return box.seal(
    JSON.stringify({ caData, token, clientCertificateData, clientKeyData }),
    associatedData(clusterName),
  );
}

/** Opens the sealed credentials; throws (without echoing anything) when they do not open. */
export function openSecrets(box: SecretBox, clusterName: string, sealed: string): ClusterSecrets {
  const text = box.open(sealed, associatedData(clusterName));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse quotes the text it failed on: never let that reach a message.
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null)
    throw new Error('stored credentials have an unexpected shape');
  const out: ClusterSecrets = {};
  for (const key of ['caData', 'token', 'clientCertificateData', 'clientKeyData'] as const) {
    const value = (parsed as Record<string, unknown>)[key];
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

/** Like openSecrets, but undefined instead of an error. */
export function tryOpenSecrets(
  box: SecretBox,
  clusterName: string,
  sealed: string,
): ClusterSecrets | undefined {
  try {
    return openSecrets(box, clusterName, sealed);
  } catch {
    return undefined;
  }
}
