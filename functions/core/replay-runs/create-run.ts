import { ConflictError, InvalidRequestError } from '../errors.ts';
import { idempotencyClaim, type IdempotencyClaim } from '../idempotency.ts';
import type { RecordJobOutcome } from '../ledger/job-outcome.ts';
import { estimateRun, type RunEstimate } from './estimate.ts';
import type { ProviderDirectory } from './full-fidelity/broker.ts';
import { estimateSpendMicros, microsToUsd, usdToMicros } from './full-fidelity/budget.ts';
import { fullFidelityLimits as FF, type FullFidelityOptions, type RetryPolicy } from './full-fidelity/options.ts';
import { planChunks } from './full-fidelity/plan.ts';
import { replayRunLimits as L } from './limits.ts';
import { parseNamespaceGeneration } from './namespaces.ts';
import type { ManifestStore, ReplayStore, RunDispatcher, StoredClaim, UsageEvent } from './ports.ts';
import { priceCatalogue } from './price-catalogue.ts';
import { apiTime, preciseTime, sortableTime, type ReplayClass, type RunRecord } from './replay-run.ts';
import { aliasNamesOf, requirePrices, resolveSide, type ResolvedSide } from './routing.ts';
import { pinReport } from './pin-report.ts';
import { simulateRouting } from './routing-simulation.ts';
import { recordRunOutcome } from './run-outcome.ts';
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
  /** Validate, resolve and estimate only: nothing is created. */
  dry_run?: boolean | undefined;
  /** full_fidelity_evaluation only. */
  max_spend_usd?: number | undefined;
  max_output_tokens?: number | undefined;
  retry_policy?: Partial<RetryPolicy> | undefined;
}

export interface CreateRunDependencies {
  store: ReplayStore;
  manifests: ManifestStore;
  dispatcher: RunDispatcher;
  providers: ProviderDirectory;
  recordOutcome: RecordJobOutcome;
  now: () => Date;
  newRunId: () => string;
  version: string;
  signingKey: () => Promise<Buffer | undefined>;
}

/** Who creates the run: its project, and the org whose ledger gets its outcome. */
export interface RunOwner {
  orgId: string;
  projectId: string;
}

const USAGE_REF = /^usage:(\d+)$/;
const FULL_FIDELITY_ONLY = ['max_spend_usd', 'max_output_tokens', 'retry_policy'] as const;

/** A run validated and resolved, with its manifest, before anything is written. */
interface PreparedRun {
  record: RunRecord;
  traces: TraceEnvelope[];
  scheduledFor: Date | null;
}

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
  owner: RunOwner,
  input: CreateRunInput,
  idempotencyKey?: string,
): Promise<{ record: RunRecord; replayed: boolean }> {
  const { projectId } = owner;
  const now = deps.now();
  const claim = idempotencyKey === undefined ? undefined : idempotencyClaim(idempotencyKey, input, now, L.idempotencyWindowHours);
  if (claim) {
    const earlier = await deps.store.findClaim(projectId, claim);
    if (earlier) {
      const record = await runOfClaim(deps.store, projectId, claim, earlier);
      // The first request may have died between storing its run and dispatching it: start it again.
      // Harmless when it did not: a second message finds the run claimed, a second schedule exists already.
      if (record.run.status === 'queued') await redispatch(deps, record, now);
      return { record, replayed: true };
    }
  }
  const { record, traces, scheduledFor } = await prepareRun(deps, owner, input, now, deps.newRunId());
  const id = record.run.id;

  if (record.run.replay_class === 'routing_simulation') {
    const metrics = simulateRouting(record.resolved.baseline, record.resolved.candidate);
    record.run = { ...record.run, status: 'completed', attempt: 1, started_at: preciseTime(now), completed_at: preciseTime(now), metrics };
    record.report = await pinReport(record, metrics, deps.version, await deps.signingKey());
    const outcome = await deps.store.createRun(record, claim);
    if ('existing' in outcome) return { record: await runOfClaim(deps.store, projectId, claim!, outcome.existing), replayed: true };
    await recordRunOutcome(deps.recordOutcome, record);
    return { record, replayed: false };
  }

  await deps.manifests.put(record.manifestKey!, traces);
  const message = { project_id: projectId, run_id: id };
  let created = false;
  try {
    const outcome = await deps.store.createRun(record, claim);
    if ('existing' in outcome) {
      // A concurrent retry stored its run first: this one's manifest is not needed.
      await deps.manifests.delete(record.manifestKey!).catch(() => undefined);
      return { record: await runOfClaim(deps.store, projectId, claim!, outcome.existing), replayed: true };
    }
    created = true;
    if (scheduledFor && scheduledFor > now) await deps.dispatcher.scheduleAt(message, scheduledFor);
    else await deps.dispatcher.enqueue(message);
  } catch (error) {
    // Undo both, whatever fails: the caller's error is the one that stopped the create.
    await Promise.allSettled([...(created ? [deps.store.deleteRun(projectId, id, claim?.keyHash)] : []), deps.manifests.delete(record.manifestKey!)]);
    throw error;
  }
  return { record, replayed: false };
}

