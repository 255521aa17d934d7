import { z } from 'zod';
import { NO_DEPLOYMENT } from '#core/ledger/history-filter.ts';
import { ledgerLimits, RUN_ID_PATTERN } from '#core/ledger/limits.ts';
import { LEDGER_KINDS, REPLAY_STATUSES } from '#core/ledger/submission.ts';
import { defineContract } from '#shared/http/contract.ts';
import { idempotencyKeyHeaders } from '#shared/http/idempotency-key.ts';
import { optional } from '#shared/http/optional-field.ts';
import { queryInteger } from '#shared/http/query-params.ts';
import { rfc3339 } from '#shared/http/rfc3339.ts';

const L = ledgerLimits;
const tags = ['Replay ledger'];


const count = z.number().int().min(0).max(L.maxCount);
const text = z.string().min(1).max(L.maxTextChars);
const timestamp = rfc3339();
// Any JSON value (the body was parsed from JSON): z.unknown keeps the OpenAPI schema self-contained.
const detailValue = z
  .unknown()
  .refine((value) => (JSON.stringify(value) ?? '').length <= L.maxDetailValueChars, {
    message: `Serialised as JSON, the value must be at most ${L.maxDetailValueChars} characters`,
  });

export const divergenceDetailSchema = z.object({
  action_id: text,
  field: z.enum(['input', 'output']),
  recorded: detailValue.optional(),
  replayed: detailValue.optional(),
});

export const replayResultBody = z
  .object({
    status: z.enum(REPLAY_STATUSES),
    kind: optional(z.enum(LEDGER_KINDS)).describe('What replayed: `sdk` (the default) for a local replay; the platform writes the other kinds for its own jobs'),
    actions_replayed: count,
    actions_total: count,
    divergences: count,
    cost_savings: z.number().min(0).max(L.maxCostSavingsUsd).describe('USD saved versus re-running through the platform'),
    divergence_details: optional(z.array(divergenceDetailSchema).max(L.maxDivergenceDetails)),
    deployment: optional(text),
    sdk_version: optional(text),
    started_at: optional(timestamp),
    finished_at: optional(timestamp),
  })
  .superRefine((body, ctx) => {
    if (body.actions_replayed > body.actions_total) {
      ctx.addIssue({
        code: 'custom',
        path: ['actions_replayed'],
        message: 'actions_replayed cannot exceed actions_total',
        input: body.actions_replayed,
      });
    }
    if (body.started_at && body.finished_at && Date.parse(body.finished_at) < Date.parse(body.started_at)) {
      ctx.addIssue({ code: 'custom', path: ['finished_at'], message: 'finished_at is before started_at', input: body.finished_at });
    }
  });

const runIdPath = z.object({
  run_id: z.string().regex(RUN_ID_PATTERN, 'run_id must be 1-128 characters of letters, digits and ._:-'),
});

const pageSize = queryInteger({ min: 1, max: L.maxPageSize, default: L.defaultPageSize });
const cursor = z.string().min(1).max(200).optional().describe('The next_cursor of the previous page');

export const submissionSchema = z.object({
  id: z.uuid(),
  run_id: z.string(),
  submitted_at: z.iso.datetime(),
  status: z.enum(REPLAY_STATUSES),
  kind: z.enum(LEDGER_KINDS),
  actions_replayed: z.number().int(),
  actions_total: z.number().int(),
  divergences: z.number().int(),
  cost_savings: z.number(),
  divergence_details: z.array(divergenceDetailSchema).optional(),
  deployment: z.string().optional(),
  sdk_version: z.string().optional(),
  started_at: z.string().optional(),
  finished_at: z.string().optional(),
});

export const postResult = defineContract({
  method: 'POST',
  path: '/api/v1/replay/{run_id}/results',
  family: 'v1',
  operationId: 'submitReplayResult',
  summary: 'Record the summary of a local replay',
  tags,
  auth: true,
  maxBodyBytes: L.maxBodyBytes,
  request: {
    path: runIdPath,
    body: replayResultBody,
    headers: idempotencyKeyHeaders,
  },
  example: {
    path: { run_id: 'run_42' },
    headers: { 'idempotency-key': 'run_42-attempt-1' },
    body: {
      status: 'partial',
      actions_replayed: 18,
      actions_total: 20,
      divergences: 2,
      cost_savings: 0.84,
      deployment: 'prod-eu',
      sdk_version: '1.4.0',
      started_at: '2026-11-25T10:00:00Z',
      finished_at: '2026-11-25T10:02:30Z',
      divergence_details: [{ action_id: 'act_7', field: 'output', recorded: { total: 42 }, replayed: { total: 41 } }],
    },
  },
  responses: {
    201: { description: 'The stored submission (a retry with the same Idempotency-Key returns the first one)', schema: submissionSchema },
    409: { description: 'The Idempotency-Key was used with another body' },
  },
});

