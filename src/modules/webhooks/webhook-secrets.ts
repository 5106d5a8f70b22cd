import type { Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { SecretBox } from '../../infra/crypto/secret-box.js';

/** Injection token of the SecretBox that seals webhook secrets (the clusters' key, ENCRYPTION_KEY). */
export const WEBHOOK_SECRET_BOX = Symbol('WEBHOOK_SECRET_BOX');

export const webhookSecretBoxProvider: Provider = {
  provide: WEBHOOK_SECRET_BOX,
  inject: [APP_CONFIG],
  // The clusters module warns about a generated key; once per start is enough.
  useFactory: (config: AppConfig) => SecretBox.load(config.encryptionKey, config.dataDir).box,
};

/** Binds a sealed secret to its webhook: a value copied to another row does not open. */
export const webhookAssociatedData = (webhookId: string): string => `webhook:${webhookId}`;
