import { describe, expect, it } from 'vitest';
import { catalogue } from '../../lib/cdk/catalogue-input.ts';
import { synthesize } from './synth.ts';
import { actionsOf, queries } from './template-queries.ts';

// Prepare and act once per file; each test assesses the same template.
const { template } = synthesize();
const q = queries(template);
const target = catalogue.scheduling.targetQueue;
const schedulerRoles = q
  .resources('AWS::IAM::Role')
  .filter(([, r]) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'));

describe('scheduling', () => {
  it('has the catalogue schedule group', () => {
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: catalogue.scheduling.groupName });
  });

  it('has one role for EventBridge Scheduler, assumable by it from this account only', () => {
    expect(schedulerRoles.length).toBe(1);
    const [, role] = schedulerRoles[0]!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
  });

  it('lets that role send messages to the run queue (and, for failed deliveries, its DLQ) and do nothing else', () => {
    const [roleId] = schedulerRoles[0]!;
    const statements = q.statementsOfRole(roleId);
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    expect(actionsOf(statements)).toContain('sqs:SendMessage');
    // grantSendMessages adds the two read-only calls the SDK makes before sending.
    expect(new Set(actionsOf(statements))).toEqual(new Set(['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl']));
    const resources = statements.flatMap((s) => [s.Resource].flat());
    expect(new Set(resources.map((r) => JSON.stringify(r)))).toEqual(
      new Set([q.queueId(target), q.dlqId(target)].map((id) => JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }))),
    );
  });
});
