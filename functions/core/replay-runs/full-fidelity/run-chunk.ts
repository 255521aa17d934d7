import pLimit from 'p-limit';
import type { RecordJobOutcome } from '../../ledger/job-outcome.ts';
import { pinReport } from '../pin-report.ts';
import type { ChunkDispatcher, ChunkMessage, ChunkResultStore, ChunkStore, ManifestStore, ReplayStore } from '../ports.ts';
import { preciseTime, sortableTime, type RunRecord } from '../replay-run.ts';
import { recordRunOutcome } from '../run-outcome.ts';
import { seedFrom } from '../seeded-random.ts';
import type { TraceEnvelope } from '../trace.ts';
import { aggregateFullFidelity } from './aggregate.ts';
import type { ChatBroker } from './broker.ts';
import { executeChunk, type ChunkOutcome, type PairOutcome } from './execute-chunk.ts';
import { fullFidelityLimits as L } from './options.ts';
import { chunkRange, nextInLane, pairAt } from './plan.ts';

export interface ChunkDependencies {
  store: ReplayStore;
  chunks: ChunkStore;
  results: ChunkResultStore;
  manifests: ManifestStore;
  chunkDispatcher: ChunkDispatcher;
  broker: ChatBroker;
  recordOutcome: RecordJobOutcome;
  now: () => Date;
  version: string;
  signingKey: () => Promise<Buffer | undefined>;
  /** Monotonic milliseconds, for measuring. */
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/** The chunk is held by a worker whose lease has not run out: SQS should deliver the message again later. */
export class ChunkBusyError extends Error {
  override name = 'ChunkBusyError';
}

export const chunkResultKey = (projectId: string, runId: string, chunk: number) => `results/${projectId}/${runId}/chunk-${String(chunk).padStart(6, '0')}.json`;

/** Sends the first chunk of every lane (again, after a crash before they were marked sent: a chunk runs once whatever its copies). */
export async function startChunks(deps: Pick<ChunkDependencies, 'chunks' | 'chunkDispatcher'>, record: RunRecord): Promise<void> {
  const { run } = record;
  const plan = record.fullFidelity!.plan;
  await deps.chunkDispatcher.send(Array.from({ length: plan.lanes }, (_, chunk) => ({ project_id: run.project_id, run_id: run.id, chunk })));
  await deps.chunks.markHeadsSent(run.project_id, run.id);
}

/**
 * Runs one chunk of a full-fidelity run from its message, at least once
 * safely. The chunk is claimed with a conditional write, so it is executed
 * once: a copy of the message finds it done (and only makes sure the lane's
 * next chunk was sent and the run completed), or held by a live worker (and
 * fails, to come back later), or abandoned by a worker that stopped (its
 * lease ran out) — then its pairs are counted as failures with that reason,
 * never sent again, and the budget it held counts as spent. The chunk's
 * results go to object storage before its counts are added to the run, in
 * one transaction with its done mark; the chunk that completes the set
 * completes the run. While the invocation has time for it, the worker goes
 * on with its lane's next chunks itself (claiming each the same way) and
 * sends a message only for the chunk after the last one it ran.
 */
export async function runChunk(deps: ChunkDependencies, message: ChunkMessage, remainingMs: () => number): Promise<string> {
  const record = await deps.store.getRun(message.project_id, message.run_id);
  if (!record?.fullFidelity) return 'ignored';
  if (record.run.status !== 'running') {
    await recordRunOutcome(deps.recordOutcome, record);
    return 'ignored';
  }
  const now = deps.now();
  const claim = await deps.chunks.claimChunk(message, { now: now.toISOString(), leaseUntil: new Date(now.getTime() + L.chunkLeaseSeconds * 1000).toISOString() });
  switch (claim.state) {
    case 'busy':
      throw new ChunkBusyError(`Chunk ${message.chunk} of ${message.run_id} is held by another worker until ${claim.leaseUntil}`);
    case 'done':
      if (!claim.nextSent) await sendNext(deps, record, message.chunk);
      await finishIfComplete(deps, message.project_id, message.run_id);
      return 'duplicate';
    case 'abandoned':
      await settleAbandoned(deps, record, message, claim.attempt, claim.blockMicros, claim.claimedAt);
      await sendNext(deps, record, message.chunk);
      await finishIfComplete(deps, message.project_id, message.run_id);
      return 'abandoned_chunk_settled';
    case 'claimed':
      break;
  }

  const traces = await deps.manifests.get(record.manifestKey!);
  // The lane's chunks this invocation runs, each claimed before it runs; the message it was given covers them all.
  const carried: ChunkMessage[] = [];
  let current = message;
  let attempt = claim.attempt;
  let run = record;
  for (;;) {
    const started = deps.clock();
    if (!(await runClaimed(deps, run, current, attempt, traces, remainingMs))) return 'ignored';
    carried.push(current);
    const next = nextInLane(run.fullFidelity!.plan, current.chunk);
    // Carry on with the lane's next chunk while time allows for two more like this one: no hop through the queue.
    if (next === undefined || remainingMs() < 2 * (deps.clock() - started) + L.carryOnMarginMs) break;
    const at = deps.now();
    const following = { ...current, chunk: next };
    const claimed = await deps.chunks.claimChunk(following, { now: at.toISOString(), leaseUntil: new Date(at.getTime() + L.chunkLeaseSeconds * 1000).toISOString() });
    if (claimed.state !== 'claimed') break;
    const latest = await deps.store.getRun(message.project_id, message.run_id);
    if (latest?.run.status !== 'running') return 'ignored';
    [current, attempt, run] = [following, claimed.attempt, latest];
  }
  // Hand the lane on, and only then mark the chunks carried here as having done so: a crash before that
  // redelivers the message, which walks the lane from its first chunk again without running any twice.
  await sendNext(deps, record, current.chunk, carried);
  await finishIfComplete(deps, message.project_id, message.run_id);
  return carried.length > 1 ? `chunks_done:${carried.length}` : 'chunk_done';
}

/** Executes a claimed chunk, stores its results, then settles it on the run (false when the run or the claim moved on). */
async function runClaimed(deps: ChunkDependencies, record: RunRecord, message: ChunkMessage, attempt: number, traces: TraceEnvelope[], remainingMs: () => number): Promise<boolean> {
  const ff = record.fullFidelity!;
  const range = chunkRange(ff.plan, message.chunk);
  // Once the budget stopped the run, later chunks send nothing: their pairs are dropped.
  const outcome = record.counts?.budgetStopped
    ? droppedChunk(message.chunk, range, record.run.manifest_size)
    : await executeChunk({
        runId: record.run.id,
        chunk: message.chunk,
        traces,
        repetitions: record.run.repetitions,
        sides: record.resolved,
        seed: seedFrom(record.run.id),
        options: ff.options,
        range,
        inFlight: ff.plan.inFlight[message.chunk % ff.plan.lanes]!,
        costRatio: record.counts?.costRatio ?? 1,
        broker: deps.broker,
        budget: { granted: 0, topUp: (want) => deps.chunks.reserve(message, attempt, want, ff.options.maxSpendMicros) },
        clock: { remainingMs, now: deps.clock, sleep: deps.sleep, random: deps.random },
      });
  await deps.results.put(chunkResultKey(message.project_id, message.run_id, message.chunk), outcome);
  return deps.chunks.completeChunk(message, attempt, settlementOf(outcome), record.run.attempt, preciseTime(deps.now()), deadlineFrom(deps.now()));
}

/**
 * Completes the run once every chunk is done: gathers the chunks' results,
 * computes the metrics, pins the report and stores it with a conditional
 * write (only one caller wins), then records the outcome in the ledger. A run
 * where no pair completed on both sides fails instead, with the reasons.
 */
export async function finishIfComplete(deps: ChunkDependencies, projectId: string, runId: string): Promise<boolean> {
  const record = await deps.store.getRun(projectId, runId);
  if (!record?.fullFidelity || !record.counts) return false;
  if (record.run.status !== 'running') {
    await recordRunOutcome(deps.recordOutcome, record);
    return false;
  }
  const { plan, options, estimateMicros } = record.fullFidelity;
  if (record.counts.chunksDone < plan.chunks) return false;

  const read = pLimit(16);
  const outcomes = await Promise.all(Array.from({ length: plan.chunks }, (_, chunk) => read(() => deps.results.get(chunkResultKey(projectId, runId, chunk)))));
  const metrics = aggregateFullFidelity(outcomes, {
    repetitions: record.run.repetitions,
    options,
    spend: { estimatedMicros: estimateMicros, spentMicros: record.counts.spentMicros, budgetStopped: record.counts.budgetStopped },
  });
  const at = preciseTime(deps.now());
  if (metrics.output_divergence === null) {
    const reasons = Object.entries(metrics.failure_reasons)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([reason, n]) => `${reason} ×${n}`)
      .join(', ');
    const reason = `No pair completed on both sides: ${metrics.failures} failed and ${metrics.dropped} were dropped (${reasons || 'no reason recorded'}).`;
    await deps.store.fail(projectId, runId, reason, at, 'running', record.run.attempt);
  } else {
    const report = await pinReport(record, metrics, deps.version, await deps.signingKey());
    await deps.store.complete(projectId, runId, record.run.attempt, at, report);
  }
  const after = await deps.store.getRun(projectId, runId);
  if (after) await recordRunOutcome(deps.recordOutcome, after);
  return true;
}

