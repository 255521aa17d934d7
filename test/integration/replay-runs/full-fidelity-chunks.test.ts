import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDb } from '../../../functions/adapters/aws/dynamodb-client.ts';
import type { FakeProvider } from '../../../lib/local/fake-provider.ts';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { invoke } from '../../../lib/local/invoke.ts';
import { waitFor } from '../../../lib/local/wait-for.ts';
import { chunkWorker, conversations, deliverChunk, fakeProviders, ownChunkQueue } from './full-fidelity-support.ts';
import { deliver, HOUR, isoIn, requiredEnv, tenantApi } from './support.ts';

let gateway: HttpGateway;
let fake: FakeProvider;
let queue: Awaited<ReturnType<typeof ownChunkQueue>>;
beforeAll(async () => {
  queue = await ownChunkQueue();
  fake = await fakeProviders({ latencyMs: 2 });
  gateway = await startHttpGateway({ port: 0 });
});
afterAll(async () => {
  await gateway.stop();
  await fake.stop();
  await queue.remove();
});

const TRACES = 5_000;
/**
 * Lane 0's second chunk. Its worker got the message of lane 0's first chunk,
 * ran it, and carried on with this one itself (no message of its own): the
 * redelivered first message must walk the lane to it.
 */
const VICTIM = 2;

/** Runs the chunk message in a child process (the worker this test kills). */
function runInChild(body: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'fixtures/chunk-in-child.ts'), body], { stdio: 'ignore', env: process.env });
}

