import {
  MAX_WARNING_HEADERS,
  warningHeaderValues,
  warningTexts,
  yamlWarningComments,
} from './warnings.js';

describe('warnings of an answer', () => {
  it.each([
    {
      name: 'problems, as path: message',
      body: {
        warnings: [
          { path: '/contracts/c/action', code: 'ACTION_NOT_PERMIT', message: 'action deny ...' },
          { path: '', code: 'X', message: 'about the whole document' },
        ],
      },
      expected: ['/contracts/c/action: action deny ...', 'about the whole document'],
    },
    { name: 'strings (clusters)', body: { warnings: ['TLS off'] }, expected: ['TLS off'] },
    { name: 'no warnings field', body: { items: [] }, expected: [] },
    { name: 'not an object', body: 'text', expected: [] },
    {
      name: 'line breaks of every kind become spaces',
      body: { warnings: ['a\nb\r\nc\u2028d\u0085e\u0000f'] },
      expected: ['a b c d e f'],
    },
  ])('$name', ({ body, expected }) => {
    expect(warningTexts(body)).toEqual(expected);
  });

  it('writes Warning header values as the Kubernetes API server does', () => {
    expect(warningHeaderValues(['say "hi" \\ there'])).toEqual(['299 - "say \\"hi\\" \\\\ there"']);
    // UTF-8 bytes, which Node writes as they are when given as latin1.
    const [value] = warningHeaderValues(['netz-größe']);
    expect(Buffer.from(value, 'latin1').toString('utf8')).toBe('299 - "netz-größe"');
  });

  it('caps the number and the length of header values, and says how many more the body has', () => {
    const many = Array.from({ length: 30 }, (_, i) => `w${i}`);
    const values = warningHeaderValues(many);
    expect(values).toHaveLength(MAX_WARNING_HEADERS);
    expect(values.at(-1)).toBe('299 - "11 more warnings are in the body"');
    const [long] = warningHeaderValues(['x'.repeat(2000)]);
    expect(long.length).toBeLessThan(600);
  });

  it('writes YAML comments that stay comments', () => {
    expect(yamlWarningComments(['a: b', 'c'])).toBe('# Warning: a: b\n# Warning: c\n');
  });
});
