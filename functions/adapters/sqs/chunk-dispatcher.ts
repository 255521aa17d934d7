import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { ChunkDispatcher } from '#core/replay-runs/ports.ts';
import { sqs } from '../aws/sqs-client.ts';

const ATTEMPTS = 4;

/** Sends chunk messages of full-fidelity runs to the chunk queue, ten per call, retrying entries SQS reports failed. */
export function createChunkDispatcher(queueUrl: string): ChunkDispatcher {
  return {
    async send(messages) {
      for (let i = 0; i < messages.length; i += 10) {
        let entries = messages.slice(i, i + 10).map((message, n) => ({ Id: String(n), MessageBody: JSON.stringify(message) }));
        for (let attempt = 1; entries.length > 0; attempt++) {
          const { Failed } = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
          const failed = new Set((Failed ?? []).map((f) => f.Id));
          entries = entries.filter((entry) => failed.has(entry.Id));
          if (entries.length && attempt >= ATTEMPTS) throw new Error(`SQS refused ${entries.length} chunk message(s): ${Failed?.[0]?.Message ?? 'no reason given'}`);
          if (entries.length) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
        }
      }
    },
  };
}
