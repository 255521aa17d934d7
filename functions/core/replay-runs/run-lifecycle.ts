import { InvalidRequestError, NotFoundError } from '../errors.ts';
import { replayRunLimits as L } from './limits.ts';
import { pinReport } from './pin-report.ts';
import type { ManifestStore, ReplayStore, RunDispatcher } from './ports.ts';
import { apiTime, type RunMessage, type RunRecord } from './replay-run.ts';
import { seedFrom } from './seeded-random.ts';
import { tokenizedPerformance } from './tokenized-performance.ts';
import { toColumns } from './trace.ts';

export interface LifecycleDependencies {
  store: ReplayStore;
  manifests: ManifestStore;
  dispatcher: RunDispatcher;
  now: () => Date;
  version: string;
  signingKey: () => Promise<Buffer | undefined>;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export type ExecuteOutcome = 'completed' | 'failed' | 'interrupted' | 'ignored';

/**
 * Runs a run from its message, at least once safely: only a queued run is
 * claimed (conditional write), a run found `running` on delivery had a
 * worker that died and ends `failed`, a finished or canceled run is left as is.
 */
export async function executeRun(deps: LifecycleDependencies, message: RunMessage): Promise<ExecuteOutcome> {
  const record = await deps.store.getRun(message.project_id, message.run_id);
  if (!record) return 'ignored';
  const startedAt = deps.now();
  if (record.run.status === 'running') {
    // A copy of the message while its worker may still be at work (SQS delivers at least
    // once; the sweeper re-sends late runs) changes nothing; past the deadline the worker is dead.
    const dead = record.deadlineAt !== null && Date.parse(record.deadlineAt) <= startedAt.getTime();
    return dead && (await interrupt(deps, record)) ? 'interrupted' : 'ignored';
  }
  if (record.run.status !== 'queued') return 'ignored';

  const claimed = await deps.store.claim(message.project_id, message.run_id, {
    startedAt: apiTime(startedAt),
    deadlineAt: apiTime(new Date(startedAt.getTime() + L.runDeadlineSeconds * 1000)),
  });
  if (!claimed) return 'ignored';

  const { run } = claimed;
  try {
    const traces = await deps.manifests.get(claimed.manifestKey!);
    const metrics = tokenizedPerformance({
      columns: toColumns(traces),
      repetitions: run.repetitions,
      baseline: claimed.resolved.baseline,
      candidate: claimed.resolved.candidate,
      seed: seedFrom(run.id),
    });
    const report = await pinReport(claimed, metrics, deps.version, await deps.signingKey());
    const done = await deps.store.complete(run.project_id, run.id, run.attempt, apiTime(deps.now()), report);
    return done ? 'completed' : 'ignored';
  } catch (error) {
    deps.log?.('Replay run failed', { run_id: run.id, error: (error as Error).message });
    const reason = `The runner could not complete the run: ${(error as Error).message}`;
    await deps.store.fail(run.project_id, run.id, reason, apiTime(deps.now()), 'running', run.attempt);
    return 'failed';
  }
}

/** Cancels a queued run (and its schedule); any other state is a 400. */
export async function cancelRun(deps: LifecycleDependencies, projectId: string, runId: string): Promise<RunRecord> {
  const canceled = await deps.store.cancel(projectId, runId, apiTime(deps.now()));
  if (!canceled) {
    const current = await deps.store.getRun(projectId, runId);
    if (!current) throw notFound(runId);
    throw new InvalidRequestError(`Only a queued run can be canceled; ${runId} is ${current.run.status}`, 'replay_run_id');
  }
  if (canceled.run.scheduled_for) await deps.dispatcher.unschedule({ project_id: projectId, run_id: runId });
  return canceled;
}

/**
 * Repairs what a dead worker or a lost message left behind: running runs
 * past their deadline end `failed`; queued runs well past their due time are
 * sent to the queue again (claiming is conditional, so a duplicate is harmless).
 */
export async function sweepRuns(deps: LifecycleDependencies): Promise<number> {
  const now = deps.now();
  const { running, queued } = await deps.store.overdue(apiTime(now), apiTime(new Date(now.getTime() - L.missedScheduleGraceSeconds * 1000)));
  let touched = 0;
  for (const ref of running) {
    const reason = `The runner did not finish within ${L.runDeadlineSeconds} s (its worker stopped); resubmit the run to retry.`;
    if (await deps.store.fail(ref.project_id, ref.run_id, reason, apiTime(now), 'running')) touched++;
  }
  const nextLook = apiTime(new Date(now.getTime() + L.missedScheduleGraceSeconds * 1000));
  for (const ref of queued) {
    await deps.dispatcher.enqueue(ref);
    await deps.store.postponeSweep(ref.project_id, ref.run_id, nextLook);
    touched++;
  }
  return touched;
}

export function notFound(runId: string): NotFoundError {
  return new NotFoundError(`No such replay run: ${runId}`, 'resource_missing');
}

async function interrupt(deps: LifecycleDependencies, record: RunRecord): Promise<boolean> {
  const reason = `The runner was interrupted during attempt ${record.run.attempt} (its worker stopped); resubmit the run to retry.`;
  return deps.store.fail(record.run.project_id, record.run.id, reason, apiTime(deps.now()), 'running', record.run.attempt);
}
