import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { catalogue as repriseCatalogue, idsOf, pascal, type Catalogue } from './catalogue-input.ts';
import type { CatalogueResources } from './constructs/access.ts';
import { Api } from './constructs/api.ts';
import { Data } from './constructs/data.ts';
import { Queues } from './constructs/queues.ts';
import { Scheduling } from './constructs/scheduling.ts';
import { Workers } from './constructs/workers.ts';

export interface RepriseStackProps extends StackProps {
  /**
   * What to build.
   * @default the resource catalogue in lib/catalogue.ts
   */
  readonly catalogue?: Catalogue;
}

/** Reprise on AWS, built entirely from the resource catalogue. */
export class RepriseStack extends Stack {
  readonly data: Data;
  readonly queues: Queues;
  readonly scheduling: Scheduling;
  readonly api: Api;
  readonly workers: Workers;

  constructor(scope: Construct, id: string, props: RepriseStackProps = {}) {
    super(scope, id, props);
    const catalogue = props.catalogue ?? repriseCatalogue;

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
      tables: this.data.tables,
      queues: this.queues.queues,
      buckets: this.data.buckets,
      secrets: this.data.secrets,
      scheduling: this.scheduling,
      routeQueues: this.queues.routeQueues,
    };
    this.api = new Api(this, 'Api', {
      authorizer: catalogue.authorizer,
      routes: catalogue.routes,
      fallbackRoute: catalogue.fallbackRoute,
      resources,
    });
    this.workers = new Workers(this, 'Workers', { workers: catalogue.workers, scheduled: catalogue.scheduled, resources });

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
