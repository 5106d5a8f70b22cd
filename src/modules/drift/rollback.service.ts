import { Injectable } from '@nestjs/common';
import type { HttpAnswer } from '../../common/http-answer.js';
import type { PolicyTargets } from '../../infra/database/schema.js';
import { PoliciesService } from '../policies/policies.service.js';

/**
 * Rollback: a new revision with an old revision's document and targets, deployed like any
 * POST /v1/policies (selfHeal unchanged). When it equals the latest revision's content nothing
 * is stored or deployed (200, unchanged), as POST answers.
 */
@Injectable()
export class RollbackService {
  constructor(private readonly policies: PoliciesService) {}

  async rollback(name: string, revision: number): Promise<HttpAnswer<unknown>> {
    const old = await this.policies.revision(name, revision); // 404 policy or revision
    const answer = await this.policies.create({
      name,
      targets: old.targets as PolicyTargets,
      document: old.document as Record<string, unknown>,
    });
    return { ...answer, body: { ...(answer.body as object), rolledBackTo: revision } };
  }
}
