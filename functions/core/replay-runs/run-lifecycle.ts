import { InvalidRequestError, NotFoundError } from '../errors.ts';
import type { RecordJobOutcome } from '../ledger/job-outcome.ts';
import { fullFidelityLimits as FF } from './full-fidelity/options.ts';
import { deadlineFrom, startChunks } from './full-fidelity/run-chunk.ts';
import { replayRunLimits as L } from './limits.ts';
import { pinReport } from './pin-report.ts';
import type { ChunkDispatcher, ChunkStore, ManifestStore, NamespaceStore, ReplayStore, RunDispatcher } from './ports.ts';
import { namespacesOf, verifyPurges } from './purge-verification.ts';
import { preciseTime, sortableTime, type RunMessage, type RunRecord } from './replay-run.ts';
import { recordRunOutcome } from './run-outcome.ts';
import { seedFrom } from './seeded-random.ts';
import { syntheticPerformance } from './synthetic-performance.ts';
import { tokenizedPerformance } from './tokenized-performance.ts';
import { toColumns, type TraceEnvelope } from './trace.ts';

export interface LifecycleDependencies {
  store: ReplayStore;
  manifests: ManifestStore;
  dispatcher: RunDispatcher;
  namespaces: NamespaceStore;
  chunks: ChunkStore;
  chunkDispatcher: ChunkDispatcher;
  recordOutcome: RecordJobOutcome;
  now: () => Date;
  version: string;
  signingKey: () => Promise<Buffer | undefined>;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export type ExecuteOutcome = 'completed' | 'failed' | 'interrupted' | 'started' | 'deferred' | 'ignored';

/** The longest SQS delays a message (`DelaySeconds`). */
const MAX_DELAY_SECONDS = 900;

/**
 * Runs a run from its message, at least once safely: only a queued run is
 * claimed (conditional write), a run found `running` on delivery had a
 * worker that died and ends `failed`, a finished or canceled run is left as
 * is (its outcome is recorded in the ledger again, which writes nothing new).
 * A full-fidelity run is not computed here: claiming it sends the first
 * chunk of each lane to the chunk queue, and its chunks complete it.
 */
export async function executeRun(deps: LifecycleDependencies, message: RunMessage): Promise<ExecuteOutcome> {
  const record = await deps.store.getRun(message.project_id, message.run_id);
  if (!record) return 'ignored';
  const startedAt = deps.now();
  if (record.run.status === 'completed' || record.run.status === 'failed') {
    await recordRunOutcome(deps.recordOutcome, record);
    return 'ignored';
  }
  if (record.run.status === 'running') {
    // A copy of the message while its worker may still be at work (SQS delivers at least
    // once; the sweeper re-sends late runs) changes nothing; past the deadline the worker is dead.
    const dead = record.deadlineAt !== null && Date.parse(record.deadlineAt) <= startedAt.getTime();
    if (dead) return (await interrupt(deps, record)) ? 'interrupted' : 'ignored';
    if (record.fullFidelity && !record.counts?.headsSent) {
      // The worker that claimed it stopped before its chunks were all sent.
      await startChunks(deps, record);
      return 'started';
    }
    return 'ignored';
  }
  if (record.run.status !== 'queued') return 'ignored';
  const dueAt = Date.parse(record.dueAt);
  if (dueAt > startedAt.getTime()) {
    // Early (a schedule fires at its whole second or later, but a clock or a copy of the message
    // may be early): a run never starts before its time, so the message comes back when it is due.
    const delaySeconds = Math.min(MAX_DELAY_SECONDS, Math.ceil((dueAt - startedAt.getTime()) / 1000));
    await deps.dispatcher.enqueue(message, { delaySeconds });
    return 'deferred';
  }

  const deadlineAt = record.fullFidelity ? deadlineFrom(startedAt) : sortableTime(new Date(startedAt.getTime() + L.runDeadlineSeconds * 1000));
  const claimed = await deps.store.claim(message.project_id, message.run_id, { startedAt: preciseTime(startedAt), deadlineAt });
  if (!claimed) return 'ignored';
  if (claimed.fullFidelity) {
    await startChunks(deps, claimed);
    return 'started';
  }

  const { run } = claimed;
  try {
    const traces = await deps.manifests.get(claimed.manifestKey!);
    const metrics = await metricsOf(deps, claimed, traces);
    const report = await pinReport(claimed, metrics, deps.version, await deps.signingKey());
    const done = await deps.store.complete(run.project_id, run.id, run.attempt, preciseTime(deps.now()), report);
    await settleOutcome(deps, run.project_id, run.id);
    return done ? 'completed' : 'ignored';
  } catch (error) {
    deps.log?.('Replay run failed', { run_id: run.id, error: (error as Error).message });
    const reason = `The runner could not complete the run: ${(error as Error).message}`;
    await deps.store.fail(run.project_id, run.id, reason, preciseTime(deps.now()), 'running', run.attempt);
    await settleOutcome(deps, run.project_id, run.id);
    return 'failed';
  }
}

/** The metrics of a class computed in one invocation. */
async function metricsOf(deps: LifecycleDependencies, record: RunRecord, traces: TraceEnvelope[]): Promise<Record<string, unknown>> {
  const { run, resolved } = record;
  const input = { columns: toColumns(traces), repetitions: run.repetitions, baseline: resolved.baseline, candidate: resolved.candidate, seed: seedFrom(run.id) };
  switch (run.replay_class) {
    case 'tokenized_performance':
      return tokenizedPerformance(input);
    case 'synthetic_performance':
      return syntheticPerformance(input);
    case 'purge_verification':
      return verifyPurges(traces, await deps.namespaces.get(run.project_id, namespacesOf(traces)));
    default:
      throw new Error(`${run.replay_class} is not computed by the run worker`);
  }
}

/** Cancels a queued run (and its schedule); any other state is a 400. */
export async function cancelRun(deps: LifecycleDependencies, projectId: string, runId: string): Promise<RunRecord> {
  const canceled = await deps.store.cancel(projectId, runId, preciseTime(deps.now()));
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
  const { running, queued } = await deps.store.overdue(sortableTime(now), sortableTime(new Date(now.getTime() - L.missedScheduleGraceSeconds * 1000)));
  let touched = 0;
  for (const ref of running) {
    const current = await deps.store.getRun(ref.project_id, ref.run_id);
    const reason = current?.fullFidelity ? STALLED : `The runner did not finish within ${L.runDeadlineSeconds} s (its worker stopped); resubmit the run to retry.`;
    if (await deps.store.fail(ref.project_id, ref.run_id, reason, preciseTime(now), 'running')) {
      touched++;
      await settleOutcome(deps, ref.project_id, ref.run_id);
    }
  }
  const nextLook = sortableTime(new Date(now.getTime() + L.missedScheduleGraceSeconds * 1000));
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

const STALLED = `The run made no progress for ${FF.progressWatchdogSeconds / 60} minutes (its chunks stopped coming back); resubmit the run to retry.`;

async function interrupt(deps: LifecycleDependencies, record: RunRecord): Promise<boolean> {
  const reason = record.fullFidelity ? STALLED : `The runner was interrupted during attempt ${record.run.attempt} (its worker stopped); resubmit the run to retry.`;
  const failed = await deps.store.fail(record.run.project_id, record.run.id, reason, preciseTime(deps.now()), 'running', record.run.attempt);
  if (failed) await settleOutcome(deps, record.run.project_id, record.run.id);
  return failed;
}

/** Records the run's outcome as stored (after its final write), so the ledger shows exactly that. */
async function settleOutcome(deps: LifecycleDependencies, projectId: string, runId: string): Promise<void> {
  const record = await deps.store.getRun(projectId, runId);
  if (record) await recordRunOutcome(deps.recordOutcome, record);
}
