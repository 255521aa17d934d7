import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buckets, queues, tables, type BucketId, type QueueId, type QueueSpec, type TableSpec } from '../catalogue.ts';

export interface LocalEndpoints {
  region: string;
  dynamodb: string;
  sqs: string;
  s3: string;
  scheduler: string;
}

export interface ProvisionedResources {
  tables: Record<string, string>;
  buckets: Record<BucketId, string>;
  queues: Record<string, string>;
  queueArns: Record<string, string>;
}

export const LOCAL_ACCOUNT = '000000000000';
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Path-style queue URL on the emulator's own address (its default `sqs.<region>.localhost` host does not resolve everywhere). */
export const localQueueUrl = (sqsEndpoint: string, name: string) => `${sqsEndpoint}/${LOCAL_ACCOUNT}/${name}`;
export const dlqName = (name: string) => `${name}-dlq`;

/**
 * Creates every table, queue (with its DLQ and redrive policy) and bucket of
 * the catalogue on the local emulators. Safe to run again on existing data.
 */
export async function provision(
  endpoints: LocalEndpoints,
  extraQueues: readonly Pick<QueueSpec, 'localName' | 'visibilityTimeoutSeconds' | 'maxReceiveCount' | 'retentionDays'>[] = [],
): Promise<ProvisionedResources> {
  const config = { region: endpoints.region, credentials: localCredentials };
  const dynamodb = new DynamoDBClient({ ...config, endpoint: endpoints.dynamodb });
  const sqs = new SQSClient({ ...config, endpoint: endpoints.sqs });
  const s3 = new S3Client({ ...config, endpoint: endpoints.s3, forcePathStyle: true });
  try {
    await Promise.all(Object.values(tables).map((spec) => createTable(dynamodb, spec)));

    const queueUrls: Record<string, string> = {};
    const queueArns: Record<string, string> = {};
    const queueSpecs = [...Object.values(queues), ...extraQueues];
    for (const spec of queueSpecs) {
      const dlq = await createQueue(sqs, endpoints.sqs, dlqName(spec.localName), { MessageRetentionPeriod: String(14 * 86_400) });
      const queue = await createQueue(sqs, endpoints.sqs, spec.localName, {
        VisibilityTimeout: String(spec.visibilityTimeoutSeconds),
        MessageRetentionPeriod: String(spec.retentionDays * 86_400),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: spec.maxReceiveCount }),
      });
      Object.assign(queueUrls, { [spec.localName]: queue.url, [dlqName(spec.localName)]: dlq.url });
      Object.assign(queueArns, { [spec.localName]: queue.arn, [dlqName(spec.localName)]: dlq.arn });
    }

    for (const spec of Object.values(buckets)) await createBucket(s3, spec.localName);

    return {
      tables: Object.fromEntries(Object.values(tables).map((t) => [t.envName, t.localName])),
      buckets: Object.fromEntries(Object.entries(buckets).map(([id, spec]) => [id, spec.localName])) as Record<BucketId, string>,
      queues: queueUrls,
      queueArns,
    };
  } finally {
    dynamodb.destroy();
    sqs.destroy();
    s3.destroy();
  }
}

/** The env vars a function needs to find every catalogue resource on the local platform. */
export function resourceEnvironment(resources: ProvisionedResources): Record<string, string> {
  const env: Record<string, string> = {};
  for (const spec of Object.values(tables)) env[spec.envName] = spec.localName;
  for (const spec of Object.values(buckets)) env[spec.envName] = spec.localName;
  for (const [id, spec] of Object.entries(queues) as [QueueId, (typeof queues)[QueueId]][]) {
    env[spec.envName] = resources.queues[spec.localName] ?? '';
    void id;
  }
  return env;
}

async function createTable(client: DynamoDBClient, spec: TableSpec): Promise<void> {
  const keyNames = [spec.partitionKey, spec.sortKey, ...(spec.indexes ?? []).flatMap((i) => [i.partitionKey, i.sortKey])].filter(
    (name): name is string => Boolean(name),
  );
  const AttributeDefinitions: AttributeDefinition[] = [...new Set(keyNames)].map((AttributeName) => ({ AttributeName, AttributeType: 'S' }));
  const keySchema = (pk: string, sk?: string): KeySchemaElement[] => [
    { AttributeName: pk, KeyType: 'HASH' },
    ...(sk ? [{ AttributeName: sk, KeyType: 'RANGE' as const }] : []),
  ];
  try {
    await client.send(
      new CreateTableCommand({
        TableName: spec.localName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions,
        KeySchema: keySchema(spec.partitionKey, spec.sortKey),
        ...(spec.indexes?.length
          ? {
              GlobalSecondaryIndexes: spec.indexes.map((index) => ({
                IndexName: index.name,
                KeySchema: keySchema(index.partitionKey, index.sortKey),
                Projection: { ProjectionType: 'ALL' },
              })),
            }
          : {}),
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  if (spec.ttlAttribute) {
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: spec.localName }));
    if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
      await client.send(
        new UpdateTimeToLiveCommand({ TableName: spec.localName, TimeToLiveSpecification: { AttributeName: spec.ttlAttribute, Enabled: true } }),
      );
    }
  }
}

async function createQueue(client: SQSClient, endpoint: string, name: string, Attributes: Record<string, string>) {
  await client.send(new CreateQueueCommand({ QueueName: name, Attributes }));
  const url = localQueueUrl(endpoint, name);
  const { Attributes: attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return { url, arn: attributes?.QueueArn ?? '' };
}

async function createBucket(client: S3Client, name: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: name }));
  } catch {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  }
}
