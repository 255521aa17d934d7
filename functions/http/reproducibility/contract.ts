import { z } from 'zod';
import { loopbackTargetsAllowed, urlRefusal } from '#adapters/http/url-check.ts';
import { AGENT_ID_PATTERN, RUN_ID_PATTERN, SESSION_ID_PATTERN } from '#core/reproducibility/ids.ts';
import { reproducibilityLimits as L } from '#core/reproducibility/limits.ts';
import { ATTEMPT_STATUSES, RUN_STATUSES, VERDICTS } from '#core/reproducibility/run.ts';
import { defineContract } from '#shared/http/contract.ts';
import { idempotencyKeyHeaders } from '#shared/http/idempotency-key.ts';
import { optional } from '#shared/http/optional-field.ts';
import { queryInteger } from '#shared/http/query-params.ts';

const family = 'v1' as const;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const rfc3339 = z
  .string()
  .refine((text) => RFC3339.test(text) && !Number.isNaN(Date.parse(text.toUpperCase())), { message: 'Input should be an RFC 3339 date-time, e.g. 2026-11-30T09:00:00Z', params: { type: 'datetime_parsing' } })
  .transform((text) => new Date(text.toUpperCase()).toISOString());
const sessionId = z.string().regex(SESSION_ID_PATTERN, 'session ids are 1-128 of A-Z a-z 0-9 . _ : -');
const agentId = z.string().regex(AGENT_ID_PATTERN, 'agent ids are 1-128 of A-Z a-z 0-9 . _ : @ + - and inner spaces');
const runId = z.string().regex(RUN_ID_PATTERN, 'run ids look like rep_ followed by 26 characters');
const metadata = z
  .record(z.string(), z.unknown())
  .refine((value) => Buffer.byteLength(JSON.stringify(value)) <= L.maxMetadataBytes, { message: `metadata may be at most ${L.maxMetadataBytes} bytes as JSON` });

/** A URL the platform will call: http(s), ≤ 2,048 characters, no credentials, no literal non-public address. */
export const targetUrl = z
  .string()
  .max(L.maxReplayUrlChars)
  .superRefine((url, ctx) => {
    const refusal = urlRefusal(url, { allowLoopback: loopbackTargetsAllowed() });
    if (refusal) ctx.addIssue({ code: 'custom', message: `The URL ${refusal}`, params: { type: 'url_refused' } });
  });
const ignorePaths = z.array(z.string().min(1).max(L.maxIgnorePathChars)).max(L.maxIgnorePaths);

const eventCommon = {
  timestamp: optional(rfc3339),
  metadata: optional(metadata),
  span_id: optional(z.string().max(64)),
};
const present = (value: unknown) => value !== undefined;
const message = z.looseObject({ role: z.string().min(1).max(64), content: z.unknown().optional() });
export const eventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('user_input'), input: z.string().min(1).max(L.maxInputChars), ...eventCommon }),
  z.strictObject({
    type: z.literal('llm_request'),
    model: z.string().min(1).max(L.maxModelChars),
    messages: z.array(message).min(1).max(L.maxMessagesPerRequest),
    params: optional(z.record(z.string(), z.unknown())),
    ...eventCommon,
  }),
  z.strictObject({ type: z.literal('llm_response'), output: z.unknown().refine(present, { message: 'Field required' }), ...eventCommon }),
  z.strictObject({ type: z.literal('agent_output'), output: z.unknown().refine(present, { message: 'Field required' }), ...eventCommon }),
]);
const events = z.array(eventSchema).max(L.maxEventsPerRequest);

