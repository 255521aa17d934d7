import canonicalize from 'canonicalize';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { priceCatalogue } from './price-catalogue.ts';
import type { ReplayClass, ReplayRun, RunRecord } from './replay-run.ts';
import { fullFidelityLimits as FF } from './full-fidelity/options.ts';
import { replayRunLimits } from './limits.ts';
import type { ResolvedSide } from './routing.ts';
import { smallSampleNotes } from './tokenized-performance.ts';

export const TRACE_SCHEMA_VERSION = '2026-11-01';

/** The provenance block: how this platform ran this run, field by field. */
export function provenanceOf(record: RunRecord, version: string, failures = 0, dropped = 0): Record<string, unknown> {
  const { run, resolved } = record;
  const cls = run.replay_class;
  const costed = cls === 'tokenized_performance' || cls === 'synthetic_performance';
  const live = cls === 'full_fidelity_evaluation';
  const policy = record.fullFidelity?.options.retryPolicy;
  return {
    trace_schema_version: TRACE_SCHEMA_VERSION,
    replay_runner_version: `rr_${version}`,
    runtime_engine_version: `reprise/${version}`,
    catalogue_revision: priceCatalogue.revision,
    model_alias_release: { baseline: resolved.baseline.aliasRelease, candidate: resolved.candidate.aliasRelease },
    resolved_model_revision: { baseline: revisionsOf(resolved.baseline), candidate: revisionsOf(resolved.candidate) },
    prompt_compiler_revision: 'none',
    tokenizer_revision: costed ? 'recorded_token_counts' : live ? 'provider_reported_usage' : 'none',
    cache_mode: costed
      ? { baseline: cacheModeOf(resolved.baseline), candidate: cacheModeOf(resolved.candidate) }
      : live
        ? { baseline: 'provider_default', candidate: 'provider_default' }
        : 'not_applicable',
    warmup_period_s: 0,
    cold_start_period_s: 0,
    request_arrival_schedule: ARRIVAL[cls],
    concurrency: run.concurrency,
    retry_policy: policy
      ? {
          max_attempts: policy.max_attempts,
          timeout_ms: policy.timeout_ms,
          backoff: `full jitter, ${FF.backoffBaseMs} ms doubling, at most ${FF.backoffCapMs} ms; Retry-After honoured up to ${FF.maxRetryAfterMs} ms`,
          retried: 'HTTP 408, 409, 429 and 5xx, timeouts, network errors',
        }
      : 'none',
    provider_rate_limits: live ? 'enforced by the providers; 429 answers retried per retry_policy' : 'not_modeled',
    repetitions: run.repetitions,
    confidence_intervals: `95% normal-approximation on per-request samples, not computed below ${replayRunLimits.minRequestsForInterval} requests; p50/p95/p99 by nearest rank`,
    quality_evaluator_version: live ? 'qe_exact_match_token_f1_v1' : 'qe_none',
    failures_and_dropped: { failures, dropped },
  };
}

const ARRIVAL: Record<ReplayClass, string> = {
  routing_simulation: 'seed_sweep',
  tokenized_performance: 'as_fast_as_possible',
  synthetic_performance: 'as_fast_as_possible (synthetic workload, projected, not sent)',
  full_fidelity_evaluation: 'as_fast_as_possible, at most `concurrency` requests in flight',
  purge_verification: 'not_applicable',
};

/**
 * What the evidence digest covers: the run the report is about (so a report
 * cannot be re-attached to another run, project or pair of models) and what
 * was measured. Exactly these fields, taken from the report.
 */
export const EVIDENCE_FIELDS = [
  'replay_run_id',
  'project_id',
  'baseline',
  'candidate',
  'replay_class',
  'created_at',
  'provenance',
  'traffic_manifest',
  'metrics',
] as const;

export type EvidenceSubject = { [K in (typeof EVIDENCE_FIELDS)[number]]: unknown };

