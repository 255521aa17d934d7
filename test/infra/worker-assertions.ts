import type { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import type { Catalogue } from '../../lib/cdk/catalogue-input.ts';
import { queries } from './template-queries.ts';

/**
 * Every SQS event source reports partial batch failures, there is one per
 * catalogue worker, fed by its queue with its batch size and concurrency, and
 * the queue hides a message for at least 6 × the function timeout (AWS's rule
 * for SQS-triggered functions, so a slow batch is not delivered twice).
 * Shared by the tests of the current catalogue and of a grown one.
 */
export function expectWorkersWired(template: Template, catalogue: Catalogue): void {
  const q = queries(template);
  const mappings = q.resources('AWS::Lambda::EventSourceMapping');
  expect(mappings.length).toBe(catalogue.workers.length);
  for (const [id, mapping] of mappings) expect(mapping.Properties.FunctionResponseTypes, id).toEqual(['ReportBatchItemFailures']);

  for (const [id, mapping] of mappings) {
    const functionId = mapping.Properties.FunctionName.Ref as string;
    const [, fn] = q.resources('AWS::Lambda::Function').find(([fid]) => fid === functionId)!;
    const queueId = mapping.Properties.EventSourceArn['Fn::GetAtt'][0] as string;
    const [, queue] = q.resources('AWS::SQS::Queue').find(([qid]) => qid === queueId)!;
    expect(queue.Properties.VisibilityTimeout, id).toBeGreaterThanOrEqual(6 * fn.Properties.Timeout);
  }

  for (const worker of catalogue.workers) {
    const [functionId] = q.fn(worker);
    const found = mappings.filter(([, m]) => m.Properties.FunctionName.Ref === functionId);
    expect(found.length, worker.entry).toBe(1);
    expect(found[0]![1].Properties, worker.entry).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [q.queueId(worker.queue), 'Arn'] },
      BatchSize: worker.batchSize,
      ScalingConfig: { MaximumConcurrency: worker.maxConcurrency },
    });
  }
}

/** One EventBridge rate rule per scheduled function, invoking it. */
export function expectScheduledWired(template: Template, catalogue: Catalogue): void {
  const q = queries(template);
  const rules = q.resources('AWS::Events::Rule');
  expect(rules.length).toBe(catalogue.scheduled.length);
  for (const spec of catalogue.scheduled) {
    const [functionId] = q.fn(spec);
    const found = rules.filter(([, r]) => JSON.stringify(r.Properties.Targets).includes(`"${functionId}"`));
    expect(found.length, spec.entry).toBe(1);
    expect(found[0]![1].Properties, spec.entry).toMatchObject({
      ScheduleExpression: `rate(${spec.everyMinutes} ${spec.everyMinutes === 1 ? 'minute' : 'minutes'})`,
      State: 'ENABLED',
      Targets: [{ Arn: { 'Fn::GetAtt': [functionId, 'Arn'] } }],
    });
  }
}