/**
 * What a create with this request would do, without doing it: every check of
 * a create, both sides resolved, and the estimate (cost per side with an
 * interval, spend against the budget for full fidelity, duration). Nothing
 * is written, so an Idempotency-Key plays no part.
 */
export async function dryRun(deps: CreateRunDependencies, owner: RunOwner, input: CreateRunInput): Promise<RunEstimate> {
  const prepared = await prepareRun(deps, owner, input, deps.now(), 'rpl_dry_run', { budgetRefusal: false });
  return estimateRun(prepared.record, prepared.traces);
}

/** Every check of a create, in the order a caller fixes them; builds the run without writing anything. */
async function prepareRun(
  deps: CreateRunDependencies,
  owner: RunOwner,
  input: CreateRunInput,
  now: Date,
  id: string,
  { budgetRefusal = true } = {},
): Promise<PreparedRun> {
  const { projectId } = owner;
  const cls = input.replay_class;
  const baseline = input.baseline.trim();
  const candidate = input.candidate.trim();
  if (!baseline) throw new InvalidRequestError('baseline must not be empty', 'baseline');
  if (!candidate) throw new InvalidRequestError('candidate must not be empty', 'candidate');
  if (cls !== 'full_fidelity_evaluation') {
    const misplaced = FULL_FIDELITY_ONLY.find((field) => input[field] !== undefined);
    if (misplaced) throw new InvalidRequestError(`${misplaced} applies to full_fidelity_evaluation only`, misplaced);
  }
  const scheduledFor = input.scheduled_for === undefined ? null : parseSchedule(input.scheduled_for, now);

  // Only the aliases the two sides can name (directly, or through a profile): a few reads by key.
  const aliases = new Map((await deps.store.getAliases(projectId, aliasNamesOf([baseline, candidate], priceCatalogue))).map((a) => [a.name, a]));
  const resolved = {
    baseline: resolveSide('baseline', baseline, aliases, priceCatalogue),
    candidate: resolveSide('candidate', candidate, aliases, priceCatalogue),
  };
  const repetitions = Math.min(L.maxRepetitions, Math.max(L.minRepetitions, input.repetitions ?? 1));
  const concurrency = input.concurrency ?? 1;
  const record: RunRecord = {
    run: {
      id,
      object: 'replay_run',
      project_id: projectId,
      created_at: apiTime(now),
      status: 'queued',
      baseline,
      candidate,
      replay_class: cls,
      traffic_manifest_ref: null,
      repetitions,
      concurrency,
      scheduled_for: scheduledFor ? preciseTime(scheduledFor) : null,
      started_at: null,
      completed_at: null,
      failure_reason: null,
      attempt: 0,
      manifest_size: 0,
      metrics: null,
      max_spend_usd: null,
      progress: null,
    },
    manifestKey: null,
    manifestSummary: null,
    resolved,
    dueAt: sortableTime(scheduledFor && scheduledFor > now ? scheduledFor : now),
    deadlineAt: null,
    report: null,
    orgId: owner.orgId,
    fullFidelity: null,
    counts: null,
  };

  if (cls === 'routing_simulation') {
    if (input.traces !== undefined || input.traffic_manifest_ref !== undefined) {
      throw new InvalidRequestError('routing_simulation replays no traffic: omit traces and traffic_manifest_ref', input.traces ? 'traces' : 'traffic_manifest_ref');
    }
    if (scheduledFor && scheduledFor > now) {
      throw new InvalidRequestError('routing_simulation runs at create time and cannot be scheduled: omit scheduled_for', 'scheduled_for');
    }
    record.manifestSummary = { ref: null, traces: 0 };
    return { record, traces: [], scheduledFor };
  }

  if (cls !== 'purge_verification') {
    requirePrices('baseline', resolved.baseline);
    requirePrices('candidate', resolved.candidate);
  }
  const { traces, ref } = await manifestFor(deps.store, projectId, input);
  record.run.traffic_manifest_ref = ref;
  record.run.manifest_size = traces.length;
  record.manifestKey = `manifests/${projectId}/${id}.json`;
  record.manifestSummary = manifestSummary(ref ?? 'inline', traces);

  if (cls === 'purge_verification' && !traces.some((t) => t.namespace_generation !== undefined)) {
    throw new InvalidRequestError('purge_verification needs traces that carry namespace_generation ("{namespace}:{generation}"); this manifest has none', ref ? 'traffic_manifest_ref' : 'traces');
  }
  if (cls === 'full_fidelity_evaluation') {
    record.fullFidelity = await fullFidelityOf(deps.providers,deps.store, projectId, input, traces, repetitions, concurrency, resolved, budgetRefusal);
    record.run.max_spend_usd = microsToUsd(record.fullFidelity.options.maxSpendMicros);
    const { plan } = record.fullFidelity;
    record.run.progress = { chunks_total: plan.chunks, chunks_done: 0, pairs_total: plan.pairs, pairs_done: 0, failures: 0, dropped: 0, spent_usd: 0 };
  }
  return { record, traces, scheduledFor };
}

