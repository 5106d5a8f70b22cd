import { Injectable, type OnModuleInit } from '@nestjs/common';
import { JobHandlers } from '../../infra/queue/job-handlers.js';
import { JOB_DRIFT_CHECK } from '../../infra/queue/queue.constants.js';
import { DriftService } from './drift.service.js';

/** Registers the handler of the repeatable `drift-check` job: one pass over every policy. */
@Injectable()
export class DriftJobHandler implements OnModuleInit {
  constructor(
    private readonly handlers: JobHandlers,
    private readonly drift: DriftService,
  ) {}

  onModuleInit(): void {
    this.handlers.register(JOB_DRIFT_CHECK, {
      run: async (_data, ctx) => {
        await this.drift.checkAll(ctx.signal);
      },
    });
  }
}
