import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import type { RouteSpec, WorkerSpec } from '../../lib/catalogue.ts';
import { catalogue, type Catalogue } from '../../lib/cdk/catalogue-input.ts';
import { acknowledgementsIn } from './acknowledgements.ts';
import { synthesize } from './synth.ts';
import { actionsOf, mentions, queries } from './template-queries.ts';
import { expectWorkersWired } from './worker-assertions.ts';

// Prepare: the catalogue grown by what comes next: another worker, an index, bucket and scheduler grants.
const startReplay: RouteSpec = {
  method: 'POST',
  path: '/api/v1/replays',
  entry: 'test/infra/fixtures/start-replay.ts',
  auth: true,
  timeoutSeconds: 10,
  memoryMb: 512,
  uses: [
    { table: 'ledger', mode: 'readWrite' },
    { bucket: 'outputs', mode: 'read' },
    { bucket: 'artifacts', mode: 'write' },
    { queue: 'runs', mode: 'send' },
    { scheduler: 'manage' },
  ],
};
const runWorker: WorkerSpec = {
  entry: 'test/infra/fixtures/run-worker.ts',
  queue: 'runs',
  batchSize: 5,
  maxConcurrency: 4,
  // The longest the run queue allows (its visibility timeout must be ≥ 6 × this).
  timeoutSeconds: Math.floor(catalogue.queues.runs.visibilityTimeoutSeconds / 6),
  memoryMb: 1024,
  uses: [
    { table: 'ledger', mode: 'readWrite' },
    { bucket: 'artifacts', mode: 'readWrite' },
  ],
};
const grown: Catalogue = {
  ...catalogue,
  tables: { ...catalogue.tables, ledger: { ...catalogue.tables.ledger, indexes: [{ name: 'by-status', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }] } },
  routes: [...catalogue.routes, startReplay],
  workers: [...catalogue.workers, runWorker],
};

// Act once per file; each test assesses the same template.
const { app, template } = synthesize({ catalogue: grown });
const q = queries(template);
const env = (entry: string) => q.fn(entry)[1].Properties.Environment.Variables as Record<string, unknown>;

describe('a grown catalogue', () => {
  it('wires the new worker to its queue with partial batch failures', () => {
    expectWorkersWired(template, grown);
  });

  it('passes cdk-nag: the wildcards its grants need are acknowledged on the granted role, finding by finding', () => {
    expect(new AwsSolutionsChecks(app).validateScope(app).violations.map((v) => v.ruleName)).toEqual([]);
    const iam5 = acknowledgementsIn(app).filter((a) => a.id.startsWith('AwsSolutions-IAM5['));
    expect(iam5.length).toBeGreaterThan(0);
    for (const ack of iam5) {
      expect(ack.path, ack.id).toMatch(/^Reprise\/(Api|[A-Za-z]+Functions)\/[A-Za-z]+Role$/);
      expect(ack.id, ack.path).not.toMatch(/\[Resource::\*\]|\[Action::[a-z0-9]+:\*\]/);
    }
  });

  it('lets a scheduler manager create, get and delete schedules in the Reprise group only, and pass only the scheduler role', () => {
    const statements = q.statementsOf(startReplay);
    const scheduler = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('scheduler:')));
    expect(scheduler.length).toBe(1);
    expect(new Set(actionsOf(scheduler))).toEqual(new Set(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule']));
    expect(JSON.stringify(scheduler[0]!.Resource)).toMatch(new RegExp(`:schedule/${grown.scheduling.groupName}/\\*"`));

    const [schedulerRoleId] = q.byPrefix('AWS::IAM::Role', 'SchedulingSchedulerRole');
    const passRole = statements.filter((s) => actionsOf([s]).includes('iam:PassRole'));
    expect(passRole).toEqual([{ Effect: 'Allow', Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': [schedulerRoleId, 'Arn'] } }]);

    const target = grown.scheduling.targetQueue;
    expect(env(startReplay.entry)).toMatchObject({
      [grown.scheduling.env.groupName]: grown.scheduling.groupName,
      [grown.scheduling.env.roleArn]: { 'Fn::GetAtt': [schedulerRoleId, 'Arn'] },
      [grown.scheduling.env.targetArn]: { 'Fn::GetAtt': [q.queueId(target), 'Arn'] },
      [grown.scheduling.env.deadLetterArn]: { 'Fn::GetAtt': [q.dlqId(target), 'Arn'] },
    });
  });

  it('grants buckets by mode: read reads, write puts but never deletes, and sets their env vars', () => {
    const statements = q.statementsOf(startReplay);
    const onOutputs = actionsOf(statements.filter((s) => mentions(s, q.bucketId('outputs'))));
    const onArtifacts = actionsOf(statements.filter((s) => mentions(s, q.bucketId('artifacts'))));
    expect(onOutputs).toContain('s3:GetObject*');
    expect(onOutputs.filter((a) => /Put|Delete/.test(a))).toEqual([]);
    expect(onArtifacts).toContain('s3:PutObject');
    expect(onArtifacts.filter((a) => /Delete|Get|List/.test(a))).toEqual([]);
    expect(env(startReplay.entry)).toMatchObject({
      [grown.buckets.outputs.envName]: { Ref: q.bucketId('outputs') },
      [grown.buckets.artifacts.envName]: { Ref: q.bucketId('artifacts') },
      [grown.queues.runs.envName]: { Ref: q.queueId('runs') },
    });
  });

  it("creates the new index and lets the table's users query it", () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { GlobalSecondaryIndexes: [{ IndexName: 'by-status' }] });
    const onLedger = q.statementsOf(runWorker).filter((s) => mentions(s, q.tableId('ledger')));
    expect(JSON.stringify(onLedger.map((s) => s.Resource))).toContain('/index/*');
  });
});
