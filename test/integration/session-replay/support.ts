import { randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { expect } from 'vitest';
import { createDynamoProxyStore } from '../../../functions/adapters/dynamodb/proxy-store.ts';
import type { ProxyStore } from '../../../functions/core/session-replay/ports.ts';
import { queues, workers, type WorkerSpec } from '../../../lib/catalogue.ts';
import type { HttpGateway } from '../../../lib/local/http-gateway.ts';
import { invoke } from '../../../lib/local/invoke.ts';
import { startSqsPollers, type Pollers } from '../../../lib/local/sqs-pollers.ts';
import { waitFor } from '../../../lib/local/wait-for.ts';
import { apiClient, type ApiResponse } from '../../support/api-client.ts';
import { startServer } from '../../support/local-server.ts';
import { sqsEvent } from '../../support/sqs-event.ts';
import { createTenant, type TestTenant } from '../../support/tenants.ts';

export { startServer, type LocalServer, type Received } from '../../support/local-server.ts';

/** Before any handler loads: these tests' upstreams and targets are local servers. */
export function allowLoopbackTargets(): void {
  process.env.REPRISE_ALLOW_LOOPBACK_TARGETS = 'true';
}

export const replayWorker: WorkerSpec = (() => {
  const worker = workers.find((w) => w.queue === 'sessionReplays');
  if (!worker) throw new Error('no session replay worker in the catalogue');
  return worker;
})();

export type Api = ReturnType<typeof apiClient>;

export async function tenantApi(gateway: HttpGateway, label: string): Promise<{ tenant: TestTenant; api: Api }> {
  const tenant = await createTenant(label);
  return { tenant, api: apiClient(gateway.url, tenant.apiKey) };
}

export function proxyStore(): ProxyStore {
  const table = process.env.PROXY_TABLE;
  if (!table) throw new Error('PROXY_TABLE is not set: run this through the integration project');
  return createDynamoProxyStore(table);
}

/** A port nothing listens on (a server was there and is gone). */
export async function deadPort(): Promise<number> {
  const server = await startServer();
  const port = Number(new URL(server.url).port);
  await server.stop();
  return port;
}

export async function createEndpoint(api: Api, upstreamUrl: string, extra: Record<string, unknown> = {}) {
  const response = await api.post('/api/v1/proxy-endpoints', { name: `ep-${randomUUID().slice(0, 6)}`, upstream_url: upstreamUrl, recording: true, ...extra });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; proxy_url: string; name: string };
}

/** The endpoint's sessions, waiting until `count` exist with `requests` requests in all. */
export async function sessionsOf(api: Api, endpointId: string, expected?: { sessions: number; requests: number }) {
  const read = async () => (await api.get(`/api/v1/proxy-endpoints/${endpointId}/sessions?limit=200`)).body.data as { id: string; request_count: number }[];
  if (!expected) return read();
  return waitFor(
    `${expected.sessions} sessions with ${expected.requests} requests`,
    async () => {
      const sessions = await read();
      const total = sessions.reduce((sum, s) => sum + s.request_count, 0);
      return sessions.length === expected.sessions && total === expected.requests ? sessions : undefined;
    },
    10_000,
  );
}

/** Reads a replay until it has ended. */
export async function replayEnded(api: Api, path: string, timeoutMs = 20_000) {
  return waitFor(
    `replay ${path} to end`,
    async () => {
      const replay = (await api.get(`${path}?limit=1000`)).body;
      return ['completed', 'failed', 'canceled'].includes(replay.status) ? replay : undefined;
    },
    timeoutMs,
  );
}

/** The ledger submissions of a replay (its org's history of the run), waiting until there are `expected`. */
export async function replayLedger(api: Api, replayId: string, expected: number) {
  return waitFor(
    `${expected} ledger submission(s) of ${replayId}`,
    async () => {
      const history = await api.get(`/api/v1/replay/history/${replayId}`);
      return history.status === 200 && history.body.total === expected ? history.body : undefined;
    },
    10_000,
  );
}

/** Lambda-style pollers of the real session replay queue for the worker. */
export async function startReplayPollers(): Promise<Pollers> {
  const queueUrl = process.env[queues.sessionReplays.envName]!;
  const sqs = new SQSClient({});
  try {
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    return startSqsPollers(
      [{ function: replayWorker, queueUrl, queueArn: Attributes!.QueueArn!, batchSize: replayWorker.batchSize, maxConcurrency: replayWorker.maxConcurrency }],
      { region: process.env.AWS_REGION!, endpoint: process.env.AWS_ENDPOINT_URL_SQS! },
    );
  } finally {
    sqs.destroy();
  }
}

/** Delivers one message to the worker as Lambda's event source would. */
export async function deliver(body: unknown, receiveCount = 1): Promise<SQSBatchResponse> {
  return (await invoke(replayWorker, sqsEvent(JSON.stringify(body), queues.sessionReplays.localName, receiveCount))) as SQSBatchResponse;
}

/** Asserts an /api/v1 error in its shape. */
export function expectError(response: ApiResponse, status: number, code?: string): void {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  if (status === 422) {
    expect(Array.isArray(response.body.detail)).toBe(true);
    return;
  }
  expect(typeof response.body.detail).toBe('string');
  if (code) expect(response.body.error_code).toBe(code);
}