/** The exact bytes the evidence digest covers: RFC 8785 canonical JSON of the evidence fields. */
export function evidenceOf(report: EvidenceSubject): string {
  const canonical = canonicalize(Object.fromEntries(EVIDENCE_FIELDS.map((field) => [field, report[field]])));
  if (canonical === undefined) throw new Error('Report evidence cannot be canonicalised');
  return canonical;
}

/** The subject fields of a run's report, as the report shows them. */
export function subjectOf(run: ReplayRun) {
  return {
    replay_run_id: run.id,
    project_id: run.project_id,
    baseline: run.baseline,
    candidate: run.candidate,
    replay_class: run.replay_class,
    created_at: run.created_at,
  };
}

/** What an evidence digest looks like: `sig_` or `sha256_`, then 64 hex digits. */
export const EVIDENCE_DIGEST_PATTERN = /^(sig|sha256)_[0-9a-f]{64}$/;

/** `sig_` + HMAC-SHA256 with a key, `sha256_` + SHA-256 without. */
export function digestEvidence(canonicalJson: string, key: Buffer | undefined): string {
  return key
    ? `sig_${createHmac('sha256', key).update(canonicalJson, 'utf8').digest('hex')}`
    : `sha256_${createHash('sha256').update(canonicalJson, 'utf8').digest('hex')}`;
}

export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Recomputes a report's digest over its subject, provenance, manifest summary
 * and metrics. Where reports are signed (a key is given), only a matching `sig_`
 * digest is valid: anyone can recompute an unkeyed checksum.
 */
export function verifyEvidence(report: EvidenceSubject & { evidence_digest: string }, key: Buffer | undefined) {
  const keyed = report.evidence_digest.startsWith('sig_');
  if (keyed && !key) return { valid: false, digest_type: 'hmac_sha256' as const, reason: 'No signing key is configured here' };
  if (!keyed && key) {
    return { valid: false, digest_type: 'sha256' as const, reason: 'This platform signs its reports; an unkeyed sha256_ digest is not accepted' };
  }
  return { valid: sameDigest(digestEvidence(evidenceOf(report), key), report.evidence_digest), digest_type: keyed ? ('hmac_sha256' as const) : ('sha256' as const) };
}

const ASSUMPTIONS: Record<ReplayClass, string[]> = {
  routing_simulation: [
    'Routing is decided by each side\'s weighted release over a fixed sweep of 1,000 seeds; no request is sent to any model.',
    'Aliases, profiles and targets were resolved when the run was created and pinned for its whole life.',
  ],
  tokenized_performance: [
    'Costs are list prices from the catalogue revision in provenance, applied to the recorded token counts of each trace.',
    'Cached input is priced at the cached-input rate up to the realized reuse of the trace for the baseline, and up to candidate_reuse_tokens (or the realized reuse) for the candidate, only when the side reuses cached prefixes.',
    'Each trace counts once per repetition; when an alias is involved each repetition is routed independently, with the same random draw for both sides.',
    'Savings are baseline cost minus candidate cost: positive means the candidate is cheaper.',
  ],
  synthetic_performance: [
    'The workload is traces × repetitions synthetic requests drawn from the manifest\'s empirical joint distribution of input tokens, output tokens, reuse and TTFT: each request copies a source trace chosen uniformly, with its input and output tokens smoothed by a log-normal kernel (five equal-probability points, bandwidths by Silverman\'s rule on log tokens); reuse keeps its share of the input.',
    'Draws come from generators seeded by the run id, so the same run always generates the same workload.',
    'Costs are list prices of the catalogue revision in provenance, with the cached-input rules of tokenized_performance.',
    'A side\'s TTFT is the source trace\'s observed ttft_ms plus the difference in uncached prompt tokens it must read (input minus the side\'s reuse, against the trace\'s input minus its realized reuse) at the prefill rate the catalogue states for the side\'s model; it never falls below a tenth of the observed value.',
    'Savings are baseline cost minus candidate cost; TTFT deltas are candidate minus baseline (negative: the candidate answers sooner).',
  ],
  full_fidelity_evaluation: [
    'Every trace × repetition was sent to both sides through the provider broker (OpenAI-compatible chat completions, streamed), the recorded messages as they are, max_tokens set to the run\'s output allowance.',
    'Latency is from sending the request to the end of the answer; TTFT to the first content token; output tokens per second count the tokens after the first over the time after the first token.',
    'Costs are the usage each provider returned (cached input at the cached rate) at the list prices of the catalogue revision in provenance; a request without usage counts at its estimate, a timed-out one at its estimate too.',
    'Comparisons (latency, TTFT, output rate, cost, divergence) use the pairs where both sides answered; exact match compares the two outputs as text, similarity is their token F1.',
    'The budget was checked before every pair was sent, with requests in flight counted at their estimate scaled by how far actual costs had exceeded estimates.',
  ],
  purge_verification: [
    'Every trace that realised reuse (realized_reused_tokens > 0) and names its namespace_generation is checked against that namespace\'s purge history as it stood when the run ran.',
    'Reuse from a generation purged before the trace\'s occurred_at is a violation; a trace without occurred_at violates when its generation was purged at any time.',
    'Repetitions do not change the check: each trace is checked once.',
  ],
};

