import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import type { RouteSpec, WorkerSpec } from '../../lib/catalogue.ts';
import { catalogue, idsOf, type Catalogue } from '../../lib/cdk/catalogue-input.ts';
import { acknowledgementsIn } from './acknowledgements.ts';
import { generatedEntries } from './fixtures/generated-entries.ts';
import { expectWithinBudget } from './stack-templates.ts';
import { synthesize } from './synth.ts';
import { actionsOf, mentions, queries } from './template-queries.ts';
import { expectWorkersWired } from './worker-assertions.ts';

// Prepare: the catalogue grown by what comes next: another worker, an index, bucket and scheduler grants, and 50 more routes and 10 more workers.
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
/** Ten more routes of one capability (`billing` is a new one), each its own function using `uses`. */
function routesOf(capability: string, uses: RouteSpec['uses']): RouteSpec[] {
  return generatedEntries(capability, 'route', 10).map((entry, i) => ({
    method: 'GET',
    path: `/api/v1/${capability}/grown-${i + 1}`,
    entry,
    auth: true,
    timeoutSeconds: 10,
    memoryMb: 512,
    uses,
  }));
}
// The next capabilities: 50 more routes, ten in each of four capabilities and ten in a new one, and 10 more workers.
const moreRoutes: Record<string, RouteSpec[]> = {
  LedgerFunctions: routesOf('ledger', [{ table: 'ledger', mode: 'read' }]),
  ReplayRunsFunctions: routesOf('replay-runs', [{ table: 'replay', mode: 'readWrite' }, { bucket: 'artifacts', mode: 'read' }, { scheduler: 'manage' }]),
  SessionReplayFunctions: routesOf('session-replay', [{ table: 'proxy', mode: 'read' }, { bucket: 'recordings', mode: 'read' }, { queue: 'sessionReplays', mode: 'send' }]),
  ReproducibilityFunctions: routesOf('reproducibility', [{ table: 'reproducibility', mode: 'readWrite' }, { queue: 'reproducibility', mode: 'send' }]),
  BillingFunctions: routesOf('billing', [{ table: 'projects', mode: 'read' }, { table: 'ledger', mode: 'read' }, { secret: 'providers' }, { routes: 'send' }]),
};
const queueIds = idsOf(catalogue.queues);
const moreWorkers: WorkerSpec[] = generatedEntries('workers', 'worker', 10).map((entry, i) => ({
  entry,
  queue: queueIds[i % queueIds.length]!,
  batchSize: 1,
  maxConcurrency: 2,
  // Within the shortest visibility timeout of the queues (360 s) over 6.
  timeoutSeconds: 60,
  memoryMb: 512,
  uses: [
    { table: 'ledger', mode: 'readWrite' },
    { bucket: 'artifacts', mode: 'readWrite' },
    { queue: 'runs', mode: 'send' },
  ],
}));
const grown: Catalogue = {
  ...catalogue,
  tables: { ...catalogue.tables, ledger: { ...catalogue.tables.ledger, indexes: [{ name: 'by-status', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }] } },
  routes: [...catalogue.routes, startReplay, ...Object.values(moreRoutes).flat()],
  workers: [...catalogue.workers, runWorker, ...moreWorkers],
};

// Act once per file; each test assesses the same template.
const { app, template, stacks, stackOf } = synthesize({ catalogue: grown });
const q = queries(template);
const env = (entry: string) => q.fn(entry)[1].Properties.Environment.Variables as Record<string, unknown>;

describe('a grown catalogue', () => {
  it('keeps every stack within the budget with 50 more routes and 10 more workers, a new capability in a stack of its own', () => {
    expectWithinBudget(stacks);
    for (const [stack, routes] of Object.entries(moreRoutes)) {
      for (const route of routes) expect(stackOf.get(q.fn(route)[0]), route.entry).toBe(`Reprise/${stack}`);
    }
    for (const worker of moreWorkers) expect(stackOf.get(q.fn(worker)[0]), worker.entry).toBe('Reprise/WorkerFunctions');
  });

  it('routes every new route, behind the authorizer, to the integration of its own function', () => {
    const integrations = new Map(q.resources('AWS::ApiGatewayV2::Integration'));
    const routes = new Map(q.resources('AWS::ApiGatewayV2::Route').map(([, r]) => [r.Properties.RouteKey as string, r.Properties]));
    for (const route of Object.values(moreRoutes).flat()) {
      const found = routes.get(`${route.method} ${route.path}`)!;
      expect(found.AuthorizationType, route.path).toBe('CUSTOM');
      const integrationId = found.Target['Fn::Join'][1][1].Ref as string;
      expect(integrations.get(integrationId)?.Properties.IntegrationUri, route.path).toEqual({ 'Fn::GetAtt': [q.fn(route)[0], 'Arn'] });
    }
  });

  it('wires the new worker to its queue with partial batch failures', () => {
    expectWorkersWired(template, grown);
  });

  it('passes cdk-nag: the wildcards its grants need are acknowledged on the granted role, finding by finding', () => {
    expect(new AwsSolutionsChecks(app).validateScope(app).violations.map((v) => v.ruleName)).toEqual([]);
    const iam5 = acknowledgementsIn(app).filter((a) => a.id.startsWith('AwsSolutions-IAM5['));
    expect(iam5.length).toBeGreaterThan(0);
    for (const ack of iam5) {
      expect(ack.path, ack.id).toMatch(/^Reprise\/(Api|[A-Za-z]+Functions)\/[A-Za-z0-9]+Role$/);
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