describe('a chunked full-fidelity run', () => {
  it(`of ${TRACES.toLocaleString('en')} traces ends right when a chunk's worker is killed half-way through a chunk it carried on to: its pairs are failures, never re-sent`, { timeout: 240_000 }, async () => {
    // Prepare: 5,000 pairs at 100 in flight → 2 lanes of 50, 25 chunks of 200 pairs.
    const { tenant, api } = await tenantApi(gateway, 'ff-kill');
    const created = await api.post('/v2/replay-runs', {
      baseline: 'managed',
      candidate: 'managed_mini',
      replay_class: 'full_fidelity_evaluation',
      traces: conversations(TRACES, 4),
      concurrency: 100,
      max_output_tokens: 8,
      max_spend_usd: 5,
      scheduled_for: isoIn(HOUR),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const runId: string = created.body.id;
    expect(created.body.progress).toMatchObject({ chunks_total: 25, pairs_total: TRACES });
    const victimPairs = new Set(Array.from({ length: 200 }, (_, i) => `${VICTIM * 200 + i}:0`));
    const pairOf = (requestId: string) => `${requestId.split(':')[1]}:${requestId.split(':')[2]}`;
    const inVictim = (requestId: string | null) => requestId !== null && requestId.startsWith(`${runId}:`) && victimPairs.has(pairOf(requestId));

    // Act: start the run, then be the chunk queue's event source (short visibility, so a killed worker's message comes back in seconds).
    expect((await deliver(tenant.projectId, runId)).batchItemFailures).toEqual([]);
    let killedAtRequest = -1;
    let child: ChildProcess | undefined;
    const working = new Set<Promise<unknown>>();
    const ended = async () => ['completed', 'failed'].includes((await api.get(`/v2/replay-runs/${runId}`)).body.status);
    while (!(await ended())) {
      const { Messages = [] } = await queue.sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 2 }));
      for (const message of Messages) {
        const { chunk } = JSON.parse(message.Body!) as { chunk: number };
        if (chunk === 0 && !child) {
          // Lane 0 runs in a worker of its own, slowed so it is surely half-way through the victim when killed; its message stays on the queue.
          fake.setBehaviour({ latencyMs: 150 });
          child = runInChild(message.Body!);
          await waitFor('the victim chunk to be half-way', async () => fake.requests.filter((r) => inVictim(r.requestId)).length >= 50, 60_000, 20);
          child.kill('SIGKILL');
          await new Promise((done) => child!.once('exit', done));
          killedAtRequest = fake.requests.length;
          fake.setBehaviour({ latencyMs: 2 });
          // On AWS the message returns after the visibility timeout, by when the worker's lease (its function timeout) has run out: set the lease back instead of waiting 300 s.
          await dynamoDb.send(
            new UpdateCommand({
              TableName: requiredEnv('REPLAY_TABLE'),
              Key: { pk: `PRJ#${tenant.projectId}#RUN#${runId}`, sk: `CHUNK#${String(VICTIM).padStart(6, '0')}` },
              UpdateExpression: 'SET lease_until = :past',
              ExpressionAttributeValues: { ':past': new Date(Date.now() - 1_000).toISOString() },
            }),
          );
          continue;
        }
        const work = invoke(chunkWorker, {
          Records: [{ messageId: message.MessageId!, receiptHandle: message.ReceiptHandle!, body: message.Body!, attributes: { ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1' }, eventSource: 'aws:sqs', eventSourceARN: queue.arn }],
        }).then(async (result) => {
          if ((result as SQSBatchResponse).batchItemFailures.length === 0) await queue.sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle! }));
        });
        working.add(work);
        void work.finally(() => working.delete(work));
      }
    }
    await Promise.all(working);
    const run = (await api.get(`/v2/replay-runs/${runId}`)).body;
    const report = (await api.get(`/v2/replay-runs/${runId}/report`)).body;
    const ledger = (await api.get(`/api/v1/replay/history/${runId}`)).body;

    // Assess: the killed chunk's 200 pairs are failures with the reason; every other pair completed on both sides.
    expect(run.status, run.failure_reason).toBe('completed');
    expect(run.progress).toMatchObject({ chunks_done: 25, pairs_done: TRACES, failures: 200, dropped: 0 });
    expect(run.metrics).toMatchObject({ failures: 200, dropped: 0, failure_reasons: { worker_stopped: 200 } });
    expect(run.metrics.output_divergence.pairs_compared).toBe(TRACES - 200);
    expect(run.metrics.first_failures[0].message).toMatch(/stopped.*not sent again/);
    expect(report.provenance.failures_and_dropped).toEqual({ failures: 200, dropped: 0 });
    expect(report.known_limitations.join(' ')).toMatch(/200 pair\(s\) are failures because the worker running them stopped/);
    // Nothing re-spent: the victim's pairs were sent only before the kill, every other pair once per side.
    const ofRun = fake.requests.filter((r) => r.requestId?.startsWith(`${runId}:`));
    expect(fake.requests.slice(killedAtRequest).filter((r) => inVictim(r.requestId))).toEqual([]);
    const others = ofRun.filter((r) => !inVictim(r.requestId));
    expect(others).toHaveLength(2 * (TRACES - 200));
    expect(new Set(ofRun.map((r) => r.requestId)).size).toBe(ofRun.length);
    // The killed chunk's hold on the budget counts as spent: spend is at least what the others cost.
    const othersCost = others.reduce((sum, r) => sum + (r.model === 'gpt-4o' ? r.promptTokens * 2.5 + r.completionTokens * 10 : r.promptTokens * 0.15 + r.completionTokens * 0.6), 0);
    expect(run.metrics.spend.spent_usd).toBeGreaterThan(othersCost / 1e6);
    expect(ledger.items).toHaveLength(1);
    expect(ledger.items[0]).toMatchObject({ kind: 'replay_run', status: 'partial', actions_total: TRACES, actions_replayed: TRACES - 200, divergences: 200 });

    // A copy of a finished chunk's message, or of the run's, sends nothing and changes nothing.
    const before = fake.requests.length;
    const again = await Promise.all([deliverChunk({ project_id: tenant.projectId, run_id: runId, chunk: 0 }, 2), deliver(tenant.projectId, runId, 2)]);
    expect(again.map((r) => r.batchItemFailures)).toEqual([[], []]);
    expect(fake.requests.length).toBe(before);
    expect((await api.get(`/v2/replay-runs/${runId}`)).body).toEqual(run);
    expect((await api.get(`/api/v1/replay/history/${runId}`)).body.total).toBe(1);
  });
});
