import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import type { FunctionSpec } from '../catalogue.ts';
import { inProcessHost, type FunctionHost } from './function-host.ts';

export interface PollerTarget {
  function: FunctionSpec;
  queueUrl: string;
  queueArn: string;
  batchSize: number;
  maxConcurrency: number;
}

export interface Pollers {
  stop(): Promise<void>;
}

/**
 * Feeds queue messages to worker handlers the way Lambda's SQS event source
 * does: batches of up to `batchSize`, `maxConcurrency` invocations at once,
 * messages named in `batchItemFailures` (or a whole batch whose handler
 * threw) stay on the queue until their visibility timeout ends, so the
 * queue's redrive policy moves them to the DLQ after `maxReceiveCount`.
 */
export function startSqsPollers(
  targets: readonly PollerTarget[],
  options: { region: string; endpoint: string; credentials?: { accessKeyId: string; secretAccessKey: string } },
  /** Where the worker handlers run. @default in this process */
  functions: FunctionHost = inProcessHost,
): Pollers {
  // A client per target, with a socket per loop: Lambda's event sources poll independently, and one
  // shared client (50 sockets) held the long polls of some queues' loops behind the others' for up to
  // WaitTimeSeconds (61 loops in all: the reproducibility queue's messages waited 0–1 s to be received).
  const clients = new Map(targets.map((target) => [target, new SQSClient({ ...options, requestHandler: { httpAgent: { keepAlive: true, maxSockets: target.maxConcurrency } } })]));
  let running = true;
  // Targets whose receive fails now (an emulator restarting): said once per outage, not once a second per loop.
  const failing = new Set<PollerTarget>();
  const loops = targets.flatMap((target) => Array.from({ length: target.maxConcurrency }, () => pollLoop(target)));

  async function pollLoop(target: PollerTarget): Promise<void> {
    const sqs = clients.get(target)!;
    while (running) {
      try {
        const { Messages } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: target.queueUrl,
            MaxNumberOfMessages: Math.min(target.batchSize, 10),
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        failing.delete(target);
        if (!Messages?.length) continue;
        if (!running) {
          // Received while stopping: hand the messages back rather than hide them for a visibility timeout.
          await release(target, Messages);
          continue;
        }
        await deliver(target, Messages);
      } catch (error) {
        if (running) {
          if (!failing.has(target)) console.error(`poller for ${target.function.entry} failed, retrying every second: ${(error as Error).message}`);
          failing.add(target);
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
      }
    }
  }

  async function deliver(target: PollerTarget, messages: Message[]): Promise<void> {
    const sqs = clients.get(target)!;
    const event: SQSEvent = { Records: messages.map((m) => toRecord(m, target.queueArn, options.region)) };
    let failed: Set<string>;
    try {
      const result = (await functions.invoke(target.function, event)) as SQSBatchResponse | undefined;
      failed = failedIds(result, messages);
    } catch (error) {
      console.error(`${target.function.entry} failed a batch of ${messages.length}`, error);
      return;
    }
    const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
    if (done.length) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: target.queueUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  }

  async function release(target: PollerTarget, messages: Message[]): Promise<void> {
    await clients.get(target)!.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: target.queueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 })),
      }),
    );
  }

  return {
    async stop() {
      running = false;
      await Promise.allSettled(loops);
      for (const client of clients.values()) client.destroy();
    },
  };
}

/** As on Lambda: an item identifier that is empty or not in the batch fails the whole batch. */
function failedIds(result: SQSBatchResponse | undefined, messages: Message[]): Set<string> {
  const ids = new Set(messages.map((m) => m.MessageId ?? ''));
  const failures = result?.batchItemFailures ?? [];
  if (failures.some((f) => !f.itemIdentifier || !ids.has(f.itemIdentifier))) return ids;
  return new Set(failures.map((f) => f.itemIdentifier));
}

function toRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(attributes.MessageGroupId ? { MessageGroupId: attributes.MessageGroupId } : {}),
      ...(attributes.MessageDeduplicationId ? { MessageDeduplicationId: attributes.MessageDeduplicationId } : {}),
    },
    messageAttributes: toLambdaAttributes(message.MessageAttributes),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

function toLambdaAttributes(attributes: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    out[name] = {
      dataType: value.DataType ?? 'String',
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return out;
}
