import { Injectable } from '@nestjs/common';
import {
  buildConnectivityMatrix,
  type ConnectivityMatrix,
} from '../../core/connectivity/connectivity-matrix.js';
import type { Problem } from '../../core/problems/problem.js';
import { PolicyReader } from '../policies/policy-reader.service.js';

/** The connectivity of a stored policy: the evaluator over the latest revision's stored objects. */
@Injectable()
export class PolicyConnectivityService {
  constructor(private readonly latest: PolicyReader) {}

  async connectivity(
    name: string,
  ): Promise<ConnectivityMatrix & { warnings: Problem[]; policy: string; revision: number }> {
    const { policy, revision, document, warnings } = await this.latest.latest(name);
    return {
      policy: policy.name,
      revision: revision.number,
      ...buildConnectivityMatrix(document, revision.objects),
      warnings,
    };
  }
}