export const listHistory = defineContract({
  method: 'GET',
  path: '/api/v1/replay/history',
  family: 'v1',
  operationId: 'listReplayHistory',
  summary: 'Org-wide replay history, newest first, optionally filtered by status and deployment',
  tags,
  auth: true,
  request: {
    query: z
      .object({
        skip: queryInteger({ min: 0, max: L.maxSkip, default: 0 }),
        limit: pageSize,
        cursor,
        kind: z.enum(LEDGER_KINDS).optional().describe('Only submissions of this kind'),
        status: z.enum(REPLAY_STATUSES).optional().describe('Only submissions with this status'),
        deployment: text
          .optional()
          .describe(`Only submissions of this deployment; \`${NO_DEPLOYMENT}\` selects those sent without one`),
      })
      .refine((q) => !(q.cursor && q.skip > 0), { message: 'Pass either skip or cursor, not both', path: ['cursor'] }),
  },
  example: { query: { limit: '20', status: 'partial', deployment: 'prod-eu' } },
  responses: {
    200: {
      description: 'A page of submissions (without divergence_details)',
      schema: z.object({
        items: z.array(submissionSchema),
        total: z.number().int().describe('Submissions in the list the filters select (the whole org without filters)'),
        skip: z.number().int(),
        limit: z.number().int(),
        next_cursor: z.string().nullable(),
      }),
    },
  },
});

export const getRunHistory = defineContract({
  method: 'GET',
  path: '/api/v1/replay/history/{run_id}',
  family: 'v1',
  operationId: 'getRunReplayHistory',
  summary: "Every submission of one run, newest first, with divergence_details",
  tags,
  auth: true,
  request: { path: runIdPath, query: z.object({ limit: pageSize, cursor }) },
  example: { path: { run_id: 'run_42' }, query: { limit: '20' } },
  responses: {
    200: {
      description: "The run's submissions",
      schema: z.object({ run_id: z.string(), items: z.array(submissionSchema), total: z.number().int(), next_cursor: z.string().nullable() }),
    },
    404: { description: 'The org has no submission for this run' },
  },
});

export const getStats = defineContract({
  method: 'GET',
  path: '/api/v1/replay/stats',
  family: 'v1',
  operationId: 'getReplayStats',
  summary: "The org's replay totals",
  tags,
  auth: true,
  request: {},
  responses: {
    200: {
      description: 'Totals over every submission of the org',
      schema: z.object({
        submissions: z.number().int(),
        actions_replayed: z.number().int(),
        divergences: z.number().int(),
        cost_saved: z.number().describe('USD'),
      }),
    },
  },
});

export const getDailyStats = defineContract({
  method: 'GET',
  path: '/api/v1/replay/stats/daily',
  family: 'v1',
  operationId: 'getReplayDailyStats',
  summary: 'Submissions and divergences per UTC day and deployment',
  tags,
  auth: true,
  request: {
    query: z.object({
      days: queryInteger({ min: 1, max: L.maxDailyDays, default: L.defaultDailyDays }).describe('How many UTC days back, today included'),
      kind: z.enum(LEDGER_KINDS).optional().describe('Only submissions of this kind'),
    }),
  },
  example: { query: { days: '7' } },
  responses: {
    200: {
      description: `One item per day and deployment with submissions, by day then deployment; days without submissions are absent. At most the ${L.maxDailyDeployments} busiest deployments of the window are named; the others are summed per day as \`(other)\`. A window of more than ${L.maxDailyCountersRead.toLocaleString('en-US')} day × deployment counters is cut at its oldest days (\`from\` says where it starts).`,
      schema: z.object({
        days: z.number().int(),
        from: z.iso.date().describe('First UTC day covered (later than asked only when the window held too many counters)'),
        to: z.iso.date().describe('Last UTC day covered (today)'),
        items: z.array(
          z.object({
            day: z.iso.date(),
            deployment: z.string().describe(`\`${NO_DEPLOYMENT}\` for submissions sent without one`),
            submissions: z.number().int(),
            divergences: z.number().int(),
          }),
        ),
      }),
    },
  },
});
