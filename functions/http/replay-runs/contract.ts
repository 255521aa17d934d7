import { z } from 'zod';
import { replayRunLimits as L } from '#core/replay-runs/limits.ts';
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

/** A trace envelope. Extra fields from capture pipelines are ignored, not refused. */
export const traceSchema = z
  .object({
    input_tokens: tokens,
    output_tokens: tokens,
    candidate_reuse_tokens: optional(tokens),
    realized_reused_tokens: optional(tokens),
    ttft_ms: optional(millis),
    latency_ms: optional(millis),
    namespace_generation: optional(z.union([z.string().min(1).max(128), z.number().int()])),
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

const metricsSchema = z.union([tokenizedMetricsSchema, routingMetricsSchema]);

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
      concurrency: optional(z.number().int().min(1).max(L.maxConcurrency)),
      scheduled_for: optional(rfc3339('scheduled_for must be an RFC 3339 time, e.g. 2026-12-01T09:00:00Z')),
    }),
    headers: idempotencyKeyHeaders,
  },
  responses: {
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
  summary: 'Create or release an alias: weighted fixed targets',
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
  responses: { 200: { description: 'Every alias at its latest release', schema: z.object({ object: z.literal('list'), data: z.array(aliasSchema) }) } },
});

const usageEvent = z.object({
  id: optional(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'id must be 1-64 of A-Z a-z 0-9 _ -')).describe('Your id for the event: a retried batch with the same ids records nothing twice'),
  target: z.string().min(1).max(256),
  input_tokens: tokens,
  output_tokens: tokens,
  reused_tokens: optional(tokens).transform((value) => value ?? 0),
  ttft_ms: optional(millis).transform((value) => value ?? null),
  latency_ms: optional(millis).transform((value) => value ?? null),
  namespace_generation: optional(z.union([z.string().min(1).max(128), z.number().int()])).transform((value) => (value === undefined ? null : String(value))),
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
