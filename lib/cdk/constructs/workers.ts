import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { ScheduledSpec } from '../../catalogue.ts';

export interface WorkersProps {
  /** Functions EventBridge invokes on a rate (built in the workers' nested stack). */
  readonly scheduled: readonly { readonly spec: ScheduledSpec; readonly fn: IFunction }[];
  /**
   * Times EventBridge retries a failed invocation of a scheduled function.
   * @default 2
   */
  readonly scheduledRetryAttempts?: number;
}

/**
 * What starts the background functions from the root stack: an EventBridge
 * rate rule per scheduled function (the sweeper), with the permission to
 * invoke it. The SQS workers' event sources live with their functions in the
 * workers' nested stack.
 */
export class Workers extends Construct {
  readonly rules: readonly { readonly spec: ScheduledSpec; readonly rule: Rule }[];

  constructor(scope: Construct, id: string, props: WorkersProps) {
    super(scope, id);
    this.rules = props.scheduled.map(({ spec, fn }) => ({
      spec,
      rule: new Rule(this, `${fn.node.id}Rule`, {
        description: `Invokes ${spec.entry} every ${spec.everyMinutes} minutes`,
        schedule: Schedule.rate(Duration.minutes(spec.everyMinutes)),
        targets: [new LambdaFunction(fn, { retryAttempts: props.scheduledRetryAttempts ?? 2 })],
      }),
    }));
  }
}
