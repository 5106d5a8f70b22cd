import { createValidationPipe } from '../../../common/validation.pipe.js';
import type { ProblemException } from '../../../common/problem.exception.js';
import { CreatePolicyDto } from './create-policy.dto.js';

const body = (matchLabels: unknown, extra: Record<string, unknown> = {}) => ({
  name: 'p',
  targets: { clusterSelector: { matchLabels } },
  document: { namespaces: ['a'] },
  ...extra,
});

async function problems(
  value: unknown,
): Promise<{ path: string; code: string; message: string }[]> {
  try {
    await createValidationPipe().transform(value, { type: 'body', metatype: CreatePolicyDto });
    return [];
  } catch (e) {
    return (e as ProblemException).problem.errors ?? [];
  }
}

describe('CreatePolicyDto', () => {
  it.each([
    {
      name: 'a bad key',
      input: body({ 'bad key!': 'x' }),
      message: /key "bad key!" is not a valid Kubernetes label key/,
    },
    {
      name: 'a bad value',
      input: body({ env: 'not ok!' }),
      message: /the value of "env" is not a valid label value/,
    },
    { name: 'a number value', input: body({ env: 5 }), message: /the value of "env"/ },
    {
      name: 'too many labels',
      input: body(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']))),
      message: /has 65 items, more than the maximum of 64/,
    },
  ])('names the offending label: $name', async ({ input, message }) => {
    const errors = await problems(input);
    expect(errors.map((e) => e.path)).toContain('/targets/clusterSelector/matchLabels');
    expect(errors.map((e) => e.message).join(' ')).toMatch(message);
  });

  it('accepts a valid selector and keeps the document exactly as sent', async () => {
    const raw = JSON.parse(
      '{"name":"p","targets":{"clusterSelector":{"matchLabels":{"env":"prod"}}},"document":{"namespaces":["a"],"contracts":{"constructor":{}}}}',
    ) as unknown;
    const dto = (await createValidationPipe().transform(raw, {
      type: 'body',
      metatype: CreatePolicyDto,
    })) as CreatePolicyDto;
    expect(Object.keys(dto.document.contracts as object)).toEqual(['constructor']);
  });

  it.each([
    { name: 'targets missing', input: { name: 'p', document: {} }, path: '/targets' },
    { name: 'selfHeal null', input: body({ env: 'x' }, { selfHeal: null }), path: '/selfHeal' },
  ])('rejects $name', async ({ input, path }) => {
    expect((await problems(input)).map((e) => e.path)).toContain(path);
  });
});
