import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { AppConfig } from '../config/app-config.js';

/** The server's certificate and key, when TLS_CERT_FILE and TLS_KEY_FILE ask for HTTPS. */
export interface HttpsOptions {
  cert: Buffer;
  key: Buffer;
}

function read(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new Error(`${variable} ${path} cannot be read (${code})`);
  }
}

/**
 * Reads the service's own TLS certificate chain and key (PEM), or undefined for plain HTTP.
 * Fails at start with a clear message when a file is unreadable or the two do not belong
 * together, instead of at the first connection.
 */
export function httpsOptionsFrom(config: AppConfig): HttpsOptions | undefined {
  if (!config.tlsCertFile || !config.tlsKeyFile) return undefined;
  const options = {
    cert: read('TLS_CERT_FILE', config.tlsCertFile),
    key: read('TLS_KEY_FILE', config.tlsKeyFile),
  };
  try {
    createSecureContext(options);
  } catch (err) {
    // OpenSSL's reason only (e.g. "key values mismatch"): never the key material.
    const reason = (err as { reason?: string }).reason ?? (err as Error).message.split('\n')[0];
    throw new Error(
      `TLS_CERT_FILE and TLS_KEY_FILE are not a usable certificate and key: ${reason}`,
    );
  }
  return options;
}
