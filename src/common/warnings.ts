import type { Response } from 'express';

/** At most this many Warning headers; the body (JSON field or YAML comments) has all of them. */
export const MAX_WARNING_HEADERS = 20;
/** Longer warning texts are cut in headers (with `…`), as the Kubernetes API server does. */
export const MAX_WARNING_HEADER_TEXT = 512;

/**
 * The warnings an answer carries, as one line of text each: its `warnings` field, holding
 * problems (`{ path, code, message }`, shown as `path: message`) or strings (clusters).
 */
export function warningTexts(body: unknown): string[] {
  const list = (body as { warnings?: unknown } | null | undefined)?.warnings;
  if (!Array.isArray(list)) return [];
  return list.flatMap((w: unknown) => {
    if (typeof w === 'string') return [oneLine(w)];
    const p = w as { path?: unknown; message?: unknown } | null;
    if (p === null || typeof p !== 'object' || typeof p.message !== 'string') return [];
    return [oneLine(typeof p.path === 'string' && p.path ? `${p.path}: ${p.message}` : p.message)];
  });
}

/** Every kind of line break YAML 1.1, YAML 1.2 and HTTP readers know, and other controls, as spaces. */
function oneLine(text: string): string {
  // oxlint-disable-next-line no-control-regex -- exactly the characters that must not pass
  return text.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ').trim();
}

/**
 * RFC 7234 `Warning` header values, as the Kubernetes API server sends them (and kubectl
 * prints them): `299 - "text"`, the text a quoted-string (`"` and `\` escaped) whose UTF-8
 * bytes are written as they are. Beyond MAX_WARNING_HEADERS, one last value says how many more
 * the body holds.
 */
export function warningHeaderValues(texts: readonly string[]): string[] {
  const shown =
    texts.length > MAX_WARNING_HEADERS ? texts.slice(0, MAX_WARNING_HEADERS - 1) : texts;
  const values = shown.map((t) => {
    const cut =
      t.length > MAX_WARNING_HEADER_TEXT ? `${t.slice(0, MAX_WARNING_HEADER_TEXT - 1)}…` : t;
    const quoted = cut.replace(/[\\"]/g, (c) => `\\${c}`);
    // Node writes header strings as latin1: giving it the UTF-8 bytes puts UTF-8 on the wire.
    return `299 - "${Buffer.from(quoted, 'utf8').toString('latin1')}"`;
  });
  if (shown.length < texts.length)
    values.push(`299 - "${texts.length - shown.length} more warnings are in the body"`);
  return values;
}

/** `# Warning: text` lines that lead a YAML answer, so that `kubectl apply -f -` users see them. */
export function yamlWarningComments(texts: readonly string[]): string {
  return texts.map((t) => `# Warning: ${t}\n`).join('');
}

/** Sets the Warning headers of an answer's warnings, once (a second call changes nothing). */
export function setWarningHeaders(res: Response, texts: readonly string[]): void {
  if (texts.length === 0 || res.headersSent || res.getHeader('Warning') !== undefined) return;
  res.setHeader('Warning', warningHeaderValues(texts));
}
