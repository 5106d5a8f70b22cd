import { Inject, Injectable } from '@nestjs/common';
import { documentProblem } from '../../common/document-problem.js';
import { httpProblem } from '../../common/http-problems.js';
import type { ProblemException } from '../../common/problem.exception.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import type { ClusterNetworks } from '../../core/compiler/scope-to-cluster.js';
import type { ConnectivityMatrix } from '../../core/connectivity/connectivity-matrix.js';
import { scopeForCluster } from '../../core/reconcile/cluster-objects.js';
import type { ConnectivityChange } from '../../core/diff/connectivity-change.js';
import type { NormalisedDocument } from '../../core/document/policy-document.types.js';
import type { NetworkPolicy } from '../../core/kube/network-policy.types.js';
import type { Problem } from '../../core/problems/problem.js';
import {
  ComputeBudgetError,
  ComputeBusyError,
  ComputePool,
} from '../../infra/compute/compute-pool.js';
import type {
  ComputeTaskName,
  StoredSide,
  TaskInput,
  TaskOutput,
  TaskRefusal,
} from '../../infra/compute/compute-tasks.js';

/** A document that compiled: what every use case after compilation needs. */
export interface CompiledDocument {
  document: NormalisedDocument;
  objects: NetworkPolicy[];
  warnings: Problem[];
}

/** What is stored with a revision in place of its connectivity view when that is refused. */
export interface RefusedConnectivity {
  refused: Problem[];
}

/** What a revision stores: its connectivity view or the view's refusal, with the document's warnings. */
export type StoredConnectivity = (ConnectivityMatrix | RefusedConnectivity) & {
  warnings: Problem[];
};

export function isRefusedConnectivity(v: unknown): v is RefusedConnectivity {
  return typeof v === 'object' && v !== null && Array.isArray((v as RefusedConnectivity).refused);
}

/**
 * The use cases' door to the CPU-heavy core functions (compile, connectivity, diffs): they run
 * in the ComputePool's threads with a time budget and the configured limits, and their
 * refusals become the HTTP problems every route shares: 400 invalid document, 422 over a
 * compile or connectivity limit or over the time budget, 409 a stored document that no longer
 * parses, 503 when too many computations wait.
 */
