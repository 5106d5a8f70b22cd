import { Injectable } from '@nestjs/common';
import { roleAtLeast, type Role } from '../../common/auth/roles.js';
import { httpProblem } from '../../common/http-problems.js';
import { ProblemException, type ProblemItem } from '../../common/problem.exception.js';
import {
  buildProbePods,
  DEFAULT_PROBE_IMAGE,
  expectedProbeMatrix,
  probeListenPorts,
  probeSelector,
  PROBE_FOR_LABEL,
  type ProbePodView,
} from '../../core/probes/probe-pods.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../core/kube/network-policy.types.js';
import { KubeApiError, type KubeClient, type Pod } from '../../infra/kube/index.js';
import { ClusterConnector } from '../clusters/cluster-connector.service.js';
import type { CreateProbesDto } from './dto/probes.dto.js';
import { PolicyReader } from '../policies/policy-reader.service.js';

function kubeProblem(cluster: string, e: unknown): ProblemException {
  if (e instanceof ProblemException) return e;
  const message = e instanceof KubeApiError ? e.message : 'unexpected error';
  return httpProblem('CLUSTER_REQUEST_FAILED', { name: cluster, message });
}

function isProbeOf(pod: Pod, policy: string): boolean {
  const labels = pod.metadata?.labels ?? {};
  return labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && labels[PROBE_FOR_LABEL] === policy;
}

function view(pod: Pod): ProbePodView {
  return {
    name: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace ?? '',
    labels: pod.metadata?.labels ?? {},
    phase: pod.status?.phase ?? null,
  };
}

/**
 * Test pods for a stored policy (see core/probes): created in every namespace of the latest
 * revision's document, listed with the connectivity the revision should give them, and deleted
 * by their probe label only, so no other pod is ever touched.
 */
@Injectable()
export class ProbesService {
  constructor(
    private readonly latest: PolicyReader,
    private readonly clusters: ClusterConnector,
  ) {}

  /**
   * Creates the pods. Another image than the default runs code of the caller's choosing with
   * gbp-netpol's credentials in the cluster, so it needs an admin token.
   */
  async create(name: string, dto: CreateProbesDto, role: Role) {
    if (
      dto.image !== undefined &&
      dto.image !== DEFAULT_PROBE_IMAGE &&
      !roleAtLeast(role, 'admin')
    ) {
      throw httpProblem('PROBE_IMAGE_NEEDS_ADMIN', { defaultImage: DEFAULT_PROBE_IMAGE });
    }
    const { policy, revision, document } = await this.latest.latest(name);
    const client = await this.connect(dto.cluster);
    const image = dto.image ?? DEFAULT_PROBE_IMAGE;
    const pods: { namespace: string; name: string; result: 'created' | 'exists' }[] = [];
    const failed: ProblemItem[] = [];
    for (const manifest of buildProbePods(document, policy.name, image)) {
      const { namespace, name: podName } = manifest.metadata;
      try {
        await client.createPod(manifest as Pod);
        pods.push({ namespace, name: podName, result: 'created' });
      } catch (e) {
        if (e instanceof KubeApiError && e.reason === 'AlreadyExists')
          pods.push({ namespace, name: podName, result: 'exists' });
        else if (e instanceof KubeApiError && !e.retryable && e.kind !== 'unauthorized')
          failed.push({
            path: `/pods/${namespace}/${podName}`,
            code: 'POD_NOT_CREATED',
            message: e.message,
          });
        else throw await this.failure(dto.cluster, e);
      }
    }
    if (failed.length > 0) {
      throw httpProblem(
        'PROBES_INCOMPLETE',
        {
          failed: failed.length,
          total: failed.length + pods.length,
          cluster: dto.cluster,
          policy: name,
        },
        { errors: failed },
      );
    }
    await this.clusters.recordConnectionSuccess(dto.cluster);
    return {
      policy: policy.name,
      cluster: dto.cluster,
      revision: revision.number,
      image,
      ports: probeListenPorts(document),
      pods,
    };
  }

  async list(name: string, cluster: string) {
    const { policy, revision, document } = await this.latest.latest(name);
    const pods = (
      await this.find(await this.connect(cluster), cluster, policy.name, document.namespaces)
    ).map(view);
    return {
      policy: policy.name,
      cluster,
      revision: revision.number,
      pods,
      expected: expectedProbeMatrix(revision.objects, pods),
    };
  }

  async remove(name: string, cluster: string) {
    const { policy, document } = await this.latest.latest(name);
    const client = await this.connect(cluster);
    const deleted: { namespace: string; name: string }[] = [];
    for (const pod of await this.find(client, cluster, policy.name, document.namespaces)) {
      const { namespace, name: podName } = view(pod);
      try {
        if (await client.deletePod(namespace, podName)) deleted.push({ namespace, name: podName });
      } catch (e) {
        throw await this.failure(cluster, e);
      }
    }
    return { policy: policy.name, cluster, deleted };
  }

  /** This policy's probe pods in these namespaces (a namespace that does not exist has none). */
  private async find(
    client: KubeClient,
    cluster: string,
    policy: string,
    namespaces: string[],
  ): Promise<Pod[]> {
    const out: Pod[] = [];
    for (const ns of namespaces) {
      try {
        // The selector does the work; the check guards against a server that ignored it.
        out.push(
          ...(await client.listPods(ns, probeSelector(policy))).filter((p) => isProbeOf(p, policy)),
        );
      } catch (e) {
        if (e instanceof KubeApiError && e.kind === 'notFound') continue;
        throw await this.failure(cluster, e);
      }
    }
    return out.sort((a, b) =>
      view(a).namespace + '/' + view(a).name < view(b).namespace + '/' + view(b).name ? -1 : 1,
    );
  }

  private async connect(cluster: string): Promise<KubeClient> {
    return (await this.clusters.connect(cluster)).client; // 404 problem for an unknown cluster
  }

  private async failure(cluster: string, e: unknown): Promise<ProblemException> {
    if (e instanceof KubeApiError)
      await this.clusters.recordConnectionFailure(cluster, e).catch(() => undefined);
    return kubeProblem(cluster, e);
  }
}
