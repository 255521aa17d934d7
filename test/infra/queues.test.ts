import { describe, expect, it } from 'vitest';
import { catalogue, idsOf } from '../../lib/cdk/catalogue-input.ts';
import { synthesize } from './synth.ts';
import { queries, type Statement } from './template-queries.ts';

// Prepare and act once per file; each test assesses the same template.
const { template } = synthesize();
const q = queries(template);
const queueIds = idsOf(catalogue.queues);
const day = 24 * 60 * 60;

const queue = (logicalId: string) => q.resources('AWS::SQS::Queue').find(([id]) => id === logicalId)![1].Properties;
const denySsl = (s: Statement) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false';

describe('queues', () => {
  it('are one per catalogue queue and per created route queue, each with a DLQ', () => {
    const createdRoutes = catalogue.detachedRoutes.filter((route) => route.queue === 'create').length;
    template.resourceCountIs('AWS::SQS::Queue', 2 * (queueIds.length + createdRoutes));
  });

  it('redrive to their DLQ after the catalogue maxReceiveCount, with the catalogue visibility timeout and retention', () => {
    for (const queueId of queueIds) {
      const spec = catalogue.queues[queueId];
      expect(queue(q.queueId(queueId)), queueId).toMatchObject({
        VisibilityTimeout: spec.visibilityTimeoutSeconds,
        MessageRetentionPeriod: spec.retentionDays * day,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [q.dlqId(queueId), 'Arn'] }, maxReceiveCount: spec.maxReceiveCount },
      });
      expect(queue(q.dlqId(queueId)), `${queueId} DLQ`).toMatchObject({ MessageRetentionPeriod: 14 * day });
    }
  });

  it('have the settings users rely on, pinned as literals: runs 720 s / 3 receives, detached pages 360 s / 5, a created route 60 s / 5 by default', () => {
    const settingsOf = (logicalId: string) => {
      const { VisibilityTimeout, RedrivePolicy } = queue(logicalId);
      return [VisibilityTimeout, (RedrivePolicy as { maxReceiveCount: number }).maxReceiveCount];
    };
    const [routeQueueId] = q.byPrefix('AWS::SQS::Queue', 'QueuesRouteExampleIngestQueue');

    expect(settingsOf(q.queueId('runs'))).toEqual([720, 3]);
    expect(settingsOf(q.queueId('detachedPages'))).toEqual([360, 5]);
    expect(settingsOf(routeQueueId)).toEqual([60, 5]);
  });

  it('are encrypted by SQS and refuse requests without TLS, DLQs included', () => {
    const policies = q.resources('AWS::SQS::QueuePolicy');
    for (const [id, properties] of q.resources('AWS::SQS::Queue')) {
      expect(properties.Properties.SqsManagedSseEnabled, id).toBe(true);
      const policy = policies.find(([, p]) => JSON.stringify(p.Properties.Queues) === JSON.stringify([{ Ref: id }]));
      expect((policy?.[1].Properties.PolicyDocument.Statement as Statement[]).some(denySsl), id).toBe(true);
    }
  });

  it('alarm on the first message in each DLQ, to the alarm topic', () => {
    const [topicId] = q.byPrefix('AWS::SNS::Topic', 'QueuesAlarmTopic');
    const alarms = q.resources('AWS::CloudWatch::Alarm');
    for (const queueId of queueIds) {
      const onDlq = alarms.filter(([, a]) => JSON.stringify(a.Properties.Dimensions).includes(`"${q.dlqId(queueId)}"`));
      expect(onDlq.length, queueId).toBe(1);
      expect(onDlq[0]![1].Properties, queueId).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [q.dlqId(queueId), 'QueueName'] } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        AlarmActions: [{ Ref: topicId }],
        OKActions: [{ Ref: topicId }],
      });
    }
  });

  it('send alarms to a KMS-encrypted, TLS-only topic that the stack outputs', () => {
    const [topicId, topic] = q.byPrefix('AWS::SNS::Topic', 'QueuesAlarmTopic');
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    const [, policy] = q.resources('AWS::SNS::TopicPolicy').find(([, p]) => JSON.stringify(p.Properties.Topics) === JSON.stringify([{ Ref: topicId }]))!;
    expect((policy.Properties.PolicyDocument.Statement as Statement[]).some(denySsl)).toBe(true);
    template.hasOutput('AlarmTopicArn', { Value: { Ref: topicId } });
    for (const queueId of queueIds) template.hasOutput('*', { Value: { Ref: q.queueId(queueId) } });
  });
});
