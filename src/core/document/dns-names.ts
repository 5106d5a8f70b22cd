/** The DNS-1123 label pattern (Kubernetes names: namespaces, clusters, policies). */
export const DNS1123_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const DNS1123_LABEL = new RegExp(DNS1123_LABEL_PATTERN);

/** A DNS-1123 label: at most 63 lowercase letters, digits and `-`, alphanumeric at both ends. */
export function isDns1123Label(s: unknown): s is string {
  return typeof s === 'string' && s.length <= 63 && DNS1123_LABEL.test(s);
}

/** A DNS-1123 subdomain: at most 253 characters, dot-separated labels (as Kubernetes checks it). */
export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && s.split('.').every((label) => DNS1123_LABEL.test(label));
}
