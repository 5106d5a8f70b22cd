import { Injectable, type MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
import { ProblemException } from '../../common/problem.exception.js';
import { StatusService } from './status.service.js';

/** How often the database is read while a stream is open. */
export const EVENTS_POLL_MS = 250;

type DeploymentView = Awaited<ReturnType<StatusService['deploymentProgress']>>;

/** A cluster's phase change: the data of an unnamed (`message`) event. */
export interface PhaseEvent {
  cluster: string;
  phase: string;
  attempt: number;
  error: string | null;
}

/** The data of the final `end` event. */
export interface EndEvent {
  deploymentId: string;
  finishedAt: string | null;
  /** Each cluster's final phase. */
  clusters: { cluster: string; phase: string }[];
  /** True when the deployment disappeared (its policy was deleted) before it finished. */
  gone?: boolean;
}

/**
 * The progress of a deployment as Server-Sent Events, from the database (the source of truth,
 * whichever worker runs the jobs): polled every EVENTS_POLL_MS, one event per cluster whose
 * phase changed (the first read emits every cluster's phase), then `end` once finishedAt is set.
 * Polling stops when the stream completes or the client disconnects (Nest unsubscribes).
 */
@Injectable()
export class DeploymentEventsService {
  constructor(private readonly status: StatusService) {}

  /** Resolves only for a known deployment, so an unknown id is a 404 before any header is sent. */
  async stream(id: string, pollMs = EVENTS_POLL_MS): Promise<Observable<MessageEvent>> {
    const first = await this.status.deploymentProgress(id);
    return new Observable<MessageEvent>((subscriber) => {
      const last = new Map<string, string>();
      let seq = 0;
      let timer: NodeJS.Timeout | undefined;
      let stopped = false;
      const end = (data: EndEvent) => {
        subscriber.next({ type: 'end', id: String(++seq), data });
        subscriber.complete();
      };
      /** Emits the changes of one read; true once the deployment has finished. */
      const emit = (d: DeploymentView): boolean => {
        for (const c of d.clusters) {
          const phase = c.phase ?? 'Unknown';
          if (last.get(c.cluster) === phase) continue;
          last.set(c.cluster, phase);
          const data: PhaseEvent = {
            cluster: c.cluster,
            phase,
            attempt: c.attempt ?? 0,
            error: c.error ?? null,
          };
          subscriber.next({ id: String(++seq), data });
        }
        if (!d.finishedAt) return false;
        end({
          deploymentId: d.id,
          finishedAt: new Date(d.finishedAt).toISOString(),
          clusters: d.clusters.map((c) => ({ cluster: c.cluster, phase: c.phase ?? 'Unknown' })),
        });
        return true;
      };
      const tick = async () => {
        if (stopped) return;
        let d: DeploymentView;
        try {
          d = await this.status.deploymentProgress(id);
        } catch (e) {
          if (stopped) return;
          if (e instanceof ProblemException && e.problem.status === 404)
            end({
              deploymentId: id,
              finishedAt: null,
              clusters: [...last].map(([cluster, phase]) => ({ cluster, phase })),
              gone: true,
            });
          else subscriber.error(e);
          return;
        }
        if (stopped) return;
        if (!emit(d)) timer = setTimeout(() => void tick(), pollMs);
      };
      if (!emit(first)) timer = setTimeout(() => void tick(), pollMs);
      return () => {
        stopped = true;
        clearTimeout(timer);
      };
    });
  }
}
