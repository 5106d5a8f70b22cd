import { compileDocument, type CompileResult } from '../../core/compiler/compile-document.js';
import type { ClusterNetworks } from '../../core/compiler/scope-to-cluster.js';
import { scopeForCluster } from '../../core/reconcile/cluster-objects.js';
import type { CompileOptions } from '../../core/compiler/compile-network-policies.js';
import {
  boundedConnectivityMatrix,
  type BoundedConnectivity,
} from '../../core/connectivity/connectivity-matrix.js';
import {
  connectivityChange,
  type ConnectivityChange,
} from '../../core/diff/connectivity-change.js';
import { documentDiff } from '../../core/diff/document-diff.js';
import { diffManifestSets } from '../../core/diff/object-diff.js';
import { hostileJsonProblem } from '../../core/document/hostile-json.js';
import { findDuplicateKeys } from '../../core/document/json-duplicate-keys.js';
import { parsePolicyDocument } from '../../core/document/parse-policy-document.js';
import type { NormalisedDocument } from '../../core/document/policy-document.types.js';
import { formatCount } from '../../core/compiler/compile-limits.js';
import type { NetworkPolicy } from '../../core/kube/network-policy.types.js';
import { problem, type Problem } from '../../core/problems/problem.js';

/** A stored revision as a task needs it: its document as stored (parsed again in the task). */
export interface StoredSide {
  number: number;
  document: unknown;
  targets: unknown;
  objects: NetworkPolicy[];
}

/** A task's answer when it cannot give its result: why, with the problems. */
export interface TaskRefusal {
  ok: false;
  /** `stored-invalid`: a stored document no longer parses; `too-large`: over a limit. */
  reason: 'stored-invalid' | 'too-large';
  revision?: number;
  errors: Problem[];
}

export type ChangeResult = { ok: true; change: ConnectivityChange } | TaskRefusal;

/** Why a request body could not be answered, as the HTTP layer reports it. */
export type BodyRefusal = {
  ok: false;
  /**
   * `invalid-json`: not JSON (400); `invalid-request`: duplicate keys, too deep, unstorable
   * strings (400); `invalid`: an invalid document (400); `too-large`: over a compile or
   * connectivity limit (422).
   */
  kind: 'invalid-json' | 'invalid-request' | 'invalid' | 'too-large' | 'connectivity-too-large';
  errors: Problem[];
  warnings: Problem[];
};

/**
 * The answer to a document body: already serialised as JSON (one string crosses back to the
 * event loop, which a structured clone copies in one go), or as data for another rendering.
 */
/** `warnings` beside the JSON text: the answer's Warning headers, without parsing it again. */
export type RenderedBody =
  { ok: true; json: string; warnings: Problem[] } | { ok: true; answer: unknown } | BodyRefusal;

export type RevisionDiffResult =
  | {
      ok: true;
      document: ReturnType<typeof documentDiff>;
      targets: ReturnType<typeof documentDiff>;
      manifests: string;
      connectivity: ConnectivityChange;
    }
  | TaskRefusal;

function parseStored(side: StoredSide): NormalisedDocument | TaskRefusal {
  const parsed = parsePolicyDocument(side.document);
  return parsed.ok
    ? parsed.document
    : { ok: false, reason: 'stored-invalid', revision: side.number, errors: parsed.errors };
}

function isRefusal(v: NormalisedDocument | TaskRefusal): v is TaskRefusal {
  return (v as TaskRefusal).ok === false;
}

/** The connectivity change between two compiled sides, refused when it lists more than maxCells pairs. */
function boundedChange(
  before: { document: NormalisedDocument; objects: NetworkPolicy[] } | null,
  after: { document: NormalisedDocument; objects: NetworkPolicy[] },
  maxCells: number,
): ChangeResult {
  const change = connectivityChange(before, after);
  const count = change.gained.length + change.lost.length;
  if (count <= maxCells) return { ok: true, change };
  return {
    ok: false,
    reason: 'too-large',
    errors: [
      problem('', 'CONNECTIVITY_TOO_LARGE', {
        count: formatCount(count),
        max: formatCount(maxCells),
      }),
    ],
  };
}

/** A compiled document as one cluster gets it: its objects scoped, the scoping's warnings added. */
function forCluster<T extends { objects: NetworkPolicy[]; warnings: Problem[] }>(
  compiled: T,
  networks: ClusterNetworks,
): T {
  const scoped = scopeForCluster(compiled.objects, networks);
  return {
    ...compiled,
    objects: scoped.objects,
    warnings: [...compiled.warnings, ...scoped.warnings],
  };
}

/**
 * Everything between a raw JSON body and its serialised answer, so that none of it runs on the
 * event loop: decode, parse, the checks every body gets (duplicate keys, nesting, unstorable
 * strings), compile within the limits, the view, and JSON.stringify.
 */
