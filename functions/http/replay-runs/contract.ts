import { z } from 'zod';
import { fullFidelityLimits as FF } from '#core/replay-runs/full-fidelity/options.ts';
import { replayRunLimits as L } from '#core/replay-runs/limits.ts';
import { NAMESPACE_GENERATION_PATTERN, NAMESPACE_NAME_PATTERN } from '#core/replay-runs/namespaces.ts';
import { REPLAY_CLASSES } from '#core/replay-runs/replay-run.ts';
import { EVIDENCE_DIGEST_PATTERN } from '#core/replay-runs/report.ts';
import { ALIAS_NAME_PATTERN } from '#core/replay-runs/targets.ts';
import { defineContract } from '#shared/http/contract.ts';
import { idempotencyKeyHeaders } from '#shared/http/idempotency-key.ts';
import { optional } from '#shared/http/optional-field.ts';
import { queryInteger } from '#shared/http/query-params.ts';
import { rfc3339 } from '#shared/http/rfc3339.ts';

const tags = ['Replay runs'];
const tokens = z.number().int().min(0).max(L.maxTokensPerTrace);
const millis = z.number().min(0).max(86_400_000);
const namespaceGeneration = z
  .string()
  .regex(NAMESPACE_GENERATION_PATTERN, 'namespace_generation must be "{namespace}:{generation}": 1-128 of A-Z a-z 0-9 . _ -, a colon, a generation from 1')
  .describe('"{namespace}:{generation}", e.g. "tenant-a:3"');

/** A trace envelope. Extra fields from capture pipelines are ignored, not refused. */
export const traceSchema = z
  .object({
    input_tokens: tokens,
    output_tokens: tokens,
    candidate_reuse_tokens: optional(tokens),
    realized_reused_tokens: optional(tokens),
    ttft_ms: optional(millis),
    latency_ms: optional(millis),
    namespace_generation: optional(namespaceGeneration),
    occurred_at: optional(rfc3339('occurred_at must be an RFC 3339 time')),
    messages: optional(
      z.array(z.object({ role: z.string().min(1).max(32), content: z.string().max(L.maxMessageChars) })).max(L.maxMessagesPerTrace),
    ),
  })
  .superRefine((trace, ctx) => {
    for (const field of ['realized_reused_tokens', 'candidate_reuse_tokens'] as const) {
      if ((trace[field] ?? 0) > trace.input_tokens) {
        ctx.addIssue({ code: 'custom', path: [field], message: `${field} cannot exceed input_tokens`, input: trace[field] });
      }
    }
  });

const RECOMMENDATIONS = ['baseline', 'candidate', 'either'] as const;
const shares = z.record(z.string(), z.number()).describe('Share of requests per target');
const int = z.number().int();

/** Metrics of a completed routing_simulation. */
export const routingMetricsSchema = z.object({
  seed_sweep: z.object({ seeds: int, seed: int }),
  target_distribution: z.object({ baseline: shares, candidate: shares }),
  divergence_rate: z.number(),
  failures: int,
  dropped: int,
});

/** Metrics of a completed tokenized_performance run (costs in micro-USD). */
export const tokenizedMetricsSchema = z.object({
  metric_deltas: z.object({
    provider_cost_micros: z.object({ baseline: int, candidate: int, delta: int, pct: z.number() }),
    reuse_capture_pct: z.object({ baseline: z.number(), candidate: z.number() }),
  }),
  confidence_intervals: z.object({
    per_request_cost_savings_micros: z.object({
      n: int.describe('Samples: requests × repetitions'),
      mean: z.number(),
      p50: z.number(),
      p95: z.number(),
      p99: z.number(),
      ci95_low: z.number().nullable().describe(`null when not computed (fewer than ${L.minRequestsForInterval} requests)`),
      ci95_high: z.number().nullable(),
      ci95_computed: z.boolean().optional().describe('Absent on reports pinned before it was added'),
    }),
  }),
  sample_size: z
    .object({ requests: int, repetitions: int, samples: int, minimum_requests_for_intervals: int })
    .optional()
    .describe('What the metrics rest on; absent on reports pinned before it was added'),
  routing_divergence: z.object({ rate: z.number(), target_distribution: z.object({ baseline: shares, candidate: shares }) }).nullable(),
  recommended_profile: z.enum(RECOMMENDATIONS),
  failures: int,
  dropped: int,
});

