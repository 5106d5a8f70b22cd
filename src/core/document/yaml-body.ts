import {
  CST,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  Lexer,
  parseAllDocuments,
  type Document,
  type ParsedNode,
} from 'yaml';
import { pointerToken, problem, type Problem } from '../problems/problem.js';

/**
 * Reads a request body written in YAML as the JSON value it stands for, refusing what JSON
 * cannot say or what would make the body mean something else than it reads:
 *
 * - one document, YAML 1.2 core schema only: no `%YAML 1.1` surprises (`yes` is a string,
 *   `010` is ten), no merge keys, no tags beyond the core ones (`!!binary`, `!foo` refused);
 * - no aliases (`*a`): they are how "billion laughs" bodies grow, and no valid request needs one;
 * - keys given twice in one mapping are refused with their path (YAML forbids them; many
 *   readers keep the last silently), and so are keys that are mappings or sequences;
 * - nesting is bounded twice: an upper bound computed on the token stream before the
 *   recursive composer sees the text (a 1 MiB `- - - …` would otherwise exhaust the stack or
 *   the heap), then the exact depth while the value is built (MAX depth like JSON bodies);
 * - `.nan` and `.inf` have no JSON spelling and are refused.
 *
 * The value is built here, iteratively, with own properties only (`__proto__` is a plain key,
 * as JSON.parse makes it). Never throws on any input.
 */

/** The largest YAML body value depth; JSON bodies get the same (see common/hostile-json.ts). */
export const MAX_YAML_DEPTH = 64;

/**
 * The token-stream bound above which the composer is not run. It over-estimates the depth (by
 * at most about four times for real documents), so it sits well above MAX_YAML_DEPTH; the
 * composer copes with thousands of levels, so this is far from its limits.
 */
const MAX_DEPTH_BOUND = 4 * MAX_YAML_DEPTH + 8;

export type YamlBodyResult =
  | { ok: true; value: unknown }
  /** `syntax`: the text is not YAML at all (a 400 like unparsable JSON), else field problems. */
  | { ok: false; syntax: boolean; problems: Problem[] };

const syntaxError = (detail: string): YamlBodyResult => ({
  ok: false,
  syntax: true,
  problems: [problem('', 'INVALID_YAML', { detail })],
});

/**
 * An upper bound of the nesting depth of `text`, from yaml's lexer (iterative, linear): flow
 * collections are counted exactly; block collections through a stack of open columns (a line's
 * indentation, and the column where content follows a `-`, `?` or `:` indicator), two levels
 * per column since a sequence may sit at its parent key's column. Quoted and block scalars are
 * single tokens, so their content is never taken for structure.
 */
export function yamlDepthBound(text: string): number {
  const columns: number[] = [];
  let flow = 0;
  let col = 0;
  let lineStart = true;
  let afterIndicator = false;
  let scalarSource = false;
  let blockScalar = false;
  let bound = 0;
  const content = (at: number) => {
    if (flow === 0) {
      if (lineStart) {
        while (columns.length > 0 && columns[columns.length - 1] > at) columns.pop();
        if (columns.length === 0 || columns[columns.length - 1] < at) columns.push(at);
      } else if (afterIndicator && columns[columns.length - 1] < at) columns.push(at);
    }
    lineStart = false;
    afterIndicator = false;
    bound = Math.max(bound, 2 * columns.length + flow);
  };
  const advance = (token: string) => {
    const nl = token.lastIndexOf('\n');
    col = nl < 0 ? col + token.length : token.length - nl - 1;
  };
  for (const token of new Lexer().lex(text)) {
    if (scalarSource) {
      // The source of the scalar announced by the previous token: one token, newlines and all.
      scalarSource = false;
      if (!blockScalar) content(col);
      blockScalar = false;
      advance(token);
      continue;
    }
    switch (CST.tokenType(token)) {
      case 'scalar':
        scalarSource = true;
        continue;
      case 'newline':
        col = 0;
        lineStart = true;
        afterIndicator = false;
        continue;
      case 'space':
      case 'comment':
      case 'comma':
      case 'byte-order-mark':
      case 'doc-mode':
      case 'flow-error-end':
        break;
      case 'doc-start':
      case 'doc-end':
      case 'directive-line':
        columns.length = 0;
        break;
      case 'seq-item-ind':
      case 'explicit-key-ind':
      case 'map-value-ind':
        // `- - x`, `? - x`: an indicator right after another opens a collection here.
        if (lineStart || afterIndicator) content(col);
        afterIndicator = true;
        break;
      case 'flow-map-start':
      case 'flow-seq-start':
        content(col);
        flow++;
        bound = Math.max(bound, 2 * columns.length + flow);
        break;
      case 'flow-map-end':
      case 'flow-seq-end':
        flow = Math.max(0, flow - 1);
        break;
      case 'block-scalar-header':
        content(col);
        blockScalar = true;
        break;
      default:
        // Quoted scalars, anchors, tags, aliases: content at this column.
        content(col);
    }
    advance(token);
  }
  return bound;
}

