import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { expect } from 'vitest';
import { createDynamoReproducibilityStore } from '../../../functions/adapters/dynamodb/reproducibility-store.ts';
import { queues, scheduled, workers, type FunctionSpec, type WorkerSpec } from '../../../lib/catalogue.ts';
import type { HttpGateway } from '../../../lib/local/http-gateway.ts';
import { invoke } from '../../../lib/local/invoke.ts';
import { localQueueUrl } from '../../../lib/local/provision.ts';
import { startSqsPollers, type Pollers } from '../../../lib/local/sqs-pollers.ts';
import { waitFor } from '../../../lib/local/wait-for.ts';
import { apiClient, type ApiResponse } from '../../support/api-client.ts';
import { sqsEvent } from '../../support/sqs-event.ts';
import { createTenant, type TestTenant } from '../../support/tenants.ts';

export type Api = ReturnType<typeof apiClient>;

export const attemptWorker: WorkerSpec = (() => {
  const worker = workers.find((w) => w.queue === 'reproducibility');
  if (!worker) throw new Error('no reproducibility worker in the catalogue');
  return worker;
})();

export const sweeper: FunctionSpec = (() => {
  const spec = scheduled.find((s) => s.entry.endsWith('sweeper.ts'));
  if (!spec) throw new Error('no sweeper in the catalogue');
  return spec;
})();

export async function tenantApi(gateway: HttpGateway, label: string): Promise<{ tenant: TestTenant; api: Api }> {
  const tenant = await createTenant(label);
  return { tenant, api: apiClient(gateway.url, tenant.apiKey) };
}

export function reproducibilityStore() {
  return createDynamoReproducibilityStore(process.env.REPRODUCIBILITY_TABLE!);
}

/**
 * A queue of this test file's own for attempt messages (set before any
 * handler loads), so pollers of other files, with other settings, never
 * take this file's messages.
 */
export async function privateAttemptQueue(): Promise<{ url: string; arn: string }> {
  const sqs = new SQSClient({});
  try {
    const name = `reprise-repro-test-${randomUUID().slice(0, 8)}`;
    const endpoint = process.env.AWS_ENDPOINT_URL_SQS!;
    await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: localQueueUrl(endpoint, `${name}-dlq`), AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        // Short, so a test that kills a delivery sees the message again soon.
        Attributes: { VisibilityTimeout: '30', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: queues.reproducibility.maxReceiveCount }) },
      }),
    );
    const url = localQueueUrl(endpoint, name);
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    process.env[queues.reproducibility.envName] = url;
    return { url, arn };
  } finally {
    sqs.destroy();
  }
}

/** Lambda-style pollers of a queue for the attempt worker, as the catalogue sets them. */
export function startAttemptPollers(queue: { url: string; arn: string }): Pollers {
  return startSqsPollers([{ function: attemptWorker, queueUrl: queue.url, queueArn: queue.arn, batchSize: attemptWorker.batchSize, maxConcurrency: attemptWorker.maxConcurrency }], {
    region: process.env.AWS_REGION!,
    endpoint: process.env.AWS_ENDPOINT_URL_SQS!,
  });
}

/** Delivers one attempt message to the worker, as the event source would. */
export async function deliverAttempt(projectId: string, runId: string, index: number, receiveCount = 1): Promise<SQSBatchResponse> {
  return (await invoke(attemptWorker, sqsEvent(JSON.stringify({ project_id: projectId, run_id: runId, index }), 'test', receiveCount))) as SQSBatchResponse;
}

export async function sweep(): Promise<{ swept: Record<string, number> }> {
  return (await invoke(sweeper, { source: 'aws.events', 'detail-type': 'Scheduled Event' })) as { swept: Record<string, number> };
}

/** A session the tests replay: an LLM request (with its answer) after a user input. */
export function llmSession(agentId: string, extra: Record<string, unknown> = {}) {
  return {
    agent_id: agentId,
    started_at: '2026-11-30T09:00:00Z',
    events: [
      { type: 'user_input', input: 'What is the capital of France?' },
      { type: 'llm_request', model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'What is the capital of France?' }], params: { temperature: 0 } },
      { type: 'llm_response', output: 'You said: What is the capital of France?' },
      { type: 'agent_output', output: 'Paris' },
    ],
    ...extra,
  };
}

export async function createSession(api: Api, body: Record<string, unknown>): Promise<{ id: string; replayable: boolean }> {
  const response = await api.post('/api/v1/sessions', body);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

export async function startRun(api: Api, body: Record<string, unknown>): Promise<{ id: string; status: string }> {
  const response = await api.post('/api/v1/reproducibility/runs', body);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return response.body;
}

/** Reads a run until it has ended. */
export function runEnded(api: Api, runId: string, timeoutMs = 25_000) {
  return waitFor(
    `run ${runId} to end`,
    async () => {
      const run = (await api.get(`/api/v1/reproducibility/runs/${runId}`)).body;
      return ['completed', 'failed', 'canceled'].includes(run.status) ? run : undefined;
    },
    timeoutMs,
    50,
  );
}

/** Asserts an `/api/v1` error answer. */
export function expectError(response: ApiResponse, status: number, code: string): void {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body).toMatchObject({ error_code: code, detail: expect.any(String), correlation_id: expect.any(String), timestamp: expect.any(String) });
}

/** Asserts a 422 naming the field at `loc`. */
export function expectInvalid(response: ApiResponse, loc: (string | number)[]): void {
  expect(response.status, JSON.stringify(response.body)).toBe(422);
  expect(response.body.detail.map((issue: { loc: unknown[] }) => issue.loc)).toContainEqual(loc);
}