const spread = z.object({ mean: z.number(), p50: z.number(), p95: z.number(), p99: z.number() });
const interval = tokenizedMetricsSchema.shape.confidence_intervals.shape.per_request_cost_savings_micros;
const sampleSize = tokenizedMetricsSchema.shape.sample_size;
const routingDivergence = tokenizedMetricsSchema.shape.routing_divergence;

/** Metrics of a completed synthetic_performance run: tokenized_performance's, plus projected TTFT and the workload generated. */
export const syntheticMetricsSchema = z.object({
  metric_deltas: z.object({
    provider_cost_micros: tokenizedMetricsSchema.shape.metric_deltas.shape.provider_cost_micros,
    reuse_capture_pct: tokenizedMetricsSchema.shape.metric_deltas.shape.reuse_capture_pct,
    ttft_ms: z
      .object({ baseline: spread, candidate: spread, delta: interval.describe('Candidate minus baseline, per request'), requests_projected: int, floor_applied: int })
      .nullable()
      .describe('null when no source trace recorded ttft_ms'),
  }),
  confidence_intervals: z.object({ per_request_cost_savings_micros: interval, per_request_ttft_delta_ms: interval.nullable() }),
  synthetic_workload: z.object({
    requests: int,
    source_traces: int,
    source_traces_with_ttft: int,
    kernel: z.string(),
    bandwidth_log_tokens: z.object({ input: z.number(), output: z.number() }),
    mean_input_tokens: z.object({ source: z.number(), synthetic: z.number() }),
    mean_output_tokens: z.object({ source: z.number(), synthetic: z.number() }),
  }),
  sample_size: sampleSize,
  routing_divergence: routingDivergence,
  recommended_profile: z.enum(RECOMMENDATIONS),
  failures: int,
  dropped: int,
});

const sideComparison = z.object({ baseline: spread.extend({ n: int }), candidate: spread.extend({ n: int }), delta: interval }).nullable();

/** Metrics of a completed full_fidelity_evaluation run: measured on the pairs where both sides answered. */
export const fullFidelityMetricsSchema = z.object({
  metric_deltas: z.object({
    provider_cost_micros: tokenizedMetricsSchema.shape.metric_deltas.shape.provider_cost_micros,
    latency_ms: sideComparison,
    ttft_ms: sideComparison,
    output_tokens_per_s: sideComparison,
  }),
  output_divergence: z.object({ pairs_compared: int, exact_match_rate: z.number(), similarity: interval.extend({ metric: z.literal('token_f1') }) }).nullable(),
  confidence_intervals: z.object({
    per_request_cost_savings_micros: interval,
    per_request_latency_delta_ms: interval.nullable(),
    per_request_ttft_delta_ms: interval.nullable(),
  }),
  spend: z.object({
    max_spend_usd: z.number(),
    budget_source: z.enum(['request', 'project_default', 'platform_default']),
    estimated_spend_usd: z.number(),
    spent_usd: z.number(),
    stopped_by_budget: z.boolean(),
    exceeded_by_usd: z.number(),
  }),
  requests: z.object({ sent: int, failed: int, retried: int, without_usage: int }),
  max_in_flight_in_one_chunk: int,
  failure_reasons: z.record(z.string(), int).describe('Failed and dropped pairs by reason, e.g. "candidate: http_500", "budget", "worker_stopped"'),
  first_failures: z.array(z.object({ trace_index: int, repetition: int, status: z.enum(['failed', 'dropped']), reason: z.string(), message: z.string().nullable() })),
  served_models: z.object({ baseline: z.array(z.string()), candidate: z.array(z.string()) }),
  sample_size: sampleSize,
  recommended_profile: z.enum(RECOMMENDATIONS),
  failures: int,
  dropped: int,
});

