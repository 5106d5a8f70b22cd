import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks (https://www.standardwebhooks.com, spec 1.0), symmetric scheme: secrets
 * are `whsec_` + base64 of 24 to 64 random bytes, the key is the decoded bytes, and the
 * signature is `v1,` + base64 HMAC-SHA256 over `${id}.${timestamp}.${body}`.
 */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A new secret: `whsec_` and 32 random bytes in base64. */
export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** The HMAC key of a `whsec_` secret, or undefined when it is not one (wrong prefix, not base64, 24-64 bytes). */
export function webhookSecretKey(secret: string): Buffer | undefined {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) return undefined;
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!BASE64.test(encoded)) return undefined;
  const key = Buffer.from(encoded, 'base64');
  return key.length >= MIN_KEY_BYTES && key.length <= MAX_KEY_BYTES ? key : undefined;
}

/** Why a given secret is refused (never quoting it), or undefined when it is usable. */
export function webhookSecretProblem(secret: string): string | undefined {
  return webhookSecretKey(secret)
    ? undefined
    : `must be ${WEBHOOK_SECRET_PREFIX} followed by ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} random bytes in base64 (leave it out to have one generated)`;
}

/** The `webhook-signature` header value of one message. `secret` must be a valid `whsec_` secret. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = webhookSecretKey(secret);
  if (!key) throw new Error('not a webhook secret');
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}
