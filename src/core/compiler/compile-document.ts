import { parsePolicyDocument } from '../document/parse-policy-document.js';
import type { NormalisedDocument } from '../document/policy-document.types.js';
import type { NetworkPolicy } from '../kube/network-policy.types.js';
import type { Problem } from '../problems/problem.js';
import { compileNetworkPolicies, type CompileOptions } from './compile-network-policies.js';

export type CompileResult =
  | { ok: true; document: NormalisedDocument; objects: NetworkPolicy[]; warnings: Problem[] }
  | { ok: false; errors: Problem[]; warnings: Problem[] };

/**
 * Validates a raw document (any JSON value) and compiles it. Never throws on user input:
 * a bad document yields every error at once, each with a JSON pointer and a code.
 */
export function compileDocument(input: unknown, options: CompileOptions = {}): CompileResult {
  const parsed = parsePolicyDocument(input);
  if (!parsed.ok) return parsed;
  return {
    ok: true,
    document: parsed.document,
    objects: compileNetworkPolicies(parsed.document, options),
    warnings: parsed.warnings,
  };
}
