import { escapeControlCharacters, hasControlCharacter } from './control-characters.js';

describe('control characters', () => {
  it.each([
    { input: 'payments', has: false, escaped: 'payments' },
    { input: 'café-ü', has: false, escaped: 'café-ü' },
    { input: '\u0000', has: true, escaped: '\\u0000' },
    { input: 'a\nb\tc', has: true, escaped: 'a\\u000ab\\u0009c' },
    { input: 'x\u001b[31m', has: true, escaped: 'x\\u001b[31m' },
    { input: '\u007f\u0085\u009f', has: true, escaped: '\\u007f\\u0085\\u009f' },
    { input: '\u00a0', has: false, escaped: '\u00a0' },
  ])('$input', ({ input, has, escaped }) => {
    expect(hasControlCharacter(input)).toBe(has);
    expect(escapeControlCharacters(input)).toBe(escaped);
    expect(hasControlCharacter(escapeControlCharacters(input))).toBe(false);
  });
});
