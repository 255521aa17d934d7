import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { detachedRoutes, routeQueueSettings } from '../../../lib/catalogue.ts';
import { routeQueueUrl } from '../detached-replay/support.ts';

describe('the local route queues', () => {
  it('have the visibility timeout and redrive of the queues the stack creates for the same routes', async () => {
    const sqs = new SQSClient({});
    for (const route of detachedRoutes.filter((r) => r.queue === 'create')) {
      const settings = routeQueueSettings(route);

      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: routeQueueUrl(route.name), AttributeNames: ['VisibilityTimeout', 'RedrivePolicy'] }));

      expect(Number(Attributes?.VisibilityTimeout), route.name).toBe(settings.visibilityTimeoutSeconds);
      expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}').maxReceiveCount, route.name).toBe(settings.maxReceiveCount);
    }
  });
});