/** The first line of a yaml error message (its position), without the quoted source. */
function describeError(message: string): string {
  return message.split(':\n')[0].trim();
}

interface Frame {
  node: ParsedNode | null;
  path: string;
  depth: number;
  /** Where the built value goes. */
  put: (value: unknown) => void;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Builds the JSON value of a document's contents, collecting problems with their paths. */
function buildValue(root: ParsedNode, problems: Problem[]): unknown {
  let result: unknown;
  const stack: Frame[] = [{ node: root, path: '', depth: 0, put: (v) => (result = v) }];
  while (stack.length > 0 && problems.length < 20) {
    const { node, path, depth, put } = stack.pop()!;
    if (node === null) {
      put(null);
      continue;
    }
    if (isAlias(node)) {
      problems.push(problem(path, 'YAML_ALIAS', { name: node.source }));
      continue;
    }
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === 'number' && !Number.isFinite(v))
        problems.push(
          problem(path, 'INVALID_YAML', { detail: `${String(node.source)} is not a JSON number` }),
        );
      else put(v);
      continue;
    }
    if (depth >= MAX_YAML_DEPTH) {
      problems.push(problem(path, 'NESTING_TOO_DEEP', { max: MAX_YAML_DEPTH }));
      continue;
    }
    if (isSeq(node)) {
      const out: unknown[] = Array.from({ length: node.items.length });
      put(out);
      // Pushed last to first, so that problems come out in document order.
      for (let i = node.items.length - 1; i >= 0; i--)
        stack.push({
          node: node.items[i] as ParsedNode | null,
          path: `${path}/${i}`,
          depth: depth + 1,
          put: (v) => (out[i] = v),
        });
      continue;
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      put(out);
      const seen = new Set<string>();
      const children: Frame[] = [];
      for (const pair of node.items) {
        const key = pair.key as ParsedNode | null;
        if (key !== null && !isScalar(key)) {
          problems.push(problem(path, 'YAML_KEY_NOT_SCALAR', {}));
          continue;
        }
        // As JSON would spell it: `1` and "1" are the same key, `~` is "".
        const name = key === null || key.value === null ? '' : String(key.value);
        const childPath = `${path}/${pointerToken(name)}`;
        if (seen.has(name)) {
          problems.push(problem(childPath, 'DUPLICATE_KEY', { key: JSON.stringify(name) }));
          continue;
        }
        seen.add(name);
        setOwn(out, name, undefined);
        children.push({
          node: pair.value as ParsedNode | null,
          path: childPath,
          depth: depth + 1,
          put: (v) => setOwn(out, name, v),
        });
      }
      stack.push(...children.reverse());
      continue;
    }
    problems.push(problem(path, 'INVALID_YAML', { detail: 'this node has no JSON value' }));
  }
  return result;
}

/** Whether `text` may nest deeper than MAX_YAML_DEPTH: a cheap check before any composer runs. */
export function yamlMayNestTooDeep(text: string): boolean {
  return yamlDepthBound(text) > MAX_DEPTH_BOUND;
}

/**
 * Parses a YAML request body (see the file comment). An empty body, or one with comments
 * only, reads as `{}`, as an empty JSON body does.
 */
export function parseYamlBody(text: string): YamlBodyResult {
  if (yamlMayNestTooDeep(text))
    return {
      ok: false,
      syntax: false,
      problems: [problem('', 'NESTING_TOO_DEEP', { max: MAX_YAML_DEPTH })],
    };
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, {
      version: '1.2',
      schema: 'core',
      merge: false,
      resolveKnownTags: false,
      uniqueKeys: false,
      strict: true,
      prettyErrors: true,
    }) as Document.Parsed[];
  } catch (e) {
    return syntaxError(e instanceof Error ? describeError(e.message) : 'unreadable');
  }
  if (!Array.isArray(docs)) return { ok: true, value: {} }; // an empty stream
  if (docs.length > 1)
    return {
      ok: false,
      syntax: false,
      problems: [problem('', 'YAML_MULTIPLE_DOCUMENTS', { count: docs.length })],
    };
  if (docs.length === 0) return { ok: true, value: {} };
  const [doc] = docs;
  const first = doc.errors[0] ?? doc.warnings[0];
  if (first) return syntaxError(describeError(first.message));
  if (doc.directives?.yaml.explicit && doc.directives.yaml.version !== '1.2')
    return syntaxError(`%YAML ${doc.directives.yaml.version} is not accepted; write YAML 1.2`);
  if (doc.contents === null) return { ok: true, value: {} };
  if (!isMap(doc.contents) && !isSeq(doc.contents))
    return syntaxError('the body must be a YAML mapping or sequence');
  const problems: Problem[] = [];
  const value = buildValue(doc.contents, problems);
  return problems.length > 0 ? { ok: false, syntax: false, problems } : { ok: true, value };
}
