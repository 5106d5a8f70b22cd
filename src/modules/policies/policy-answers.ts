import type { Response } from 'express';
import { acceptedDeployment, respond } from '../../common/http-answer.js';
import type { StoredRevision } from './policies.service.js';

/**
 * The HTTP answer to storing a revision (POST /v1/policies, rollback): 202 with the deployment's
 * Location when a revision was stored, 200 when the content equals the latest revision.
 */
export function revisionAnswer(res: Response, stored: StoredRevision) {
  if (stored.unchanged) return respond(res, { status: 200, body: stored });
  const { unchanged: _created, ...body } = stored;
  return acceptedDeployment(res, body);
}
