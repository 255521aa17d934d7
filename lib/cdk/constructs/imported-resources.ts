import { CfnParameter, type NestedStack } from 'aws-cdk-lib';
import { Table, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role } from 'aws-cdk-lib/aws-iam';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, type IQueue } from 'aws-cdk-lib/aws-sqs';
import type { BucketId, QueueId, SecretId, TableId } from '../../catalogue.ts';
import { routeConstructId } from '../../deployment-config.ts';
import { pascal } from '../catalogue-input.ts';
import type { CatalogueResources, SchedulingResources } from './access.ts';

/**
 * The root stack's resources as a nested stack sees them: each one a function
 * of the nested stack uses arrives as a named parameter (`LedgerTableName`,
 * `RunsQueueArn`, …) the first time it is asked for, and is imported from it.
 * Grants then land on the function's role only (an import has no resource
 * policy to add to), so no nested stack ever changes a resource of the root
 * stack, and the names cdk-nag reports a grant's wildcards by are known when
 * the grant is made, which is when `bindAccess` acknowledges them.
 */
export class ImportedResources implements CatalogueResources {
  readonly catalogue: CatalogueResources['catalogue'];
  private readonly stack: NestedStack;
  private readonly root: CatalogueResources;
  private readonly imported = new Map<string, unknown>();

  constructor(stack: NestedStack, root: CatalogueResources) {
    this.stack = stack;
    this.root = root;
    this.catalogue = root.catalogue;
  }

  /** A parameter of the nested stack whose value the root stack passes (one per name, however often asked for). */
  parameter(name: string, rootValue: string): string {
    const existing = this.stack.node.tryFindChild(name);
    if (existing instanceof CfnParameter) return existing.valueAsString;
    const parameter = new CfnParameter(this.stack, name, { type: 'String' });
    this.stack.setParameter(parameter.logicalId, rootValue);
    return parameter.valueAsString;
  }

  table(id: TableId): ITable {
    return this.once(`${pascal(id)}Table`, (name) =>
      Table.fromTableAttributes(this.stack, name, {
        tableName: this.parameter(`${name}Name`, this.root.table(id).tableName),
        // The same `/index/*` grants as the table itself gives: only to tables with indexes.
        globalIndexes: (this.catalogue.tables[id].indexes ?? []).map((index) => index.name),
      }),
    );
  }

  queue(id: QueueId): IQueue {
    return this.once(`${pascal(id)}Queue`, (name) => this.importQueue(name, this.root.queue(id)));
  }

  bucket(id: BucketId): IBucket {
    return this.once(`${pascal(id)}Bucket`, (name) =>
      Bucket.fromBucketAttributes(this.stack, name, { bucketName: this.parameter(`${name}Name`, this.root.bucket(id).bucketName) }),
    );
  }

  secret(id: SecretId): ISecret {
    return this.once(`${pascal(id)}Secret`, (name) =>
      Secret.fromSecretCompleteArn(this.stack, name, this.parameter(`${name}Arn`, this.root.secret(id).secretArn)),
    );
  }

  scheduling(): SchedulingResources {
    return this.once('Scheduling', () => {
      const root = this.root.scheduling();
      const target = this.catalogue.scheduling.targetQueue;
      return {
        // A name the catalogue fixes, not a reference: schedules are named under it at run time.
        group: ScheduleGroup.fromScheduleGroupName(this.stack, 'ScheduleGroup', this.catalogue.scheduling.groupName),
        role: Role.fromRoleArn(this.stack, 'SchedulerRole', this.parameter('SchedulerRoleArn', root.role.roleArn), { mutable: false }),
        targetQueue: this.queue(target),
        deadLetterQueue: Queue.fromQueueArn(this.stack, `${pascal(target)}Dlq`, this.parameter(`${pascal(target)}DlqArn`, root.deadLetterQueue.queueArn)),
      };
    });
  }

  routeQueue(routeName: string): IQueue {
    return this.once(`${routeConstructId(routeName)}Queue`, (name) => this.importQueue(name, this.root.routeQueue(routeName)));
  }

  private importQueue(name: string, root: IQueue): IQueue {
    return Queue.fromQueueAttributes(this.stack, name, {
      queueArn: this.parameter(`${name}Arn`, root.queueArn),
      queueUrl: this.parameter(`${name}Url`, root.queueUrl),
    });
  }

  private once<T>(name: string, make: (name: string) => T): T {
    if (!this.imported.has(name)) this.imported.set(name, make(name));
    return this.imported.get(name) as T;
  }
}
