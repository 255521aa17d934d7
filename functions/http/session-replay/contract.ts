import { z } from 'zod';
import { IGNORE_PATH_PATTERN } from '#core/session-replay/ignore-path.ts';
import { HEADER_NAME } from '#core/session-replay/headers.ts';
import { sessionReplayLimits as L } from '#core/session-replay/limits.ts';
import { COMPARE_MODES, REPLAY_SPEEDS, REPLAY_STATUSES } from '#core/session-replay/model.ts';
import { defineContract } from '#shared/http/contract.ts';
import { optional } from '#shared/http/optional-field.ts';
import { queryInteger } from '#shared/http/query-params.ts';
import { harSchema } from './har-schema.ts';

const tags = ['Session replay'];
const family = 'v1' as const;
const endpoints = '/api/v1/proxy-endpoints';
const sessions = `${endpoints}/{endpoint_id}/sessions`;
const replays = `${sessions}/{session_id}/replays`;

const id = z.string().min(1).max(64);
const endpointPath = z.object({ endpoint_id: id });
const sessionPath = z.object({ endpoint_id: id, session_id: id });
const replayPath = z.object({ endpoint_id: id, session_id: id, replay_id: id });
const cursor = z.string().min(1).max(400).optional();
const page = { limit: queryInteger({ min: 1, max: L.maxPageSize, default: L.defaultPageSize }), cursor };
const listOf = (item: z.ZodType) => z.object({ object: z.literal('list'), data: z.array(item), next_cursor: z.string().nullable() });

/** A URL users give us: absolute http(s), no credentials (the address is checked again at every connection). */
const userUrl = z
  .string()
  .max(L.maxUpstreamUrlChars)
  .refine((text) => {
    try {
      const url = new URL(text);
      return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
    } catch {
      return false;
    }
  }, { message: 'Must be an absolute http or https URL without credentials', params: { type: 'url_parsing' } });
const headerName = z.string().regex(HEADER_NAME, 'Must be an HTTP header name');
const redactHeaders = z.array(headerName).max(L.maxRedactHeaders).describe('Header names redacted at record time besides authorization, cookie, set-cookie, proxy-authorization and x-api-key');
const sessionHeader = headerName.describe(`Groups requests that carry it into a session by its value (default ${L.defaultSessionHeader})`);
const idleSeconds = z.number().int().min(L.minSessionIdleSeconds).max(L.maxSessionIdleSeconds).describe('Without the session header: a gap this long from the same client and user agent starts a new session');

export const endpointSchema = z.object({
  id: z.string(),
  object: z.literal('proxy_endpoint'),
  name: z.string(),
  upstream_url: z.string(),
  recording: z.boolean(),
  session_header: z.string(),
  session_idle_seconds: z.number().int(),
  redact_headers: z.array(z.string()),
  proxy_url: z.string().describe('Send traffic here: each request goes to upstream_url with the path after the token'),
  created_at: z.string(),
  updated_at: z.string(),
});

export const sessionSchema = z.object({
  id: z.string(),
  object: z.literal('session'),
  endpoint_id: z.string(),
  grouped_by: z.enum(['header', 'client', 'import']),
  client_session_id: z.string().nullable(),
  request_count: z.number().int(),
  first_at: z.string(),
  last_at: z.string(),
  created_at: z.string(),
});

const bodySchema = z
  .object({
    size: z.number().int().describe('Bytes as sent, before any cut'),
    truncated: z.boolean(),
    encoding: z.enum(['utf8', 'base64']),
    data: z.string().nullable().describe('null in lists for bodies kept as objects: read the recording itself'),
  })
  .nullable();

export const recordingSchema = z.object({
  id: z.string(),
  object: z.literal('recording'),
  endpoint_id: z.string(),
  session_id: z.string(),
  source: z.enum(['proxy', 'har']),
  method: z.string(),
  path: z.string(),
  query: z.string(),
  request_headers: z.record(z.string(), z.string()),
  request_body: bodySchema,
  response_status: z.number().int(),
  response_headers: z.record(z.string(), z.string()),
  response_body: bodySchema,
  started_at: z.string(),
  duration_ms: z.number().int(),
  redacted_headers: z.array(z.string()),
  upstream_error: z.string().nullable(),
});

