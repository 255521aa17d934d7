import { InvalidRequestError } from '../errors.ts';
import { replayRunLimits as L } from './limits.ts';
import type { ReplayStore, ManifestStore, RunDispatcher, UsageEvent } from './ports.ts';
import { priceCatalogue } from './price-catalogue.ts';
import { AVAILABLE_CLASSES, apiTime, type ReplayClass, type RunRecord } from './replay-run.ts';
import { requirePrices, resolveSide } from './routing.ts';
import { pinReport } from './pin-report.ts';
import { simulateRouting } from './routing-simulation.ts';
import { manifestSummary, type TraceEnvelope } from './trace.ts';

export interface CreateRunInput {
  baseline: string;
  candidate: string;
  replay_class: ReplayClass;
  traffic_manifest_ref?: string | undefined;
  traces?: TraceEnvelope[] | undefined;
  repetitions?: number | undefined;
  concurrency?: number | undefined;
  scheduled_for?: string | undefined;
}

export interface CreateRunDependencies {
  store: ReplayStore;
  manifests: ManifestStore;
  dispatcher: RunDispatcher;
  now: () => Date;
  newRunId: () => string;
  version: string;
  signingKey: () => Promise<Buffer | undefined>;
}

const USAGE_REF = /^usage:(\d+)$/;

/**
 * Creates a run. `routing_simulation` completes inline; other classes store
 * their manifest, then the run, then dispatch it (now or at `scheduled_for`).
 * If dispatching fails the run and its manifest are removed again, so a
 * failed create leaves nothing behind.
 */
export async function createRun(deps: CreateRunDependencies, projectId: string, input: CreateRunInput): Promise<RunRecord> {
  const baseline = input.baseline.trim();
  const candidate = input.candidate.trim();
  if (!baseline) throw new InvalidRequestError('baseline must not be empty', 'baseline');
  if (!candidate) throw new InvalidRequestError('candidate must not be empty', 'candidate');
  if (!AVAILABLE_CLASSES.includes(input.replay_class)) {
    throw new InvalidRequestError(
      `replay_class ${input.replay_class} is not available yet; this release runs ${AVAILABLE_CLASSES.join(' and ')}`,
      'replay_class',
    );
  }
  const now = deps.now();
  const scheduledFor = input.scheduled_for === undefined ? null : parseSchedule(input.scheduled_for, now);

  const aliases = new Map((await deps.store.listAliases(projectId)).map((a) => [a.name, a]));
  const resolved = {
    baseline: resolveSide('baseline', baseline, aliases, priceCatalogue),
    candidate: resolveSide('candidate', candidate, aliases, priceCatalogue),
  };
  const repetitions = Math.min(L.maxRepetitions, Math.max(L.minRepetitions, input.repetitions ?? 1));
  const id = deps.newRunId();
  const record: RunRecord = {
    run: {
      id,
      object: 'replay_run',
      project_id: projectId,
      created_at: apiTime(now),
      status: 'queued',
      baseline,
      candidate,
      replay_class: input.replay_class,
      traffic_manifest_ref: null,
      repetitions,
      concurrency: input.concurrency ?? 1,
      scheduled_for: scheduledFor ? apiTime(scheduledFor) : null,
      started_at: null,
      completed_at: null,
      failure_reason: null,
      attempt: 0,
      manifest_size: 0,
      metrics: null,
    },
    manifestKey: null,
    manifestSummary: null,
    resolved,
    dueAt: apiTime(scheduledFor && scheduledFor > now ? scheduledFor : now),
    deadlineAt: null,
    report: null,
  };

  if (input.replay_class === 'routing_simulation') {
    if (input.traces !== undefined || input.traffic_manifest_ref !== undefined) {
      throw new InvalidRequestError('routing_simulation replays no traffic: omit traces and traffic_manifest_ref', input.traces ? 'traces' : 'traffic_manifest_ref');
    }
    if (scheduledFor && scheduledFor > now) {
      throw new InvalidRequestError('routing_simulation runs at create time and cannot be scheduled: omit scheduled_for', 'scheduled_for');
    }
    const metrics = simulateRouting(resolved.baseline, resolved.candidate);
    record.run = { ...record.run, status: 'completed', attempt: 1, started_at: apiTime(now), completed_at: apiTime(now), metrics };
    record.manifestSummary = { ref: null, traces: 0 };
    record.report = await pinReport(record, metrics, deps.version, await deps.signingKey());
    await deps.store.createRun(record);
    return record;
  }

  requirePrices('baseline', resolved.baseline);
  requirePrices('candidate', resolved.candidate);
  const { traces, ref } = await manifestFor(deps.store, projectId, input);
  record.run.traffic_manifest_ref = ref;
  record.run.manifest_size = traces.length;
  record.manifestKey = `manifests/${projectId}/${id}.json`;
  record.manifestSummary = manifestSummary(ref ?? 'inline', traces);

  await deps.manifests.put(record.manifestKey, traces);
  const message = { project_id: projectId, run_id: id };
  let created = false;
  try {
    await deps.store.createRun(record);
    created = true;
    if (scheduledFor && scheduledFor > now) await deps.dispatcher.scheduleAt(message, scheduledFor);
    else await deps.dispatcher.enqueue(message);
  } catch (error) {
    // Undo both, whatever fails: the caller's error is the one that stopped the create.
    await Promise.allSettled([...(created ? [deps.store.deleteRun(projectId, id)] : []), deps.manifests.delete(record.manifestKey)]);
    throw error;
  }
  return record;
}

