import { ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { startSqsPollers, type Pollers } from '../../../lib/local/sqs-pollers.ts';
import { waitFor } from '../../../lib/local/wait-for.ts';
import { invocations } from '../../fixtures/recording-worker.ts';
import { depth, queueWithDlq, sqs } from './queues.ts';

const worker = { entry: 'test/fixtures/recording-worker.ts', timeoutSeconds: 5, memoryMb: 128, uses: [] };
let pollers: Pollers | undefined;
afterEach(async () => {
  await pollers?.stop();
  pollers = undefined;
});

async function start(queue: { url: string; arn: string }, batchSize = 3) {
  pollers = startSqsPollers([{ function: worker, queueUrl: queue.url, queueArn: queue.arn, batchSize, maxConcurrency: 2 }], {
    region: process.env.AWS_REGION!,
    endpoint: process.env.AWS_ENDPOINT_URL_SQS!,
  });
}
const recordsOf = (queueArn: string) => invocations.filter((i) => i.queueArn === queueArn).flatMap((i) => i.records);
const send = (url: string, bodies: string[]) =>
  sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: bodies.map((body, i) => ({ Id: String(i), MessageBody: body, MessageAttributes: { kind: { DataType: 'String', StringValue: `k-${body}` } } })),
    }),
  );

describe('the local SQS pollers', () => {
  it('deliver every message once in batches of at most batchSize, in Lambda record shape, and delete them', async () => {
    const queue = await queueWithDlq();
    await start(queue, 3);
    await send(queue.url, ['a', 'b', 'c', 'd', 'e', 'f', 'g']);

    await waitFor('7 records', async () => recordsOf(queue.arn).length >= 7, 10_000);
    await waitFor('an empty queue', async () => (await depth(queue.url)) === 0, 10_000);

    const bodies = recordsOf(queue.arn).map((r) => r.body).sort();
    expect(bodies).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    const batches = invocations.filter((i) => i.queueArn === queue.arn);
    expect(Math.max(...batches.map((b) => b.records.length))).toBeLessThanOrEqual(3);
    expect(recordsOf(queue.arn)[0]).toMatchObject({ receiveCount: 1, attributes: { kind: { dataType: 'String', stringValue: expect.stringMatching(/^k-/) } } });
  });

  it('redeliver a reported failure and move it to the DLQ after maxReceiveCount, deleting its batch-mates', async () => {
    const queue = await queueWithDlq({ maxReceiveCount: 2, visibilityTimeout: 1 });
    await start(queue);
    await send(queue.url, ['fail-1', 'ok-1', 'ok-2']);

    const dead = await waitFor(
      'the failed message in the DLQ',
      async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.dlqUrl, WaitTimeSeconds: 1 }))).Messages?.[0],
      15_000,
    );

    expect(dead.Body).toBe('fail-1');
    const seen = recordsOf(queue.arn);
    expect(seen.filter((r) => r.body === 'fail-1').map((r) => r.receiveCount)).toEqual([1, 2]);
    expect(seen.filter((r) => r.body.startsWith('ok')).length).toBe(2);
    await waitFor('an empty main queue', async () => (await depth(queue.url)) === 0, 10_000);
  });

  it('retry the whole batch when the handler throws', async () => {
    const queue = await queueWithDlq({ maxReceiveCount: 2 });
    await start(queue, 10);
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'throw-1' }));

    await waitFor('the message in the DLQ', async () => (await depth(queue.dlqUrl)) === 1, 15_000);

    expect(recordsOf(queue.arn).map((r) => r.receiveCount)).toEqual([1, 2]);
  });

  it('fail the whole batch when an item identifier is not in it, as Lambda does', async () => {
    const queue = await queueWithDlq({ maxReceiveCount: 2 });
    await start(queue, 10);
    await send(queue.url, ['bogus-1']);

    await waitFor('the message in the DLQ', async () => (await depth(queue.dlqUrl)) === 1, 15_000);

    expect(recordsOf(queue.arn).filter((r) => r.body === 'bogus-1')).toHaveLength(2);
  });

  it('take nothing once stopped', async () => {
    const queue = await queueWithDlq({ visibilityTimeout: 30 });
    await start(queue);
    await pollers!.stop();
    pollers = undefined;

    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'after-stop' }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 2 }));

    expect(received.Messages?.[0]?.Body).toBe('after-stop');
    expect(recordsOf(queue.arn)).toEqual([]);
  });
});
