import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { catalogue as repriseCatalogue, idsOf, pascal, type Catalogue } from './catalogue-input.ts';
import { enforceCloudFormationLimits } from './cloudformation-limits.ts';
import type { CatalogueResources } from './constructs/access.ts';
import { Api } from './constructs/api.ts';
import { Data } from './constructs/data.ts';
import { FunctionStack } from './constructs/function-stack.ts';
import { Queues } from './constructs/queues.ts';
import { Scheduling } from './constructs/scheduling.ts';
import { Workers } from './constructs/workers.ts';
import { functionGroups } from './function-groups.ts';

export interface RepriseStackProps extends StackProps {
  /**
   * What to build.
   * @default the resource catalogue in lib/catalogue.ts
   */
  readonly catalogue?: Catalogue;
}

/**
 * Reprise on AWS, built entirely from the resource catalogue. The root stack
 * holds what is stateful or shared (tables, buckets, secrets, queues with their
 * DLQs and alarms, the HTTP API with its routes, authorizer and stage, the
 * scheduler group and role, the scheduled functions' rules); the functions, each
 * with its role, policy, log group, integration or event source, live in one
 * nested stack per capability (`function-groups.ts`). Nested stacks receive
 * what their functions use as parameters and only ever add to their own
 * resources, so every stack stays within CloudFormation's limits as the
 * catalogue grows, with no dependency from the root stack's resources back on
 * them except the routes and rules reading their outputs.
 */
export class RepriseStack extends Stack {
  readonly data: Data;
  readonly queues: Queues;
  readonly scheduling: Scheduling;
  readonly api: Api;
  readonly functionStacks: readonly FunctionStack[];
  readonly workers: Workers;

  constructor(scope: Construct, id: string, props: RepriseStackProps = {}) {
    const { catalogue = repriseCatalogue, ...stackProps } = props;
    super(scope, id, stackProps);

    this.data = new Data(this, 'Data', { tables: catalogue.tables, buckets: catalogue.buckets, secrets: catalogue.secrets });
    this.queues = new Queues(this, 'Queues', { queues: catalogue.queues, routes: catalogue.detachedRoutes });
    const target = catalogue.scheduling.targetQueue;
    this.scheduling = new Scheduling(this, 'Scheduling', {
      groupName: catalogue.scheduling.groupName,
      targetQueue: this.queues.queues[target],
      deadLetterQueue: this.queues.deadLetterQueues[target],
    });

    const resources: CatalogueResources = {
      catalogue,
      table: (tableId) => this.data.tables[tableId],
      queue: (queueId) => this.queues.queues[queueId],
      bucket: (bucketId) => this.data.buckets[bucketId],
      secret: (secretId) => this.data.secrets[secretId],
      scheduling: () => this.scheduling,
      routeQueue: (name) => this.queues.routeQueues[name]!,
    };
    this.api = new Api(this, 'Api', { authorizer: catalogue.authorizer, resources });
    this.functionStacks = functionGroups(catalogue).map((group) => new FunctionStack(this, group.id, { group, resources, httpApi: this.api.httpApi }));

    const stackOf = (entry: string) => this.functionStacks.find((stack) => stack.functions.some(({ spec }) => spec.entry === entry))!;
    for (const route of catalogue.routes) this.api.addRoute(route, stackOf(route.entry).integrationIdOf(route.entry));
    this.api.addFallbackRoute(stackOf(catalogue.fallbackRoute.entry).integrationIdOf(catalogue.fallbackRoute.entry));
    this.workers = new Workers(this, 'Workers', { scheduled: this.functionStacks.flatMap((stack) => stack.scheduledFunctions) });

    for (const stack of [this, ...this.functionStacks]) enforceCloudFormationLimits(stack);

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the Reprise API' });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.queues.alarmTopic.topicArn, description: 'Subscribe to be told when a message lands in a DLQ' });
    for (const tableId of idsOf(catalogue.tables)) {
      new CfnOutput(this, `${pascal(tableId)}TableName`, {
        value: this.data.tables[tableId].tableName,
        description: `The ${tableId} table (${catalogue.tables[tableId].envName}); \`npm run api-key\` takes the apiKeys one as REPRISE_API_KEYS_TABLE`,
      });
    }
    for (const bucketId of idsOf(catalogue.buckets)) {
      new CfnOutput(this, `${pascal(bucketId)}BucketName`, { value: this.data.buckets[bucketId].bucketName });
    }
    for (const queueId of idsOf(catalogue.queues)) {
      new CfnOutput(this, `${pascal(queueId)}QueueUrl`, { value: this.queues.queues[queueId].queueUrl });
    }
    // Only the operator's documents: a generated key's name is nobody's business outside the stack.
    for (const secretId of idsOf(catalogue.secrets).filter((id) => catalogue.secrets[id].value === 'operatorJson')) {
      new CfnOutput(this, `${pascal(secretId)}SecretName`, { value: this.data.secrets[secretId].secretName, description: catalogue.secrets[secretId].description });
    }
  }
}
