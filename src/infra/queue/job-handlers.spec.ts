import { JobHandlers } from './job-handlers.js';
import {
  JOB_APPLY_TARGET,
  JOB_DELIVER_WEBHOOK,
  JOB_DRIFT_CHECK,
  JOB_NAMES,
} from './queue.constants.js';

describe('JobHandlers', () => {
  it('lists the job names without a handler, and refuses a second handler for one name', () => {
    const handlers = new JobHandlers();
    expect(handlers.missing()).toEqual([...JOB_NAMES]);
    handlers.register(JOB_DRIFT_CHECK, { run: async () => undefined });
    expect(handlers.missing()).toEqual([JOB_APPLY_TARGET, JOB_DELIVER_WEBHOOK]);
    expect(() => handlers.register(JOB_DRIFT_CHECK, { run: async () => undefined })).toThrow(
      /already has a handler/,
    );
    handlers.register(JOB_APPLY_TARGET, { run: async () => undefined });
    handlers.register(JOB_DELIVER_WEBHOOK, { run: async () => undefined });
    expect(handlers.missing()).toEqual([]);
  });
});
