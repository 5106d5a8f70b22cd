import { Injectable } from '@nestjs/common';
import { compileNetworkPolicies } from '../../core/compiler/compile-network-policies.js';
import {
  buildConnectivityMatrix,
  type ConnectivityMatrix,
} from '../../core/connectivity/connectivity-matrix.js';
import type { NetworkPolicy } from '../../core/kube/network-policy.types.js';
import type { Problem } from '../../core/problems/problem.js';
import type { ParsedDocument } from '../../common/parse-policy-document.pipe.js';

@Injectable()
export class CompileService {
  compile(parsed: ParsedDocument): { items: NetworkPolicy[]; warnings: Problem[] } {
    return { items: compileNetworkPolicies(parsed.document), warnings: parsed.warnings };
  }

  connectivity(parsed: ParsedDocument): ConnectivityMatrix & { warnings: Problem[] } {
    const objects = compileNetworkPolicies(parsed.document);
    return { ...buildConnectivityMatrix(parsed.document, objects), warnings: parsed.warnings };
  }
}
