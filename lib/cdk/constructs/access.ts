import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { buckets, queues, scheduling, tables, type Access, type BucketId, type QueueId, type TableId } from '../../catalogue.ts';
import type { RepriseFunction } from './reprise-function.ts';
import type { Scheduling } from './scheduling.ts';

export interface Resources {
  readonly tables: Record<TableId, Table>;
  readonly buckets: Record<BucketId, Bucket>;
  readonly queues: Record<QueueId, Queue>;
  readonly deadLetterQueues: Record<QueueId, Queue>;
  readonly scheduling: Scheduling;
}

/**
 * Gives a function what its catalogue entry says it uses: each access is one
 * `grant*` (least privilege) and the env var that names the resource,
 * always set together.
 */
export function bindAccess(fn: RepriseFunction, uses: readonly Access[], resources: Resources): void {
  for (const access of uses) {
    if ('table' in access) {
      const table = resources.tables[access.table];
      if (access.mode === 'read') table.grantReadData(fn);
      else table.grantReadWriteData(fn);
      fn.addEnvironment(tables[access.table].envName, table.tableName);
    } else if ('queue' in access) {
      const queue = resources.queues[access.queue];
      if (access.mode === 'send') queue.grantSendMessages(fn);
      else queue.grantConsumeMessages(fn);
      fn.addEnvironment(queues[access.queue].envName, queue.queueUrl);
    } else if ('bucket' in access) {
      const bucket = resources.buckets[access.bucket];
      if (access.mode === 'read') bucket.grantRead(fn);
      else if (access.mode === 'write') bucket.grantPut(fn);
      else bucket.grantReadWrite(fn);
      fn.addEnvironment(buckets[access.bucket].envName, bucket.bucketName);
    } else {
      const { group, schedulerRole } = resources.scheduling;
      group.grantWriteSchedules(fn);
      group.grantReadSchedules(fn);
      group.grantDeleteSchedules(fn);
      schedulerRole.grantPassRole(fn.grantPrincipal);
      fn.addEnvironment(scheduling.env.groupName, group.scheduleGroupName);
      fn.addEnvironment(scheduling.env.roleArn, schedulerRole.roleArn);
      fn.addEnvironment(scheduling.env.targetArn, resources.queues[scheduling.targetQueue].queueArn);
      fn.addEnvironment(scheduling.env.deadLetterArn, resources.deadLetterQueues[scheduling.targetQueue].queueArn);
    }
  }
}
