/**
 * C0 controls, DEL and C1 controls: no name, number or id of this API contains one, PostgreSQL
 * refuses NUL in text, and in a log or an audit row they forge or hide content.
 */
// oxlint-disable-next-line no-control-regex -- control characters are what these must find
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// oxlint-disable-next-line no-control-regex -- the same, for replacing them
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

export function hasControlCharacter(text: string): boolean {
  return CONTROL.test(text);
}

/** The text with every control character written as a `\uXXXX` escape, so it can be stored and shown. */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
