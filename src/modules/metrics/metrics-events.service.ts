import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DomainEvents, type DomainEventMap } from '../../infra/events/domain-events.js';
import { DeploymentsRepository } from '../deployments/deployments.repository.js';
import { APPLY_RESULTS, AppMetrics } from './app-metrics.js';

const FINAL_PHASES = new Set(['Succeeded', 'Failed', 'Superseded']);

/** Counts what the domain events of this process say: rollouts ending, objects written, drift. */
@Injectable()
export class MetricsEvents implements OnModuleInit, OnModuleDestroy {
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly events: DomainEvents,
    private readonly metrics: AppMetrics,
    private readonly deployments: DeploymentsRepository,
  ) {}

  onModuleInit(): void {
    this.unsubscribe.push(
      this.events.on('deployment.phase_changed', (e) => this.phaseChanged(e)),
      this.events.on('drift.detected', (e) =>
        this.metrics.driftDetections.inc({ policy: e.policy, cluster: e.cluster }),
      ),
    );
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private async phaseChanged(e: DomainEventMap['deployment.phase_changed']): Promise<void> {
    if (!FINAL_PHASES.has(e.phase)) return;
    for (const result of APPLY_RESULTS) {
      const n = e.counts?.[result] ?? 0;
      if (n > 0) this.metrics.applyRequests.inc({ result }, n);
    }
    const deployment = await this.deployments.findDeployment(e.deploymentId);
    if (deployment)
      this.metrics.rolloutDuration.observe(
        { result: e.phase },
        Math.max(0, (Date.now() - deployment.createdAt.getTime()) / 1000),
      );
  }
}