@Injectable()
export class DocumentCompiler {
  constructor(
    private readonly pool: ComputePool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Validates and compiles a raw document; problems' paths are nested under `pathPrefix`. */
  async compile(
    raw: unknown,
    opts: { policyName?: string; pathPrefix?: string } = {},
  ): Promise<CompiledDocument> {
    const result = await this.run('compile', {
      document: raw,
      options: { policyName: opts.policyName, limits: this.config.compileLimits },
    });
    if (result.ok) return result;
    if (result.reason === 'invalid')
      throw documentProblem(result.errors, result.warnings, opts.pathPrefix);
    throw httpProblem(
      'COMPILE_LIMIT_EXCEEDED',
      { count: result.errors.length },
      { errors: result.errors, warnings: result.warnings },
    );
  }

  /**
   * A raw document body to its answer, all in the compute pool: parse, body checks, compile,
   * the view, and (`as: 'json'`) JSON.stringify. The event loop only hands bytes over and
   * sends a string back. A body no raw parser read (none was sent) goes as it is.
   */
  async renderBody(
    body: unknown,
    view: 'objects' | 'connectivity',
    as: 'json' | 'data',
    networks?: ClusterNetworks,
  ): Promise<{ json: string; warnings: Problem[] } | { answer: unknown }> {
    // A copy of its own, so that its buffer can move to the thread.
    const bytes = Buffer.isBuffer(body) ? new Uint8Array(body) : null;
    const result = await this.run(
      'renderDocumentBody',
      {
        body: bytes,
        value: bytes ? undefined : body,
        view,
        as,
        options: { limits: this.config.compileLimits },
        maxCells: this.config.connectivityMaxCells,
        networks,
      },
      bytes ? [bytes.buffer as ArrayBuffer] : [],
    );
    if (result.ok)
      return 'json' in result
        ? { json: result.json, warnings: result.warnings }
        : { answer: result.answer };
    switch (result.kind) {
      case 'invalid-json':
        throw httpProblem('INVALID_JSON', {}, { errors: result.errors });
      case 'invalid-request':
        throw httpProblem(
          'INVALID_REQUEST',
          { count: result.errors.length },
          { errors: result.errors },
        );
      case 'invalid':
        throw documentProblem(result.errors, result.warnings);
      case 'too-large':
        throw httpProblem(
          'COMPILE_LIMIT_EXCEEDED',
          { count: result.errors.length },
          { errors: result.errors, warnings: result.warnings },
        );
      case 'connectivity-too-large':
        throw refusedProblem(result.errors);
    }
  }

  /** The connectivity view of compiled objects (422 when it lists too many cells). */
  async connectivity(
    compiled: CompiledDocument,
  ): Promise<ConnectivityMatrix & { warnings: Problem[] }> {
    return answerConnectivity(await this.connectivityToStore(compiled));
  }

  /** The connectivity view, or its refusal as data, with the warnings: what a revision stores. */
  async connectivityToStore(compiled: CompiledDocument): Promise<StoredConnectivity> {
    const result = await this.run('connectivity', {
      document: compiled.document,
      objects: compiled.objects,
      maxCells: this.config.connectivityMaxCells,
    });
    return result.ok
      ? { ...result.matrix, warnings: compiled.warnings }
      : { refused: result.errors, warnings: compiled.warnings };
  }

  /**
   * The connectivity view of a stored revision: as stored with it, or (for a revision stored
   * before views were) computed from its document and stored objects.
   */
  async storedConnectivity(
    policy: string,
    revision: {
      number: number;
      document: unknown;
      objects: NetworkPolicy[];
      connectivity: unknown;
    },
  ): Promise<{ stored: StoredConnectivity; computed: boolean }> {
    if (revision.connectivity)
      return { stored: revision.connectivity as StoredConnectivity, computed: false };
    const parsed = await this.compileStored(policy, revision);
    const stored = await this.connectivityToStore({
      document: parsed.document,
      objects: revision.objects,
      warnings: parsed.warnings,
    });
    return { stored, computed: true };
  }

  /** A stored revision's document compiled again (409 when it no longer parses, e.g. after an upgrade). */
  private async compileStored(policy: string, revision: { number: number; document: unknown }) {
    const parsed = await this.run('compile', { document: revision.document, options: {} });
    if (parsed.ok) return parsed;
    throw httpProblem(
      'STORED_DOCUMENT_INVALID',
      { name: policy, number: revision.number },
      { errors: parsed.errors },
    );
  }

  /**
   * The connectivity view of a stored revision as one cluster gets its objects
   * (scopeForCluster), computed now, with the scoping's warnings.
   */
  async clusterConnectivity(
    policy: string,
    revision: { number: number; document: unknown; objects: NetworkPolicy[] },
    networks: ClusterNetworks,
  ): Promise<ConnectivityMatrix & { warnings: Problem[] }> {
    const parsed = await this.compileStored(policy, revision);
    const scoped = scopeForCluster(revision.objects, networks);
    return this.connectivity({
      document: parsed.document,
      objects: scoped.objects,
      warnings: [...parsed.warnings, ...scoped.warnings],
    });
  }

  /** The connectivity gained and lost from a stored revision (or none) to compiled objects. */
  async connectivityChange(
    policy: string,
    before: StoredSide | null,
    after: CompiledDocument,
  ): Promise<ConnectivityChange> {
    const result = await this.run('connectivityChange', {
      before,
      after: { document: after.document, objects: after.objects },
      maxCells: this.config.connectivityMaxCells,
    });
    if (!result.ok) throw taskProblem(policy, result);
    return result.change;
  }

  /** Two stored revisions: document ops, manifest diff, connectivity change. */
  async revisionDiff(policy: string, a: StoredSide, b: StoredSide) {
    const result = await this.run('revisionDiff', {
      a,
      b,
      maxCells: this.config.connectivityMaxCells,
    });
    if (!result.ok) throw taskProblem(policy, result);
    const { ok: _ok, ...diff } = result;
    return diff;
  }

  private async run<N extends ComputeTaskName>(
    task: N,
    input: TaskInput<N>,
    transfer: ArrayBuffer[] = [],
  ): Promise<TaskOutput<N>> {
    try {
      return await this.pool.run(task, input, { transfer });
    } catch (error) {
      if (error instanceof ComputeBudgetError)
        throw httpProblem('COMPUTE_BUDGET_EXCEEDED', { budgetMs: error.budgetMs });
      if (error instanceof ComputeBusyError) throw httpProblem('COMPUTE_BUSY', {});
      throw error;
    }
  }
}

/** A stored connectivity as the API answers it: the view, or 422 when it was refused. */
export function answerConnectivity(
  stored: StoredConnectivity,
): ConnectivityMatrix & { warnings: Problem[] } {
  if (isRefusedConnectivity(stored)) throw refusedProblem(stored.refused);
  return stored;
}

function refusedProblem(errors: Problem[]): ProblemException {
  return httpProblem('CONNECTIVITY_TOO_LARGE', { count: errors.length }, { errors });
}

function taskProblem(policy: string, refusal: TaskRefusal): ProblemException {
  if (refusal.reason === 'stored-invalid')
    return httpProblem(
      'STORED_DOCUMENT_INVALID',
      { name: policy, number: refusal.revision ?? 0 },
      { errors: refusal.errors },
    );
  return refusedProblem(refusal.errors);
}
