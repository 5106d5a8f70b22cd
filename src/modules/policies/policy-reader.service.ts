import { Injectable } from '@nestjs/common';
import { httpProblem } from '../../common/http-problems.js';
import { parsePolicyDocument } from '../../core/document/parse-policy-document.js';
import type { NormalisedDocument } from '../../core/document/policy-document.types.js';
import type { Problem } from '../../core/problems/problem.js';
import type { PolicyRow, RevisionRow } from '../../infra/database/schema.js';
import { PoliciesRepository } from './policies.repository.js';

/** A stored revision with its document parsed again. */
export interface ParsedRevision {
  policy: PolicyRow;
  revision: RevisionRow;
  /** The stored document, normalised again. */
  document: NormalisedDocument;
  warnings: Problem[];
}

/**
 * Reads policies and revisions for the use cases of every module, with the 404 and 409
 * problems they share: a missing policy or revision, and a stored document that no longer
 * parses (only a stricter parser could refuse one that was valid when stored).
 */
@Injectable()
export class PolicyReader {
  constructor(private readonly repo: PoliciesRepository) {}

  async mustFind(name: string): Promise<PolicyRow> {
    const policy = await this.repo.findPolicy(name);
    if (!policy) throw httpProblem('POLICY_NOT_FOUND', { name });
    return policy;
  }

  async mustFindRevision(
    name: string,
    number: number,
  ): Promise<{ policy: PolicyRow; revision: RevisionRow }> {
    const policy = await this.mustFind(name);
    const revision = await this.repo.findRevision(policy.id, number);
    if (!revision) throw httpProblem('REVISION_NOT_FOUND', { name, number });
    return { policy, revision };
  }

  /** The latest revision, or undefined when the policy has none. */
  async latestOf(policy: PolicyRow): Promise<RevisionRow | undefined> {
    return policy.latestRevision
      ? this.repo.findRevision(policy.id, policy.latestRevision)
      : undefined;
  }

  /** A policy's latest revision with its document parsed (404 problems when there is none). */
  async latest(name: string): Promise<ParsedRevision> {
    const policy = await this.mustFind(name);
    const revision = await this.latestOf(policy);
    if (!revision) throw this.noRevision(name);
    return this.parse(policy, revision);
  }

  /** The 404 of a policy without a revision. */
  noRevision(name: string) {
    return httpProblem('REVISION_NOT_FOUND', { name });
  }

  /** Parses a stored revision's document again: 409 STORED_DOCUMENT_INVALID when it no longer parses. */
  parse(policy: PolicyRow, revision: RevisionRow): ParsedRevision {
    const parsed = parsePolicyDocument(revision.document);
    if (!parsed.ok)
      throw httpProblem(
        'STORED_DOCUMENT_INVALID',
        { name: policy.name, number: revision.number },
        { errors: parsed.errors },
      );
    return { policy, revision, document: parsed.document, warnings: parsed.warnings };
  }
}
