import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { localQueueUrl } from '../../../lib/local/provision.ts';
import { waitFor } from '../../../lib/local/wait-for.ts';

/** The real SDK client, pointed at the emulator by the worker's `AWS_ENDPOINT_URL_SQS`. */
export const sqs = new SQSClient({});

export interface TestQueue {
  name: string;
  url: string;
  arn: string;
  dlqUrl: string;
  dlqArn: string;
}

const created: string[] = [];

/** A fresh queue with its DLQ on the running emulator (path-style URLs, as the platform provisions them). */
export async function queueWithDlq(options: { maxReceiveCount?: number; visibilityTimeout?: number } = {}): Promise<TestQueue> {
  const endpoint = process.env.AWS_ENDPOINT_URL_SQS;
  if (!endpoint) throw new Error('AWS_ENDPOINT_URL_SQS is not set: run this through the integration project');
  const name = `lp-${randomUUID().slice(0, 8)}`;
  await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqUrl = localQueueUrl(endpoint, `${name}-dlq`);
  const dlqArn = await arnOf(dlqUrl);
  await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(options.visibilityTimeout ?? 1),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: options.maxReceiveCount ?? 2 }),
      },
    }),
  );
  const url = localQueueUrl(endpoint, name);
  created.push(url, dlqUrl);
  return { name, url, arn: await arnOf(url), dlqUrl, dlqArn };
}

/** Deletes every queue `queueWithDlq` made in this test file. */
export async function deleteTestQueues(): Promise<void> {
  const urls = created.splice(0);
  await Promise.all(urls.map((QueueUrl) => sqs.send(new DeleteQueueCommand({ QueueUrl })).catch(() => undefined)));
}

export async function arnOf(queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`No QueueArn for ${queueUrl}`);
  return arn;
}

/** Messages visible plus in flight (ApproximateNumberOfMessages + ApproximateNumberOfMessagesNotVisible). */
export async function depth(queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/** One receive (long poll of `waitSeconds`), with every system attribute. */
export async function receive(queueUrl: string, waitSeconds = 1, max = 10): Promise<Message[]> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      WaitTimeSeconds: waitSeconds,
      MaxNumberOfMessages: max,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  return Messages ?? [];
}

/** Receives until `count` messages have arrived (each is then in flight), or fails after `timeoutMs`. */
export async function receiveCount(queueUrl: string, count: number, timeoutMs = 15_000): Promise<Message[]> {
  const got: Message[] = [];
  await waitFor(
    `${count} message(s) on ${queueUrl}`,
    async () => {
      got.push(...(await receive(queueUrl)));
      return got.length >= count;
    },
    timeoutMs,
    0,
  );
  return got;
}
