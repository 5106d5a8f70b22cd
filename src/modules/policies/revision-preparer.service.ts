import { Injectable } from '@nestjs/common';
import { httpProblem } from '../../common/http-problems.js';
import type { NormalisedDocument } from '../../core/document/policy-document.types.js';
import type { NetworkPolicy } from '../../core/kube/network-policy.types.js';
import type { Problem } from '../../core/problems/problem.js';
import { contentHash } from '../../core/reconcile/canonical-json.js';
import {
  hasNoTargets,
  normaliseTargets,
  type PolicyTargets,
} from '../../core/reconcile/targets.js';
import { DocumentCompiler } from '../compile/document-compiler.service.js';
import { TargetResolver } from '../deployments/target-resolver.service.js';

/** A validated, compiled document with its resolved targets: what a POST stores and a plan shows. */
export interface PreparedRevision {
  document: NormalisedDocument;
  objects: NetworkPolicy[];
  warnings: Problem[];
  /** Canonical targets (as stored). */
  targets: PolicyTargets;
  /** The registered clusters they name today. */
  clusters: string[];
  /** What equal content is recognised by: the compiled objects and the targets. */
  contentHash: string;
}

/**
 * The one preparation of a revision, shared by POST /v1/policies and POST …/plan: compile in
 * the compute pool (400 with paths under /document, 422 over a limit), canonical targets (400 NO_TARGETS when empty), resolve them
 * (400 for an unknown cluster), hash. `missingTargetsOf` names the policy when the targets
 * were not given and the policy had none to inherit.
 */
@Injectable()
export class RevisionPreparer {
  constructor(
    private readonly targets: TargetResolver,
    private readonly compiler: DocumentCompiler,
  ) {}

  async prepare(
    policyName: string,
    document: unknown,
    targets: PolicyTargets,
    opts: { inherited?: boolean } = {},
  ): Promise<PreparedRevision> {
    const compiled = await this.compiler.compile(document, { policyName, pathPrefix: '/document' });
    const canonical = normaliseTargets(targets);
    if (hasNoTargets(canonical))
      throw httpProblem('NO_TARGETS', opts.inherited ? { name: policyName } : {}, {
        errors: [
          {
            path: '/targets',
            code: 'NO_TARGETS',
            message: 'give clusters, a clusterSelector, or both',
          },
        ],
      });
    const clusters = await this.targets.resolve(canonical);
    return {
      document: compiled.document,
      objects: compiled.objects,
      warnings: compiled.warnings,
      targets: canonical,
      clusters,
      contentHash: contentHash({ objects: compiled.objects, targets: canonical }),
    };
  }
}