const LIMITATIONS: Record<ReplayClass, string[]> = {
  routing_simulation: ['Says nothing about cost, latency or output quality; only where traffic would go.'],
  tokenized_performance: [
    'No inference is run: latency, time to first token and output quality are not measured.',
    'Provider discounts, committed-use pricing and rate limits are not modeled.',
    'Token counts are those recorded; a different tokenizer on the candidate could change them.',
  ],
  synthetic_performance: [
    'No inference is run: TTFT is projected from recorded timings, and output quality is not measured.',
    'TTFT differences other than through prompt reading and reuse (model size, hardware, queueing, network) are not modeled; the prefill rates are the catalogue\'s stated assumptions, not measurements.',
    'The synthetic workload reproduces the manifest\'s distribution; traffic shapes absent from the manifest are not represented.',
  ],
  full_fidelity_evaluation: [
    'Measured from the platform\'s own network position; latency as your users see it may differ.',
    'Output quality is compared between the two sides (exact match, token F1), not judged against a reference.',
    'Providers may route, cache and sample differently from one request to the next; repetitions show that spread.',
  ],
  purge_verification: [
    'Only traces that name their namespace_generation can be checked; reuse the traffic does not report cannot be verified.',
    'Purge times are those recorded by POST /v2/namespaces/{name}/purge; purges made elsewhere are unknown to this check.',
  ],
};

const GUARDRAILS: Record<ReplayClass, string> = {
  routing_simulation: 'Routing-only comparison: no model is called, so output quality cannot change and is not assessed.',
  tokenized_performance: 'Token-shape replay runs no inference; output quality is that of the recorded traffic and is not re-evaluated.',
  synthetic_performance: 'Synthetic projection runs no inference; output quality is not assessed.',
  full_fidelity_evaluation: 'Real inference on both sides: output divergence is measured (exact match rate, token F1), not correctness; review divergent pairs before migrating.',
  purge_verification: 'A compliance check over recorded reuse: no model is called and output quality is not assessed.',
};

