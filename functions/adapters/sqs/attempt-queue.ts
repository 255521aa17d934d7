import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { AttemptQueue } from '#core/reproducibility/ports.ts';
import type { AttemptMessage } from '#core/reproducibility/run.ts';
import { sqs } from '../aws/sqs-client.ts';

/** Sends attempt messages in batches of 10 (all at once), retrying entries SQS reports as failed. */
export function createSqsAttemptQueue(queueUrl: string): AttemptQueue {
  async function sendBatch(messages: AttemptMessage[]): Promise<void> {
    let batch = messages.map((message, i) => ({ Id: String(i), MessageBody: JSON.stringify(message) }));
    for (let attempt = 0; batch.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const { Failed } = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch }));
      const failed = new Set((Failed ?? []).map((entry) => entry.Id));
      batch = batch.filter((entry) => failed.has(entry.Id));
      if (batch.length && attempt >= 3) throw new Error(`SQS refused ${batch.length} attempt messages: ${Failed?.[0]?.Message ?? 'no reason given'}`);
    }
  }
  return {
    async send(messages) {
      const batches = Array.from({ length: Math.ceil(messages.length / 10) }, (_, i) => messages.slice(i * 10, i * 10 + 10));
      await Promise.all(batches.map(sendBatch));
    },
  };
}