/** Metrics of a completed purge_verification run. */
export const purgeMetricsSchema = z.object({
  traces_checked: int,
  traces_with_reuse: int,
  traces_verified: int,
  traces_with_reuse_without_namespace_generation: int,
  traces_with_unknown_generation: int,
  violations: int,
  first_violations: z.array(
    z.object({ trace_index: int, namespace: z.string(), generation: int, purged_at: z.string(), occurred_at: z.string().nullable(), reused_tokens: int }),
  ),
  namespaces: z.array(z.object({ namespace: z.string(), generation: int, purges: int })),
  passed: z.boolean(),
  recommended_profile: z.literal('n/a'),
  failures: int,
  dropped: int,
});

const metricsSchema = z.union([tokenizedMetricsSchema, syntheticMetricsSchema, fullFidelityMetricsSchema, purgeMetricsSchema, routingMetricsSchema]);

export const runSchema = z.object({
  id: z.string(),
  object: z.literal('replay_run'),
  project_id: z.string(),
  created_at: z.string(),
  status: z.enum(['queued', 'running', 'completed', 'failed', 'canceled']),
  baseline: z.string(),
  candidate: z.string(),
  replay_class: z.enum(REPLAY_CLASSES),
  traffic_manifest_ref: z.string().nullable(),
  repetitions: z.number().int(),
  concurrency: z.number().int(),
  scheduled_for: z.string().nullable(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
  failure_reason: z.string().nullable(),
  attempt: z.number().int(),
  manifest_size: z.number().int(),
  metrics: metricsSchema.nullable().describe('Set once the run completes'),
  max_spend_usd: z.number().nullable().describe('full_fidelity_evaluation: the budget of the run'),
  progress: z
    .object({
      chunks_total: z.number().int(),
      chunks_done: z.number().int(),
      pairs_total: z.number().int(),
      pairs_done: z.number().int(),
      failures: z.number().int(),
      dropped: z.number().int(),
      spent_usd: z.number(),
    })
    .nullable()
    .describe('full_fidelity_evaluation: counts that move while it runs (a pair is one trace × repetition, a request to each side)'),
});

/** The report of a run: pinned blocks once completed (covered by evidence_digest), a pending note before. */
export const reportSchema = z.object({
  object: z.literal('replay_report'),
  replay_run_id: z.string(),
  project_id: z.string(),
  created_at: z.string(),
  generated_at: z.string(),
  status: runSchema.shape.status,
  baseline: z.string(),
  candidate: z.string(),
  replay_class: z.enum(REPLAY_CLASSES),
  provenance: z.looseObject({
    trace_schema_version: z.string(),
    replay_runner_version: z.string(),
    runtime_engine_version: z.string(),
    catalogue_revision: z.string(),
    repetitions: int,
    concurrency: int,
    confidence_intervals: z.string(),
    failures_and_dropped: z.object({ failures: int, dropped: int }),
  }),
  traffic_manifest: z.looseObject({ ref: z.string().nullable(), traces: int }),
  metrics: z.union([metricsSchema, z.object({ pending: z.string().describe('Why there are no metrics (yet)') })]),
  assumptions: z.array(z.string()),
  quality_guardrails: z.string(),
  known_limitations: z.array(z.string()),
  recommended_profile: z.enum([...RECOMMENDATIONS, 'n/a']),
  evidence_digest: z.string().regex(EVIDENCE_DIGEST_PATTERN).nullable().describe('null until the run completes'),
});

const usd = (description: string) => z.number().describe(description);
const costEstimate = z.object({ expected_usd: usd('Expected cost at list prices'), ci95_low_usd: z.number(), ci95_high_usd: z.number() });
const resolvedSide = z.object({
  kind: z.enum(['alias', 'profile', 'target']),
  alias_release: z.string().nullable(),
  reuses_cached_prefixes: z.boolean(),
  targets: z.array(z.object({ target: z.string(), share: z.number(), priced: z.boolean() })),
});

/** What `dry_run: true` answers: nothing is created. */
export const estimateSchema = z.object({
  object: z.literal('replay_run_estimate'),
  dry_run: z.literal(true),
  project_id: z.string(),
  replay_class: z.enum(REPLAY_CLASSES),
  baseline: z.string(),
  candidate: z.string(),
  resolved: z.object({ baseline: resolvedSide, candidate: resolvedSide }),
  traffic_manifest: z.record(z.string(), z.unknown()).nullable(),
  repetitions: z.number().int(),
  concurrency: z.number().int(),
  scheduled_for: z.string().nullable(),
  requests: z.number().int(),
  estimated_cost: z.object({ baseline: costEstimate, candidate: costEstimate }).nullable(),
  spend: z
    .object({
      max_spend_usd: z.number(),
      budget_source: z.enum(['request', 'project_default', 'platform_default']),
      max_output_tokens: z.number().int(),
      estimated_spend_usd: z.number(),
      within_budget: z.boolean(),
    })
    .nullable(),
  chunks: z.object({ chunks: z.number().int(), pairs_per_chunk: z.number().int(), lanes: z.number().int() }).nullable(),
  estimated_duration_s: z.number(),
});

const runPath = z.object({ replay_run_id: z.string().min(1).max(64) });
const runExample = { path: { replay_run_id: 'rpl_01jz7k3m9q2w4e6r8t0y1u3i5o' } };
const page = { limit: queryInteger({ min: 1, max: L.maxPageSize, default: L.defaultPageSize }), cursor: z.string().min(1).max(400).optional() };
const listOf = (item: z.ZodType) => z.object({ object: z.literal('list'), data: z.array(item), has_more: z.boolean(), next_cursor: z.string().nullable() });

export const createRun = defineContract({
  method: 'POST',
  path: '/v2/replay-runs',
  family: 'v2',
  operationId: 'createReplayRun',
  summary: 'Create a replay run',
  tags,
  auth: true,
  maxBodyBytes: L.maxBodyBytes,
  request: {
    body: z.strictObject({
      baseline: z.string().max(256).describe('Profile, live alias, or provider/model[@revision]'),
      candidate: z.string().max(256),
      replay_class: optional(z.enum(REPLAY_CLASSES)).transform((value) => value ?? 'routing_simulation'),
      traffic_manifest_ref: optional(z.string().max(64)).describe('"usage:N": the project\'s last N usage events'),
      traces: optional(z.array(traceSchema).max(L.maxTraces, `A manifest holds at most ${L.maxTraces} traces`)),
      repetitions: optional(z.number().int()).describe(`Clamped to ${L.minRepetitions}-${L.maxRepetitions}`),
      concurrency: optional(z.number().int().min(1).max(L.maxConcurrency)).describe('Requests in flight (full_fidelity_evaluation); recorded in provenance'),
      scheduled_for: optional(rfc3339('scheduled_for must be an RFC 3339 time, e.g. 2026-12-01T09:00:00Z')),
      dry_run: optional(z.boolean()).describe('Validate, resolve and estimate only: nothing is created (200 with the estimate)'),
      max_spend_usd: optional(z.number().positive().max(FF.maxSpendUsd)).describe(
        `full_fidelity_evaluation: the budget; default the project's (PUT /v2/replay-settings), else ${FF.platformDefaultMaxSpendUsd} USD`,
      ),
      max_output_tokens: optional(z.number().int().min(1).max(FF.maxOutputTokens)).describe(
        `full_fidelity_evaluation: max_tokens of every request, the output allowance of the estimate (default ${FF.defaultMaxOutputTokens})`,
      ),
      retry_policy: optional(
        z.strictObject({
          max_attempts: optional(z.number().int().min(1).max(FF.maxAttempts)),
          timeout_ms: optional(z.number().int().min(FF.minTimeoutMs).max(FF.maxTimeoutMs)),
        }),
      ).describe(`full_fidelity_evaluation: attempts per request and the limit of one (default ${FF.defaultRetryPolicy.max_attempts} × ${FF.defaultRetryPolicy.timeout_ms} ms)`),
    }),
    headers: idempotencyKeyHeaders,
  },
  responses: {
    200: { description: 'dry_run: the estimate; nothing was created (an Idempotency-Key is ignored)', schema: estimateSchema },
    201: {
      description: 'The run (completed at once for routing_simulation, queued otherwise); a retry with the same Idempotency-Key returns the first run',
      schema: runSchema,
    },
    409: { description: 'The Idempotency-Key was used with another body' },
  },
  example: { body: { baseline: 'managed', candidate: 'managed_mini', replay_class: 'routing_simulation' } },
});

export const listRuns = defineContract({
  method: 'GET',
  path: '/v2/replay-runs',
  family: 'v2',
  operationId: 'listReplayRuns',
  summary: 'List replay runs, newest first',
  tags,
  auth: true,
  request: { query: z.strictObject(page) },
  example: { query: { limit: '10' } },
  responses: { 200: { description: 'A page of runs', schema: listOf(runSchema) }, 400: { description: 'A cursor that is not a next_cursor of this list' } },
});

export const getRun = defineContract({
  method: 'GET',
  path: '/v2/replay-runs/{replay_run_id}',
  family: 'v2',
  operationId: 'getReplayRun',
  summary: 'Retrieve a replay run',
  tags,
  auth: true,
  request: { path: runPath },
  example: runExample,
  responses: { 200: { description: 'The run', schema: runSchema }, 404: { description: 'No such run in this project' } },
});

export const cancelRun = defineContract({
  method: 'POST',
  path: '/v2/replay-runs/{replay_run_id}/cancel',
  family: 'v2',
  operationId: 'cancelReplayRun',
  summary: 'Cancel a queued replay run',
  tags,
  auth: true,
  request: { path: runPath },
  example: runExample,
  responses: {
    200: { description: 'The canceled run', schema: runSchema },
    400: { description: 'The run is not queued' },
    404: { description: 'No such run in this project' },
  },
});

export const getReport = defineContract({
  method: 'GET',
  path: '/v2/replay-runs/{replay_run_id}/report',
  family: 'v2',
  operationId: 'getReplayReport',
  summary: 'Render the signed report of a replay run',
  tags,
  auth: true,
  request: { path: runPath },
  example: runExample,
  responses: {
    200: { description: 'The report (metrics pending until the run completes)', schema: reportSchema },
    404: { description: 'No such run in this project' },
  },
});

export const verifyReport = defineContract({
  method: 'POST',
  path: '/v2/replay-reports/verify',
  family: 'v2',
  operationId: 'verifyReplayReport',
  summary: "Check a report's evidence digest",
  tags,
  auth: true,
  maxBodyBytes: 1024 * 1024,
  request: {
    body: z.looseObject({
      replay_run_id: z.string(),
      project_id: z.string(),
      baseline: z.string(),
      candidate: z.string(),
      replay_class: z.string(),
      created_at: z.string(),
      provenance: z.record(z.string(), z.unknown()),
      traffic_manifest: z.record(z.string(), z.unknown()),
      metrics: z.record(z.string(), z.unknown()),
      evidence_digest: z.string().regex(EVIDENCE_DIGEST_PATTERN, 'evidence_digest must be sig_<hex> or sha256_<hex>'),
    }),
  },
  example: {
    body: {
      replay_run_id: 'rpl_01jz7k3m9q2w4e6r8t0y1u3i5o',
      project_id: 'prj_01jz7k3m9q2w4e6r8t0y1u3i5o',
      baseline: 'managed',
      candidate: 'managed_mini',
      replay_class: 'tokenized_performance',
      created_at: '2026-11-25T09:00:00Z',
      provenance: { trace_schema_version: '2026-11-01' },
      traffic_manifest: { ref: 'usage:500', traces: 500 },
      metrics: { recommended_profile: 'candidate' },
      evidence_digest: `sig_${'0'.repeat(64)}`,
    },
  },
  responses: {
    200: {
      description: 'Whether the digest matches the report',
      schema: z.object({ valid: z.boolean(), digest_type: z.enum(['hmac_sha256', 'sha256']), reason: z.string().optional() }),
    },
  },
});

const aliasSchema = z.object({
  object: z.literal('alias'),
  name: z.string(),
  version: z.number().int(),
  releases: z.array(z.object({ target: z.string(), weight: z.number().int() })),
  updated_at: z.string(),
});

export const putAlias = defineContract({
  method: 'PUT',
  path: '/v2/aliases/{name}',
  family: 'v2',
  operationId: 'putAlias',
  summary: `Create or release an alias: weighted fixed targets (a project has at most ${L.maxAliasesPerProject} aliases; creating one more is a 400)`,
  tags,
  auth: true,
  request: {
    path: z.object({ name: z.string().regex(ALIAS_NAME_PATTERN, 'Alias names are 1-64 of a-z 0-9 _ -, starting with a letter or digit') }),
    body: z.strictObject({
      releases: z
        .array(z.strictObject({ target: z.string().min(1).max(256), weight: z.number().int().min(1).max(L.maxAliasWeight) }))
        .min(1)
        .max(L.maxAliasReleases),
    }),
  },
  example: {
    path: { name: 'support-bot' },
    body: { releases: [{ target: 'openai/gpt-4o', weight: 90 }, { target: 'openai/gpt-4o-mini', weight: 10 }] },
  },
  responses: { 200: { description: 'The alias at its new release (version + 1)', schema: aliasSchema } },
});

export const listAliases = defineContract({
  method: 'GET',
  path: '/v2/aliases',
  family: 'v2',
  operationId: 'listAliases',
  summary: "The project's aliases",
  tags,
  auth: true,
  request: {},
  responses: {
    200: { description: `Every alias at its latest release (at most ${L.maxAliasesPerProject})`, schema: z.object({ object: z.literal('list'), data: z.array(aliasSchema) }) },
  },
});

const usageEvent = z.object({
  id: optional(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'id must be 1-64 of A-Z a-z 0-9 _ -')).describe('Your id for the event: a retried batch with the same ids records nothing twice'),
  target: z.string().min(1).max(256),
  input_tokens: tokens,
  output_tokens: tokens,
  reused_tokens: optional(tokens).transform((value) => value ?? 0),
  ttft_ms: optional(millis).transform((value) => value ?? null),
  latency_ms: optional(millis).transform((value) => value ?? null),
  namespace_generation: optional(namespaceGeneration).transform((value) => value ?? null),
  occurred_at: optional(rfc3339('occurred_at must be an RFC 3339 time')),
});

