import { Duration } from 'aws-cdk-lib';
import { ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { queues, type QueueId, type QueueSpec } from '../../catalogue.ts';
import { pascal } from './data.ts';

/**
 * The catalogue's queues, each with a dead-letter queue and an alarm that
 * fires as soon as one message lands in it.
 */
export class Queues extends Construct {
  readonly queues: Record<QueueId, Queue>;
  readonly deadLetterQueues: Record<QueueId, Queue>;
  /** Alarms notify this topic; subscribe an address or a chat integration to it. */
  readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // CloudWatch cannot publish to a topic under the AWS managed SNS key, so the topic has its own key.
    const topicKey = new Key(this, 'AlarmTopicKey', { enableKeyRotation: true, description: 'Encrypts the Reprise alarm topic' });
    topicKey.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.alarmTopic = new Topic(this, 'AlarmTopic', { masterKey: topicKey, enforceSSL: true, displayName: 'Reprise alarms' });

    const built = (Object.entries(queues) as [QueueId, QueueSpec][]).map(([queueId, spec]) => {
      const name = pascal(queueId);
      const deadLetterQueue = new Queue(this, `${name}Dlq`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      const queue = new Queue(this, `${name}Queue`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
        retentionPeriod: Duration.days(spec.retentionDays),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: spec.maxReceiveCount },
      });
      deadLetterQueue
        .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) })
        .createAlarm(this, `${name}DlqAlarm`, {
          alarmDescription: `Messages of the ${queueId} queue failed ${spec.maxReceiveCount} times and wait in its DLQ`,
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        })
        .addAlarmAction(new SnsAction(this.alarmTopic));
      return [queueId, queue, deadLetterQueue] as const;
    });
    this.queues = Object.fromEntries(built.map(([queueId, queue]) => [queueId, queue])) as Record<QueueId, Queue>;
    this.deadLetterQueues = Object.fromEntries(built.map(([queueId, , dlq]) => [queueId, dlq])) as Record<QueueId, Queue>;
  }
}
