import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { expect } from 'vitest';
import { createDynamoReplayStore } from '../../../functions/adapters/dynamodb/replay-store.ts';
import type { ReplayStore } from '../../../functions/core/replay-runs/ports.ts';
import { priceCatalogue } from '../../../functions/core/replay-runs/price-catalogue.ts';
import { queues, scheduled, workers, type FunctionSpec, type WorkerSpec } from '../../../lib/catalogue.ts';
import type { HttpGateway } from '../../../lib/local/http-gateway.ts';
import { invoke } from '../../../lib/local/invoke.ts';
import { startSqsPollers, type Pollers } from '../../../lib/local/sqs-pollers.ts';
import { apiClient, type ApiResponse } from '../../support/api-client.ts';
import { sqsEvent } from '../../support/sqs-event.ts';
import { createTenant, type TestTenant } from '../../support/tenants.ts';

/** The replay-run worker of the catalogue (the first worker, on the runs queue). */
export const runWorker: WorkerSpec = (() => {
  const worker = workers[0];
  if (!worker?.entry.endsWith('replay-run-worker.ts') || worker.queue !== 'runs') throw new Error('workers[0] is not the replay-run worker');
  return worker;
})();

/** The sweeper of the catalogue. */
export const sweeper: FunctionSpec = (() => {
  const spec = scheduled[0];
  if (!spec?.entry.endsWith('sweeper.ts')) throw new Error('scheduled[0] is not the sweeper');
  return spec;
})();

export type Api = ReturnType<typeof apiClient>;

/** A fresh tenant (org, project, key) and a client bound to its key. */
export async function tenantApi(gateway: HttpGateway, label: string): Promise<{ tenant: TestTenant; api: Api }> {
  const tenant = await createTenant(label);
  return { tenant, api: apiClient(gateway.url, tenant.apiKey) };
}

/** The real store, on the table the handlers use. */
export function replayStore(): ReplayStore {
  return createDynamoReplayStore(requiredEnv('REPLAY_TABLE'));
}

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this through the integration project`);
  return value;
}

/** An RFC 3339 time `ms` from now (negative: in the past). */
export const isoIn = (ms: number): string => new Date(Date.now() + ms).toISOString();
export const HOUR = 3_600_000;

/** The SQS event Lambda hands the worker for one run message. */
export function runMessageEvent(projectId: string, runId: string, receiveCount = 1): SQSEvent {
  return sqsEvent(JSON.stringify({ project_id: projectId, run_id: runId }), queues.runs.localName, receiveCount);
}

/**
 * Delivers a run's message to the worker, as Lambda's event source would (through `invoke`).
 * Runs in these tests are scheduled ahead so that no message reaches the shared queue; unless
 * `early` is set, the run is first made due (its due time moved to now, as if its schedule fired),
 * because a worker never starts a run before its time.
 */
export async function deliver(projectId: string, runId: string, receiveCount = 1, options: { early?: boolean } = {}): Promise<SQSBatchResponse> {
  if (!options.early) await makeDue(projectId, runId);
  return (await invoke(runWorker, runMessageEvent(projectId, runId, receiveCount))) as SQSBatchResponse;
}

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));

/** Moves a queued run's due time to now (nothing for a run in any other state). */
async function makeDue(projectId: string, runId: string): Promise<void> {
  try {
    await documents.send(
      new UpdateCommand({
        TableName: requiredEnv('REPLAY_TABLE'),
        Key: { pk: `PRJ#${projectId}`, sk: `RUN#${runId}` },
        ConditionExpression: '#status = :queued',
        UpdateExpression: 'SET due_at = :now',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':queued': 'queued', ':now': new Date().toISOString() },
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
}

/** Runs the sweeper once, as its rate schedule would. */
export async function sweep(): Promise<{ swept: Record<string, number> }> {
  return (await invoke(sweeper, { source: 'aws.events', 'detail-type': 'Scheduled Event' })) as { swept: Record<string, number> };
}

/** Starts Lambda-style pollers of the real runs queue for the replay-run worker. */
export async function startRunPollers(): Promise<Pollers> {
  const queueUrl = requiredEnv(queues.runs.envName);
  const sqs = new SQSClient({});
  try {
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    const queueArn = Attributes?.QueueArn;
    if (!queueArn) throw new Error(`No QueueArn for ${queueUrl}`);
    return startSqsPollers(
      [{ function: runWorker, queueUrl, queueArn, batchSize: runWorker.batchSize, maxConcurrency: runWorker.maxConcurrency }],
      { region: requiredEnv('AWS_REGION'), endpoint: requiredEnv('AWS_ENDPOINT_URL_SQS') },
    );
  } finally {
    sqs.destroy();
  }
}

/** Asserts a `/v2` 400 in the `invalid_request_error` shape, naming `param`. */
export function expectInvalid(response: ApiResponse, param: string | RegExp): void {
  expect(response.status, JSON.stringify(response.body)).toBe(400);
  expect(response.body.error.type).toBe('invalid_request_error');
  expect(typeof response.body.error.message).toBe('string');
  if (typeof param === 'string') expect(response.body.error.param).toBe(param);
  else expect(response.body.error.param).toMatch(param);
}

/** Asserts a `/v2` 404 in the `invalid_request_error` shape. */
export function expectNotFound(response: ApiResponse): void {
  expect(response.status, JSON.stringify(response.body)).toBe(404);
  expect(response.body.error.type).toBe('invalid_request_error');
}

export interface Trace {
  input_tokens: number;
  output_tokens: number;
  realized_reused_tokens?: number;
  candidate_reuse_tokens?: number;
}

/** A small hand-made manifest: three traces with different reuse. */
export const threeTraces: Trace[] = [
  { input_tokens: 10_000, output_tokens: 500, realized_reused_tokens: 6_000 },
  { input_tokens: 8_000, output_tokens: 400, realized_reused_tokens: 4_000, candidate_reuse_tokens: 6_000 },
  { input_tokens: 12_000, output_tokens: 600, realized_reused_tokens: 0 },
];

type ProfileName = keyof typeof priceCatalogue.profiles;

/**
 * The list-price cost (micro-USD, unrounded) of one pass over `traces` on a
 * catalogue profile, computed here from the catalogue's numbers: cached input
 * at the cached price up to the side's reuse (baseline: realized; candidate:
 * candidate_reuse_tokens, else realized) when the profile reuses prefixes.
 */
export function listPriceCost(traces: readonly Trace[], profile: ProfileName, side: 'baseline' | 'candidate'): number {
  const spec = priceCatalogue.profiles[profile];
  const prices = (priceCatalogue.models as Record<string, { input: number; cachedInput: number; output: number }>)[spec.target];
  if (!prices) throw new Error(`No prices for ${spec.target}`);
  let micros = 0;
  for (const t of traces) {
    const reusable = side === 'candidate' ? (t.candidate_reuse_tokens ?? t.realized_reused_tokens ?? 0) : (t.realized_reused_tokens ?? 0);
    const hit = spec.reusesCachedPrefixes ? Math.min(reusable, t.input_tokens) : 0;
    micros += ((t.input_tokens - hit) * prices.input + hit * prices.cachedInput + t.output_tokens * prices.output) / 1_000_000;
  }
  return micros;
}
