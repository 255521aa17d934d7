import { Duration, Stack } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ScheduledSpec } from '../../catalogue.ts';
import type { RepriseFunction } from './reprise-function.ts';

export interface SchedulingProps {
  /** Where due one-time schedules send their message. */
  readonly targetQueue: Queue;
  /** Where EventBridge Scheduler puts a message it could not deliver. */
  readonly deadLetterQueue: Queue;
  /** Functions to invoke on a rate, with their catalogue entries. */
  readonly scheduled: readonly { spec: ScheduledSpec; fn: RepriseFunction }[];
}

/**
 * The schedule group for `scheduled_for` runs and the role EventBridge
 * Scheduler assumes to deliver them (it may send to the run queue and, for
 * deliveries that fail, to its DLQ: nothing else), plus the rate rules.
 */
export class Scheduling extends Construct {
  readonly group: ScheduleGroup;
  readonly schedulerRole: Role;

  constructor(scope: Construct, id: string, props: SchedulingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.group = new ScheduleGroup(this, 'Group', { scheduleGroupName: `${stack.stackName}-runs` });
    this.schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Delivers due scheduled replay runs to the run queue',
    });
    props.targetQueue.grantSendMessages(this.schedulerRole);
    props.deadLetterQueue.grantSendMessages(this.schedulerRole);

    for (const { spec, fn } of props.scheduled) {
      new Rule(this, `${fn.node.id}Rule`, {
        description: `Invokes ${spec.entry} every ${spec.everyMinutes} minutes`,
        schedule: Schedule.rate(Duration.minutes(spec.everyMinutes)),
        targets: [new LambdaFunction(fn, { retryAttempts: 2 })],
      });
    }
  }
}