/** Options, chunk plan and budget estimate of a full-fidelity run; a 400 when the estimate is over budget (unless only estimating). */
async function fullFidelityOf(
  providers: ProviderDirectory,
  store: ReplayStore,
  projectId: string,
  input: CreateRunInput,
  traces: TraceEnvelope[],
  repetitions: number,
  concurrency: number,
  sides: { baseline: ResolvedSide; candidate: ResolvedSide },
  budgetRefusal: boolean,
): Promise<NonNullable<RunRecord['fullFidelity']>> {
  const bare = traces.findIndex((t) => !t.messages?.length);
  if (bare >= 0) throw new InvalidRequestError(`traces[${bare}] has no messages: full_fidelity_evaluation needs messages [{role, content}] on every trace`, `traces.${bare}.messages`);
  if (traces.length * repetitions > FF.maxPairs) {
    throw new InvalidRequestError(
      `full_fidelity_evaluation runs at most ${FF.maxPairs} traces × repetitions (each is a real request to both sides); this run asks for ${traces.length * repetitions}`,
      'repetitions',
    );
  }
  await requireProviders(providers, sides);
  let budgetSource: FullFidelityOptions['budgetSource'] = 'request';
  let maxSpendUsd = input.max_spend_usd;
  if (maxSpendUsd === undefined) {
    const settings = await store.getSettings(projectId);
    maxSpendUsd = settings.default_max_spend_usd ?? FF.platformDefaultMaxSpendUsd;
    budgetSource = settings.default_max_spend_usd === null ? 'platform_default' : 'project_default';
  }
  const options: FullFidelityOptions = {
    maxSpendMicros: usdToMicros(maxSpendUsd),
    budgetSource,
    maxOutputTokens: input.max_output_tokens ?? FF.defaultMaxOutputTokens,
    retryPolicy: { ...FF.defaultRetryPolicy, ...input.retry_policy },
  };
  const estimate = estimateSpendMicros(traces, repetitions, sides, options.maxOutputTokens);
  if (budgetRefusal && estimate.total > options.maxSpendMicros) {
    throw new InvalidRequestError(
      `The estimated spend of this run is $${microsToUsd(estimate.total).toFixed(6)} (baseline $${microsToUsd(estimate.baseline).toFixed(6)}, candidate $${microsToUsd(estimate.candidate).toFixed(6)}: ` +
        `recorded input tokens and ${options.maxOutputTokens} output tokens per request, both sides, ${repetitions} repetition(s), at list prices), over its budget of $${maxSpendUsd} (${budgetSource.replace('_', ' ')}): ` +
        'raise max_spend_usd, lower max_output_tokens or replay fewer traces',
      'max_spend_usd',
    );
  }
  return { options, plan: planChunks(traces.length, repetitions, concurrency), estimateMicros: estimate.total };
}

/** A 400 naming the side whose target's provider this deployment has not configured. */
async function requireProviders(directory: ProviderDirectory, sides: { baseline: ResolvedSide; candidate: ResolvedSide }): Promise<void> {
  const configured = await directory.configured();
  for (const param of ['baseline', 'candidate'] as const) {
    const missing = sides[param].choices.find((c) => !configured.has(c.target.provider));
    if (missing) {
      const known = [...configured].sort();
      throw new InvalidRequestError(
        `${param} routes to ${missing.label}, but provider "${missing.target.provider}" is not configured on this deployment (configured: ${known.length ? known.join(', ') : 'none'})`,
        param,
      );
    }
  }
}

async function redispatch(deps: CreateRunDependencies, record: RunRecord, now: Date): Promise<void> {
  const message = { project_id: record.run.project_id, run_id: record.run.id };
  const at = record.run.scheduled_for ? new Date(record.run.scheduled_for) : undefined;
  if (at && at > now) await deps.dispatcher.scheduleAt(message, at);
  else await deps.dispatcher.enqueue(message);
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
    const malformed = input.traces.findIndex((t) => t.namespace_generation !== undefined && !parseNamespaceGeneration(t.namespace_generation));
    if (malformed >= 0) {
      throw new InvalidRequestError(`traces[${malformed}].namespace_generation must be "{namespace}:{generation}", generations from 1`, `traces.${malformed}.namespace_generation`);
    }
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
  if (input.replay_class === 'full_fidelity_evaluation') {
    throw new InvalidRequestError('full_fidelity_evaluation re-executes recorded messages: pass inline traces with messages (usage events carry no prompt text)', 'traffic_manifest_ref');
  }
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
    occurred_at: event.occurred_at,
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
