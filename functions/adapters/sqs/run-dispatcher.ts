import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, ResourceNotFoundException } from '@aws-sdk/client-scheduler';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { RunDispatcher } from '#core/replay-runs/ports.ts';
import { scheduler } from '../aws/scheduler-client.ts';
import { sqs } from '../aws/sqs-client.ts';

export interface RunDispatchConfig {
  queueUrl: string;
  /** The schedule group, the role Scheduler assumes, the queue it sends to and its DLQ. */
  schedules: { groupName: string; roleArn: string; targetArn: string; deadLetterArn: string } | undefined;
}

/**
 * Starts runs through the run queue: at once with a message, or later with
 * a one-time EventBridge Scheduler schedule (named after the run, deleted
 * after it fires) that sends the same message.
 */
export function createRunDispatcher(config: RunDispatchConfig): RunDispatcher {
  const schedules = () => {
    if (!config.schedules) throw new Error('Scheduling is not configured for this function');
    return config.schedules;
  };
  return {
    async enqueue(message, options = {}) {
      await sqs.send(
        new SendMessageCommand({ QueueUrl: config.queueUrl, MessageBody: JSON.stringify(message), ...(options.delaySeconds ? { DelaySeconds: options.delaySeconds } : {}) }),
      );
    },

    async scheduleAt(message, at) {
      const target = schedules();
      // A schedule of this run exists already (a retried create): it sends the same message.
      await scheduler.send(
        new CreateScheduleCommand({
          Name: message.run_id,
          GroupName: target.groupName,
          ScheduleExpression: atExpression(at),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Description: `Starts replay run ${message.run_id} of project ${message.project_id}`,
          Target: {
            Arn: target.targetArn,
            RoleArn: target.roleArn,
            Input: JSON.stringify(message),
            DeadLetterConfig: { Arn: target.deadLetterArn },
            RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3_600 },
          },
        }),
      ).catch((error: unknown) => {
        if (!(error instanceof ConflictException)) throw error;
      });
    },

    async unschedule(message) {
      try {
        await scheduler.send(new DeleteScheduleCommand({ Name: message.run_id, GroupName: schedules().groupName }));
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
    },
  };
}

/**
 * EventBridge Scheduler's `at()` takes whole seconds: the run's time rounded
 * up, so the schedule never fires before it (the worker defers a message that
 * still arrives early).
 */
export function atExpression(at: Date): string {
  const ceiling = new Date(Math.ceil(at.getTime() / 1000) * 1000);
  return `at(${ceiling.toISOString().slice(0, 19)})`;
}
