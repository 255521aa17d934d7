import { createHash } from 'node:crypto';
import { SendMessageBatchCommand, SendMessageCommand, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { FunctionSpec } from '../../../lib/catalogue.ts';
import { loadHandler } from '../../../lib/local/invoke.ts';
import { startSqsPollers, type Pollers } from '../../../lib/local/sqs-pollers.ts';
import { waitFor } from '../../../lib/local/wait-for.ts';
import { behave, handler, invocations, type Behaviour } from '../../fixtures/recording-worker.ts';
import { deleteTestQueues, depth, queueWithDlq, receiveCount, sqs, type TestQueue } from './queues.ts';

const worker: FunctionSpec = { entry: 'test/fixtures/recording-worker.ts', timeoutSeconds: 5, memoryMb: 128, uses: [] };

let pollers: Pollers | undefined;
afterEach(async () => {
  await pollers?.stop();
  pollers = undefined;
});
afterAll(() => deleteTestQueues());

function start(queue: TestQueue, options: { batchSize?: number; maxConcurrency?: number; timeoutSeconds?: number } = {}): Pollers {
  pollers = startSqsPollers(
    [
      {
        function: { ...worker, timeoutSeconds: options.timeoutSeconds ?? worker.timeoutSeconds },
        queueUrl: queue.url,
        queueArn: queue.arn,
        batchSize: options.batchSize ?? 10,
        maxConcurrency: options.maxConcurrency ?? 1,
      },
    ],
    { region: process.env.AWS_REGION ?? 'us-east-1', endpoint: process.env.AWS_ENDPOINT_URL_SQS ?? '' },
  );
  return pollers;
}

/** Bodies unique to one test (the worker's behaviours are keyed by body), each told how to behave. */
function bodies<Label extends string>(queue: TestQueue, spec: Record<Label, Behaviour | 'ok'>): Record<Label, string> {
  const out = {} as Record<Label, string>;
  for (const label of Object.keys(spec) as Label[]) {
    out[label] = `${queue.name}:${label}`;
    const behaviour = spec[label];
    if (behaviour !== 'ok') behave(out[label], behaviour);
  }
  return out;
}

const send = (queue: TestQueue, messages: string[], attributes: Record<string, MessageAttributeValue> = {}) =>
  sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queue.url,
      Entries: messages.map((body, i) => ({ Id: String(i), MessageBody: body, MessageAttributes: attributes })),
    }),
  );

const invocationsOf = (queue: TestQueue) => invocations.filter((i) => i.records[0]?.eventSourceARN === queue.arn);
const recordsOf = (queue: TestQueue): SQSRecord[] => invocationsOf(queue).flatMap((i) => i.records);
/** The ApproximateReceiveCount of every delivery of `body`, in delivery order. */
const receiveCounts = (queue: TestQueue, body: string) =>
  recordsOf(queue)
    .filter((r) => r.body === body)
    .map((r) => Number(r.attributes.ApproximateReceiveCount));