export const recordUsage = defineContract({
  method: 'POST',
  path: '/v2/usage-events',
  family: 'v2',
  operationId: 'recordUsageEvents',
  summary: 'Record a batch of usage events (token shapes and timings, no prompt text)',
  tags,
  auth: true,
  maxBodyBytes: 1024 * 1024,
  request: { body: z.strictObject({ events: z.array(usageEvent).min(1).max(L.usageBatchMax) }) },
  example: {
    body: {
      events: [
        { id: 'req-1', occurred_at: '2026-11-25T09:00:00Z', target: 'openai/gpt-4o', input_tokens: 1200, output_tokens: 300, reused_tokens: 800, ttft_ms: 410 },
      ],
    },
  },
  responses: { 201: { description: 'How many events were recorded', schema: z.object({ object: z.literal('usage_event_batch'), received: z.number().int() }) } },
});

export const listUsage = defineContract({
  method: 'GET',
  path: '/v2/usage-events',
  family: 'v2',
  operationId: 'listUsageEvents',
  summary: 'List usage events, newest first',
  tags,
  auth: true,
  request: { query: z.strictObject(page) },
  example: { query: { limit: '10' } },
  responses: {
    200: {
      description: 'A page of usage events',
      schema: listOf(
        z.object({
          id: z.string(),
          target: z.string(),
          input_tokens: int,
          output_tokens: int,
          reused_tokens: int,
          ttft_ms: z.number().nullable(),
          latency_ms: z.number().nullable(),
          namespace_generation: z.string().nullable(),
          occurred_at: z.string(),
        }),
      ),
    },
    400: { description: 'A cursor that is not a next_cursor of this list' },
  },
});

