import type { LabelSelector } from '../kube/network-policy.types.js';
import { compileLabelSelector, labelValue, matchLabelSelector } from './match-label-selector.js';

describe('matchLabelSelector', () => {
  const cases: {
    name: string;
    input: { selector: LabelSelector; labels: Record<string, string> };
    expected: boolean;
  }[] = [
    {
      name: 'empty selector matches empty labels',
      input: { selector: {}, labels: {} },
      expected: true,
    },
    {
      name: 'empty selector matches anything',
      input: { selector: {}, labels: { a: '1' } },
      expected: true,
    },
    {
      name: 'empty matchLabels and matchExpressions match anything',
      input: { selector: { matchLabels: {}, matchExpressions: [] }, labels: { a: '1' } },
      expected: true,
    },
    {
      name: 'matchLabels equal',
      input: { selector: { matchLabels: { a: '1' } }, labels: { a: '1', b: '2' } },
      expected: true,
    },
    {
      name: 'matchLabels other value',
      input: { selector: { matchLabels: { a: '1' } }, labels: { a: '2' } },
      expected: false,
    },
    {
      name: 'matchLabels missing key',
      input: { selector: { matchLabels: { a: '1' } }, labels: {} },
      expected: false,
    },
    {
      name: 'matchLabels all pairs required',
      input: { selector: { matchLabels: { a: '1', b: '2' } }, labels: { a: '1' } },
      expected: false,
    },
    {
      name: 'matchLabels empty value matches empty value only',
      input: { selector: { matchLabels: { a: '' } }, labels: { a: '' } },
      expected: true,
    },
    {
      name: 'In: value listed',
      input: {
        selector: { matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '2'] }] },
        labels: { a: '2' },
      },
      expected: true,
    },
    {
      name: 'In: value not listed',
      input: {
        selector: { matchExpressions: [{ key: 'a', operator: 'In', values: ['1'] }] },
        labels: { a: '2' },
      },
      expected: false,
    },
    {
      name: 'In: key absent',
      input: {
        selector: { matchExpressions: [{ key: 'a', operator: 'In', values: ['1'] }] },
        labels: {},
      },
      expected: false,
    },
    {
      name: 'In: values absent matches nothing',
      input: { selector: { matchExpressions: [{ key: 'a', operator: 'In' }] }, labels: { a: '1' } },
      expected: false,
    },
    {
      name: 'NotIn: value not listed',
      input: {
        selector: { matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] },
        labels: { a: '2' },
      },
      expected: true,
    },
    {
      name: 'NotIn: value listed',
      input: {
        selector: { matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] },
        labels: { a: '1' },
      },
      expected: false,
    },
    {
      name: 'NotIn: key absent matches',
      input: {
        selector: { matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] },
        labels: {},
      },
      expected: true,
    },
    {
      name: 'Exists: present (empty value)',
      input: {
        selector: { matchExpressions: [{ key: 'a', operator: 'Exists' }] },
        labels: { a: '' },
      },
      expected: true,
    },
    {
      name: 'Exists: absent',
      input: {
        selector: { matchExpressions: [{ key: 'a', operator: 'Exists' }] },
        labels: { b: '1' },
      },
      expected: false,
    },
    {
      name: 'DoesNotExist: absent matches',
      input: {
        selector: { matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] },
        labels: { b: '1' },
      },
      expected: true,
    },
    {
      name: 'DoesNotExist: present',
      input: {
        selector: { matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] },
        labels: { a: '1' },
      },
      expected: false,
    },
    {
      name: 'matchLabels AND matchExpressions: both hold',
      input: {
        selector: { matchLabels: { a: '1' }, matchExpressions: [{ key: 'b', operator: 'Exists' }] },
        labels: { a: '1', b: 'x' },
      },
      expected: true,
    },
    {
      name: 'matchLabels AND matchExpressions: expression fails',
      input: {
        selector: { matchLabels: { a: '1' }, matchExpressions: [{ key: 'b', operator: 'Exists' }] },
        labels: { a: '1' },
      },
      expected: false,
    },
    {
      name: 'every requirement must hold',
      input: {
        selector: {
          matchExpressions: [
            { key: 'a', operator: 'In', values: ['1'] },
            { key: 'b', operator: 'NotIn', values: ['x'] },
          ],
        },
        labels: { a: '1', b: 'x' },
      },
      expected: false,
    },
    {
      name: 'inherited keys are not labels',
      input: {
        selector: { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] },
        labels: {},
      },
      expected: false,
    },
    {
      name: 'unknown operator selects nothing',
      input: {
        selector: { matchExpressions: [{ key: 'a', operator: 'Gt' as 'In', values: ['1'] }] },
        labels: { a: '5' },
      },
      expected: false,
    },
  ];
  it.each(cases)('$name', ({ input, expected }) => {
    expect(matchLabelSelector(input.selector, input.labels)).toBe(expected);
    expect(compileLabelSelector(input.selector)(input.labels)).toBe(expected);
  });

  it('labelValue reads own properties only', () => {
    expect(labelValue({ a: '1' }, 'a')).toBe('1');
    expect(labelValue({}, 'toString')).toBeUndefined();
  });
});