/** A running full-fidelity run is failed by the sweeper after this long without a chunk's progress. */
export function deadlineFrom(now: Date): string {
  return sortableTime(new Date(now.getTime() + L.progressWatchdogSeconds * 1000));
}

/** Sends the message of the lane's chunk after `chunk` (if any), then marks `passed` (default: that chunk alone) as having passed the lane on. */
async function sendNext(deps: ChunkDependencies, record: RunRecord, chunk: number, passed?: ChunkMessage[]): Promise<void> {
  const next = nextInLane(record.fullFidelity!.plan, chunk);
  const message = { project_id: record.run.project_id, run_id: record.run.id, chunk };
  if (next !== undefined) await deps.chunkDispatcher.send([{ ...message, chunk: next }]);
  // Marked after the send: a crash between the two sends it again, which the next chunk's claim absorbs.
  for (const done of passed ?? [message]) await deps.chunks.markNextSent(done);
}

function droppedChunk(chunk: number, range: { start: number; end: number }, traces: number): ChunkOutcome {
  const pairs: PairOutcome[] = [];
  for (let pair = range.start; pair < range.end; pair++) {
    pairs.push({ ...pairAt(pair, traces), status: 'dropped', reason: 'budget', baseline: null, candidate: null, exact_match: null, similarity: null });
  }
  return emptyOutcome(chunk, pairs, { dropped: pairs.length, budgetStopped: true });
}

