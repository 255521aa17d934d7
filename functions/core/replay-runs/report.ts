import canonicalize from 'canonicalize';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { priceCatalogue } from './price-catalogue.ts';
import type { ReplayClass, ReplayRun, RunRecord } from './replay-run.ts';
import { replayRunLimits } from './limits.ts';
import type { ResolvedSide } from './routing.ts';
import { smallSampleNotes } from './tokenized-performance.ts';

export const TRACE_SCHEMA_VERSION = '2026-11-01';

/** The provenance block: how this platform ran this run, field by field. */
export function provenanceOf(record: RunRecord, version: string, failures = 0, dropped = 0): Record<string, unknown> {
  const { run, resolved } = record;
  const costed = run.replay_class !== 'routing_simulation';
  return {
    trace_schema_version: TRACE_SCHEMA_VERSION,
    replay_runner_version: `rr_${version}`,
    runtime_engine_version: `reprise/${version}`,
    catalogue_revision: priceCatalogue.revision,
    model_alias_release: { baseline: resolved.baseline.aliasRelease, candidate: resolved.candidate.aliasRelease },
    resolved_model_revision: { baseline: revisionsOf(resolved.baseline), candidate: revisionsOf(resolved.candidate) },
    prompt_compiler_revision: 'none',
    tokenizer_revision: costed ? 'recorded_token_counts' : 'none',
    cache_mode: costed ? { baseline: cacheModeOf(resolved.baseline), candidate: cacheModeOf(resolved.candidate) } : 'not_applicable',
    warmup_period_s: 0,
    cold_start_period_s: 0,
    request_arrival_schedule: costed ? 'as_fast_as_possible' : 'seed_sweep',
    concurrency: run.concurrency,
    retry_policy: 'none',
    provider_rate_limits: 'not_modeled',
    repetitions: run.repetitions,
    confidence_intervals: `95% normal-approximation on per-request samples, not computed below ${replayRunLimits.minRequestsForInterval} requests; p50/p95/p99 by nearest rank`,
    quality_evaluator_version: 'qe_none',
    failures_and_dropped: { failures, dropped },
  };
}

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

const ASSUMPTIONS: Record<'routing_simulation' | 'tokenized_performance', string[]> = {
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
};

const LIMITATIONS: Record<'routing_simulation' | 'tokenized_performance', string[]> = {
  routing_simulation: ['Says nothing about cost, latency or output quality; only where traffic would go.'],
  tokenized_performance: [
    'No inference is run: latency, time to first token and output quality are not measured.',
    'Provider discounts, committed-use pricing and rate limits are not modeled.',
    'Token counts are those recorded; a different tokenizer on the candidate could change them.',
  ],
};

const GUARDRAILS: Record<'routing_simulation' | 'tokenized_performance', string> = {
  routing_simulation: 'Routing-only comparison: no model is called, so output quality cannot change and is not assessed.',
  tokenized_performance: 'Token-shape replay runs no inference; output quality is that of the recorded traffic and is not re-evaluated.',
};

/** The report object: pinned blocks once completed, a pending note before. */
export function renderReport(record: RunRecord, version: string, now: Date) {
  const { run, report } = record;
  const cls = run.replay_class as Extract<ReplayClass, 'routing_simulation' | 'tokenized_performance'>;
  return {
    object: 'replay_report',
    ...subjectOf(run),
    generated_at: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    status: run.status,
    provenance: report?.provenance ?? provenanceOf(record, version),
    traffic_manifest: report?.traffic_manifest ?? record.manifestSummary ?? { ref: run.traffic_manifest_ref, traces: run.manifest_size },
    metrics: report?.metrics ?? { pending: pendingNote(run) },
    assumptions: ASSUMPTIONS[cls] ?? [],
    quality_guardrails: GUARDRAILS[cls] ?? '',
    known_limitations: [...(LIMITATIONS[cls] ?? []), ...smallSampleNotes(report?.metrics)],
    recommended_profile: report?.recommended_profile ?? 'n/a',
    evidence_digest: report?.evidence_digest ?? null,
  };
}

function pendingNote(run: ReplayRun): string {
  switch (run.status) {
    case 'queued':
      return run.scheduled_for ? `Queued until ${run.scheduled_for}; metrics appear when the run completes.` : 'Queued; metrics appear when the run completes.';
    case 'running':
      return 'Running; metrics appear when the run completes.';
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