async function manifestFor(store: ReplayStore, projectId: string, input: CreateRunInput): Promise<{ traces: TraceEnvelope[]; ref: string | null }> {
  if (input.traces !== undefined && input.traffic_manifest_ref !== undefined) {
    throw new InvalidRequestError('Pass either traces or traffic_manifest_ref, not both', 'traffic_manifest_ref');
  }
  if (input.traces !== undefined) {
    if (input.traces.length === 0) throw new InvalidRequestError(`${input.replay_class} needs at least one trace`, 'traces');
    if (input.traces.length > L.maxTraces) throw new InvalidRequestError(`A manifest holds at most ${L.maxTraces} traces`, 'traces');
    return { traces: input.traces, ref: null };
  }
  if (input.traffic_manifest_ref === undefined) {
    throw new InvalidRequestError(`${input.replay_class} needs a traffic manifest: pass traces or traffic_manifest_ref "usage:N"`, 'traffic_manifest_ref');
  }
  const match = USAGE_REF.exec(input.traffic_manifest_ref);
  const count = match ? Number(match[1]) : Number.NaN;
  if (!match || count < 1) {
    throw new InvalidRequestError(`Unsupported traffic_manifest_ref "${input.traffic_manifest_ref}": use "usage:N" with N from 1 to ${L.maxTraces}`, 'traffic_manifest_ref');
  }
  if (count > L.maxTraces) throw new InvalidRequestError(`A manifest holds at most ${L.maxTraces} traces`, 'traffic_manifest_ref');
  const events = await store.latestUsage(projectId, count);
  if (events.length === 0) {
    throw new InvalidRequestError('This project has no usage events yet: record some with POST /v2/usage-events', 'traffic_manifest_ref');
  }
  return { traces: events.reverse().map(traceOfUsage), ref: input.traffic_manifest_ref };
}

function traceOfUsage(event: UsageEvent): TraceEnvelope {
  return {
    input_tokens: event.input_tokens,
    output_tokens: event.output_tokens,
    realized_reused_tokens: event.reused_tokens,
    ...(event.ttft_ms === null ? {} : { ttft_ms: event.ttft_ms }),
    ...(event.latency_ms === null ? {} : { latency_ms: event.latency_ms }),
    ...(event.namespace_generation === null ? {} : { namespace_generation: event.namespace_generation }),
  };
}

function parseSchedule(value: string, now: Date): Date {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new InvalidRequestError('scheduled_for must be an RFC 3339 time', 'scheduled_for');
  if (at.getTime() - now.getTime() > L.maxScheduleAheadDays * 86_400_000) {
    throw new InvalidRequestError(`scheduled_for may be at most ${L.maxScheduleAheadDays} days ahead`, 'scheduled_for');
  }
  return at;
}
