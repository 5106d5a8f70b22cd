import { isDns1123Subdomain } from './dns-names.js';

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * A valid Kubernetes label key (as apimachinery's IsQualifiedName checks it): an optional
 * prefix that is a DNS-1123 subdomain followed by `/`, then a name of 1-63 characters,
 * alphanumeric at both ends with `-`, `_` and `.` allowed inside.
 */
export function isValidLabelKey(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (parts.length === 2 && !isDns1123Subdomain(parts[0])) return false;
  return name.length >= 1 && name.length <= 63 && LABEL_NAME.test(name);
}
