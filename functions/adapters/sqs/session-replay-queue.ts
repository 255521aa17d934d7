import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { ReplayQueue } from '#core/session-replay/ports.ts';
import { sqs } from '../aws/sqs-client.ts';

/** Window and purge messages on the session replay queue; a delay holds a window back until shortly before it is due. */
export function createSessionReplayQueue(queueUrl: string): ReplayQueue {
  return {
    async send(message, delaySeconds = 0) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message), ...(delaySeconds > 0 ? { DelaySeconds: delaySeconds } : {}) }));
    },
  };
}
