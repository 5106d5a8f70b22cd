import { specialAddressKind } from '../../core/net/special-address.js';
import { problem, type ProblemCode } from '../../core/problems/problem.js';
import type { ProblemItem } from '../../common/problem.exception.js';

/** What the configuration permits for webhook targets. */
export interface WebhookUrlRules {
  /** ALLOW_INSECURE_WEBHOOK_URLS: http:// as well as https://. */
  allowInsecure: boolean;
  /** ALLOW_SPECIAL_WEBHOOK_ADDRESSES: link-local, unspecified, multicast and broadcast targets. */
  allowSpecial: boolean;
}

export type UrlCheck = { ok: true; url: URL } | { ok: false; errors: ProblemItem[] };

const refuse = (path: string, code: ProblemCode, detail: string): UrlCheck => ({
  ok: false,
  errors: [problem(path, code, { detail })],
});

/**
 * The host of a URL as the address it is, when it is one: the WHATWG parser has already made
 * every IPv4 spelling (decimal `2852039166`, hex `0xa9.0xfe.0xa9.0xfe`, octal, short forms)
 * a dotted quad, and IPv6 hosts come in brackets.
 */
function hostAddress(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * Checks a webhook URL, as cluster URLs are checked: https:// only (http:// with
 * ALLOW_INSECURE_WEBHOOK_URLS), no user info or fragment, and no literal link-local,
 * unspecified, multicast or broadcast address (169.254.169.254 is the cloud metadata service),
 * however it is spelled. Host names are checked again against what they resolve to, at each
 * delivery. Messages never repeat the URL (its path or query may hold a token).
 */
export function checkWebhookUrl(text: string, path: string, rules: WebhookUrlRules): UrlCheck {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refuse(path, 'INVALID_WEBHOOK_URL', 'is not a valid URL');
  }
  if (url.protocol === 'http:' && !rules.allowInsecure)
    return refuse(
      path,
      'INSECURE_WEBHOOK_URL',
      'uses http://, which would send the events unencrypted; use https:// (ALLOW_INSECURE_WEBHOOK_URLS=true permits http:// for local receivers)',
    );
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return refuse(path, 'INVALID_WEBHOOK_URL', 'must be an https:// URL');
  if (url.username || url.password)
    return refuse(path, 'INVALID_WEBHOOK_URL', 'must not contain user info');
  if (url.hash) return refuse(path, 'INVALID_WEBHOOK_URL', 'must not contain a fragment');
  if (!url.hostname) return refuse(path, 'INVALID_WEBHOOK_URL', 'has no host');
  const address = hostAddress(url);
  const kind = specialAddressKind(address);
  if (kind && !rules.allowSpecial)
    return refuse(
      path,
      'WEBHOOK_ADDRESS_FORBIDDEN',
      `points at ${address}, a ${kind} address, which webhooks never target (ALLOW_SPECIAL_WEBHOOK_ADDRESSES=true permits it)`,
    );
  return { ok: true, url };
}
