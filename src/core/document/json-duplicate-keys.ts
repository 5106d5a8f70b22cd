import { pointerToken, problem, type Problem } from '../problems/problem.js';

/**
 * Finds keys that appear twice in one object of a JSON text. JSON.parse keeps the last of
 * them silently (RFC 8259 leaves duplicates undefined), so `{"contracts": {"c1": A, "c1": B}}`
 * would quietly drop contract A; callers refuse such a body instead.
 */

export interface DuplicateKeyScanOptions {
  /** Stop after this many findings (default 20). */
  maxFindings?: number;
  /** Scanning stops at the first container nested deeper than this (default 256). */
  maxDepth?: number;
}

/** The bounds findDuplicateKeys uses when none are given. */
export const DUPLICATE_KEY_SCAN_DEFAULTS = { maxFindings: 20, maxDepth: 256 } as const;

/** A container being scanned: an object with the keys seen so far, or an array. */
type Frame = { kind: 'object'; keys: Set<string>; key: string } | { kind: 'array'; index: number };

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};
/** A key shown in a message is cut to this many characters (its path has all of it). */
const SHOWN_KEY_LENGTH = 64;

/**
 * The index just after the closing quote of the string starting at `start` (a `"`), or -1
 * when the text ends first.
 */
function skipString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  return -1;
}

/** The value of the JSON string between `start` (its opening quote) and `end` (after its close). */
function decodeString(text: string, start: number, end: number): string {
  const body = text.slice(start + 1, end - 1);
  if (!body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const e = body[++i];
    if (e === 'u') {
      // Each \uXXXX is one UTF-16 code unit, as JSON.parse reads it: a surrogate pair
      // written as two escapes equals the same character written raw.
      out += String.fromCharCode(parseInt(body.slice(i + 1, i + 5), 16));
      i += 4;
    } else out += SIMPLE_ESCAPES[e] ?? e;
  }
  return out;
}

function pathOf(frames: readonly Frame[]): string {
  return frames
    .map((f) => `/${f.kind === 'object' ? pointerToken(f.key) : String(f.index)}`)
    .join('');
}

/**
 * The duplicated keys of a JSON text, as DUPLICATE_KEY problems whose path is the JSON
 * pointer of the repeated member (`/contracts/c1`), in the order they occur, each path once.
 * Keys are compared as JSON.parse reads them, escapes decoded (`"a\u0062"` and `"ab"` are the
 * same key). One pass with an explicit stack: linear in the length of the text, no
 * recursion, memory proportional to the keys of the open objects. It stops after
 * `maxFindings` findings, and at the first container nested deeper than `maxDepth` (request
 * bodies are refused deeper than 64 before this runs). On text that is not JSON it never
 * throws: it returns what it found before the first syntax error.
 */
export function findDuplicateKeys(text: string, options: DuplicateKeyScanOptions = {}): Problem[] {
  const maxFindings = options.maxFindings ?? DUPLICATE_KEY_SCAN_DEFAULTS.maxFindings;
  const maxDepth = options.maxDepth ?? DUPLICATE_KEY_SCAN_DEFAULTS.maxDepth;
  const findings: Problem[] = [];
  const reported = new Set<string>();
  const frames: Frame[] = [];
  const n = typeof text === 'string' ? text.length : 0;
  let i = 0;
  const skipWhitespace = () => {
    while (i < n && WHITESPACE.has(text.charCodeAt(i))) i++;
  };

  // Reads the key at `i` into the object frame on top; false on a syntax error.
  const readKey = (): boolean => {
    skipWhitespace();
    if (text[i] !== '"') return false;
    const end = skipString(text, i);
    if (end < 0) return false;
    const key = decodeString(text, i, end);
    const top = frames[frames.length - 1] as Extract<Frame, { kind: 'object' }>;
    top.key = key;
    if (top.keys.has(key)) {
      const path = pathOf(frames);
      if (!reported.has(path)) {
        reported.add(path);
        const shown = key.length > SHOWN_KEY_LENGTH ? `${key.slice(0, SHOWN_KEY_LENGTH)}…` : key;
        findings.push(problem(path, 'DUPLICATE_KEY', { key: JSON.stringify(shown) }));
      }
    } else top.keys.add(key);
    i = end;
    skipWhitespace();
    if (text[i] !== ':') return false;
    i++;
    return true;
  };

  // Each turn reads one value (opening a container counts as reading it), then climbs out of
  // every container that the following `}`/`]` close, and moves on past a `,`.
  while (findings.length < maxFindings) {
    skipWhitespace();
    if (i >= n) break;
    const c = text[i];
    if (c === '{' || c === '[') {
      if (frames.length >= maxDepth) break;
      i++;
      skipWhitespace();
      if (c === '{') {
        frames.push({ kind: 'object', keys: new Set(), key: '' });
        if (text[i] !== '}') {
          if (!readKey()) break;
          continue;
        }
      } else {
        frames.push({ kind: 'array', index: 0 });
        if (text[i] !== ']') continue;
      }
      // An empty container: closed by the loop below.
    } else if (c === '"') {
      const end = skipString(text, i);
      if (end < 0) break;
      i = end;
    } else {
      // A number or a literal: everything up to the next delimiter.
      const start = i;
      while (i < n && !',]}'.includes(text[i]) && !WHITESPACE.has(text.charCodeAt(i))) i++;
      if (i === start) break;
    }
    // After a value: close containers, then expect `,` or the end of the text.
    let ok = true;
    for (;;) {
      skipWhitespace();
      const top = frames[frames.length - 1];
      if (!top) break;
      const d = text[i];
      if ((d === '}' && top.kind === 'object') || (d === ']' && top.kind === 'array')) {
        frames.pop();
        i++;
        continue;
      }
      if (d !== ',') ok = false;
      else {
        i++;
        if (top.kind === 'array') top.index++;
        else ok = readKey();
      }
      break;
    }
    if (!ok || frames.length === 0) break;
  }
  return findings;
}
