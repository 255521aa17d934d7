import { Stack } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SchedulingResources } from './access.ts';

export interface SchedulingProps {
  /** Name of the schedule group (`scheduling.groupName`). */
  readonly groupName: string;
  /** Where due one-time schedules send their message. */
  readonly targetQueue: IQueue;
  /**
   * Where EventBridge Scheduler puts a message it could not deliver: the
   * target queue's own DLQ, so the alarm already on it covers failed
   * deliveries too, and the local platform does the same.
   */
  readonly deadLetterQueue: IQueue;
}

/**
 * The schedule group for `scheduled_for` runs and the role EventBridge
 * Scheduler assumes to deliver them. The role can send messages to the target
 * queue and, for deliveries that fail, to its DLQ: nothing else.
 */
export class Scheduling extends Construct implements SchedulingResources {
  readonly group: ScheduleGroup;
  readonly role: Role;
  readonly targetQueue: IQueue;
  readonly deadLetterQueue: IQueue;

  constructor(scope: Construct, id: string, props: SchedulingProps) {
    super(scope, id);
    this.targetQueue = props.targetQueue;
    this.deadLetterQueue = props.deadLetterQueue;
    this.group = new ScheduleGroup(this, 'Group', { scheduleGroupName: props.groupName });
    this.role = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'EventBridge Scheduler delivers due scheduled runs to the run queue with this role',
    });
    props.targetQueue.grantSendMessages(this.role);
    // EventBridge Scheduler writes dead-letter events with the schedule's execution role.
    props.deadLetterQueue.grantSendMessages(this.role);
  }
}