const namespaceSchema = z.object({
  object: z.literal('namespace'),
  namespace: z.string(),
  generation: z.number().int().describe('The current generation (1 before the first purge)'),
  purges: z.array(z.object({ generation: z.number().int(), purged_at: z.string() })).describe('Every purge, oldest first: the generation it ended and when'),
  updated_at: z.string(),
});

export const purgeNamespace = defineContract({
  method: 'POST',
  path: '/v2/namespaces/{name}/purge',
  family: 'v2',
  operationId: 'purgeNamespace',
  summary: "End a namespace's current generation and start the next",
  tags,
  auth: true,
  request: { path: z.object({ name: z.string().regex(NAMESPACE_NAME_PATTERN, 'Namespace names are 1-128 of A-Z a-z 0-9 . _ -') }) },
  example: { path: { name: 'tenant-a' } },
  responses: {
    200: {
      description: 'The generation purged and the one that starts (generations count from 1)',
      schema: z.object({ namespace: z.string(), purged_generation: z.number().int(), generation: z.number().int(), purged_at: z.string() }),
    },
    400: { description: 'The namespace reached its purge limit' },
  },
});

export const listNamespaces = defineContract({
  method: 'GET',
  path: '/v2/namespaces',
  family: 'v2',
  operationId: 'listNamespaces',
  summary: "The project's purged namespaces, by name, with their purge history",
  tags,
  auth: true,
  request: { query: z.strictObject(page) },
  example: { query: { limit: '10' } },
  responses: { 200: { description: 'A page of namespaces', schema: listOf(namespaceSchema) }, 400: { description: 'A cursor that is not a next_cursor of this list' } },
});

const settingsSchema = z.object({
  object: z.literal('replay_settings'),
  default_max_spend_usd: z.number().nullable().describe('Budget of full-fidelity runs that state none; null: the platform default'),
  platform_default_max_spend_usd: z.number(),
  updated_at: z.string().nullable(),
});

export const getSettings = defineContract({
  method: 'GET',
  path: '/v2/replay-settings',
  family: 'v2',
  operationId: 'getReplaySettings',
  summary: "The project's replay run settings",
  tags,
  auth: true,
  request: {},
  responses: { 200: { description: 'The settings', schema: settingsSchema } },
});

export const putSettings = defineContract({
  method: 'PUT',
  path: '/v2/replay-settings',
  family: 'v2',
  operationId: 'putReplaySettings',
  summary: "Set the project's default budget of full-fidelity runs",
  tags,
  auth: true,
  request: { body: z.strictObject({ default_max_spend_usd: z.number().positive().max(FF.maxSpendUsd).nullable() }) },
  example: { body: { default_max_spend_usd: 25 } },
  responses: { 200: { description: 'The settings as stored', schema: settingsSchema } },
});
