import { Duration } from 'aws-cdk-lib';
import { ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueId, QueueSpec } from '../../catalogue.ts';
import { assertDistinctConstructIds, routeConstructId, routeQueueSettings } from '../../deployment-config.ts';
import { idsOf, pascal, type Catalogue } from '../catalogue-input.ts';

export interface QueuesProps {
  /** One queue per entry, with its visibility timeout, retention and `maxReceiveCount`. */
  readonly queues: Catalogue['queues'];
  /**
   * Detached replay routes: a created route gets a queue like the others (DLQ
   * and alarm included); an imported one is referenced by its ARN.
   * @default no routes
   */
  readonly routes?: Catalogue['detachedRoutes'];
  /**
   * How long a message waits in a dead-letter queue.
   * @default Duration.days(14), the SQS maximum
   */
  readonly deadLetterRetention?: Duration;
}

/**
 * The catalogue's queues, each with a dead-letter queue (encrypted, TLS only)
 * and an alarm that tells the alarm topic as soon as one message lands in it.
 */
export class Queues extends Construct {
  readonly queues: Record<QueueId, Queue>;
  readonly deadLetterQueues: Record<QueueId, Queue>;
  /** The queue behind each detached replay route, by route name. */
  readonly routeQueues: Record<string, IQueue>;
  /** Alarms notify this topic; subscribe an address or a chat integration to it. */
  readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, props: QueuesProps) {
    super(scope, id);
    // CloudWatch cannot publish to a topic under the AWS managed SNS key, so the topic has a key of its own.
    const topicKey = new Key(this, 'AlarmTopicKey', { enableKeyRotation: true, description: 'Encrypts the Reprise alarm topic' });
    topicKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.alarmTopic = new Topic(this, 'AlarmTopic', { masterKey: topicKey, enforceSSL: true, displayName: 'Reprise alarms' });
    const alarmAction = new SnsAction(this.alarmTopic);

    this.queues = {} as Record<QueueId, Queue>;
    this.deadLetterQueues = {} as Record<QueueId, Queue>;
    for (const queueId of idsOf(props.queues)) {
      const { queue, deadLetterQueue } = this.queueWithDlq(pascal(queueId), queueId, props.queues[queueId], props, alarmAction);
      this.queues[queueId] = queue;
      this.deadLetterQueues[queueId] = deadLetterQueue;
    }

    this.routeQueues = {};
    assertDistinctConstructIds(props.routes ?? []);
    for (const route of props.routes ?? []) {
      const id = routeConstructId(route.name);
      this.routeQueues[route.name] = route.queueArn
        ? Queue.fromQueueArn(this, id, route.queueArn)
        : this.queueWithDlq(id, `route ${route.name}`, routeQueueSettings(route), props, alarmAction).queue;
    }
  }

  private queueWithDlq(
    name: string,
    label: string,
    spec: Pick<QueueSpec, 'visibilityTimeoutSeconds' | 'maxReceiveCount' | 'retentionDays'>,
    props: QueuesProps,
    alarmAction: SnsAction,
  ): { queue: Queue; deadLetterQueue: Queue } {
    const deadLetterQueue = new Queue(this, `${name}Dlq`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.deadLetterRetention ?? Duration.days(14),
    });
    const queue = new Queue(this, `${name}Queue`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(spec.retentionDays),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: spec.maxReceiveCount },
    });
    const alarm = deadLetterQueue
      .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' })
      .createAlarm(this, `${name}DlqAlarm`, {
        alarmDescription: `Messages of the ${label} queue failed ${spec.maxReceiveCount} times and wait in its DLQ`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    alarm.addAlarmAction(alarmAction);
    alarm.addOkAction(alarmAction);
    return { queue, deadLetterQueue };
  }
}
