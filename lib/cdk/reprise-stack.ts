import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { authorizer, fallbackRoute, queues, routes, scheduled, scheduling, workers, type FunctionSpec } from '../catalogue.ts';
import { bindAccess } from './constructs/access.ts';
import { Api } from './constructs/api.ts';
import { Data } from './constructs/data.ts';
import { Queues } from './constructs/queues.ts';
import { RepriseFunction } from './constructs/reprise-function.ts';
import { Scheduling } from './constructs/scheduling.ts';
import { acknowledgeFindings } from './nag-acknowledgements.ts';

/** Reprise on AWS, built entirely from the resource catalogue. */
export class RepriseStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const data = new Data(this, 'Data');
    const queueSet = new Queues(this, 'Queues');

    const functions: { spec: FunctionSpec; fn: RepriseFunction }[] = [];
    const build = <S extends FunctionSpec>(spec: S) => {
      const fn = new RepriseFunction(this, functionId(spec.entry), { spec });
      functions.push({ spec, fn });
      return { spec, fn };
    };
    const authorizerFunction = build(authorizer).fn;
    const routeFunctions = routes.map(build);
    const fallbackFunction = build(fallbackRoute).fn;
    const workerFunctions = workers.map(build);
    const scheduledFunctions = scheduled.map(build);

    const schedulingSet = new Scheduling(this, 'Scheduling', {
      targetQueue: queueSet.queues[scheduling.targetQueue],
      deadLetterQueue: queueSet.deadLetterQueues[scheduling.targetQueue],
      scheduled: scheduledFunctions,
    });
    const resources = { ...data, queues: queueSet.queues, deadLetterQueues: queueSet.deadLetterQueues, scheduling: schedulingSet };
    for (const { spec, fn } of functions) bindAccess(fn, spec.uses, resources);

    for (const { spec, fn } of workerFunctions) {
      fn.addEventSource(
        new SqsEventSource(queueSet.queues[spec.queue], {
          batchSize: spec.batchSize,
          maxConcurrency: spec.maxConcurrency,
          reportBatchItemFailures: true,
        }),
      );
    }

    const api = new Api(this, 'Api', { authorizer: authorizerFunction, routes: routeFunctions, fallback: fallbackFunction });

    new CfnOutput(this, 'ApiKeysTableName', {
      value: data.tables.apiKeys.tableName,
      description: 'Set REPRISE_API_KEYS_TABLE to this to manage keys with `npm run api-key`',
    });
    new CfnOutput(this, 'OutputsBucketName', { value: data.buckets.outputs.bucketName, description: 'Pipeline outputs (detached replay source)' });
    new CfnOutput(this, 'AlarmTopicArn', { value: queueSet.alarmTopic.topicArn, description: 'Subscribe to be told when a DLQ fills' });
    for (const queueId of Object.keys(queues) as (keyof typeof queues)[]) {
      new CfnOutput(this, `${functionId(queueId)}QueueUrl`, { value: queueSet.queues[queueId].queueUrl });
    }

    acknowledgeFindings({ api });
  }
}

/** `functions/http/ledger/post-result.ts` → `HttpLedgerPostResult`: stable logical ids from the catalogue. */
export function functionId(entry: string): string {
  return entry
    .replace(/^functions\//, '')
    .replace(/\.ts$/, '')
    .split(/[/_-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