export const resultSchema = z.object({
  index: z.number().int(),
  recording_id: z.string(),
  method: z.string(),
  path: z.string(),
  passed: z.boolean(),
  expected_status: z.number().int(),
  actual_status: z.number().int().nullable(),
  response_time_ms: z.number().int().nullable(),
  error: z.string().nullable(),
  scheduled_offset_ms: z.number().int(),
  sent_offset_ms: z.number().int().nullable(),
  body_diff: z.array(z.object({ path: z.string(), expected: z.unknown().optional(), actual: z.unknown().optional() })).optional(),
});

export const replaySchema = z.object({
  id: z.string(),
  object: z.literal('session_replay'),
  endpoint_id: z.string(),
  session_id: z.string(),
  status: z.enum(REPLAY_STATUSES),
  target_url: z.string(),
  speed: z.enum(REPLAY_SPEEDS),
  header_overrides: z.record(z.string(), z.string()),
  compare: z.enum(COMPARE_MODES),
  ignore_paths: z.array(z.string()),
  summary: z.object({ total: z.number().int(), sent: z.number().int(), passed: z.number().int(), failed: z.number().int(), pending: z.number().int() }),
  created_at: z.string(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
  failure_reason: z.string().nullable(),
});

const notFound = (what: string) => ({ description: `No such ${what} in this project` });

/** Example ids, for the document and the contract tests. */
const ids = { endpoint_id: 'pep_01jz7k3m9q2w4e6r8t0y1u3i5o', session_id: 'ses_01jz7k3m9q2w4e6r8t0y1u3i5o', replay_id: 'srp_01jz7k3m9q2w4e6r8t0y1u3i5o' };
const endpointExample = { endpoint_id: ids.endpoint_id };
const sessionExample = { endpoint_id: ids.endpoint_id, session_id: ids.session_id };
const replayExample = { ...sessionExample, replay_id: ids.replay_id };
const invalid = { description: 'A field outside its limits' };

export const createEndpoint = defineContract({
  method: 'POST',
  path: endpoints,
  family,
  operationId: 'createProxyEndpoint',
  summary: 'Create a proxy endpoint',
  tags,
  auth: true,
  request: {
    body: z.strictObject({
      name: z.string().trim().min(1).max(L.maxEndpointNameChars),
      upstream_url: userUrl,
      recording: z.boolean(),
      session_header: optional(sessionHeader),
      session_idle_seconds: optional(idleSeconds),
      redact_headers: optional(redactHeaders),
    }),
  },
  example: { body: { name: 'checkout-api', upstream_url: 'https://api.example.com', recording: true, session_header: 'x-session-id', redact_headers: ['x-internal-token'] } },
  responses: {
    201: { description: 'The endpoint, with its proxy URL', schema: endpointSchema },
    400: { description: 'The upstream URL is refused (a non-public address)' },
    409: { description: `The project already has ${L.maxEndpointsPerProject} endpoints` },
    422: invalid,
  },
});

export const listEndpoints = defineContract({
  method: 'GET',
  path: endpoints,
  family,
  operationId: 'listProxyEndpoints',
  summary: "The project's proxy endpoints, newest first",
  tags,
  auth: true,
  request: { query: z.strictObject(page) },
  example: { query: { limit: '20' } },
  responses: { 200: { description: 'A page of endpoints', schema: listOf(endpointSchema) }, 422: invalid },
});

export const getEndpoint = defineContract({
  method: 'GET',
  path: `${endpoints}/{endpoint_id}`,
  family,
  operationId: 'getProxyEndpoint',
  summary: 'Retrieve a proxy endpoint',
  tags,
  auth: true,
  request: { path: endpointPath },
  example: { path: endpointExample },
  responses: { 200: { description: 'The endpoint', schema: endpointSchema }, 404: notFound('endpoint') },
});

export const updateEndpoint = defineContract({
  method: 'PATCH',
  path: `${endpoints}/{endpoint_id}`,
  family,
  operationId: 'updateProxyEndpoint',
  summary: 'Rename an endpoint, switch recording, or change its upstream or grouping',
  tags,
  auth: true,
  request: {
    path: endpointPath,
    body: z.strictObject({
      name: optional(z.string().trim().min(1).max(L.maxEndpointNameChars)),
      upstream_url: optional(userUrl),
      recording: optional(z.boolean()),
      session_header: optional(sessionHeader),
      session_idle_seconds: optional(idleSeconds),
      redact_headers: optional(redactHeaders),
    }),
  },
  example: { path: endpointExample, body: { recording: false } },
  responses: {
    200: { description: 'The endpoint after the change', schema: endpointSchema },
    400: { description: 'The upstream URL is refused (a non-public address)' },
    404: notFound('endpoint'),
    422: invalid,
  },
});

export const deleteEndpoint = defineContract({
  method: 'DELETE',
  path: `${endpoints}/{endpoint_id}`,
  family,
  operationId: 'deleteProxyEndpoint',
  summary: 'Delete an endpoint with its recordings, sessions and replays',
  tags,
  auth: true,
  request: { path: endpointPath, query: z.strictObject({ confirm: z.string().min(1).max(L.maxEndpointNameChars).describe("The endpoint's name, to confirm") }) },
  example: { path: endpointExample, query: { confirm: 'checkout-api' } },
  responses: {
    200: { description: 'Deleted: its token stops at once, what it recorded is purged in the background', schema: z.object({ id: z.string(), object: z.literal('proxy_endpoint'), deleted: z.literal(true) }) },
    400: { description: "confirm is not the endpoint's name" },
    404: notFound('endpoint'),
    422: invalid,
  },
});

export const listRecordings = defineContract({
  method: 'GET',
  path: `${endpoints}/{endpoint_id}/recordings`,
  family,
  operationId: 'listRecordings',
  summary: "An endpoint's recordings across sessions, newest first",
  tags,
  auth: true,
  request: { path: endpointPath, query: z.strictObject(page) },
  example: { path: endpointExample, query: { limit: '20' } },
  responses: { 200: { description: 'A page of recordings', schema: listOf(recordingSchema) }, 404: notFound('endpoint'), 422: invalid },
});

export const listSessions = defineContract({
  method: 'GET',
  path: sessions,
  family,
  operationId: 'listSessions',
  summary: "An endpoint's sessions, newest first",
  tags,
  auth: true,
  request: { path: endpointPath, query: z.strictObject(page) },
  example: { path: endpointExample, query: { limit: '20' } },
  responses: { 200: { description: 'A page of sessions', schema: listOf(sessionSchema) }, 404: notFound('endpoint'), 422: invalid },
});

export const getSession = defineContract({
  method: 'GET',
  path: `${sessions}/{session_id}`,
  family,
  operationId: 'getSession',
  summary: 'A session and its recordings in arrival order',
  tags,
  auth: true,
  request: { path: sessionPath, query: z.strictObject(page) },
  example: { path: sessionExample, query: { limit: '20' } },
  responses: {
    200: { description: 'The session with a page of its recordings', schema: sessionSchema.extend({ recordings: z.array(recordingSchema), next_cursor: z.string().nullable() }) },
    404: notFound('endpoint or session'),
    422: invalid,
  },
});

export const getRecording = defineContract({
  method: 'GET',
  path: `${sessions}/{session_id}/recordings/{recording_id}`,
  family,
  operationId: 'getRecording',
  summary: 'One recording with its bodies',
  tags,
  auth: true,
  request: { path: sessionPath.extend({ recording_id: id }) },
  example: { path: { ...sessionExample, recording_id: 'rec_01jz7k3m9q2w4e6r8t0y1u3i5o' } },
  responses: { 200: { description: 'The recording, bodies included', schema: recordingSchema }, 404: notFound('endpoint, session or recording') },
});

export const importHar = defineContract({
  method: 'POST',
  path: `${sessions}/import`,
  family,
  operationId: 'importHarSession',
  summary: 'Import a HAR 1.2 document as one session',
  tags,
  auth: true,
  maxBodyBytes: L.maxImportBodyBytes,
  request: { path: endpointPath, body: harSchema },
  example: {
    path: endpointExample,
    body: {
      log: {
        version: '1.2',
        creator: { name: 'Firefox', version: '128.0' },
        entries: [
          {
            startedDateTime: '2026-11-25T09:00:00.000Z',
            time: 42,
            request: { method: 'GET', url: 'https://api.example.com/v1/orders?page=1', headers: [{ name: 'Accept', value: 'application/json' }] },
            response: { status: 200, headers: [{ name: 'Content-Type', value: 'application/json' }], content: { mimeType: 'application/json', text: '{"orders":[]}' } },
          },
        ],
      },
    },
  },
  responses: {
    201: { description: 'The new session', schema: sessionSchema },
    400: { description: 'An entry the import cannot use' },
    404: notFound('endpoint'),
    413: { description: `Body over ${L.maxImportBodyBytes} bytes` },
    415: { description: 'Not application/json' },
    422: { description: 'Not a HAR 1.2 document, or over the entry limit' },
  },
});

export const createReplay = defineContract({
  method: 'POST',
  path: replays,
  family,
  operationId: 'createSessionReplay',
  summary: 'Replay a session against a target URL',
  tags,
  auth: true,
  request: {
    path: sessionPath,
    body: z.strictObject({
      target_url: userUrl.describe('Each recorded path and query is appended to it'),
      speed: z.enum(REPLAY_SPEEDS),
      header_overrides: optional(
        z
          .record(headerName, z.string().max(L.maxHeaderValueChars))
          .refine((record) => Object.keys(record).length <= L.maxHeaderOverrides, { message: `At most ${L.maxHeaderOverrides} header overrides` }),
      ).transform((value) => value ?? {}),
      compare: optional(z.enum(COMPARE_MODES)).transform((value) => value ?? 'status'),
      ignore_paths: optional(z.array(z.string().max(L.maxIgnorePathChars).regex(IGNORE_PATH_PATTERN, 'Must be a JSON path such as $.data.id or $.items[*].updated_at')).max(L.maxIgnorePaths)).transform(
        (value) => value ?? [],
      ),
    }),
  },
  example: { path: sessionExample, body: { target_url: 'https://staging.example.com', speed: 'instant', header_overrides: { authorization: 'Bearer staging-token' }, compare: 'status' } },
  responses: {
    202: { description: 'The replay, queued', schema: replaySchema },
    400: { description: 'The target URL is refused, the session is empty or longer than a replay sends' },
    404: notFound('endpoint or session'),
    422: invalid,
  },
});

export const listReplays = defineContract({
  method: 'GET',
  path: replays,
  family,
  operationId: 'listSessionReplays',
  summary: "A session's replays, newest first",
  tags,
  auth: true,
  request: { path: sessionPath, query: z.strictObject(page) },
  example: { path: sessionExample, query: { limit: '20' } },
  responses: { 200: { description: 'A page of replays', schema: listOf(replaySchema) }, 404: notFound('endpoint or session'), 422: invalid },
});

export const getReplay = defineContract({
  method: 'GET',
  path: `${replays}/{replay_id}`,
  family,
  operationId: 'getSessionReplay',
  summary: 'A replay: status, summary and results so far, in request order',
  tags,
  auth: true,
  request: {
    path: replayPath,
    query: z.strictObject({ limit: queryInteger({ min: 1, max: L.maxResultsPageSize, default: L.defaultResultsPageSize }), cursor }),
  },
  example: { path: replayExample, query: { limit: '100' } },
  responses: {
    200: { description: 'The replay with a page of its results', schema: replaySchema.extend({ results: z.array(resultSchema), next_cursor: z.string().nullable() }) },
    404: notFound('endpoint, session or replay'),
    422: invalid,
  },
});

export const cancelReplay = defineContract({
  method: 'POST',
  path: `${replays}/{replay_id}/cancel`,
  family,
  operationId: 'cancelSessionReplay',
  summary: 'Cancel a queued or running replay (no further request is sent)',
  tags,
  auth: true,
  request: { path: replayPath },
  example: { path: replayExample },
  responses: {
    200: { description: 'The canceled replay', schema: replaySchema },
    400: { description: 'The replay has already ended' },
    404: notFound('endpoint, session or replay'),
  },
});
