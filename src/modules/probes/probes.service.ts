import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { roleAtLeast, type Role } from '../../common/auth/roles.js';
import { httpProblem } from '../../common/http-problems.js';
import { ProblemException, type ProblemItem } from '../../common/problem.exception.js';
import {
  buildProbePods,
  DEFAULT_PROBE_IMAGE,
  expectedProbeMatrix,
  probeMeasuredPorts,
  probeSelector,
  PROBE_FOR_LABEL,
} from '../../core/probes/probe-pods.js';
import type { NormalisedDocument } from '../../core/document/policy-document.types.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../core/kube/network-policy.types.js';
import {
  planProbeClients,
  probeReport,
  PROBE_PLAN_ANNOTATION,
  PROBE_ROLE_LABEL,
  PROBE_RUN_LABEL,
  type ProbeClientState,
  type ProbePlan,
  type ProbeServer,
} from '../../core/probes/probe-run.js';
import { scopeForCluster } from '../../core/reconcile/cluster-objects.js';
import { KubeApiError, type KubeClient, type Pod } from '../../infra/kube/index.js';
import { ClusterConnector } from '../clusters/cluster-connector.service.js';
import { clusterNetworks } from '../clusters/cluster-networks.js';

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

function view(pod: Pod): ProbeServer {
  const why = notRunningReason(pod);
  return {
    name: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace ?? '',
    labels: pod.metadata?.labels ?? {},
    phase: pod.status?.phase ?? null,
    ip: pod.status?.podIP ?? null,
    nodeName: pod.spec?.nodeName ?? null,
    ...(why ? { reason: why } : {}),
  };
}

/** Why a pod is not (or no longer) running, from its status: what an operator acts on. */
function notRunningReason(pod: Pod): string | undefined {
  const status = pod.status;
  if (!status) return undefined;
  const container = status.containerStatuses?.[0];
  const waiting = container?.state?.waiting;
  if (waiting?.reason) return `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`;
  const done = container?.state?.terminated;
  if (status.phase === 'Failed')
    return (
      status.reason ?? (done ? `${done.reason ?? 'terminated'} (exit ${done.exitCode})` : undefined)
    );
  const unscheduled = status.conditions?.find(
    (c) => c.type === 'PodScheduled' && c.status === 'False',
  );
  if (unscheduled)
    return `${unscheduled.reason ?? 'not scheduled'}: ${unscheduled.message ?? ''}`.trim();
  return undefined;
}

function isClient(pod: Pod): boolean {
  return pod.metadata?.labels?.[PROBE_ROLE_LABEL] === 'client';
}

function planOf(pod: Pod): ProbePlan | null {
  const text = pod.metadata?.annotations?.[PROBE_PLAN_ANNOTATION];
  if (!text) return null;
  try {
    return JSON.parse(text) as ProbePlan;
  } catch {
    return null;
  }
}

/** The newest run among the measuring pods (by creation), or undefined. */
function latestRun(clients: Pod[]): string | undefined {
  const sorted = [...clients].sort((a, b) =>
    String(a.metadata?.creationTimestamp ?? '') < String(b.metadata?.creationTimestamp ?? '')
      ? 1
      : -1,
  );
  return sorted[0]?.metadata?.labels?.[PROBE_RUN_LABEL];
}

