import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { BatchPublisher, PageQueue } from '#core/detached-replay/ports.ts';
import { sqs } from '../aws/sqs-client.ts';

/** SendMessageBatch with string message attributes; `Failed[]` entries come back for the caller to retry. */
export const sqsBatchPublisher: BatchPublisher = {
  async sendBatch(queueUrl, entries) {
    const result = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: entries.map((entry) => ({ Id: entry.id, MessageBody: entry.body, MessageAttributes: stringAttributes(entry.attributes) })),
      }),
    );
    return {
      failed: (result.Failed ?? []).map((f) => ({ id: f.Id ?? '', code: f.Code ?? 'Unknown', message: f.Message ?? '', senderFault: f.SenderFault ?? false })),
    };
  },
};

function stringAttributes(attributes: Record<string, string>): Record<string, { DataType: 'String'; StringValue: string }> {
  const out: Record<string, { DataType: 'String'; StringValue: string }> = {};
  for (const name in attributes) out[name] = { DataType: 'String', StringValue: attributes[name]! };
  return out;
}

/** The queue that carries detached replay pages to the page worker. */
export function createSqsPageQueue(queueUrl: string): PageQueue {
  return {
    async enqueue(message, delaySeconds) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message), ...(delaySeconds ? { DelaySeconds: delaySeconds } : {}) }));
    },
  };
}
