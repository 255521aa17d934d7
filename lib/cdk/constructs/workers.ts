import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import type { ScheduledSpec, WorkerSpec } from '../../catalogue.ts';
import { functionId } from '../catalogue-input.ts';
import type { CatalogueResources } from './access.ts';
import { RepriseFunction } from './reprise-function.ts';

export interface WorkersProps {
  /** SQS consumers: one function per entry, fed by its queue. */
  readonly workers: readonly WorkerSpec[];
  /** Functions EventBridge invokes on a rate. */
  readonly scheduled: readonly ScheduledSpec[];
  /** What the functions' `uses` resolve against; workers' queues come from here too. */
  readonly resources: CatalogueResources;
  /**
   * Times EventBridge retries a failed invocation of a scheduled function.
   * @default 2
   */
  readonly scheduledRetryAttempts?: number;
}

/**
 * The background functions: SQS workers that report partial batch failures
 * (a failed message is retried alone, then goes to the queue's DLQ), and
 * scheduled functions on an EventBridge rate rule (the sweeper).
 */
export class Workers extends Construct {
  readonly workerFunctions: readonly { readonly spec: WorkerSpec; readonly fn: RepriseFunction }[];
  readonly scheduledFunctions: readonly { readonly spec: ScheduledSpec; readonly fn: RepriseFunction; readonly rule: Rule }[];

  constructor(scope: Construct, id: string, props: WorkersProps) {
    super(scope, id);
    const build = (spec: WorkerSpec | ScheduledSpec) => new RepriseFunction(this, functionId(spec.entry), { spec, resources: props.resources });

    this.workerFunctions = props.workers.map((spec) => {
      const fn = build(spec);
      fn.addEventSource(
        new SqsEventSource(props.resources.queues[spec.queue], {
          batchSize: spec.batchSize,
          maxConcurrency: spec.maxConcurrency,
          reportBatchItemFailures: true,
        }),
      );
      return { spec, fn };
    });

    this.scheduledFunctions = props.scheduled.map((spec) => {
      const fn = build(spec);
      const rule = new Rule(this, `${fn.node.id}Rule`, {
        description: `Invokes ${spec.entry} every ${spec.everyMinutes} minutes`,
        schedule: Schedule.rate(Duration.minutes(spec.everyMinutes)),
        targets: [new LambdaFunction(fn, { retryAttempts: props.scheduledRetryAttempts ?? 2 })],
      });
      return { spec, fn, rule };
    });
  }
}
