import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { localQueueUrl } from '../../../lib/local/provision.ts';

export const sqs = new SQSClient({});

/** A fresh queue with a DLQ on the running emulator. */
export async function queueWithDlq(options: { maxReceiveCount?: number; visibilityTimeout?: number } = {}) {
  const endpoint = process.env.AWS_ENDPOINT_URL_SQS!;
  const name = `t-${randomUUID().slice(0, 8)}`;
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
  return { url, arn: await arnOf(url), dlqUrl, dlqArn };
}

export async function arnOf(queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  return Attributes!.QueueArn!;
}

/** Messages visible plus in flight. */
export async function depth(queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}