function emptyOutcome(chunk: number, pairs: PairOutcome[], counts: Partial<ChunkOutcome>): ChunkOutcome {
  return {
    chunk,
    pairs,
    ok: 0,
    failures: 0,
    dropped: 0,
    spentMicros: 0,
    blockMicros: 0,
    budgetStopped: false,
    requests: { sent: 0, failed: 0, retried: 0, without_usage: 0 },
    maxInFlight: 0,
    estimatedDoneMicros: 0,
    actualDoneMicros: 0,
    ...counts,
  };
}

/** A chunk whose worker stopped: every pair a failure (not sent again, some may have been spent), its budget spent. */
async function settleAbandoned(deps: ChunkDependencies, record: RunRecord, message: ChunkMessage, attempt: number, blockMicros: number, claimedAt: string) {
  const range = chunkRange(record.fullFidelity!.plan, message.chunk);
  const text = `The worker running chunk ${message.chunk} stopped (claimed at ${claimedAt}); its requests are not sent again since some may already have been spent, and the budget it held counts as spent.`;
  const pairs: PairOutcome[] = [];
  for (let pair = range.start; pair < range.end; pair++) {
    const { trace, repetition } = pairAt(pair, record.run.manifest_size);
    pairs.push({ trace, repetition, status: 'failed', reason: 'worker_stopped', baseline: null, candidate: null, exact_match: null, similarity: null });
  }
  const outcome = emptyOutcome(message.chunk, pairs, { failures: pairs.length, spentMicros: blockMicros, blockMicros, note: text });
  deps.log?.('Chunk abandoned by a stopped worker: counted as failures', { run_id: message.run_id, chunk: message.chunk, pairs: pairs.length });
  await deps.results.put(chunkResultKey(message.project_id, message.run_id, message.chunk), outcome);
  await deps.chunks.completeChunk(message, attempt, settlementOf(outcome), record.run.attempt, preciseTime(deps.now()), deadlineFrom(deps.now()));
}

function settlementOf(outcome: ChunkOutcome) {
  return {
    pairs: outcome.pairs.length,
    failures: outcome.failures,
    dropped: outcome.dropped,
    spentMicros: Math.round(outcome.spentMicros),
    blockMicros: Math.round(outcome.blockMicros),
    budgetStopped: outcome.budgetStopped,
    estimatedMicros: Math.round(outcome.estimatedDoneMicros),
    actualMicros: Math.round(outcome.actualDoneMicros),
  };
}
