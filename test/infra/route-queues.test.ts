import { describe, expect, it } from 'vitest';
import { catalogue } from '../../lib/cdk/catalogue-input.ts';
import { readRoutes } from '../../lib/deployment-config.ts';
import { synthesize } from './synth.ts';
import { allFunctions, queries, type Statement } from './template-queries.ts';

// Prepare and act once per file; each test assesses the same template.
const { template } = synthesize();
const q = queries(template);
const created = catalogue.detachedRoutes.filter((route) => route.queue === 'create');
const routeQueueIds = q
  .resources('AWS::SQS::Queue')
  .map(([id]) => id)
  .filter((id) => id.startsWith('QueuesRoute') && !id.includes('Dlq'));

describe('detached replay route queues', () => {
  it('exist for every created route, each redriving to a DLQ that is alarmed', () => {
    expect(routeQueueIds).toHaveLength(created.length);
    const alarms = q.resources('AWS::CloudWatch::Alarm');
    for (const id of routeQueueIds) {
      const props = q.resources('AWS::SQS::Queue').find(([queueId]) => queueId === id)![1].Properties;
      const dlq = (props.RedrivePolicy as { deadLetterTargetArn: { 'Fn::GetAtt': [string, string] } }).deadLetterTargetArn['Fn::GetAtt'][0];
      expect(alarms.some(([, alarm]) => JSON.stringify(alarm.Properties.Dimensions).includes(dlq)), `${id} DLQ alarm`).toBe(true);
    }
  });

  it('can be sent to only by functions whose catalogue entry uses the routes', () => {
    const senders = allFunctions(catalogue).filter((spec) => spec.uses.some((access) => 'routes' in access));
    const policies = q.resources('AWS::IAM::Policy');
    for (const id of routeQueueIds) {
      const granted = policies.filter(([, policy]) =>
        (policy.Properties.PolicyDocument.Statement as Statement[]).some(
          (statement) => [statement.Action].flat().includes('sqs:SendMessage') && JSON.stringify(statement.Resource).includes(id),
        ),
      );
      expect(granted.length, id).toBe(senders.length);
    }
  });
});

describe('detached replay route names', () => {
  const colliding = [
    { name: 'orders-in', queue: 'create' as const },
    { name: 'orders_in', queue: 'create' as const },
  ];

  it('that would share a queue construct id are refused at synth, naming both', () => {
    expect(() => synthesize({ catalogue: { ...catalogue, detachedRoutes: colliding } })).toThrow(
      'Detached replay routes "orders-in" and "orders_in" cannot both exist: their queues would share the construct id RouteOrdersIn',
    );
  });

  it('that would share a queue construct id are refused when cdk.json is read, naming both', () => {
    expect(() => readRoutes(colliding)).toThrow(/"orders-in" and "orders_in"/);
  });
});