function renderDocumentBody(input: {
  /** The raw bytes (UTF-8), or null when another parser already produced `value`. */
  body: Uint8Array | null;
  value?: unknown;
  view: 'objects' | 'connectivity';
  /** `json`: the answer as JSON text; `data`: as a value (e.g. for YAML). */
  as: 'json' | 'data';
  options: CompileOptions;
  maxCells: number;
  /** Compile for a cluster with these networks (scopeForCluster); absent: cluster-independent. */
  networks?: ClusterNetworks;
}): RenderedBody {
  const refuse = (kind: BodyRefusal['kind'], errors: Problem[], warnings: Problem[] = []) =>
    ({ ok: false, kind, errors, warnings }) as const;
  let value: unknown = input.value;
  if (input.body) {
    // As body-parser's JSON parser reads a body: invalid bytes become U+FFFD, an empty body
    // is `{}`, and only an object or an array is JSON enough (its "strict" mode).
    const text = new TextDecoder('utf-8').decode(input.body);
    const first = /\S/.exec(text)?.[0];
    if (first === undefined) value = {};
    else {
      if (first !== '{' && first !== '[')
        return refuse('invalid-json', [
          problem('', 'INVALID_JSON', {
            detail: `${JSON.stringify(first)} cannot start a JSON body; it must be an object`,
          }),
        ]);
      try {
        value = JSON.parse(text);
      } catch (error) {
        const detail = error instanceof Error ? error.message : 'parse error';
        return refuse('invalid-json', [problem('', 'INVALID_JSON', { detail })]);
      }
      const duplicates = findDuplicateKeys(text);
      if (duplicates.length > 0) return refuse('invalid-request', duplicates);
    }
  }
  const hostile = hostileJsonProblem(value);
  if (hostile) return refuse('invalid-request', [hostile]);
  const result = compileDocument(value, input.options);
  if (!result.ok)
    return refuse(
      result.reason === 'invalid' ? 'invalid' : 'too-large',
      result.errors,
      result.warnings,
    );
  const compiled = input.networks ? forCluster(result, input.networks) : result;
  let answer: unknown;
  if (input.view === 'objects') answer = { items: compiled.objects, warnings: compiled.warnings };
  else {
    const view = boundedConnectivityMatrix(compiled.document, compiled.objects, input.maxCells);
    if (!view.ok) return refuse('connectivity-too-large', view.errors, compiled.warnings);
    answer = { ...view.matrix, warnings: compiled.warnings };
  }
  return input.as === 'json'
    ? { ok: true, json: JSON.stringify(answer), warnings: compiled.warnings }
    : { ok: true, answer };
}

/**
 * The CPU-heavy work of the API, run in worker threads with a time budget (ComputePool):
 * every input and output is plain data (structured clone), every function is pure.
 */
export const COMPUTE_TASKS = {
  /** A raw JSON document body to its serialised answer: compiled objects or connectivity view. */
  renderDocumentBody,

  /** Validates and compiles a raw document within the compile limits. */
  compile(input: { document: unknown; options: CompileOptions }): CompileResult {
    return compileDocument(input.document, input.options);
  },

  /** The bounded connectivity view of compiled objects. */
  connectivity(input: {
    document: NormalisedDocument;
    objects: NetworkPolicy[];
    maxCells: number;
  }): BoundedConnectivity {
    return boundedConnectivityMatrix(input.document, input.objects, input.maxCells);
  },

  /** What changes in connectivity from a stored revision (or nothing) to newly compiled objects. */
  connectivityChange(input: {
    before: StoredSide | null;
    after: { document: NormalisedDocument; objects: NetworkPolicy[] };
    maxCells: number;
  }): ChangeResult {
    const before = input.before ? parseStored(input.before) : null;
    if (before && isRefusal(before)) return before;
    return boundedChange(
      before && input.before ? { document: before, objects: input.before.objects } : null,
      input.after,
      input.maxCells,
    );
  },

  /** Two stored revisions: document ops, a unified diff of the manifests, the connectivity change. */
  revisionDiff(input: { a: StoredSide; b: StoredSide; maxCells: number }): RevisionDiffResult {
    const da = parseStored(input.a);
    if (isRefusal(da)) return da;
    const db = parseStored(input.b);
    if (isRefusal(db)) return db;
    const change = boundedChange(
      { document: da, objects: input.a.objects },
      { document: db, objects: input.b.objects },
      input.maxCells,
    );
    if (!change.ok) return change;
    return {
      ok: true,
      document: documentDiff(input.a.document, input.b.document),
      targets: documentDiff(input.a.targets, input.b.targets),
      manifests: diffManifestSets(input.a.objects, input.b.objects, {
        from: `revision-${input.a.number}`,
        to: `revision-${input.b.number}`,
      }),
      connectivity: change.change,
    };
  },
} as const;

export type ComputeTasks = typeof COMPUTE_TASKS;
export type ComputeTaskName = keyof ComputeTasks;
export type TaskInput<N extends ComputeTaskName> = Parameters<ComputeTasks[N]>[0];
export type TaskOutput<N extends ComputeTaskName> = ReturnType<ComputeTasks[N]>;
