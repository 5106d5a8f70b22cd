import {
  generateWebhookSecret,
  signWebhook,
  webhookSecretKey,
  webhookSecretProblem,
} from './webhook-signature.js';

describe('Standard Webhooks signatures', () => {
  it('matches the test vector of the Standard Webhooks reference libraries', () => {
    // From the specification's reference implementations (JavaScript, Python, Go tests).
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
    const timestamp = 1614265330;
    const body = '{"test": 2432232314}';
    expect(signWebhook(secret, id, timestamp, body)).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('generates secrets of 32 random bytes that it accepts', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(webhookSecretKey(a)).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(a);
  });

  it.each([
    ['no prefix', Buffer.alloc(32, 1).toString('base64')],
    ['too short (16 bytes)', `whsec_${Buffer.alloc(16, 1).toString('base64')}`],
    ['too long (65 bytes)', `whsec_${Buffer.alloc(65, 1).toString('base64')}`],
    ['not base64', 'whsec_not*base64*at*all*but*long*enough*xx'],
  ])('refuses a secret with %s', (_name, secret) => {
    expect(webhookSecretKey(secret)).toBeUndefined();
    expect(webhookSecretProblem(secret)).toMatch(/^must be whsec_/);
    expect(webhookSecretProblem(secret)).not.toContain(secret.slice(6));
  });
});