const sessionSummary = z.object({
  id: z.string(),
  agent_id: z.string(),
  source: z.enum(['api', 'otlp']),
  started_at: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  model: z.string().nullable(),
  user_input: z.string().nullable(),
  event_count: z.number().int(),
  replayable: z.boolean(),
  not_replayable_reason: z.enum(['no_replay_context']).nullable(),
});
const sessionDetail = sessionSummary.extend({
  bytes: z.number().int(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  replay_payload: z.record(z.string(), z.unknown()).nullable().describe('The exact JSON body each attempt of a run sends'),
  events: z.array(z.record(z.string(), z.unknown())),
});
const agent = z.object({
  agent_id: z.string(),
  replay_url: z.string().nullable(),
  ignore_paths: z.array(z.string()),
  session_count: z.number().int(),
  first_seen_at: z.string().nullable(),
  last_seen_at: z.string().nullable(),
  updated_at: z.string().nullable(),
});
const attempt = z.object({
  index: z.number().int(),
  status: z.enum(ATTEMPT_STATUSES),
  http_status: z.number().int().nullable(),
  latency_ms: z.number().nullable(),
  output_excerpt: z.string().nullable(),
  diverging_paths: z.array(z.string()),
  diverging_paths_total: z.number().int(),
  similarity: z.number().nullable(),
  error: z.string().nullable(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});
const pathCount = z.object({ path: z.string(), attempts: z.number().int() });
export const runSchema = z.object({
  id: z.string(),
  object: z.literal('reproducibility_run'),
  session_id: z.string(),
  agent_id: z.string(),
  target_url: z.string(),
  n: z.number().int(),
  concurrency: z.number().int(),
  timeout_s: z.number().int(),
  ignore_paths: z.array(z.string()),
  payload_kind: z.enum(['llm', 'user']),
  status: z.enum(RUN_STATUSES),
  verdict: z.enum(VERDICTS).nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
  failure_reason: z.string().nullable(),
  counts: z.object({ total: z.number().int(), pending: z.number().int(), running: z.number().int(), answered: z.number().int(), passed: z.number().int(), failed: z.number().int(), errored: z.number().int() }),
  reference_attempt: z.number().int().nullable(),
  output_kind: z.enum(['openai_choices', 'json', 'text']).nullable(),
  attempts: z.array(attempt),
  divergent_paths: z.array(pathCount),
  noise_paths: z.array(pathCount.extend({ reason: z.enum(['envelope', 'volatile', 'ignored', 'outside_output']) })),
  recorded_output: z.object({ attempt: z.number().int(), matches: z.boolean(), diverging_paths: z.array(z.string()), similarity: z.number() }).nullable(),
});
const runSummary = z.object({
  id: z.string(),
  object: z.literal('reproducibility_run'),
  session_id: z.string(),
  agent_id: z.string(),
  target_url: z.string(),
  n: z.number().int(),
  status: z.enum(RUN_STATUSES),
  verdict: z.enum(VERDICTS).nullable(),
  created_at: z.string(),
  completed_at: z.string().nullable(),
});
const listOf = (item: z.ZodType) => z.object({ items: z.array(item), next_cursor: z.string().nullable() });
const page = { limit: queryInteger({ min: 1, max: L.maxPageSize, default: L.defaultPageSize }), cursor: z.string().min(1).max(400).optional() };

const sessionsTags = ['Sessions'];
const EXAMPLE_RUN_ID = 'rep_01jdx5t6k2m3n4p5q6r7s8t9v0';
const sessionExample = {
  agent_id: 'support-bot',
  session_id: 'sess-1',
  started_at: '2026-11-30T09:00:00Z',
  events: [
    { type: 'user_input', input: 'Where is my order 1234?' },
    { type: 'llm_request', model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Where is my order 1234?' }] },
    { type: 'llm_response', output: 'It ships tomorrow.' },
  ],
};
const attribute = (key: string, value: string) => ({ key, value: { stringValue: value } });
const otlpExample = {
  resourceSpans: [
    {
      resource: { attributes: [attribute('service.name', 'support-service')] },
      scopeSpans: [
        {
          scope: { name: 'support-agent' },
          spans: [
            {
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: 'eee19b7ec3c1b174',
              name: 'chat gpt-4o-mini',
              kind: 3,
              startTimeUnixNano: '1764493200000000000',
              endTimeUnixNano: '1764493201000000000',
              attributes: [
                attribute('session.id', 'otel-sess-1'),
                attribute('gen_ai.agent.name', 'support-bot'),
                attribute('gen_ai.request.model', 'gpt-4o-mini'),
                attribute('gen_ai.input.messages', '[{"role":"user","parts":[{"type":"text","content":"Where is my order 1234?"}]}]'),
                attribute('gen_ai.output.messages', '[{"role":"assistant","parts":[{"type":"text","content":"It ships tomorrow."}]}]'),
              ],
            },
          ],
        },
      ],
    },
  ],
};
const agentsTags = ['Agents'];
const runsTags = ['Reproducibility'];

const sessionPath = z.object({ session_id: sessionId });
const noSuchSession = { description: 'No such session in this project' };
const noSuchRun = { description: 'No such run in this project' };

export const createSession = defineContract({
  method: 'POST',
  path: '/api/v1/sessions',
  family,
  operationId: 'createAgentSession',
  summary: "Record an agent's session with its replay context",
  tags: sessionsTags,
  auth: true,
  maxBodyBytes: L.maxSessionBodyBytes,
  example: { body: sessionExample },
  request: {
    body: z.strictObject({
      agent_id: agentId,
      session_id: optional(sessionId).describe('Your id for the session: a retry with the same id and body is answered with the first session'),
      started_at: optional(rfc3339),
      metadata: optional(metadata),
      events: optional(events).transform((value) => value ?? []),
    }),
  },
  responses: {
    201: { description: 'The session (a retry of the same session_id and body answers the first, with Idempotent-Replayed: true)', schema: sessionSummary },
    409: { description: 'session_id is taken by a session with other content (session_exists)' },
  },
});

export const appendEvents = defineContract({
  method: 'POST',
  path: '/api/v1/sessions/{session_id}/events',
  family,
  operationId: 'appendAgentSessionEvents',
  summary: 'Append events to a session',
  tags: sessionsTags,
  auth: true,
  maxBodyBytes: L.maxSessionBodyBytes,
  example: { path: { session_id: 'sess-1' }, body: { events: [{ type: 'agent_output', output: 'It ships tomorrow.' }] } },
  request: { path: sessionPath, body: z.strictObject({ events: events.min(1) }), headers: idempotencyKeyHeaders },
  responses: {
    200: { description: 'The session after the append (a retry with the same Idempotency-Key appends nothing)', schema: sessionSummary },
    404: noSuchSession,
    409: { description: 'Other appends kept moving the session (session_busy): retry' },
  },
});

export const getSession = defineContract({
  method: 'GET',
  path: '/api/v1/sessions/{session_id}',
  family,
  operationId: 'getAgentSession',
  summary: 'A session, whether it is replayable, and the exact replay payload',
  tags: sessionsTags,
  auth: true,
  example: { path: { session_id: 'sess-1' } },
  request: { path: sessionPath },
  responses: { 200: { description: 'The session with its events', schema: sessionDetail }, 404: noSuchSession },
});

export const listSessions = defineContract({
  method: 'GET',
  path: '/api/v1/sessions',
  family,
  operationId: 'listAgentSessions',
  summary: 'Sessions, newest first, by agent, replayability, time and words',
  tags: sessionsTags,
  auth: true,
  example: { query: { q: 'order', limit: '10' } },
  request: {
    query: z.strictObject({
      agent_id: agentId.optional(),
      replayable: z.enum(['true', 'false']).optional().transform((value) => (value === undefined ? undefined : value === 'true')),
      from: rfc3339.optional().describe('Sessions started at or after this time'),
      to: rfc3339.optional().describe('Sessions started at or before this time'),
      q: z.string().min(1).max(200).optional().describe('Words of the user input or model name (whole words, all of them, any case)'),
      ...page,
    }),
  },
  responses: { 200: { description: 'A page of sessions', schema: listOf(sessionSummary) } },
});

export const ingestTraces = defineContract({
  method: 'POST',
  path: '/v1/traces',
  family,
  operationId: 'ingestOtlpTraces',
  summary: 'OTLP/HTTP JSON trace export: GenAI spans become sessions',
  tags: sessionsTags,
  auth: true,
  maxBodyBytes: L.maxOtlpBodyBytes,
  unsupportedMediaType: 'Send OTLP/HTTP JSON (Content-Type: application/json; exporter protocol "http/json"): protobuf OTLP is not accepted',
  example: { body: otlpExample },
  request: {
    body: z.looseObject({
      resourceSpans: optional(
        z.array(z.looseObject({})).refine(
          (list) => list.reduce((sum, rs) => sum + spanCount(rs), 0) <= L.maxSpansPerExport,
          { message: `An export holds at most ${L.maxSpansPerExport} spans` },
        ),
      ),
    }),
  },
  responses: {
    200: {
      description: 'ExportTraceServiceResponse: partialSuccess names spans that were not kept',
      schema: z.object({ partialSuccess: z.object({ rejectedSpans: z.number().int().optional(), errorMessage: z.string().optional() }) }),
    },
  },
});

export const listAgents = defineContract({
  method: 'GET',
  path: '/api/v1/agents',
  family,
  operationId: 'listAgents',
  summary: 'Agents seen in sessions or with a saved replay_url, by id',
  tags: agentsTags,
  auth: true,
  example: { query: { limit: '10' } },
  request: { query: z.strictObject(page) },
  responses: { 200: { description: 'A page of agents', schema: listOf(agent) } },
});

const agentPath = z.object({ agent_id: agentId });
export const getAgent = defineContract({
  method: 'GET',
  path: '/api/v1/agents/{agent_id}',
  family,
  operationId: 'getAgent',
  summary: 'An agent and its replay_url (null when none is saved)',
  tags: agentsTags,
  auth: true,
  example: { path: { agent_id: 'support-bot' } },
  request: { path: agentPath },
  responses: { 200: { description: 'The agent', schema: agent } },
});

export const updateAgent = defineContract({
  method: 'PATCH',
  path: '/api/v1/agents/{agent_id}',
  family,
  operationId: 'updateAgent',
  summary: "Change an agent's replay_url or ignore_paths",
  tags: agentsTags,
  auth: true,
  example: { path: { agent_id: 'support-bot' }, body: { ignore_paths: ['usage', 'choices[*].message.refusal'] } },
  request: {
    path: agentPath,
    body: z.strictObject({
      replay_url: targetUrl.nullable().optional(),
      ignore_paths: ignorePaths.optional().describe('Paths of answers that are never counted as divergence (choices[*].message.content, usage)'),
    }),
  },
  responses: { 200: { description: 'The agent after the change', schema: agent } },
});

export const putReplayUrl = defineContract({
  method: 'PUT',
  path: '/api/v1/agents/{agent_id}/replay-url',
  family,
  operationId: 'putReplayUrl',
  summary: "Save the agent's replay_url",
  tags: agentsTags,
  auth: true,
  example: { path: { agent_id: 'support-bot' }, body: { replay_url: 'https://agent.example.com/replay' } },
  request: { path: agentPath, body: z.strictObject({ replay_url: targetUrl }) },
  responses: { 200: { description: 'The agent with its replay_url', schema: agent } },
});

export const deleteReplayUrl = defineContract({
  method: 'DELETE',
  path: '/api/v1/agents/{agent_id}/replay-url',
  family,
  operationId: 'deleteReplayUrl',
  summary: "Clear the agent's replay_url",
  tags: agentsTags,
  auth: true,
  example: { path: { agent_id: 'support-bot' } },
  request: { path: agentPath },
  responses: { 200: { description: 'The agent without a replay_url', schema: agent } },
});

const runPath = z.object({ run_id: runId });
export const createRun = defineContract({
  method: 'POST',
  path: '/api/v1/reproducibility/runs',
  family,
  operationId: 'createReproducibilityRun',
  summary: "Call the agent's replay endpoint N times with a session's replay payload",
  tags: runsTags,
  auth: true,
  example: { body: { session_id: 'sess-1', target_url: 'https://agent.example.com/replay', n: 5 } },
  request: {
    body: z
      .strictObject({
        session_id: sessionId,
        agent_id: optional(agentId).describe("Whose saved replay_url to use; the session's agent when absent"),
        target_url: optional(targetUrl).describe("The agent's saved replay_url when absent"),
        n: optional(z.number().int().min(L.minRuns).max(L.maxRuns)).transform((value) => value ?? L.defaultRuns),
        concurrency: optional(z.number().int().min(1).max(L.maxRuns)).describe('Attempts in flight at once, at most n; 1 by default'),
        timeout_s: optional(z.number().int().min(L.minTimeoutSeconds).max(L.maxTimeoutSeconds)).transform((value) => value ?? L.defaultTimeoutSeconds),
        ignore_paths: optional(ignorePaths),
      })
      .superRefine((body, ctx) => {
        if (body.concurrency !== undefined && body.concurrency > body.n) {
          ctx.addIssue({ code: 'too_big', origin: 'number', maximum: body.n, inclusive: true, path: ['concurrency'], message: `concurrency may be at most n (${body.n})`, input: body.concurrency });
        }
      }),
    headers: idempotencyKeyHeaders,
  },
  responses: {
    202: { description: 'The run, queued (a retry with the same Idempotency-Key answers the first run)', schema: runSchema },
    400: { description: 'No target_url and no saved replay_url for the agent (replay_url_missing)' },
    404: noSuchSession,
    409: { description: 'The session is not replayable (session_not_replayable), or the Idempotency-Key was used with another body' },
  },
});

export const listRuns = defineContract({
  method: 'GET',
  path: '/api/v1/reproducibility/runs',
  family,
  operationId: 'listReproducibilityRuns',
  summary: 'Reproducibility runs, newest first',
  tags: runsTags,
  auth: true,
  example: { query: { session_id: 'sess-1', limit: '10' } },
  request: { query: z.strictObject({ session_id: sessionId.optional(), agent_id: agentId.optional(), ...page }) },
  responses: { 200: { description: 'A page of runs', schema: listOf(runSummary) } },
});

export const getRun = defineContract({
  method: 'GET',
  path: '/api/v1/reproducibility/runs/{run_id}',
  family,
  operationId: 'getReproducibilityRun',
  summary: 'A run: status, verdict, attempts, divergent and noise paths',
  tags: runsTags,
  auth: true,
  example: { path: { run_id: EXAMPLE_RUN_ID } },
  request: { path: runPath },
  responses: { 200: { description: 'The run', schema: runSchema }, 404: noSuchRun },
});

export const cancelRun = defineContract({
  method: 'POST',
  path: '/api/v1/reproducibility/runs/{run_id}/cancel',
  family,
  operationId: 'cancelReproducibilityRun',
  summary: 'Stop the attempts of a run that have not started',
  tags: runsTags,
  auth: true,
  example: { path: { run_id: EXAMPLE_RUN_ID } },
  request: { path: runPath },
  responses: {
    200: { description: 'The canceled run (attempts already running still finish)', schema: runSchema },
    404: noSuchRun,
    409: { description: 'The run has already ended (run_ended)' },
  },
});

export const getAttempt = defineContract({
  method: 'GET',
  path: '/api/v1/reproducibility/runs/{run_id}/attempts/{index}',
  family,
  operationId: 'getReproducibilityAttempt',
  summary: "An attempt with the target's whole answer",
  tags: runsTags,
  auth: true,
  example: { path: { run_id: EXAMPLE_RUN_ID, index: '1' } },
  request: {
    path: z.object({
      run_id: runId,
      index: z
        .string()
        .regex(/^\d{1,2}$/, 'index is an attempt number from 1')
        .transform(Number)
        .pipe(z.number().int().min(1).max(L.maxRuns)),
    }),
  },
  responses: {
    200: { description: 'The attempt and its answer as text', schema: attempt.extend({ run_id: z.string(), output: z.string().nullable(), output_bytes: z.number().int().nullable() }) },
    404: { description: 'No such run in this project, or the attempt has not started' },
  },
});

function spanCount(resourceSpans: Record<string, unknown>): number {
  const scopes = Array.isArray(resourceSpans.scopeSpans) ? resourceSpans.scopeSpans : [];
  return scopes.reduce((sum: number, scope: unknown) => sum + (Array.isArray((scope as { spans?: unknown })?.spans) ? (scope as { spans: unknown[] }).spans.length : 0), 0);
}
