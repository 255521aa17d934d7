import { DeleteMessageBatchCommand, PurgeQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { buckets, DETACHED_ROUTES_ENV } from '../../../lib/catalogue.ts';
import { waitFor } from '../../../lib/local/wait-for.ts';

export const sqs = new SQSClient({});
const s3 = new S3Client({ forcePathStyle: true });

export const routeQueueUrl = (name = 'example-ingest') =>
  (JSON.parse(process.env[DETACHED_ROUTES_ENV]!) as Record<string, { queue_url: string }>)[name]!.queue_url;

/** Writes these keys to the outputs bucket. */
export async function putObjects(keys: readonly string[]): Promise<void> {
  const limit = pLimit(32);
  await Promise.all(keys.map((key) => limit(() => s3.send(new PutObjectCommand({ Bucket: process.env[buckets.outputs.envName], Key: key, Body: '{"ok":true}' })))));
}

/** Writes `count` objects under <project>/<execution>/<stage>/, plus a .meta.json sidecar for every other one. */
export async function seedOutputs(projectId: string, executionId: string, stage: string, count: number, sidecars = true): Promise<string[]> {
  const keys = Array.from({ length: count }, (_, i) => `${projectId}/${executionId}/${stage}/doc-${String(i).padStart(5, '0')}.json`);
  await putObjects([...keys, ...(sidecars ? keys.filter((_, i) => i % 2 === 0).map((key) => `${key}.meta.json`) : [])]);
  return keys;
}

export async function purge(queueUrl: string): Promise<void> {
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
}

/** Receives (and deletes) messages until `count` arrived, then checks nothing more is waiting. */
export async function drain(queueUrl: string, count: number): Promise<Message[]> {
  const received: Message[] = [];
  await waitFor(
    `${count} messages`,
    async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }),
      );
      received.push(...Messages);
      if (Messages.length) {
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
      }
      return received.length >= count;
    },
    60_000,
    0,
  );
  const { Messages: extra = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
  return [...received, ...extra];
}
