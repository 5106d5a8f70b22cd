import { Injectable } from '@nestjs/common';
import { ProblemException } from '../../common/problem.exception.js';
import { parsePolicyDocument } from '../../core/document/parse-policy-document.js';
import type { NormalisedDocument } from '../../core/document/policy-document.types.js';
import type { Problem } from '../../core/problems/problem.js';
import type { PolicyRow, RevisionRow } from '../../infra/database/schema.js';
import { PoliciesRepository } from '../policies/policies.repository.js';
import { PoliciesService } from '../policies/policies.service.js';

export interface LatestRevision {
  policy: PolicyRow;
  revision: RevisionRow;
  /** The stored document, normalised again. */
  document: NormalisedDocument;
  warnings: Problem[];
}

/** A policy's latest revision with its document parsed (404 problems when there is none). */
@Injectable()
export class LatestRevisionReader {
  constructor(
    private readonly policies: PoliciesService,
    private readonly repo: PoliciesRepository,
  ) {}

  async read(name: string): Promise<LatestRevision> {
    const policy = await this.policies.mustFind(name);
    const revision = policy.latestRevision
      ? await this.repo.findRevision(policy.id, policy.latestRevision)
      : undefined;
    if (!revision)
      throw ProblemException.of(404, 'REVISION_NOT_FOUND', `Policy ${name} has no revision.`);
    const parsed = parsePolicyDocument(revision.document);
    // Stored documents were valid when stored; only a stricter parser could refuse one now.
    if (!parsed.ok)
      throw ProblemException.of(
        409,
        'STORED_DOCUMENT_INVALID',
        `Revision ${revision.number} of policy ${name} no longer parses; store a corrected revision.`,
        { errors: parsed.errors },
      );
    return { policy, revision, document: parsed.document, warnings: parsed.warnings };
  }
}
