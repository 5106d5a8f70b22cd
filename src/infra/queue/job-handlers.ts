import { Injectable } from '@nestjs/common';
import { JOB_NAMES, type JobName, type JobPayloads } from './queue.constants.js';

/** What a handler learns about the job it runs. */
export interface JobContext {
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborted when the worker closes or loses the job. */
  signal?: AbortSignal;
}

/** What a handler learns about a failed attempt. */
export interface JobFailure {
  attempt: number;
  /** True when no attempt is left. */
  final: boolean;
  /** When the next attempt is due (absent after the last one). */
  nextRetryAt?: Date;
}

export interface JobHandler<N extends JobName> {
  run(data: JobPayloads[N], ctx: JobContext): Promise<void>;
  /** Called after a failed attempt (e.g. to record Retrying or Failed). */
  failed?(data: JobPayloads[N], error: Error, failure: JobFailure): Promise<void>;
}

/**
 * Job names map to their handlers here. The module that owns a job registers its handler
 * (in onModuleInit); the worker dispatches by name and refuses to start while a job name has
 * no handler, so a job can never sit in the queue with nobody to run it.
 */
@Injectable()
export class JobHandlers {
  readonly #handlers = new Map<JobName, JobHandler<JobName>>();

  register<N extends JobName>(name: N, handler: JobHandler<N>): void {
    if (this.#handlers.has(name)) throw new Error(`job ${name} already has a handler`);
    this.#handlers.set(name, handler as unknown as JobHandler<JobName>);
  }

  get<N extends JobName>(name: N): JobHandler<N> | undefined {
    return this.#handlers.get(name) as JobHandler<N> | undefined;
  }

  /** The job names that have no handler. */
  missing(): JobName[] {
    return JOB_NAMES.filter((n) => !this.#handlers.has(n));
  }
}
