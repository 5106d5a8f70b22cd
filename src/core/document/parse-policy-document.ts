import { pointer, type ProblemCode } from '../problems/problem.js';
import { isPlainObject, readFields } from './json-shape.js';
import { NetworkNames } from './network-names.js';
import { sortProblems } from './ordering.js';
import { parseContracts } from './parse-contracts.js';
import { parseExposeList } from './parse-expose.js';
import { parseNamespaces } from './parse-namespaces.js';
import { parseOptions } from './parse-options.js';
import { ProblemSink } from './problem-sink.js';
import type { ParseResult } from './policy-document.types.js';

/** Every code parsePolicyDocument can report (the rest of the catalogue belongs to others). */
export const DOCUMENT_PROBLEM_CODES = [
  'TYPE_MISMATCH',
  'REQUIRED',
  'UNKNOWN_FIELD',
  'EMPTY_LIST',
  'TOO_MANY_ITEMS',
  'STRING_TOO_LONG',
  'INVALID_ENUM',
  'INVALID_NAMESPACE',
  'DUPLICATE_NAMESPACE',
  'INVALID_NETWORK_NAME',
  'NETWORK_NAME_COLLISION',
  'DUPLICATE_NETWORK',
  'INVALID_CONTRACT_NAME',
  'INVALID_LABEL_KEY',
  'INVALID_PROTOCOL',
  'PORT_OUT_OF_RANGE',
  'INVALID_PORT',
  'INVALID_PORT_RANGE',
  'INVALID_CIDR',
  'CIDR_LEADING_ZERO',
  'CIDR_IPV4_MAPPED',
  'CIDR_HOST_BITS_SET',
  'EXCEPT_NOT_SUBSET',
  'EXCEPT_FAMILY_MISMATCH',
  'EXCEPT_COVERS_CIDR',
  'IGNORED_SOURCE_PORT',
  'IGNORED_ESTABLISHED',
  'ACTION_NOT_PERMIT',
  'NESTING_TOO_DEEP',
] as const satisfies readonly ProblemCode[];

const ROOT_FIELDS: ReadonlySet<string> = new Set(['namespaces', 'contracts', 'expose', 'options']);

/**
 * Validates an already JSON-parsed policy document (any value) and returns it in canonical
 * form, or every error found. Pure and total: it never throws on any JSON value, and its
 * work is linear in the size of the input.
 *
 * Errors and warnings are sorted by path (list indexes numerically), then code. The same
 * document with its contract keys or its lists (other than `expose`) in another order
 * yields a deep-equal document.
 */
export function parsePolicyDocument(input: unknown): ParseResult {
  const sink = new ProblemSink();
  if (!isPlainObject(input)) {
    sink.error('', 'TYPE_MISMATCH', { expected: 'an object' });
    return { ok: false, errors: sink.errors, warnings: [] };
  }
  const fields = readFields(input, '', ROOT_FIELDS, sink);
  const namespaces = parseNamespaces(fields.get('namespaces'), pointer('namespaces'), sink);
  const options = parseOptions(fields.get('options'), pointer('options'), sink);
  const names = new NetworkNames();
  const contracts = parseContracts(
    fields.get('contracts'),
    pointer('contracts'),
    options.providerAccess,
    names,
    sink,
  );
  const expose = parseExposeList(fields.get('expose'), pointer('expose'), names, sink);

  const warnings = sortProblems(sink.warnings);
  if (sink.errors.length > 0) return { ok: false, errors: sortProblems(sink.errors), warnings };
  return {
    ok: true,
    document: { namespaces, networks: names.sorted(), contracts, expose, options },
    warnings,
  };
}