/** Ports of the document a probe run cannot measure (SCTP, named ports), as report lines. */
function unmeasurablePorts(doc: NormalisedDocument): string[] {
  const out = new Set<string>();
  for (const p of [
    ...doc.contracts.flatMap((c) => c.ports),
    ...doc.expose.flatMap((e) => e.ports),
  ]) {
    if (p.protocol === 'SCTP')
      out.add(
        `SCTP ${p.port ?? '(every port)'} is not measured: the probe pods have no SCTP client`,
      );
    else if (typeof p.port === 'string')
      out.add(
        `the named port ${p.protocol} ${p.port} is not measured: a probe pod declares no such name`,
      );
  }
  return [...out].sort();
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
      ports: probeMeasuredPorts(document),
      pods,
    };
  }

  /**
   * The target pods, the connectivity the latest revision should give them, and the report of
   * the latest probe run: per cell expected (the evaluator over the objects as this cluster
   * gets them, with the pods' addresses) against measured.
   */
  async list(name: string, cluster: string) {
    const { policy, revision, document } = await this.latest.latest(name);
    const { client, cluster: registered } = await this.clusters.connect(cluster);
    const pods = await this.find(client, cluster, policy.name, document.namespaces);
    const servers = pods.filter((p) => !isClient(p)).map(view);
    const objects = scopeForCluster(revision.objects, clusterNetworks(registered.networks)).objects;
    const clients = pods.filter(isClient);
    const run = latestRun(clients);
    return {
      policy: policy.name,
      cluster,
      revision: revision.number,
      pods: servers,
      expected: expectedProbeMatrix(objects, servers),
      run: run
        ? probeReport({
            run,
            objects,
            servers,
            clients: this.clientStates(
              clients.filter((c) => c.metadata?.labels?.[PROBE_RUN_LABEL] === run),
            ),
            now: Date.now(),
            unmeasurable: unmeasurablePorts(document),
          })
        : null,
    };
  }

  /**
   * Starts a probe run: every running target pod gets a measuring twin (same labels, same
   * namespace) that measures every other target on every probe port, and one pod on the
   * node's network measures them all from the node's address. The pods report through their
   * log; GET shows the report. The previous run's pods are deleted first. 409 when the target
   * pods are missing or not all running, naming each one and why.
   */
  async run(name: string, cluster: string) {
    const { policy, document } = await this.latest.latest(name);
    const client = await this.connect(cluster);
    const pods = await this.find(client, cluster, policy.name, document.namespaces);
    const servers = pods.filter((p) => !isClient(p));
    const notReady = servers.map(view).filter((s) => s.phase !== 'Running' || !s.ip);
    if (servers.length === 0 || notReady.length > 0)
      throw httpProblem(
        'PROBES_NOT_READY',
        { policy: policy.name, cluster },
        {
          errors:
            servers.length === 0
              ? [
                  {
                    path: '/pods',
                    code: 'NO_PROBE_PODS',
                    message: 'no test pods: create them first (POST …/probes)',
                  },
                ]
              : notReady.map((s) => ({
                  path: `/pods/${s.namespace}/${s.name}`,
                  code: 'POD_NOT_RUNNING',
                  message: `${s.phase ?? 'not scheduled'}${s.reason ? `: ${s.reason}` : ''}`,
                })),
        },
      );
    for (const old of pods.filter(isClient)) await this.deleteQuietly(client, cluster, old);
    const image = servers[0].spec?.containers?.[0]?.image ?? DEFAULT_PROBE_IMAGE;
    const run = randomBytes(4).toString('hex');
    const manifests = planProbeClients({
      policy: policy.name,
      run,
      image,
      servers: servers.map(view),
      ports: probeMeasuredPorts(document),
      nodeSource: { namespace: document.namespaces[0] },
    });
    const refused: ProblemItem[] = [];
    for (const m of manifests) {
      try {
        await client.createPod(m as unknown as Pod);
      } catch (e) {
        if (e instanceof KubeApiError && !e.retryable && e.kind !== 'unauthorized')
          // e.g. a hostNetwork pod refused by Pod Security admission: its view is not measured.
          refused.push({
            path: `/pods/${m.metadata.namespace}/${m.metadata.name}`,
            code: 'POD_NOT_CREATED',
            message: e.message,
          });
        else throw await this.failure(cluster, e);
      }
    }
    await this.clusters.recordConnectionSuccess(cluster);
    return {
      policy: policy.name,
      cluster,
      run,
      measuringPods: manifests.length - refused.length,
      targets: manifests.reduce(
        (n, m) =>
          n +
          (JSON.parse(m.metadata.annotations[PROBE_PLAN_ANNOTATION]) as ProbePlan).targets.length,
        0,
      ),
      refused,
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

  /** The measuring pods with their plans and reports (their termination messages, in their status). */
  private clientStates(pods: Pod[]): ProbeClientState[] {
    return pods.map((pod) => ({
      ...view(pod),
      createdAt: pod.metadata?.creationTimestamp
        ? new Date(pod.metadata.creationTimestamp).toISOString()
        : null,
      plan: planOf(pod),
      report: pod.status?.containerStatuses?.[0]?.state?.terminated?.message ?? null,
    }));
  }

  private async deleteQuietly(client: KubeClient, cluster: string, pod: Pod): Promise<void> {
    try {
      await client.deletePod(pod.metadata!.namespace!, pod.metadata!.name!, {
        gracePeriodSeconds: 0,
      });
    } catch (e) {
      throw await this.failure(cluster, e);
    }
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
