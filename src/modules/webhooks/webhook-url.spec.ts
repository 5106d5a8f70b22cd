import { checkWebhookUrl, type WebhookUrlRules } from './webhook-url.js';

const strict: WebhookUrlRules = { allowInsecure: false, allowSpecial: false };
const code = (text: string, rules = strict) => {
  const r = checkWebhookUrl(text, '/url', rules);
  return r.ok ? 'ok' : r.errors[0].code;
};

describe('checkWebhookUrl', () => {
  it.each([
    ['https://hooks.example.com/gbp?token=abc', 'ok'],
    ['https://10.0.0.5:8443/hook', 'ok'],
    ['https://127.0.0.1/hook', 'ok'],
    ['http://hooks.example.com/', 'INSECURE_WEBHOOK_URL'],
    ['ftp://hooks.example.com/', 'INVALID_WEBHOOK_URL'],
    ['not a url', 'INVALID_WEBHOOK_URL'],
    ['https://user:pw@hooks.example.com/', 'INVALID_WEBHOOK_URL'],
    ['https://hooks.example.com/#x', 'INVALID_WEBHOOK_URL'],
    ['https://169.254.169.254/latest/meta-data', 'WEBHOOK_ADDRESS_FORBIDDEN'],
    // The same address in the spellings URL parsers accept.
    ['https://2852039166/', 'WEBHOOK_ADDRESS_FORBIDDEN'],
    ['https://0xa9fea9fe/', 'WEBHOOK_ADDRESS_FORBIDDEN'],
    ['https://0xa9.0xfe.0xa9.0xfe/', 'WEBHOOK_ADDRESS_FORBIDDEN'],
    ['https://0251.0376.0251.0376/', 'WEBHOOK_ADDRESS_FORBIDDEN'],
    ['https://169.254.43518/', 'WEBHOOK_ADDRESS_FORBIDDEN'],
    ['https://169.254.169.254./', 'WEBHOOK_ADDRESS_FORBIDDEN'],
    ['https://[::ffff:169.254.169.254]/', 'WEBHOOK_ADDRESS_FORBIDDEN'],
    ['https://[::ffff:a9fe:a9fe]/', 'WEBHOOK_ADDRESS_FORBIDDEN'],
    ['https://[fe80::1]/', 'WEBHOOK_ADDRESS_FORBIDDEN'],
    ['https://0.0.0.0/', 'WEBHOOK_ADDRESS_FORBIDDEN'],
    ['https://0/', 'WEBHOOK_ADDRESS_FORBIDDEN'],
    ['https://[::]/', 'WEBHOOK_ADDRESS_FORBIDDEN'],
    ['https://224.0.0.1/', 'WEBHOOK_ADDRESS_FORBIDDEN'],
    ['https://[ff02::1]/', 'WEBHOOK_ADDRESS_FORBIDDEN'],
    ['https://255.255.255.255/', 'WEBHOOK_ADDRESS_FORBIDDEN'],
  ])('%s: %s', (url, expected) => {
    expect(code(url)).toBe(expected);
  });

  it('permits http:// and special addresses only when configured to', () => {
    expect(code('http://127.0.0.1:9000/', { allowInsecure: true, allowSpecial: false })).toBe('ok');
    expect(code('https://169.254.169.254/', { allowInsecure: false, allowSpecial: true })).toBe(
      'ok',
    );
  });

  it('never repeats the URL in its messages', () => {
    const r = checkWebhookUrl('http://hooks.example.com/secret-path-marker', '/url', strict);
    expect(JSON.stringify(r)).not.toContain('secret-path-marker');
  });
});