describe('the local SQS pollers (Lambda SQS event source)', () => {
  it('run the very module instance the test imported (so the test reads what the worker recorded)', async () => {
    expect(await loadHandler(worker.entry)).toBe(handler);
  });

  it('deliver every message of a successful batch exactly once, then delete it', async () => {
    // Prepare
    const queue = await queueWithDlq();
    const sent = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((label) => `${queue.name}:${label}`);
    await send(queue, sent);

    // Act
    start(queue, { batchSize: 3, maxConcurrency: 2 });
    await waitFor('7 records', async () => recordsOf(queue).length >= 7, 10_000);
    await waitFor('an empty queue', async () => (await depth(queue.url)) === 0, 10_000);

    // Assess
    const delivered = recordsOf(queue);
    expect(delivered.map((r) => r.body).sort()).toEqual(sent);
    expect(delivered.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(sent.map(() => '1'));
    expect(await depth(queue.dlqUrl)).toBe(0);
  });

  it('hand the handler records in Lambda’s shape', async () => {
    // Prepare
    const queue = await queueWithDlq();
    const body = `${queue.name}:{"hello":"world"}`;
    const before = Date.now();
    const { MessageId } = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: body,
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'replay' },
          attempt: { DataType: 'Number', StringValue: '42' },
          blob: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 254, 255]) },
        },
      }),
    );

    // Act
    start(queue);
    await waitFor('the record', async () => recordsOf(queue).length === 1, 10_000);

    // Assess
    const [record] = recordsOf(queue);
    expect(record).toEqual({
      messageId: MessageId,
      receiptHandle: expect.stringMatching(/.+/),
      body,
      attributes: expect.objectContaining({
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d+$/),
        SenderId: expect.stringMatching(/.+/),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d+$/),
      }),
      messageAttributes: {
        kind: { stringValue: 'replay', stringListValues: [], binaryListValues: [], dataType: 'String' },
        attempt: { stringValue: '42', stringListValues: [], binaryListValues: [], dataType: 'Number' },
        blob: { binaryValue: Buffer.from([0, 1, 254, 255]).toString('base64'), stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
      md5OfBody: createHash('md5').update(body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: 'us-east-1',
    });
    expect(Number(record!.attributes.SentTimestamp)).toBeGreaterThanOrEqual(before - 1_000);
  });

  it('redeliver a record named in batchItemFailures, move it to the DLQ after maxReceiveCount, and delete its batch-mates', async () => {
    // Prepare
    const queue = await queueWithDlq({ maxReceiveCount: 2, visibilityTimeout: 1 });
    const b = bodies(queue, { failing: 'fail', ok1: 'ok', ok2: 'ok' });
    await send(queue, [b.failing, b.ok1, b.ok2]);

    // Act
    start(queue);
    const dead = await receiveCount(queue.dlqUrl, 1);
    await waitFor('an empty main queue', async () => (await depth(queue.url)) === 0, 10_000);

    // Assess
    expect(dead.map((m) => m.Body)).toEqual([b.failing]);
    expect(receiveCounts(queue, b.failing)).toEqual([1, 2]);
    expect(receiveCounts(queue, b.ok1)).toEqual([1]);
    expect(receiveCounts(queue, b.ok2)).toEqual([1]);
    expect(await depth(queue.dlqUrl)).toBe(1);
  });

  it('retry the whole batch when the handler throws', async () => {
    // Prepare: all three are on the queue before the poller starts, so they travel in one batch.
    const queue = await queueWithDlq({ maxReceiveCount: 2, visibilityTimeout: 1 });
    const b = bodies(queue, { thrower: 'throw', mate1: 'ok', mate2: 'ok' });
    await send(queue, [b.thrower, b.mate1, b.mate2]);

    // Act
    start(queue);
    await receiveCount(queue.dlqUrl, 1);
    await waitFor('every batch-mate retried', async () => receiveCounts(queue, b.mate1).length >= 2 && receiveCounts(queue, b.mate2).length >= 2, 10_000);

    // Assess
    const first = invocationsOf(queue)[0]!;
    expect(first.records.map((r) => r.body).sort()).toEqual([b.thrower, b.mate1, b.mate2].sort());
    expect(receiveCounts(queue, b.thrower)).toEqual([1, 2]);
    expect(receiveCounts(queue, b.mate1).slice(0, 2)).toEqual([1, 2]);
    expect(receiveCounts(queue, b.mate2).slice(0, 2)).toEqual([1, 2]);
  });

  it.each(['foreign-id', 'empty-id'] as const)('fail the whole batch when an item identifier is not one of its messages (%s), as Lambda does', async (behaviour) => {
    // Prepare
    const queue = await queueWithDlq({ maxReceiveCount: 2, visibilityTimeout: 1 });
    const b = bodies(queue, { odd: behaviour, mate: 'ok' });
    await send(queue, [b.odd, b.mate]);

    // Act
    start(queue);
    await waitFor('both retried', async () => receiveCounts(queue, b.odd).length >= 2 && receiveCounts(queue, b.mate).length >= 2, 10_000);

    // Assess: the mate succeeded in its handler, yet it came back.
    expect(invocationsOf(queue)[0]!.records.map((r) => r.body).sort()).toEqual([b.odd, b.mate].sort());
    expect(receiveCounts(queue, b.mate).slice(0, 2)).toEqual([1, 2]);
    expect(receiveCounts(queue, b.odd).slice(0, 2)).toEqual([1, 2]);
  });

  it('time out an invocation at the function’s timeout and retry its batch', async () => {
    // Prepare
    const queue = await queueWithDlq({ maxReceiveCount: 2, visibilityTimeout: 1 });
    const b = bodies(queue, { stuck: 'hang', mate: 'ok' });
    await send(queue, [b.stuck, b.mate]);

    // Act
    start(queue, { timeoutSeconds: 1 });
    await waitFor('the batch retried', async () => receiveCounts(queue, b.mate).length >= 2, 10_000);

    // Assess
    expect(receiveCounts(queue, b.mate).slice(0, 2)).toEqual([1, 2]);
    expect(receiveCounts(queue, b.stuck).slice(0, 2)).toEqual([1, 2]);
  });

  it.each([1, 2, 3])('never hand one invocation more than batchSize (%i) records', async (batchSize) => {
    // Prepare
    const queue = await queueWithDlq();
    const sent = Array.from({ length: 9 }, (_, i) => `${queue.name}:${i}`);
    await send(queue, sent);

    // Act
    start(queue, { batchSize, maxConcurrency: 2 });
    await waitFor('9 records', async () => recordsOf(queue).length >= 9, 10_000);
    await waitFor('an empty queue', async () => (await depth(queue.url)) === 0, 10_000);

    // Assess
    const sizes = invocationsOf(queue).map((i) => i.records.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(batchSize);
    expect(sizes.reduce((sum, n) => sum + n, 0)).toBe(9);
  });

  it('stop: resolves, and no invocation happens after it', async () => {
    // Prepare: a running poller that has already delivered one message.
    const queue = await queueWithDlq({ visibilityTimeout: 30 });
    const running = start(queue, { maxConcurrency: 2 });
    await send(queue, [`${queue.name}:before`]);
    await waitFor('the first delivery', async () => recordsOf(queue).length === 1 && (await depth(queue.url)) === 0, 10_000);

    // Act
    await running.stop();
    pollers = undefined;
    const invocationsAtStop = invocations.length;
    const stoppedAt = Date.now();
    await send(queue, [`${queue.name}:after`]);
    const [after] = await receiveCount(queue.url, 1);

    // Assess: the test is the first to receive the new message, and nothing ran after stop().
    expect(after?.Body).toBe(`${queue.name}:after`);
    expect(after?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(invocations.length).toBe(invocationsAtStop);
    expect(invocations.filter((i) => i.at >= stoppedAt)).toEqual([]);
    expect(recordsOf(queue).map((r) => r.body)).toEqual([`${queue.name}:before`]);
  });
});
