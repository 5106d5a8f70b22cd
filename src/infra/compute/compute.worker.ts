import { parentPort } from 'node:worker_threads';
import { COMPUTE_TASKS, type ComputeTaskName } from './compute-tasks.js';

/** A request from the pool: run `task` on `input`, answer with the same `id`. */
interface TaskMessage {
  id: number;
  task: ComputeTaskName;
  input: unknown;
}

// One task at a time per thread; the pool sends the next one after the answer.
parentPort?.on('message', (message: TaskMessage) => {
  try {
    const run = COMPUTE_TASKS[message.task] as (input: unknown) => unknown;
    parentPort!.postMessage({ id: message.id, ok: true, value: run(message.input) });
  } catch (error) {
    // Core never throws on user input; this is a bug, reported by name only.
    parentPort!.postMessage({
      id: message.id,
      ok: false,
      error: error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error',
    });
  }
});