/** Notes a report adds from what its metrics show (a budget stop, traces that could not be checked, …). */
function notesOf(metrics: Record<string, unknown> | undefined): string[] {
  if (!metrics) return [];
  const m = metrics as {
    spend?: { stopped_by_budget?: boolean; exceeded_by_usd?: number; spent_usd?: number; max_spend_usd?: number };
    dropped?: number;
    failures?: number;
    failure_reasons?: Record<string, number>;
    synthetic_workload?: { source_traces?: number; source_traces_with_ttft?: number };
    metric_deltas?: { ttft_ms?: { floor_applied?: number } | null };
    traces_with_reuse_without_namespace_generation?: number;
    traces_with_unknown_generation?: number;
  };
  const notes: string[] = [];
  if (m.spend?.stopped_by_budget) {
    notes.push(`The run reached its budget ($${m.spend.max_spend_usd}) and stopped sending: ${m.dropped ?? 0} pair(s) were dropped, not sent.`);
  }
  if ((m.spend?.exceeded_by_usd ?? 0) > 0) {
    notes.push(`Spend exceeded the budget by $${m.spend!.exceeded_by_usd}: requests in flight when it was reached cost more than their estimates.`);
  }
  const stopped = m.failure_reasons?.worker_stopped ?? 0;
  if (stopped > 0) notes.push(`${stopped} pair(s) are failures because the worker running them stopped; they were not sent again, and the budget their chunk held counts as spent.`);
  const sw = m.synthetic_workload;
  if (sw && sw.source_traces !== undefined && sw.source_traces_with_ttft !== undefined && sw.source_traces_with_ttft < sw.source_traces) {
    notes.push(`${sw.source_traces - sw.source_traces_with_ttft} of ${sw.source_traces} source traces recorded no ttft_ms: their synthetic requests are costed but have no TTFT projection.`);
  }
  const floored = m.metric_deltas?.ttft_ms?.floor_applied ?? 0;
  if (floored > 0) notes.push(`${floored} projected TTFT value(s) were held at the floor of a tenth of the observed TTFT.`);
  if ((m.traces_with_reuse_without_namespace_generation ?? 0) > 0) {
    notes.push(`${m.traces_with_reuse_without_namespace_generation} trace(s) realised reuse without a namespace_generation and could not be checked.`);
  }
  if ((m.traces_with_unknown_generation ?? 0) > 0) {
    notes.push(`${m.traces_with_unknown_generation} trace(s) name a generation their namespace has not reached; they are not violations but the traffic and the purge history disagree.`);
  }
  return notes;
}

/** The report object: pinned blocks once completed, a pending note before. */
export function renderReport(record: RunRecord, version: string, now: Date) {
  const { run, report } = record;
  const cls = run.replay_class;
  return {
    object: 'replay_report',
    ...subjectOf(run),
    generated_at: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    status: run.status,
    provenance: report?.provenance ?? provenanceOf(record, version),
    traffic_manifest: report?.traffic_manifest ?? record.manifestSummary ?? { ref: run.traffic_manifest_ref, traces: run.manifest_size },
    metrics: report?.metrics ?? { pending: pendingNote(run) },
    assumptions: ASSUMPTIONS[cls],
    quality_guardrails: GUARDRAILS[cls],
    known_limitations: [...LIMITATIONS[cls], ...smallSampleNotes(report?.metrics), ...notesOf(report?.metrics)],
    recommended_profile: report?.recommended_profile ?? 'n/a',
    evidence_digest: report?.evidence_digest ?? null,
  };
}

function pendingNote(run: ReplayRun): string {
  switch (run.status) {
    case 'queued':
      return run.scheduled_for ? `Queued until ${run.scheduled_for}; metrics appear when the run completes.` : 'Queued; metrics appear when the run completes.';
    case 'running':
      return run.progress
        ? `Running: ${run.progress.pairs_done} of ${run.progress.pairs_total} pairs done (${run.progress.chunks_done} of ${run.progress.chunks_total} chunks); metrics appear when the run completes.`
        : 'Running; metrics appear when the run completes.';
    case 'failed':
      return `The run failed: ${run.failure_reason ?? 'unknown reason'}. No metrics were produced.`;
    case 'canceled':
      return 'The run was canceled before it started. No metrics were produced.';
    default:
      return 'No metrics.';
  }
}

function revisionsOf(side: ResolvedSide): string {
  const revisions = [...new Set(side.choices.map((c) => c.target.revision ?? 'unpinned'))];
  return revisions.join(',');
}

function cacheModeOf(side: ResolvedSide): string {
  return side.reusesCachedPrefixes ? 'provider_prefix_cache' : 'disabled';
}
