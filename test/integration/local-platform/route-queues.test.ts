import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { queues } from '../../../lib/catalogue.ts';
import { routeQueueUrl } from '../detached-replay/support.ts';

// Literal values on purpose: read back from the code that sets them, a changed default would pass unnoticed.
const sqs = new SQSClient({});
const attributesOf = async (queueUrl: string) => {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout', 'RedrivePolicy'] }));
  return { visibilityTimeout: Number(Attributes?.VisibilityTimeout), maxReceiveCount: JSON.parse(Attributes?.RedrivePolicy ?? '{}').maxReceiveCount };
};

describe('the local queues', () => {
  it('give a created route without settings (example-ingest) the defaults: 60 s visibility, 5 receives before its DLQ', async () => {
    expect(await attributesOf(routeQueueUrl('example-ingest'))).toEqual({ visibilityTimeout: 60, maxReceiveCount: 5 });
  });

  it('give the run queue 720 s and 3 receives, the detached page queue 360 s and 5 receives', async () => {
    const urlOf = (name: string) => `${process.env.AWS_ENDPOINT_URL_SQS}/000000000000/${name}`;

    expect(await attributesOf(urlOf(queues.runs.localName))).toEqual({ visibilityTimeout: 720, maxReceiveCount: 3 });
    expect(await attributesOf(urlOf(queues.detachedPages.localName))).toEqual({ visibilityTimeout: 360, maxReceiveCount: 5 });
  });
});
