import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Probe } from '#core/platform/health.ts';
import { awsClientConfig } from './client-config.ts';

// One attempt each: a health check reports what it sees now, it does not wait out retries.
const once = { ...awsClientConfig, maxAttempts: 1 };

/** Probes that read no data: a table's description, a queue's attributes, a bucket's existence. */
export function createDependencyProbes(resources: { table: string; queueUrl: string; bucket: string }): Record<'dynamodb' | 'sqs' | 's3', Probe> {
  const dynamodb = new DynamoDBClient(once);
  const sqs = new SQSClient(once);
  const s3 = new S3Client({ ...once, forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) });
  return {
    dynamodb: () => dynamodb.send(new DescribeTableCommand({ TableName: resources.table })),
    sqs: () => sqs.send(new GetQueueAttributesCommand({ QueueUrl: resources.queueUrl, AttributeNames: ['QueueArn'] })),
    s3: () => s3.send(new HeadBucketCommand({ Bucket: resources.bucket })),
  };
}
