import { ConflictError, InvalidRequestError } from '../errors.ts';
import { idempotencyClaim, type IdempotencyClaim } from '../idempotency.ts';
import { replayRunLimits as L } from './limits.ts';
import type { ReplayStore, ManifestStore, RunDispatcher, StoredClaim, UsageEvent } from './ports.ts';
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
 *
 * With an idempotency key, the run and the key are stored together: a retry
 * of the same request gets the first run back (`replayed`), without a second
 * run, manifest or schedule; the key with another request is a 409.
 */
export async function createRun(
  deps: CreateRunDependencies,
  projectId: string,
  input: CreateRunInput,
  idempotencyKey?: string,
): Promise<{ record: RunRecord; replayed: boolean }> {
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
  const claim = idempotencyKey === undefined ? undefined : idempotencyClaim(idempotencyKey, input, now, L.idempotencyWindowHours);
  if (claim) {
    const earlier = await deps.store.findClaim(projectId, claim);
    if (earlier) return { record: await runOfClaim(deps.store, projectId, claim, earlier), replayed: true };
  }
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
    const outcome = await deps.store.createRun(record, claim);
    if ('existing' in outcome) return { record: await runOfClaim(deps.store, projectId, claim!, outcome.existing), replayed: true };
    return { record, replayed: false };
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
    const outcome = await deps.store.createRun(record, claim);
    if ('existing' in outcome) {
      // A concurrent retry stored its run first: this one's manifest is not needed.
      await deps.manifests.delete(record.manifestKey).catch(() => undefined);
      return { record: await runOfClaim(deps.store, projectId, claim!, outcome.existing), replayed: true };
    }
    created = true;
    if (scheduledFor && scheduledFor > now) await deps.dispatcher.scheduleAt(message, scheduledFor);
    else await deps.dispatcher.enqueue(message);
  } catch (error) {
    // Undo both, whatever fails: the caller's error is the one that stopped the create.
    await Promise.allSettled([...(created ? [deps.store.deleteRun(projectId, id, claim?.keyHash)] : []), deps.manifests.delete(record.manifestKey)]);
    throw error;
  }
  return { record, replayed: false };
}

/** The run a claimed key created, when this request is the one it was created with. */
async function runOfClaim(store: ReplayStore, projectId: string, claim: IdempotencyClaim, stored: StoredClaim): Promise<RunRecord> {
  if (stored.fingerprint !== claim.fingerprint) {
    throw new ConflictError('This Idempotency-Key was already used with a different request body', 'idempotency_key_reused');
  }
  const record = await store.getRun(projectId, stored.runId);
  // The first request is still undoing a failed create: its key is about to be free again.
  if (!record) throw new ConflictError('The first request with this Idempotency-Key did not complete: retry it', 'idempotency_key_in_flight');
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
