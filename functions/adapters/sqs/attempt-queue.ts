import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { AttemptQueue } from '#core/reproducibility/ports.ts';
import { sqs } from '../aws/sqs-client.ts';

/** Sends attempt messages in batches of 10, retrying entries SQS reports as failed. */
export function createSqsAttemptQueue(queueUrl: string): AttemptQueue {
  return {
    async send(messages) {
      for (let i = 0; i < messages.length; i += 10) {
        let batch = messages.slice(i, i + 10).map((message, j) => ({ Id: String(j), MessageBody: JSON.stringify(message) }));
        for (let attempt = 0; batch.length > 0; attempt++) {
          if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
          const { Failed } = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch }));
          const failed = new Set((Failed ?? []).map((entry) => entry.Id));
          batch = batch.filter((entry) => failed.has(entry.Id));
          if (batch.length && attempt >= 3) throw new Error(`SQS refused ${batch.length} attempt messages: ${Failed?.[0]?.Message ?? 'no reason given'}`);
        }
      }
    },
  };
}
