import type { RolloutAction } from '../../core/reconcile/plan-rollout.js';
import type { ScheduledAction } from '../../core/reconcile/schedule-rollout.js';
import type { ResourceOutcome } from '../../core/reconcile/settle-target.js';

/** Outcomes that mean the object is now as the revision wants it. */
const APPLIED = new Set(['created', 'updated', 'deleted', 'unchanged']);

export interface RunScheduleOptions {
  /** Sends one action (through the cluster's WritePacer) and says what became of it. */
  send: (action: RolloutAction, signal: AbortSignal) => Promise<ResourceOutcome>;
  /** The outcome of an action not sent because an action it waits for was not applied. */
  heldBack: (action: RolloutAction, blocker: RolloutAction) => ResourceOutcome;
  signal?: AbortSignal;
}

/**
 * Runs a scheduled rollout (core scheduleRollout): every action is sent as soon as the actions
 * it waits for are applied, so a slow object holds back only the objects that depend on it;
 * the cluster's WritePacer decides how many are in flight. An action whose prerequisite was not
 * applied (refused, conflict, held back) is not sent: it would narrow traffic that nothing has
 * allowed yet. The first error `send` throws (the cluster went away) stops the run: nothing new
 * is sent, writes still waiting for a slot are cancelled, and the error is rethrown once every
 * started write has settled. Outcomes come back in the schedule's order.
 */
export async function runSchedule(
  schedule: readonly ScheduledAction[],
  opts: RunScheduleOptions,
): Promise<ResourceOutcome[]> {
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  const outcomes: ResourceOutcome[] = Array.from({ length: schedule.length });
  let failure: { error: unknown } | undefined;
  const settled: { promise: Promise<boolean>; resolve: (applied: boolean) => void }[] =
    schedule.map(() => {
      let resolve!: (applied: boolean) => void;
      const promise = new Promise<boolean>((r) => (resolve = r));
      return { promise, resolve };
    });
  const runOne = async (i: number): Promise<boolean> => {
    const { action, waitsFor } = schedule[i];
    const before = await Promise.all(waitsFor.map((j) => settled[j].promise));
    if (failure) return false;
    const blocker = waitsFor.find((_, k) => !before[k]);
    if (blocker !== undefined) {
      outcomes[i] = opts.heldBack(action, schedule[blocker].action);
      return false;
    }
    try {
      outcomes[i] = await opts.send(action, signal);
      return APPLIED.has(outcomes[i].action);
    } catch (error) {
      if (!failure) {
        failure = { error };
        stop.abort(error);
      }
      return false;
    }
  };
  await Promise.all(
    schedule.map((_, i) => runOne(i).then((applied) => settled[i].resolve(applied))),
  );
  if (failure) throw failure.error;
  return outcomes;
}
