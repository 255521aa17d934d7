import { randomUUID } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';

/** The SQS event Lambda's event source hands a worker for one message of the queue named `queueName`. */
export function sqsEvent(body: string, queueName: string, receiveCount = 1): SQSEvent {
  const now = String(Date.now());
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: randomUUID(),
        body,
        attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: now, SenderId: 'test', ApproximateFirstReceiveTimestamp: now },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queueName}`,
        awsRegion: 'us-east-1',
      },
    ],
  };
}
