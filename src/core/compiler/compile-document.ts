import { parsePolicyDocument } from '../document/parse-policy-document.js';
import type { NormalisedDocument } from '../document/policy-document.types.js';
import type { NetworkPolicy } from '../kube/network-policy.types.js';
import type { Problem } from '../problems/problem.js';
import { compileWithinLimits, type CompileOptions } from './compile-network-policies.js';

export type CompileResult =
  | { ok: true; document: NormalisedDocument; objects: NetworkPolicy[]; warnings: Problem[] }
  | {
      ok: false;
      /**
       * `invalid`: the document has errors (HTTP 400); `too-large`: it is valid, but its
       * compiled form would exceed a limit (COMPILE_LIMIT_EXCEEDED; HTTP 422).
       */
      reason: 'invalid' | 'too-large';
      errors: Problem[];
      warnings: Problem[];
    };

/**
 * Validates a raw document (any JSON value) and compiles it within the compile limits (see
 * compileWithinLimits). Never throws on user input: a bad document yields every error at
 * once, each with a JSON pointer and a code.
 */
export function compileDocument(input: unknown, options: CompileOptions = {}): CompileResult {
  const parsed = parsePolicyDocument(input);
  if (!parsed.ok) return { ...parsed, reason: 'invalid' };
  const compiled = compileWithinLimits(parsed.document, options);
  if (!compiled.ok)
    return { ok: false, reason: 'too-large', errors: compiled.errors, warnings: parsed.warnings };
  return {
    ok: true,
    document: parsed.document,
    objects: compiled.objects,
    warnings: parsed.warnings,
  };
}
