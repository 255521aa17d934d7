import { z } from 'zod';
import { detachedLimits as L } from '#core/detached-replay/limits.ts';
import { defineContract } from '#shared/http/contract.ts';
import { queryInteger } from '#shared/http/query-params.ts';

const tags = ['Detached replay'];

export const executionSchema = z.object({
  execution_id: z.uuid().describe('New execution id (UUID v7) carried by every replayed message'),
  from_execution_id: z.uuid(),
  from_stage: z.string(),
  from_path: z.string().nullable(),
  to_route: z.string(),
  to_queue: z.string().describe('URL of the queue that received the messages'),
  objects_found: z.number().int().describe('Objects to replay (sidecars not counted)'),
  objects_published: z.number().int(),
  objects_failed: z.number().int(),
  objects_skipped: z.number().int().describe('.meta.json sidecars seen and not replayed'),
  status: z.enum(['publishing', 'publishing_complete', 'partial_failure']),
  replay_batch_id: z.uuid(),
  errors: z
    .array(z.string())
    .min(1)
    .max(L.errorsPerExecution)
    .nullable()
    .describe(`null while nothing failed; otherwise the first errors (at most ${L.errorsPerExecution}), never an empty list`),
  created_at: z.string(),
  completed_at: z.string().nullable(),
  lineage: z.array(z.string()).describe('Ancestor executions, nearest first'),
  requested_by: z.string().describe('The API key id that started it'),
});

export const startReplay = defineContract({
  method: 'POST',
  path: '/api/v1/replay',
  family: 'v1',
  operationId: 'startDetachedReplay',
  summary: "Replay stored outputs of an execution to a route's queue",
  tags,
  auth: true,
  maxBodyBytes: 16 * 1024,
  request: {
    body: z.object({
      from_execution_id: z.uuid(),
      from_stage: z.string().min(1).max(L.maxStageChars).describe('Stage name, may contain "/", e.g. boost/compacted'),
      from_path: z.string().max(L.maxPathChars).nullish().transform((value) => value ?? null),
      to_route: z.string().min(1).max(64),
    }),
  },
  example: { body: { from_execution_id: '0190a6b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b', from_stage: 'boost/compacted', to_route: 'example-ingest' } },
  responses: {
    200: { description: 'Every object was published (or failed) within the request', schema: executionSchema },
    202: { description: 'Publishing goes on from the queue: poll GET /api/v1/replay/executions/{execution_id}', schema: executionSchema },
    400: { description: 'The request cannot be served (e.g. a prefix with "..")' },
    404: { description: 'Unknown route, or no objects under the prefix' },
  },
});

export const listExecutions = defineContract({
  method: 'GET',
  path: '/api/v1/replay/executions',
  family: 'v1',
  operationId: 'listDetachedReplays',
  summary: 'Detached replays of the project, newest first',
  tags,
  auth: true,
  request: {
    query: z.object({
      limit: queryInteger({ min: 1, max: L.maxPageSize, default: L.defaultPageSize }),
      cursor: z.string().min(1).max(200).optional(),
    }),
  },
  example: { query: { limit: '10' } },
  responses: { 200: { description: 'A page of executions', schema: z.object({ items: z.array(executionSchema), next_cursor: z.string().nullable() }) } },
});

export const getExecution = defineContract({
  method: 'GET',
  path: '/api/v1/replay/executions/{execution_id}',
  family: 'v1',
  operationId: 'getDetachedReplay',
  summary: 'One detached replay, with live counts',
  tags,
  auth: true,
  request: { path: z.object({ execution_id: z.uuid() }) },
  example: { path: { execution_id: '0190a6b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b' } },
  responses: { 200: { description: 'The execution', schema: executionSchema }, 404: { description: 'No such execution in this project' } },
});

export const listRoutes = defineContract({
  method: 'GET',
  path: '/api/v1/routes',
  family: 'v1',
  operationId: 'listRoutes',
  summary: 'Routes this project may replay to',
  tags,
  auth: true,
  request: {},
  responses: { 200: { description: 'The routes', schema: z.object({ items: z.array(z.object({ name: z.string(), queue_url: z.string() })) }) } },
});
